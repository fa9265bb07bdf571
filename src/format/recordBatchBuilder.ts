// Builds record batch v2 bytes, as Kafka's MemoryRecordsBuilder + DefaultRecordBatch.writeHeader do.
// Records are written straight into a reusable buffer (grown, never shrunk), compressed once at
// build(), then the header and CRC-32C are filled in. The builder is meant to be reused: reset()
// keeps its buffer, so a steady producer allocates only the batch it returns.

import { Codec, CONTROL_FLAG_MASK, DELETE_HORIZON_FLAG_MASK, TIMESTAMP_TYPE_MASK, TRANSACTIONAL_FLAG_MASK, TimestampType } from './attributes.js';
import { compressBatch, compressedBatchBound, sealBatch } from './batchCompression.js';
import { compress, maxCompressedLength } from './codecs/compression.js';
import { writeInt16, writeInt32, writeInt64 } from './int64.js';
import type { RecordHeader } from './record.js';
import { ATTRIBUTES_OFFSET, RECORD_BATCH_OVERHEAD, RECORDS_OFFSET } from './recordBatch.js';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js';

export interface RecordBatchOptions {
  codec?: Codec;
  /** Codec level; undefined = Kafka's default for the codec. */
  level?: number;
  baseOffset?: number;
  timestampType?: TimestampType;
  /** LogAppendTime: the time stamped on the batch (maxTimestamp). */
  logAppendTime?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  partitionLeaderEpoch?: number;
  /** When set, bit 6 is set and baseTimestamp carries the delete horizon. */
  deleteHorizonMs?: number;
}

export interface RecordInput {
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: readonly { key: string; value: Uint8Array | null }[];
  /** Offset delta override (default: the record's index). Compaction leaves gaps. */
  offsetDelta?: number;
}

const NO_HEADERS: readonly RecordHeader[] = [];

/**
 * Where a builder gets its buffers when batches leave it without a copy (buildDetached): the
 * caller owns the buffer under a detached batch, and the builder takes a new one from here.
 */
export interface BufferSource {
  /** A buffer of at least `minBytes`. */
  acquire(minBytes: number): Buffer;
  /** A buffer from acquire() the builder no longer uses (outgrown). */
  release(buf: Buffer): void;
}

const EMPTY = Buffer.alloc(0);

/** Whether `view` begins where `b` does (is a view of `b` from its start). */
const startsAt = (view: Buffer, b: Buffer): boolean => view.buffer === b.buffer && view.byteOffset === b.byteOffset;

export class RecordBatchBuilder {
  private buf: Buffer;
  /** Where buildView() writes batches of codecs that compress into a given buffer (reused, grown). */
  private compressed: Buffer = EMPTY;
  /** Size of the buffer buildDetached() gave away, for the next one. */
  private capacity = 0;
  private pos = RECORDS_OFFSET;
  private count = 0;
  private lastOffsetDelta = -1;
  private baseTimestamp = -1;
  private maxTimestamp = -1;
  private opts: RecordBatchOptions = {};
  private readonly headerKeyStrings: string[] = [];
  private readonly headerKeyBytes: Buffer[] = [];

  constructor(
    opts: RecordBatchOptions = {},
    initialCapacity = 16 * 1024,
    private readonly source: BufferSource | null = null,
  ) {
    this.buf = this.allocate(Math.max(initialCapacity, 256));
    this.reset(opts);
  }

  private allocate(n: number): Buffer {
    return this.source !== null ? this.source.acquire(n) : Buffer.allocUnsafe(n);
  }

  /** `old` is outgrown by `next` (same source). */
  private replace(old: Buffer, n: number): Buffer {
    const next = this.allocate(n);
    if (this.source !== null && old !== EMPTY) this.source.release(old);
    return next;
  }

  reset(opts: RecordBatchOptions = this.opts): this {
    this.opts = opts;
    this.pos = RECORDS_OFFSET;
    this.count = 0;
    this.lastOffsetDelta = -1;
    this.baseTimestamp = opts.deleteHorizonMs ?? -1;
    this.maxTimestamp = -1;
    return this;
  }

  get recordCount(): number {
    return this.count;
  }

  /** Bytes the batch would take uncompressed (what batch.size is compared with, like Java's estimate). */
  get sizeInBytes(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const old = this.buf;
    if (old === EMPTY) {
      // Detached (buildDetached): a buffer as big as the last one.
      this.buf = this.allocate(Math.max(this.capacity, this.pos + n));
      return;
    }
    const next = this.allocate(Math.max(old.length * 2, this.pos + n));
    old.copy(next, 0, 0, this.pos);
    if (this.source !== null) this.source.release(old);
    this.buf = next;
  }

  /** Appends one record at the next offset (or at `offsetDelta`). */
  append(timestamp: number, key: Uint8Array | null, value: Uint8Array | null, headers: readonly { key: string; value: Uint8Array | null }[] = NO_HEADERS, offsetDelta = this.lastOffsetDelta + 1): this {
    if (offsetDelta <= this.lastOffsetDelta) throw new RangeError(`Offset delta ${offsetDelta} is not greater than the previous ${this.lastOffsetDelta}`);
    if (this.baseTimestamp < 0 && this.count === 0 && this.opts.deleteHorizonMs === undefined) this.baseTimestamp = timestamp;
    const tsDelta = timestamp - this.baseTimestamp;
    // Fast path: no headers and an integer timestamp delta within ±2^30 (where the varlong is the
    // varint): zigzag, sizes and varints are computed inline, since V8 inlines only some of the
    // helper calls and each call costs about as much as the work. Same bytes as appendGeneral.
    if (headers.length !== 0 || (tsDelta | 0) !== tsDelta || tsDelta < -0x40000000 || tsDelta >= 0x40000000) {
      return this.appendGeneral(timestamp, tsDelta, key, value, headers, offsetDelta);
    }
    const klen = key ? key.length : -1;
    const vlen = value ? value.length : -1;
    const zt = ((tsDelta << 1) ^ (tsDelta >> 31)) >>> 0;
    const zo = ((offsetDelta << 1) ^ (offsetDelta >> 31)) >>> 0;
    const zk = ((klen << 1) ^ (klen >> 31)) >>> 0;
    const zv = ((vlen << 1) ^ (vlen >> 31)) >>> 0;
    // attributes byte + header count (0) + the varints + key and value bytes
    const body = 2 + uvarintSize(zt) + uvarintSize(zo) + uvarintSize(zk) + (klen > 0 ? klen : 0) + uvarintSize(zv) + (vlen > 0 ? vlen : 0);
    if (this.pos + body + 5 > this.buf.length) this.ensure(body + 5);
    const buf = this.buf;
    let p = putUVarint(buf, this.pos, ((body << 1) ^ (body >> 31)) >>> 0);
    buf[p++] = 0; // record attributes: unused
    p = putUVarint(buf, p, zt);
    p = putUVarint(buf, p, zo);
    p = putUVarint(buf, p, zk);
    // TypedArray#set costs ~10 ns whatever the length: a byte loop is cheaper for short keys/values.
    if (klen > 16) {
      buf.set(key!, p);
      p += klen;
    } else {
      for (let i = 0; i < klen; i++) buf[p++] = key![i];
    }
    p = putUVarint(buf, p, zv);
    if (vlen > 16) {
      buf.set(value!, p);
      p += vlen;
    } else {
      for (let i = 0; i < vlen; i++) buf[p++] = value![i];
    }
    buf[p++] = 0; // header count
    this.pos = p;
    this.count++;
    this.lastOffsetDelta = offsetDelta;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    return this;
  }

  /**
   * UTF-8 bytes of the header keys. Producers send the same keys record after record, so the last
   * encoding is kept and reused slot by slot while the key strings are the same.
   */
  private encodedHeaderKeys(headers: readonly { key: string }[]): Buffer[] {
    const strings = this.headerKeyStrings;
    const bytes = this.headerKeyBytes;
    for (let i = 0; i < headers.length; i++) {
      const key = headers[i].key;
      if (strings[i] !== key) {
        strings[i] = key;
        bytes[i] = Buffer.from(key, 'utf8');
      }
    }
    return bytes;
  }

  /** append() for records with headers or a timestamp delta beyond ±2^30. */
  private appendGeneral(timestamp: number, tsDelta: number, key: Uint8Array | null, value: Uint8Array | null, headers: readonly { key: string; value: Uint8Array | null }[], offsetDelta: number): this {
    const klen = key ? key.length : -1;
    const vlen = value ? value.length : -1;
    let headerBytes = 0;
    let headerKeys: Buffer[] | undefined;
    if (headers.length > 0) {
      headerKeys = this.encodedHeaderKeys(headers);
      for (let i = 0; i < headers.length; i++) {
        const hk = headerKeys[i];
        const hv = headers[i].value;
        headerBytes += sizeOfVarint(hk.length) + hk.length + sizeOfVarint(hv ? hv.length : -1) + (hv ? hv.length : 0);
      }
    }
    const body =
      1 + sizeOfVarlong(tsDelta) + sizeOfVarint(offsetDelta) + sizeOfVarint(klen) + (klen > 0 ? klen : 0) + sizeOfVarint(vlen) + (vlen > 0 ? vlen : 0) + sizeOfVarint(headers.length) + headerBytes;
    this.ensure(body + 5);
    const buf = this.buf;
    let p = writeVarint(buf, this.pos, body);
    buf[p++] = 0; // record attributes: unused
    p = writeVarlong(buf, p, tsDelta);
    p = writeVarint(buf, p, offsetDelta);
    p = writeVarint(buf, p, klen);
    if (klen > 0) {
      buf.set(key!, p);
      p += klen;
    }
    p = writeVarint(buf, p, vlen);
    if (vlen > 0) {
      buf.set(value!, p);
      p += vlen;
    }
    p = writeVarint(buf, p, headers.length);
    if (headerKeys) {
      for (let i = 0; i < headers.length; i++) {
        const hk = headerKeys[i];
        p = writeVarint(buf, p, hk.length);
        buf.set(hk, p);
        p += hk.length;
        const hv = headers[i].value;
        p = writeVarint(buf, p, hv ? hv.length : -1);
        if (hv && hv.length > 0) {
          buf.set(hv, p);
          p += hv.length;
        }
      }
    }
    this.pos = p;
    this.count++;
    this.lastOffsetDelta = offsetDelta;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    return this;
  }

  /**
   * Finishes the batch and returns its bytes as a view of the builder's own buffer when that needs
   * no copy (uncompressed batches: the header is written in the space reserved before the records).
   * The view is valid until the next reset() or append(); write it out before reusing the builder.
   * Batches of codecs that compress into a given buffer (lz4, zstd) are written into a second reused buffer,
   * valid as long; other codecs are built as by build().
   */
  buildView(): Buffer {
    if (this.buf === EMPTY) this.ensure(0); // detached, and no record since
    const o = this.opts;
    const codec = o.codec ?? Codec.None;
    if (codec !== Codec.None && maxCompressedLength(codec, 0) !== null) {
      // Codecs that compress into a given buffer write straight after the header in a second
      // reused buffer: no compressed buffer allocated and copied per batch.
      const unsealed = this.buf.subarray(0, this.pos);
      this.writeFields(unsealed, codec);
      const need = compressedBatchBound(codec, this.pos);
      if (this.compressed.length < need) this.compressed = this.replace(this.compressed, Math.max(need, 2 * this.compressed.length));
      return this.compressed.subarray(0, compressBatch(unsealed, this.compressed, o.level));
    }
    if (codec !== Codec.None) return this.build();
    const view = this.buf.subarray(0, this.pos);
    this.writeHeader(view, codec);
    return view;
  }

  /**
   * Finishes the batch with its records not compressed yet, for compressBatch() (batchCompression.ts)
   * to compress and seal, say on another thread: the header is written (its attributes name the
   * codec), its length and CRC are not. Like buildDetached(), the buffer under the returned view
   * leaves the builder, which continues in a new one from its source (required).
   */
  buildForCompression(): Buffer {
    if (this.source === null) throw new Error('buildForCompression() needs a builder with a BufferSource');
    if (this.buf === EMPTY) this.ensure(0);
    const view = this.buf.subarray(0, this.pos);
    this.writeFields(view, this.opts.codec ?? Codec.None);
    this.capacity = this.buf.length;
    this.buf = EMPTY;
    this.reset();
    return view;
  }

  /**
   * buildView(), and the buffer under the returned view leaves the builder: it is the caller's
   * until the caller gives it back to the source, and the builder, reset (same options), continues
   * in a new buffer from its source. Lets a batch be written while the next one is built, with no
   * copy. Without a source, build().
   */
  buildDetached(): Buffer {
    if (this.source === null) return this.build();
    const view = this.buildView();
    // The next buffer is taken when the next record needs it (ensure), after the caller has
    // handed this one on: a source that waits for buffers to come back then waits with the
    // batch already gone.
    if (startsAt(view, this.buf)) {
      this.capacity = this.buf.length;
      this.buf = EMPTY;
    } else if (startsAt(view, this.compressed)) this.compressed = EMPTY;
    this.reset(); // its records went with the buffer: nothing may be appended to them
    return view;
  }

  /** Finishes the batch: returns a fresh Buffer holding exactly its bytes. */
  build(): Buffer {
    if (this.buf === EMPTY) this.ensure(0);
    const o = this.opts;
    const codec = o.codec ?? Codec.None;
    let out: Buffer;
    if (codec === Codec.None) {
      out = Buffer.allocUnsafe(this.pos);
      this.buf.copy(out, 0, 0, this.pos);
    } else {
      const compressed = compress(codec, this.buf.subarray(RECORDS_OFFSET, this.pos), { level: o.level, magic: 2 });
      out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + compressed.length);
      compressed.copy(out, RECORDS_OFFSET);
    }
    this.writeHeader(out, codec);
    return out;
  }

  private writeHeader(out: Buffer, codec: Codec): void {
    this.writeFields(out, codec);
    sealBatch(out);
  }

  /** The header fields of the batch in `out`, all but its length and CRC (sealBatch). */
  private writeFields(out: Buffer, codec: Codec): void {
    const o = this.opts;
    const logAppend = o.timestampType === TimestampType.LogAppendTime;
    let attributes = codec & 0x07;
    if (logAppend) attributes |= TIMESTAMP_TYPE_MASK;
    if (o.isTransactional) attributes |= TRANSACTIONAL_FLAG_MASK;
    if (o.isControl) attributes |= CONTROL_FLAG_MASK;
    if (o.deleteHorizonMs !== undefined) attributes |= DELETE_HORIZON_FLAG_MASK;
    const maxTs = logAppend ? (o.logAppendTime ?? this.maxTimestamp) : this.maxTimestamp;
    writeInt64(out, 0, o.baseOffset ?? 0);
    writeInt32(out, 12, o.partitionLeaderEpoch ?? -1);
    out[16] = 2;
    writeInt16(out, ATTRIBUTES_OFFSET, attributes);
    writeInt32(out, 23, this.count === 0 ? -1 : this.lastOffsetDelta);
    writeInt64(out, 27, this.baseTimestamp);
    writeInt64(out, 35, maxTs);
    writeInt64(out, 43, o.producerId ?? -1);
    writeInt16(out, 51, o.producerEpoch ?? -1);
    writeInt32(out, 53, o.baseSequence ?? -1);
    writeInt32(out, 57, this.count);
  }
}

/** Bytes of an unsigned (already zigzagged) 32-bit varint: sizeOfVarint without the loop. */
function uvarintSize(u: number): number {
  return u < 0x80 ? 1 : u < 0x4000 ? 2 : u < 0x200000 ? 3 : u < 0x10000000 ? 4 : 5;
}

/** writeVarint for an already zigzagged value (uint32). */
function putUVarint(buf: Uint8Array, pos: number, u: number): number {
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

/** Convenience: one batch from a list of records. */
export function buildRecordBatch(records: readonly RecordInput[], opts: RecordBatchOptions = {}): Buffer {
  const b = new RecordBatchBuilder(opts);
  for (const r of records) b.append(r.timestamp, r.key, r.value, r.headers, r.offsetDelta);
  return b.build();
}
