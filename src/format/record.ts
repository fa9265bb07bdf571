// One record, as a view. Iterators hand out a single reused Record (a flyweight): key, value and
// headers are offsets into the batch's (possibly decompressed) buffer, so visiting a record
// allocates nothing. Call `key()`/`value()` for Buffer views, `clone()` to keep one past `next()`.

import { TimestampType } from './attributes.js';
import { CorruptRecordError } from './errors.js';
import { readVarint, type Cursor } from './varint.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export class Record {
  /** Absolute offset. */
  offset = 0;
  timestamp = -1;
  timestampType: TimestampType = TimestampType.CreateTime;
  /** Producer sequence (v2, -1 when absent). */
  sequence = -1;
  /** Record-level attributes byte (v2: unused; v0/v1: message attributes). */
  attributes = 0;
  /** Bytes the record takes in its (decompressed) container, including its length prefix. */
  sizeInBytes = 0;
  /** Magic of the batch the record came from. */
  magic = 2;
  /** True for the record of a control batch. */
  isControl = false;
  /** Legacy messages carry their own CRC-32; v2 records have none (the batch CRC covers them). */
  legacyCrc = -1;

  /** The buffer that holds key, value and headers (the batch, or its decompressed records). */
  buf: Buffer = EMPTY;
  keyOffset = 0;
  keyLength = -1;
  valueOffset = 0;
  valueLength = -1;
  headersOffset = 0;
  headerCount = 0;
  /** Byte position (in the file) of the batch this record belongs to. */
  batchPosition = 0;

  get hasKey(): boolean {
    return this.keyLength >= 0;
  }

  get hasValue(): boolean {
    return this.valueLength >= 0;
  }

  key(): Buffer | null {
    return this.keyLength < 0 ? null : this.buf.subarray(this.keyOffset, this.keyOffset + this.keyLength);
  }

  value(): Buffer | null {
    return this.valueLength < 0 ? null : this.buf.subarray(this.valueOffset, this.valueOffset + this.valueLength);
  }

  /** Header keys and value views, parsed on demand. */
  headers(): RecordHeader[] {
    const out: RecordHeader[] = [];
    if (this.headerCount === 0) return out;
    const c: Cursor = { buf: this.buf, pos: this.headersOffset, end: this.buf.length };
    for (let i = 0; i < this.headerCount; i++) {
      const klen = readVarint(c);
      const key = this.buf.toString('utf8', c.pos, c.pos + klen);
      c.pos += klen;
      const vlen = readVarint(c);
      out.push({ key, value: vlen < 0 ? null : this.buf.subarray(c.pos, c.pos + vlen) });
      if (vlen > 0) c.pos += vlen;
    }
    return out;
  }

  /** Header keys only (what kafka-dump-log prints). */
  headerKeys(): string[] {
    return this.headers().map((h) => h.key);
  }

  /** A copy that stays valid after the iterator moves on (still a view of the same buffer). */
  clone(): Record {
    return Object.assign(new Record(), this);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Walks `count` headers from `c.pos` without allocating, checking their structure like
 * DefaultRecord.readHeaders does; leaves `c.pos` after the last header.
 */
export function skipHeaders(c: Cursor, count: number, recordPosition: number): void {
  for (let i = 0; i < count; i++) {
    const klen = readVarint(c);
    if (klen < 0) throw new CorruptRecordError(`Invalid negative header key size ${klen}`, recordPosition);
    c.pos += klen;
    const vlen = readVarint(c);
    if (vlen > 0) c.pos += vlen;
    if (c.pos > c.end) throw new CorruptRecordError('Found invalid record structure', recordPosition);
  }
}
