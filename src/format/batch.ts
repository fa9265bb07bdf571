// What every on-disk batch looks like to tools, whatever its magic: a v2 RecordBatch or one legacy
// v0/v1 message (a "shallow" entry: a single message, or a compressed wrapper of many).

import type { CodecName, TimestampType } from './attributes.js';
import type { DecompressOptions } from './codecs/compression.js';
import type { Record } from './record.js';

export interface RecordIterationOptions extends DecompressOptions {
  /** Skip decompression: iterate nothing for compressed batches (used by shallow tools). */
  shallow?: boolean;
}

export interface Batch {
  readonly magic: number;
  /** Byte position of the batch in its file (or buffer). */
  readonly position: number;
  /** Total size on disk including the 12-byte log overhead (offset + length). */
  readonly sizeInBytes: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly timestampType: TimestampType;
  readonly compression: number;
  readonly compressionName: CodecName | `unknown(${number})`;
  /** The stored checksum (CRC-32C for v2, CRC-32 for v0/v1), unsigned. */
  readonly checksum: number;
  computeChecksum(): number;
  isValid(): boolean;
  /** Throws CorruptRecordError (with position) unless size and checksum are valid. */
  ensureValid(): void;
  /** Number of records; for legacy compressed wrappers this decompresses. */
  countRecords(opts?: RecordIterationOptions): number;
  /** Iterates records with one reused Record object (see record.ts). */
  records(opts?: RecordIterationOptions): IterableIterator<Record>;
  /** The raw bytes of the whole batch (a view). */
  bytes(): Buffer;
}
