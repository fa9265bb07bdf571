// Record batch v2 (Kafka's DefaultRecordBatch): a lazy view over the batch bytes. Header fields are
// read on access; records are parsed one at a time into a reused Record.

import { CONTROL_FLAG_MASK, COMPRESSION_CODEC_MASK, DELETE_HORIZON_FLAG_MASK, TIMESTAMP_TYPE_MASK, TRANSACTIONAL_FLAG_MASK, TimestampType, codecName } from './attributes.js';
import type { Batch, RecordIterationOptions } from './batch.js';
import { decompress } from './codecs/compression.js';
import { crc32c } from './crc.js';
import { CorruptRecordError } from './errors.js';
import { readInt16, readInt32, readInt64, readUInt32 } from './int64.js';
import { Record, skipHeaders } from './record.js';
import { readVarint, readVarlong, type Cursor } from './varint.js';

export const BASE_OFFSET_OFFSET = 0;
export const LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;
/** RECORD_BATCH_OVERHEAD */
export const RECORD_BATCH_OVERHEAD = 61;
/** Offset + length fields that precede every batch/message in a log. */
export const LOG_OVERHEAD = 12;

export class RecordBatch implements Batch {
  readonly magic = 2;
  /**
   * @param buf buffer holding the batch at `start`
   * @param position byte position of the batch in its file (errors and output use it)
   */
  constructor(
    readonly buf: Buffer,
    readonly start: number,
    readonly position: number = start,
  ) {}

  get baseOffset(): number {
    return readInt64(this.buf, this.start);
  }
  get batchLength(): number {
    return readInt32(this.buf, this.start + LENGTH_OFFSET);
  }
  get sizeInBytes(): number {
    return this.batchLength + LOG_OVERHEAD;
  }
  get partitionLeaderEpoch(): number {
    return readInt32(this.buf, this.start + PARTITION_LEADER_EPOCH_OFFSET);
  }
  get checksum(): number {
    return readUInt32(this.buf, this.start + CRC_OFFSET);
  }
  get attributes(): number {
    return readInt16(this.buf, this.start + ATTRIBUTES_OFFSET) & 0xffff;
  }
  get compression(): number {
    return this.attributes & COMPRESSION_CODEC_MASK;
  }
  get compressionName() {
    return codecName(this.compression);
  }
  get timestampType(): TimestampType {
    return this.attributes & TIMESTAMP_TYPE_MASK ? TimestampType.LogAppendTime : TimestampType.CreateTime;
  }
  get isTransactional(): boolean {
    return (this.attributes & TRANSACTIONAL_FLAG_MASK) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & CONTROL_FLAG_MASK) !== 0;
  }
  get hasDeleteHorizonMs(): boolean {
    return (this.attributes & DELETE_HORIZON_FLAG_MASK) !== 0;
  }
  /** The delete horizon (baseTimestamp when attribute bit 6 is set), else null. */
  get deleteHorizonMs(): number | null {
    return this.hasDeleteHorizonMs ? this.baseTimestamp : null;
  }
  get lastOffsetDelta(): number {
    return readInt32(this.buf, this.start + LAST_OFFSET_DELTA_OFFSET);
  }
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  get baseTimestamp(): number {
    return readInt64(this.buf, this.start + BASE_TIMESTAMP_OFFSET);
  }
  get maxTimestamp(): number {
    return readInt64(this.buf, this.start + MAX_TIMESTAMP_OFFSET);
  }
  get producerId(): number {
    return readInt64(this.buf, this.start + PRODUCER_ID_OFFSET);
  }
  get producerEpoch(): number {
    return readInt16(this.buf, this.start + PRODUCER_EPOCH_OFFSET);
  }
  get baseSequence(): number {
    return readInt32(this.buf, this.start + BASE_SEQUENCE_OFFSET);
  }
  /** DefaultRecordBatch.lastSequence: wraps at Int.MAX like incrementSequence. */
  get lastSequence(): number {
    const base = this.baseSequence;
    if (base === -1) return -1;
    const delta = this.lastOffsetDelta;
    return base > 2147483647 - delta ? delta - (2147483647 - base) - 1 : base + delta;
  }
  /** recordsCount header field. */
  get recordCount(): number {
    return readInt32(this.buf, this.start + RECORDS_COUNT_OFFSET);
  }
  countRecords(): number {
    return this.recordCount;
  }

  computeChecksum(): number {
    return crc32c(this.buf, this.start + ATTRIBUTES_OFFSET, this.start + this.sizeInBytes);
  }
  isValid(): boolean {
    return this.sizeInBytes >= RECORD_BATCH_OVERHEAD && this.start + this.sizeInBytes <= this.buf.length && this.checksum === this.computeChecksum();
  }
  ensureValid(): void {
    const size = this.sizeInBytes;
    if (size < RECORD_BATCH_OVERHEAD) {
      throw new CorruptRecordError(`Record batch is corrupt (the size ${size} is smaller than the minimum allowed overhead ${RECORD_BATCH_OVERHEAD})`, this.position);
    }
    if (this.start + size > this.buf.length) throw new CorruptRecordError('Incorrect declared batch size, premature EOF reached', this.position);
    const stored = this.checksum;
    const computed = this.computeChecksum();
    if (stored !== computed) throw new CorruptRecordError(`Record is corrupt (stored crc = ${stored}, computed crc = ${computed})`, this.position);
  }

  bytes(): Buffer {
    return this.buf.subarray(this.start, this.start + this.sizeInBytes);
  }

  /** The records section, decompressed if needed (a view when uncompressed). */
  recordsBuffer(opts: RecordIterationOptions = {}): Buffer {
    const from = this.start + RECORDS_OFFSET;
    const to = this.start + this.sizeInBytes;
    if (to > this.buf.length) throw new CorruptRecordError('Incorrect declared batch size, premature EOF reached', this.position);
    const raw = this.buf.subarray(from, to);
    const codec = this.compression;
    if (codec === 0) return raw;
    return decompress(codec, raw, { ...opts, magic: 2, position: this.position });
  }

  records(opts: RecordIterationOptions = {}): RecordIterator {
    return new RecordIterator(this, opts);
  }

  [Symbol.iterator](): RecordIterator {
    return this.records();
  }
}

/**
 * Iterates the records of a v2 batch, reusing one Record. Validates each record's structure like
 * DefaultRecord.readFrom (lengths, header count) and the batch's record count.
 */
export class RecordIterator implements IterableIterator<Record> {
  private readonly cursor: Cursor;
  private readonly record = new Record();
  private readonly result: IteratorResult<Record> = { done: false, value: this.record };
  private remaining: number;
  private readonly baseOffset: number;
  private readonly baseTimestamp: number;
  private readonly baseSequence: number;
  /** LogAppendTime batches: every record's timestamp is the batch's maxTimestamp, whatever its value (even -1). */
  private readonly logAppend: boolean;
  private readonly logAppendTime: number;

  constructor(
    private readonly batch: RecordBatch,
    opts: RecordIterationOptions,
  ) {
    const count = batch.recordCount;
    if (count < 0) throw new CorruptRecordError(`Found invalid record count ${count} in magic v2 batch`, batch.position);
    const buf = opts.shallow && batch.compression !== 0 ? Buffer.alloc(0) : batch.recordsBuffer(opts);
    this.remaining = opts.shallow && batch.compression !== 0 ? 0 : count;
    this.cursor = { buf, pos: 0, end: buf.length, errorPosition: batch.position };
    this.baseOffset = batch.baseOffset;
    this.baseTimestamp = batch.baseTimestamp;
    this.baseSequence = batch.baseSequence;
    this.logAppend = batch.timestampType === TimestampType.LogAppendTime;
    this.logAppendTime = batch.maxTimestamp;
    const r = this.record;
    r.buf = buf;
    r.magic = 2;
    r.timestampType = batch.timestampType;
    r.isControl = batch.isControl;
    r.batchPosition = batch.position;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Record> {
    if (this.remaining === 0) return this.finish();
    // Fast path: parse the record into locals and commit only once all of it checked out. Varints
    // are decoded inline (a call per varint costs more than the parse itself), up to 3 bytes each
    // (values within ±2^20: record sizes, deltas and lengths of any real batch), every read bounded
    // by the record's end. Anything else (a bound crossed, a longer varint, a negative count) falls
    // back to nextChecked(), which re-reads the record from the same position with the throwing
    // readers: errors, their positions and the state they leave are exactly the checked path's.
    const c = this.cursor;
    const buf = c.buf;
    const outerEnd = c.end;
    let p = c.pos;
    let b: number;
    let raw: number;
    if (p >= outerEnd) return this.nextChecked();
    b = buf[p++];
    if (b < 0x80) raw = b;
    else {
      if (p >= outerEnd) return this.nextChecked();
      raw = b & 0x7f;
      b = buf[p++];
      if (b < 0x80) raw |= b << 7;
      else {
        if (p >= outerEnd || buf[p] >= 0x80) return this.nextChecked();
        raw |= ((b & 0x7f) << 7) | (buf[p++] << 14);
      }
    }
    const size = (raw >>> 1) ^ -(raw & 1);
    const end = p + size;
    if (size <= 0 || end > outerEnd) return this.nextChecked();
    const attributes = buf[p++];
    if (p >= end) return this.nextChecked();
    b = buf[p++];
    if (b < 0x80) raw = b;
    else {
      if (p >= end) return this.nextChecked();
      raw = b & 0x7f;
      b = buf[p++];
      if (b < 0x80) raw |= b << 7;
      else {
        if (p >= end || buf[p] >= 0x80) return this.nextChecked();
        raw |= ((b & 0x7f) << 7) | (buf[p++] << 14);
      }
    }
    const tsDelta = (raw >>> 1) ^ -(raw & 1);
    if (p >= end) return this.nextChecked();
    b = buf[p++];
    if (b < 0x80) raw = b;
    else {
      if (p >= end) return this.nextChecked();
      raw = b & 0x7f;
      b = buf[p++];
      if (b < 0x80) raw |= b << 7;
      else {
        if (p >= end || buf[p] >= 0x80) return this.nextChecked();
        raw |= ((b & 0x7f) << 7) | (buf[p++] << 14);
      }
    }
    const offsetDelta = (raw >>> 1) ^ -(raw & 1);
    if (p >= end) return this.nextChecked();
    b = buf[p++];
    if (b < 0x80) raw = b;
    else {
      if (p >= end) return this.nextChecked();
      raw = b & 0x7f;
      b = buf[p++];
      if (b < 0x80) raw |= b << 7;
      else {
        if (p >= end || buf[p] >= 0x80) return this.nextChecked();
        raw |= ((b & 0x7f) << 7) | (buf[p++] << 14);
      }
    }
    const klen = (raw >>> 1) ^ -(raw & 1);
    const keyOffset = p;
    if (klen > 0) p += klen;
    if (p >= end) return this.nextChecked();
    b = buf[p++];
    if (b < 0x80) raw = b;
    else {
      if (p >= end) return this.nextChecked();
      raw = b & 0x7f;
      b = buf[p++];
      if (b < 0x80) raw |= b << 7;
      else {
        if (p >= end || buf[p] >= 0x80) return this.nextChecked();
        raw |= ((b & 0x7f) << 7) | (buf[p++] << 14);
      }
    }
    const vlen = (raw >>> 1) ^ -(raw & 1);
    const valueOffset = p;
    if (vlen > 0) p += vlen;
    if (p >= end) return this.nextChecked();
    b = buf[p++];
    if (b < 0x80) raw = b;
    else {
      if (p >= end) return this.nextChecked();
      raw = b & 0x7f;
      b = buf[p++];
      if (b < 0x80) raw |= b << 7;
      else {
        if (p >= end || buf[p] >= 0x80) return this.nextChecked();
        raw |= ((b & 0x7f) << 7) | (buf[p++] << 14);
      }
    }
    const headers = (raw >>> 1) ^ -(raw & 1);
    if (headers < 0) return this.nextChecked();
    if (headers > 0 ? walkHeaders(buf, p, end, headers) !== end : p !== end) return this.nextChecked();
    this.remaining--;
    c.pos = end;
    const r = this.record;
    r.attributes = attributes;
    r.offset = this.baseOffset + offsetDelta;
    r.timestamp = this.logAppend ? this.logAppendTime : this.baseTimestamp + tsDelta;
    r.sequence = this.baseSequence >= 0 ? sequenceAt(this.baseSequence, offsetDelta) : -1;
    r.keyOffset = keyOffset;
    r.keyLength = klen;
    r.valueOffset = valueOffset;
    r.valueLength = vlen;
    r.headersOffset = p;
    r.headerCount = headers;
    r.sizeInBytes = size + sizeOfLength(size);
    return this.result;
  }

  /** After the last record: the records section must be used up exactly. */
  private finish(): IteratorResult<Record> {
    const c = this.cursor;
    if (c.pos < c.end) {
      throw new CorruptRecordError(`Incorrect declared batch size, records still remaining in batch (${c.end - c.pos} bytes after the last record)`, this.batch.position);
    }
    return DONE;
  }

  /** The checked record parse (DefaultRecord.readFrom): every malformed record throws here. */
  private nextChecked(): IteratorResult<Record> {
    const c = this.cursor;
    this.remaining--;
    const r = this.record;
    const pos = this.batch.position;
    const size = readVarint(c);
    const recordStart = c.pos;
    if (size < 0 || recordStart + size > c.end) {
      throw new CorruptRecordError(`Invalid record size: expected ${size} bytes in record payload, but instead the buffer has only ${c.end - recordStart} remaining bytes.`, pos);
    }
    const outerEnd = c.end;
    c.end = recordStart + size;
    const buf = c.buf;
    r.attributes = buf[c.pos++];
    const tsDelta = readVarlong(c);
    const offsetDelta = readVarint(c);
    r.offset = this.baseOffset + offsetDelta;
    r.timestamp = this.logAppend ? this.logAppendTime : this.baseTimestamp + tsDelta;
    r.sequence = this.baseSequence >= 0 ? sequenceAt(this.baseSequence, offsetDelta) : -1;
    const klen = readVarint(c);
    r.keyOffset = c.pos;
    r.keyLength = klen;
    if (klen > 0) c.pos += klen;
    const vlen = readVarint(c);
    r.valueOffset = c.pos;
    r.valueLength = vlen;
    if (vlen > 0) c.pos += vlen;
    if (c.pos > c.end) throw new CorruptRecordError('Found invalid record structure', pos);
    const headers = readVarint(c);
    if (headers < 0) throw new CorruptRecordError(`Found invalid number of record headers ${headers}`, pos);
    r.headersOffset = c.pos;
    r.headerCount = headers;
    if (headers > 0) skipHeaders(c, headers, pos);
    if (c.pos !== c.end) {
      throw new CorruptRecordError(`Invalid record size: expected to read ${size} bytes in record payload, but instead read ${c.pos - recordStart}`, pos);
    }
    r.sizeInBytes = size + sizeOfLength(size);
    c.end = outerEnd;
    return this.result;
  }
}

const DONE: IteratorResult<Record> = { done: true, value: undefined };

/**
 * Walks `count` headers from `p` like skipHeaders (same checks, same varint limits), without
 * throwing or allocating: the position after the last header, or -1 where skipHeaders would throw.
 */
function walkHeaders(buf: Uint8Array, p: number, end: number, count: number): number {
  let raw: number;
  let shift: number;
  let b: number;
  for (let i = 0; i < count; i++) {
    raw = 0;
    shift = 0;
    do {
      if (p >= end || shift > 28) return -1;
      b = buf[p++];
      raw |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    const klen = (raw >>> 1) ^ -(raw & 1);
    if (klen < 0) return -1;
    p += klen;
    raw = 0;
    shift = 0;
    do {
      if (p >= end || shift > 28) return -1;
      b = buf[p++];
      raw |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    const vlen = (raw >>> 1) ^ -(raw & 1);
    if (vlen > 0) p += vlen;
    if (p > end) return -1;
  }
  return p;
}

function sizeOfLength(size: number): number {
  return size < 0x40 ? 1 : size < 0x2000 ? 2 : size < 0x100000 ? 3 : size < 0x8000000 ? 4 : 5;
}

/** DefaultRecordBatch.incrementSequence: sequences wrap to 0 after Int.MAX. */
export function sequenceAt(base: number, delta: number): number {
  return base > 2147483647 - delta ? delta - (2147483647 - base) - 1 : base + delta;
}
