// Writes legacy v0/v1 message sets (kseg writes them for fixtures and interop tests; Kafka 4 no
// longer does). Uncompressed: one entry per record. Compressed: one wrapper, as a 0.10 broker stores
// it — inner offsets absolute (v0) or relative 0..n-1 (v1), wrapper offset = last inner offset,
// v1 wrapper timestamp = max inner CreateTime or the LogAppendTime.

import { Codec, TIMESTAMP_TYPE_MASK, TimestampType } from './attributes.js';
import { compress } from './codecs/compression.js';
import { crc32 } from './crc.js';
import { writeInt32, writeInt64 } from './int64.js';
import { LEGACY_MAGIC_OFFSET, recordOverhead } from './legacyRecordBatch.js';
import type { RecordInput } from './recordBatchBuilder.js';
import { LOG_OVERHEAD } from './recordBatch.js';

export interface LegacyBatchOptions {
  magic: 0 | 1;
  codec?: Codec;
  level?: number;
  baseOffset?: number;
  timestampType?: TimestampType;
  logAppendTime?: number;
}

/** One legacy entry: `offset | size | crc | magic | attributes | [ts] | key | value`. */
export function writeLegacyMessage(offset: number, magic: 0 | 1, attributes: number, timestamp: number, key: Uint8Array | null, value: Uint8Array | null): Buffer {
  const klen = key ? key.length : -1;
  const vlen = value ? value.length : -1;
  const size = recordOverhead(magic) + Math.max(klen, 0) + Math.max(vlen, 0);
  const out = Buffer.allocUnsafe(LOG_OVERHEAD + size);
  writeInt64(out, 0, offset);
  writeInt32(out, 8, size);
  out[LEGACY_MAGIC_OFFSET] = magic;
  out[17] = attributes;
  let p = 18;
  if (magic === 1) {
    writeInt64(out, p, timestamp);
    p += 8;
  }
  writeInt32(out, p, klen);
  p += 4;
  if (key) {
    out.set(key, p);
    p += key.length;
  }
  writeInt32(out, p, vlen);
  p += 4;
  if (value) out.set(value, p);
  writeInt32(out, 12, crc32(out, LEGACY_MAGIC_OFFSET, out.length));
  return out;
}

export function buildLegacyBatch(records: readonly RecordInput[], opts: LegacyBatchOptions): Buffer {
  if (records.length === 0) throw new RangeError('A legacy message set needs at least one record');
  const magic = opts.magic;
  const base = opts.baseOffset ?? 0;
  const codec = opts.codec ?? Codec.None;
  const logAppend = magic === 1 && opts.timestampType === TimestampType.LogAppendTime;
  const tsAttr = logAppend ? TIMESTAMP_TYPE_MASK : 0;
  const offsetOf = (r: RecordInput, i: number) => r.offsetDelta ?? i;
  if (codec === Codec.None) {
    return Buffer.concat(
      records.map((r, i) => writeLegacyMessage(base + offsetOf(r, i), magic, tsAttr, logAppend ? (opts.logAppendTime ?? r.timestamp) : r.timestamp, r.key, r.value)),
    );
  }
  const inner = Buffer.concat(
    records.map((r, i) => writeLegacyMessage(magic === 0 ? base + offsetOf(r, i) : offsetOf(r, i), magic, 0, r.timestamp, r.key, r.value)),
  );
  const value = compress(codec, inner, { level: opts.level, magic });
  const lastOffset = base + offsetOf(records[records.length - 1], records.length - 1);
  let wrapperTs = -1;
  if (magic === 1) wrapperTs = logAppend ? (opts.logAppendTime ?? Math.max(...records.map((r) => r.timestamp))) : Math.max(...records.map((r) => r.timestamp));
  return writeLegacyMessage(lastOffset, magic, (codec & 0x07) | tsAttr, wrapperTs, null, value);
}
