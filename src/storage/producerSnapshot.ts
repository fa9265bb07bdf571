// Producer-state snapshot (`<offset>.snapshot`, Kafka's ProducerStateManager / ProducerSnapshot.json):
// `version int16 (1) | crc uint32 (CRC-32C of bytes [6, end)) | count int32 | entries`, 46 bytes each:
// producerId i64, epoch i16, lastSequence i32, lastOffset i64, offsetDelta i32, timestamp i64,
// coordinatorEpoch i32, currentTxnFirstOffset i64 (-1 none).

import { crc32c } from '../format/crc.js';
import { CorruptRecordError } from '../format/errors.js';
import { readInt16, readInt32, readInt64, readUInt32, writeInt16, writeInt32, writeInt64 } from '../format/int64.js';

export const SNAPSHOT_VERSION = 1;
export const SNAPSHOT_HEADER_SIZE = 10;
export const SNAPSHOT_ENTRY_SIZE = 46;

export interface ProducerSnapshotEntry {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastOffset: number;
  offsetDelta: number;
  timestamp: number;
  coordinatorEpoch: number;
  /** -1 when no transaction is open. */
  currentTxnFirstOffset: number;
}

export function encodeProducerSnapshot(entries: readonly ProducerSnapshotEntry[]): Buffer {
  const b = Buffer.alloc(SNAPSHOT_HEADER_SIZE + entries.length * SNAPSHOT_ENTRY_SIZE);
  writeInt16(b, 0, SNAPSHOT_VERSION);
  writeInt32(b, 6, entries.length);
  let p = SNAPSHOT_HEADER_SIZE;
  for (const e of entries) {
    writeInt64(b, p, e.producerId);
    writeInt16(b, p + 8, e.producerEpoch);
    writeInt32(b, p + 10, e.lastSequence);
    writeInt64(b, p + 14, e.lastOffset);
    writeInt32(b, p + 22, e.offsetDelta);
    writeInt64(b, p + 26, e.timestamp);
    writeInt32(b, p + 34, e.coordinatorEpoch);
    writeInt64(b, p + 38, e.currentTxnFirstOffset);
    p += SNAPSHOT_ENTRY_SIZE;
  }
  writeInt32(b, 2, crc32c(b, 6, b.length));
  return b;
}

export function decodeProducerSnapshot(b: Buffer): ProducerSnapshotEntry[] {
  if (b.length < SNAPSHOT_HEADER_SIZE) throw new CorruptRecordError(`Snapshot is corrupt (${b.length} bytes is shorter than the ${SNAPSHOT_HEADER_SIZE}-byte header)`, 0);
  const version = readInt16(b, 0);
  if (version !== SNAPSHOT_VERSION) throw new CorruptRecordError(`Snapshot contained an unknown file version ${version}`, 0);
  const stored = readUInt32(b, 2);
  const computed = crc32c(b, 6, b.length);
  if (stored !== computed) throw new CorruptRecordError(`Snapshot is corrupt (CRC is no longer valid). Stored crc: ${stored}. Computed crc: ${computed}`, 2);
  const count = readInt32(b, 6);
  if (count < 0 || SNAPSHOT_HEADER_SIZE + count * SNAPSHOT_ENTRY_SIZE !== b.length) {
    throw new CorruptRecordError(`Snapshot is corrupt (count ${count} does not match its ${b.length} bytes)`, 6);
  }
  const out: ProducerSnapshotEntry[] = [];
  for (let i = 0, p = SNAPSHOT_HEADER_SIZE; i < count; i++, p += SNAPSHOT_ENTRY_SIZE) {
    out.push({
      producerId: readInt64(b, p),
      producerEpoch: readInt16(b, p + 8),
      lastSequence: readInt32(b, p + 10),
      lastOffset: readInt64(b, p + 14),
      offsetDelta: readInt32(b, p + 22),
      timestamp: readInt64(b, p + 26),
      coordinatorEpoch: readInt32(b, p + 34),
      currentTxnFirstOffset: readInt64(b, p + 38),
    });
  }
  return out;
}
