// Legacy message sets, magic v0 and v1 (Kafka's LegacyRecord / AbstractLegacyRecordBatch).
// On disk each entry is `offset int64 | size int32 | message`; message = `crc uint32 | magic |
// attributes | [timestamp int64 (v1)] | keyLength int32 | key | valueLength int32 | value`.
// A compressed entry is a wrapper whose value is a compressed inner message set:
//  - wrapper offset = the last inner offset;
//  - v0 inner offsets are absolute, v1 inner offsets are relative (0..n-1) to be rebased on the
//    wrapper offset (a wrapper offset that makes the base negative, e.g. 0 from some librdkafka
//    versions, leaves them as they are, as Kafka's DeepRecordsIterator does);
//  - a v1 LogAppendTime wrapper overrides inner timestamps.

import { COMPRESSION_CODEC_MASK, TIMESTAMP_TYPE_MASK, TimestampType, codecName } from './attributes.js';
import type { Batch, RecordIterationOptions } from './batch.js';
import { decompress } from './codecs/compression.js';
import { crc32 } from './crc.js';
import { CorruptRecordError } from './errors.js';
import { readInt32, readInt64, readUInt32 } from './int64.js';
import { Record } from './record.js';
import { LOG_OVERHEAD } from './recordBatch.js';

export const LEGACY_CRC_OFFSET = 12;
export const LEGACY_MAGIC_OFFSET = 16;
export const LEGACY_ATTRIBUTES_OFFSET = 17;
export const LEGACY_TIMESTAMP_OFFSET = 18;
/** Message overhead without the 12-byte log overhead: crc 4 + magic 1 + attr 1 + key len 4 + value len 4 (+ 8 ts). */
export const RECORD_OVERHEAD_V0 = 14;
export const RECORD_OVERHEAD_V1 = 22;

export function recordOverhead(magic: number): number {
  return magic === 0 ? RECORD_OVERHEAD_V0 : RECORD_OVERHEAD_V1;
}

/** One shallow legacy entry: an uncompressed message or a compressed wrapper. */
export class LegacyRecordBatch implements Batch {
  constructor(
    readonly buf: Buffer,
    readonly start: number,
    readonly position: number = start,
  ) {}

  /** The entry's own offset: the message offset, or for a wrapper the last inner offset. */
  get offset(): number {
    return readInt64(this.buf, this.start);
  }
  get messageSize(): number {
    return readInt32(this.buf, this.start + 8);
  }
  get sizeInBytes(): number {
    return this.messageSize + LOG_OVERHEAD;
  }
  get magic(): number {
    return this.buf[this.start + LEGACY_MAGIC_OFFSET];
  }
  get attributes(): number {
    return this.buf[this.start + LEGACY_ATTRIBUTES_OFFSET];
  }
  get compression(): number {
    return this.attributes & COMPRESSION_CODEC_MASK;
  }
  get compressionName() {
    return codecName(this.compression);
  }
  get timestampType(): TimestampType {
    if (this.magic === 0) return TimestampType.NoTimestamp;
    return this.attributes & TIMESTAMP_TYPE_MASK ? TimestampType.LogAppendTime : TimestampType.CreateTime;
  }
  /** v1 timestamp of the entry (for a wrapper: max inner, or the LogAppendTime); -1 for v0. */
  get timestamp(): number {
    return this.magic === 0 ? -1 : readInt64(this.buf, this.start + LEGACY_TIMESTAMP_OFFSET);
  }
  get maxTimestamp(): number {
    return this.timestamp;
  }
  get checksum(): number {
    return readUInt32(this.buf, this.start + LEGACY_CRC_OFFSET);
  }
  get lastOffset(): number {
    return this.offset;
  }
  /** First offset: the message's own, or the first inner offset of a wrapper (decompresses). */
  get baseOffset(): number {
    if (this.compression === 0) return this.offset;
    for (const r of this.records()) return r.offset;
    return this.offset;
  }
  private get keyLengthOffset(): number {
    return this.start + LOG_OVERHEAD + (this.magic === 0 ? 6 : 14);
  }

  computeChecksum(): number {
    return crc32(this.buf, this.start + LEGACY_MAGIC_OFFSET, this.start + this.sizeInBytes);
  }
  isValid(): boolean {
    try {
      this.ensureValid();
      return true;
    } catch {
      return false;
    }
  }
  ensureValid(): void {
    const magic = this.magic;
    const size = this.messageSize;
    if (magic > 1) throw new CorruptRecordError(`Invalid magic ${magic} for a legacy message`, this.position);
    if (size < recordOverhead(magic)) {
      throw new CorruptRecordError(`Record is corrupt (the size ${size} is smaller than the minimum record overhead ${recordOverhead(magic)})`, this.position);
    }
    if (this.start + this.sizeInBytes > this.buf.length) throw new CorruptRecordError('Incorrect declared batch size, premature EOF reached', this.position);
    const stored = this.checksum;
    const computed = this.computeChecksum();
    if (stored !== computed) throw new CorruptRecordError(`Record is corrupt (stored crc = ${stored}, computed crc = ${computed})`, this.position);
    this.fields(); // key/value lengths must fit the message
  }

  bytes(): Buffer {
    return this.buf.subarray(this.start, this.start + this.sizeInBytes);
  }

  /** Key and value spans of this message, checked against its size. */
  fields(): { keyOffset: number; keyLength: number; valueOffset: number; valueLength: number } {
    const end = this.start + this.sizeInBytes;
    let p = this.keyLengthOffset;
    if (p + 4 > end) throw new CorruptRecordError('Found invalid record structure', this.position);
    const keyLength = readInt32(this.buf, p);
    p += 4;
    const keyOffset = p;
    if (keyLength > 0) p += keyLength;
    if (p + 4 > end || keyLength < -1) throw new CorruptRecordError('Found invalid record structure (key length)', this.position);
    const valueLength = readInt32(this.buf, p);
    p += 4;
    const valueOffset = p;
    if (valueLength > 0) p += valueLength;
    if (p !== end || valueLength < -1) throw new CorruptRecordError('Found invalid record structure (value length)', this.position);
    return { keyOffset, keyLength, valueOffset, valueLength };
  }

  countRecords(opts: RecordIterationOptions = {}): number {
    if (this.compression === 0) return 1;
    let n = 0;
    for (const _ of this.records(opts)) n++;
    return n;
  }

  /** Inner entries of a compressed wrapper (decompressed), as LegacyRecordBatch views. */
  innerEntries(opts: RecordIterationOptions = {}): LegacyRecordBatch[] {
    const f = this.fields();
    if (f.valueLength < 0) throw new CorruptRecordError('Found invalid compressed record set with null value', this.position);
    const data = decompress(this.compression, this.buf.subarray(f.valueOffset, f.valueOffset + f.valueLength), {
      ...opts,
      magic: this.magic,
      position: this.position,
    });
    const entries: LegacyRecordBatch[] = [];
    let p = 0;
    while (p < data.length) {
      if (p + LOG_OVERHEAD + RECORD_OVERHEAD_V0 > data.length) throw new CorruptRecordError('Truncated inner message in compressed wrapper', this.position);
      const inner = new LegacyRecordBatch(data, p, this.position);
      const size = inner.messageSize;
      if (size < recordOverhead(inner.magic) || p + LOG_OVERHEAD + size > data.length) {
        throw new CorruptRecordError(`Invalid inner message size ${size} in compressed wrapper`, this.position);
      }
      if (inner.magic !== this.magic) throw new CorruptRecordError(`Compressed message magic ${inner.magic} does not match wrapper magic ${this.magic}`, this.position);
      if (inner.compression !== 0) throw new CorruptRecordError('Compressed outer record should not have an inner record with a compression attribute set', this.position);
      entries.push(inner);
      p += LOG_OVERHEAD + size;
    }
    if (entries.length === 0) throw new CorruptRecordError('Found invalid compressed record set with no inner records', this.position);
    return entries;
  }

  records(opts: RecordIterationOptions = {}): IterableIterator<Record> {
    const record = new Record();
    record.magic = this.magic;
    record.batchPosition = this.position;
    if (this.compression === 0) {
      const self = this;
      let done = false;
      return {
        [Symbol.iterator]() {
          return this;
        },
        next(): IteratorResult<Record> {
          if (done) return { done: true, value: undefined };
          done = true;
          fillFrom(record, self, self.offset, self.timestamp, self.timestampType);
          return { done: false, value: record };
        },
      };
    }
    if (opts.shallow) return [][Symbol.iterator]();
    const inner = this.innerEntries(opts);
    const wrapperOffset = this.offset;
    // v1 relative inner offsets: absolute = wrapper offset - last relative + relative.
    const absoluteBase = this.magic > 0 ? wrapperOffset - inner[inner.length - 1].offset : -1;
    const logAppend = this.timestampType === TimestampType.LogAppendTime;
    const wrapperTs = this.timestamp;
    const tsType = this.timestampType;
    let i = 0;
    return {
      [Symbol.iterator]() {
        return this;
      },
      next(): IteratorResult<Record> {
        if (i >= inner.length) return { done: true, value: undefined };
        const e = inner[i++];
        const offset = absoluteBase >= 0 ? absoluteBase + e.offset : e.offset;
        fillFrom(record, e, offset, logAppend ? wrapperTs : e.timestamp, tsType === TimestampType.NoTimestamp ? tsType : logAppend ? tsType : TimestampType.CreateTime);
        return { done: false, value: record };
      },
    };
  }
}

function fillFrom(r: Record, m: LegacyRecordBatch, offset: number, timestamp: number, tsType: TimestampType): void {
  const f = m.fields();
  r.offset = offset;
  r.timestamp = timestamp;
  r.timestampType = tsType;
  r.attributes = m.attributes;
  r.buf = m.buf;
  r.keyOffset = f.keyOffset;
  r.keyLength = f.keyLength;
  r.valueOffset = f.valueOffset;
  r.valueLength = f.valueLength;
  r.headerCount = 0;
  r.sequence = -1;
  r.legacyCrc = m.checksum;
  r.sizeInBytes = m.sizeInBytes;
}
