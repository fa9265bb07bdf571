// kafka-dump-log's `| offset: ...` line for v2 data records, encoded straight into the output buffer.
// The general path (a RecordEvent object, a template string, then UTF-8 encoding) costs ~600 ns a
// record, the whole budget of a long `--deep-iteration --print-data-log` dump. The bytes written are
// exactly recordLine(recordEvent(r)) plus a newline: test/dump/recordLineBytes.test.ts compares the
// two paths on every fixture and corpus segment. Legacy and control records are left to that path.
//
// Where the time goes, and what is done about it (per record, 100 B values):
// - labels: native copies of whole prebuilt byte runs (TypedArray#set), not byte loops; while the
//   offset's digit count, the timestamp's high digits and the sizes repeat (the usual case), the
//   line up to `sequence: ` is one run whose digits are kept current: consecutive offsets and
//   timestamps a few ms apart only bump a digit or two;
// - other digits: integer arithmetic, two digits per store;
// - keys and values: copied raw (copyWithin when the read buffer shares the output's ArrayBuffer)
//   and UTF-8-checked per output buffer by the LineWriter, not per value (see output.ts).

import type { Record as KafkaRecord, RecordBatch } from '../format/index.js';
import { BATCH_LINE_MAX, writeBatchLine } from './batchLineBytes.js';
import type { RecordSink } from '../tools/dump.js';
import { addDigit, bytesOf, digits, putDigits, putInt, putLong } from './decimalBytes.js';
import { utf8Write, type LineWriter } from './output.js';

/** How keys or values are printed: the string decoder (Kafka's default) or not at all. */
export type FastDecoder = 'string' | 'none';

export interface RecordLineOptions {
  /** --print-data-log (or a decoder option) is on. */
  printData: boolean;
  skipMetadata: boolean;
  key: FastDecoder;
  value: FastDecoder;
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const OFFSET = bytesOf('| offset: ');
const HEADER_KEYS_OPEN = bytesOf(' headerKeys: [');
const PAYLOAD_AFTER_KEY = bytesOf(' payload: ');
const SKIPPED_KEY = bytesOf('| key: ');
const SKIPPED_PAYLOAD = bytesOf('| payload: ');
// ` headerKeys: []` plus the label of the first printed field, per field kind (0 none, 1 key, 2 payload).
const TAILS = [bytesOf(' headerKeys: []'), bytesOf(' headerKeys: [] key: '), bytesOf(' headerKeys: [] payload: ')];
const FIELD_LABELS = [bytesOf(']'), bytesOf('] key: '), bytesOf('] payload: ')];

// Room for everything but key, value and header keys: two 20-digit longs, three 11-character
// ints, the labels (ASCII, ~140 bytes).
const METADATA_MAX = 192;
// Shorter keys and values are copied by a loop: a native copy's call costs more.
const LOOP_COPY_MAX = 16;

export class RecordLineBytes implements RecordSink {
  private readonly printKey: boolean;
  private readonly printValue: boolean;
  private readonly skip: boolean;

  // The output buffer, a DataView of it, and the whole ArrayBuffer under it (for copyWithin).
  private outBuf!: Buffer;
  private outView!: DataView;
  private arena!: Uint8Array;
  private src: Buffer | null = null;
  /** `src` lives in `arena` (copyWithin possible). */
  private srcShared = false;

  // ` CreateTime: ` and friends.
  private tsName = '';
  private tsLabel = bytesOf('');
  // ` keySize: K valueSize: V sequence: ` for the sizes in `sizesKey`/`sizesValue`.
  private sizes = bytesOf('');
  private sizesKey = NaN;
  private sizesValue = NaN;
  // `| offset: O CreateTime: T keySize: K valueSize: V sequence: S headerKeys: [] payload: `, valid
  // for offsets in [headOffsetMin, headOffsetEnd) (the same `headDigits` digits), timestamps in
  // [headTsMin, headTsEnd) (the same digits above the last nine), sequences in [headSeqMin,
  // headSeqEnd) (`headSeqDigits` digits; 0: -1), the field kind `headField`, and the current tsLabel
  // and sizes (a change empties the ranges); `headLow` is where the last nine timestamp digits start.
  private head = bytesOf('');
  private headView = new DataView(new ArrayBuffer(0));
  /** The offset, timestamp and sequence whose digits `head` holds. */
  private headOffset = -1;
  private headTs = -1;
  private headSeq = -1;
  private headDigits = -1;
  private headOffsetMin = 0;
  private headOffsetEnd = 0;
  private headTsMin = 0;
  private headTsEnd = 0;
  private headSeqDigits = -1;
  private headSeqMin = 0;
  private headSeqEnd = 0;
  private headField = -1;
  /** Where the sequence's digits end in `head`. */
  private headSeqDigitsEnd = 0;
  private headLow = 0;

  constructor(
    private readonly out: LineWriter,
    opts: RecordLineOptions,
  ) {
    this.printKey = opts.printData && opts.key === 'string';
    this.printValue = opts.printData && opts.value === 'string';
    this.skip = opts.skipMetadata;
    this.bindOutput();
  }

  /** Writes the record's line; false (nothing written) for records this encoder leaves to recordLine. */
  write(r: KafkaRecord, timestampType: string): boolean {
    if (r.magic < 2 || r.isControl) return false;
    const klen = this.printKey ? r.keyLength : -1;
    const vlen = this.printValue ? r.valueLength : -1;
    const headerKeys = r.headerCount > 0 && !this.skip ? r.headerKeys().join(',') : '';
    const need = METADATA_MAX + 3 * headerKeys.length + Math.max(klen, 0) + Math.max(vlen, 0) + 1;
    const out = this.out;
    if (!out.reserve(need)) return false;
    if (out.buf !== this.outBuf) this.bindOutput();
    if (r.buf !== this.src) {
      this.src = r.buf;
      this.srcShared = r.buf.buffer === this.arena.buffer;
    }
    const b = this.outBuf;
    const d = this.outView;
    let p = out.pos;
    const field = klen >= 0 ? 1 : vlen >= 0 ? 2 : 0;
    if (!this.skip) {
      if (timestampType !== this.tsName) {
        this.tsName = timestampType;
        this.tsLabel = bytesOf(` ${timestampType}: `);
        this.headOffsetEnd = 0;
      }
      if (r.keyLength !== this.sizesKey || r.valueLength !== this.sizesValue) {
        this.sizesKey = r.keyLength;
        this.sizesValue = r.valueLength;
        this.sizes = bytesOf(` keySize: ${r.keyLength} valueSize: ${r.valueLength} sequence: `);
        this.headOffsetEnd = 0;
      }
      const offset = r.offset;
      const ts = r.timestamp;
      const seq = r.sequence;
      // The usual line: one prebuilt run up to the key or value, kept current by bumping digits.
      // Two compares per number tell whether it still fits the run (same digit count, same high
      // timestamp digits); only then are digits counted again.
      const fits = offset >= this.headOffsetMin && offset < this.headOffsetEnd && ts >= this.headTsMin && ts < this.headTsEnd && seq >= this.headSeqMin && seq < this.headSeqEnd && field === this.headField;
      if (headerKeys.length === 0 && (fits || (offset >= 0 && offset < 1e9 && ts >= 1e9 && ts <= Number.MAX_SAFE_INTEGER && seq >= -1))) {
        if (!fits) this.buildHead(offset, ts, seq, field);
        const head = this.head;
        if (offset !== this.headOffset) {
          const od = this.headDigits;
          if (offset === this.headOffset + 1) addDigit(head, OFFSET.length + od - 1, 1);
          else putDigits(this.headView, OFFSET.length + od, offset, od);
          this.headOffset = offset;
        }
        if (ts !== this.headTs) {
          const delta = ts - this.headTs;
          if (delta > 0 && delta < 10) addDigit(head, this.headLow + 8, delta);
          else putDigits(this.headView, this.headLow + 9, (ts - this.headTsMin) | 0, 9);
          this.headTs = ts;
        }
        if (seq !== this.headSeq) {
          // Same digit count, both non-negative (-1 has a head of its own).
          if (seq === this.headSeq + 1) addDigit(head, this.headSeqDigitsEnd - 1, 1);
          else putDigits(this.headView, this.headSeqDigitsEnd, seq, this.headSeqDigits);
          this.headSeq = seq;
        }
        b.set(head, p);
        p += head.length;
      } else {
        b.set(OFFSET, p);
        p = putLong(d, p + OFFSET.length, offset);
        b.set(this.tsLabel, p);
        p = putLong(d, p + this.tsLabel.length, ts);
        b.set(this.sizes, p);
        p = putInt(d, p + this.sizes.length, seq);
        if (headerKeys.length === 0) {
          const tail = TAILS[field];
          b.set(tail, p);
          p += tail.length;
        } else {
          b.set(HEADER_KEYS_OPEN, p);
          p += HEADER_KEYS_OPEN.length;
          p += utf8Write.call(b, headerKeys, p);
          const label = FIELD_LABELS[field];
          b.set(label, p);
          p += label.length;
        }
      }
    } else if (field !== 0) {
      const label = field === 1 ? SKIPPED_KEY : SKIPPED_PAYLOAD;
      b.set(label, p);
      p += label.length;
    }
    if (klen >= 0) {
      p = this.text(p, r.keyOffset, klen);
      if (vlen >= 0) {
        b.set(PAYLOAD_AFTER_KEY, p);
        p += PAYLOAD_AFTER_KEY.length;
      }
    }
    if (vlen >= 0) p = this.text(p, r.valueOffset, vlen);
    b[p] = 0x0a;
    out.pos = p + 1;
    return true;
  }

  /** The batch line of a v2 batch (see batchLineBytes.ts); false (nothing written) if it does not fit. */
  batch(batch: RecordBatch, isValid: boolean, timestampType: string): boolean {
    const out = this.out;
    if (!out.reserve(BATCH_LINE_MAX + 3 * (timestampType.length + batch.compressionName.length))) return false;
    if (out.buf !== this.outBuf) this.bindOutput();
    out.pos = writeBatchLine(this.outBuf, this.outView, out.pos, batch, isValid, timestampType);
    return true;
  }

  private buildHead(offset: number, ts: number, seq: number, field: number): void {
    const od = digits(offset);
    const high = Math.floor(ts / 1e9);
    const sd = seq < 0 ? 0 : digits(seq);
    const low = String((ts - high * 1e9) | 0).padStart(9, '0');
    const upToSeq = `| offset: ${offset}${latin1(this.tsLabel)}${high}${low}${latin1(this.sizes)}${seq}`;
    this.head = bytesOf(upToSeq + latin1(TAILS[field]));
    this.headView = new DataView(this.head.buffer, this.head.byteOffset, this.head.byteLength);
    this.headDigits = od;
    this.headOffsetMin = od === 1 ? 0 : 10 ** (od - 1);
    this.headOffsetEnd = 10 ** od;
    this.headTsMin = high * 1e9;
    this.headTsEnd = Math.min((high + 1) * 1e9, Number.MAX_SAFE_INTEGER + 1);
    this.headSeqDigits = sd;
    this.headSeqMin = sd === 0 ? -1 : sd === 1 ? 0 : 10 ** (sd - 1);
    this.headSeqEnd = sd === 0 ? 0 : 10 ** sd;
    this.headField = field;
    this.headOffset = offset;
    this.headTs = ts;
    this.headSeq = seq;
    this.headLow = OFFSET.length + od + this.tsLabel.length + String(high).length;
    this.headSeqDigitsEnd = upToSeq.length;
  }

  /** Key or value bytes, copied raw; the writer checks them as UTF-8 before they leave (output.ts). */
  private text(p: number, from: number, length: number): number {
    const src = this.src!;
    if (length <= LOOP_COPY_MAX) {
      const b = this.outBuf;
      for (let i = 0; i < length; i++) b[p + i] = src[from + i];
    } else if (this.srcShared) {
      const at = src.byteOffset + from;
      this.arena.copyWithin(this.outBuf.byteOffset + p, at, at + length);
    } else {
      this.outBuf.set(src.subarray(from, from + length), p);
    }
    this.out.textSpan(p, length);
    return p + length;
  }

  /** A writer with a sink moves on to a new buffer when it flushes. */
  private bindOutput(): void {
    const buf = this.out.buf;
    this.outBuf = buf;
    this.outView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.arena = new Uint8Array(buf.buffer);
    this.srcShared = this.src !== null && this.src.buffer === buf.buffer;
  }
}
