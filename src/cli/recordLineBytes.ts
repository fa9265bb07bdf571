// kafka-dump-log's `| offset: ...` line for v2 data records, encoded straight into the output buffer.
// The general path (a RecordEvent object, a template string, then UTF-8 encoding) costs ~600 ns a
// record, the whole budget of a long `--deep-iteration --print-data-log` dump. The bytes written are
// exactly recordLine(recordEvent(r)) plus a newline: test/dump/recordLineBytes.test.ts compares the
// two paths on every fixture and corpus segment. Legacy and control records are left to that path.

import { isUtf8 } from 'node:buffer';
import type { Record as KafkaRecord } from '../format/index.js';
import { longText } from './dumpText.js';
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

const bytesOf = (s: string) => Buffer.from(s, 'latin1');
const OFFSET = bytesOf('| offset: ');
const PAYLOAD_AFTER_KEY = bytesOf(' payload: ');
const SKIPPED_KEY = bytesOf('| key: ');
const SKIPPED_PAYLOAD = bytesOf('| payload: ');

// Room for everything but key, value and header keys: two 20-digit longs, three 11-character
// ints, the labels (ASCII, ~140 bytes).
const METADATA_MAX = 192;

/** "00".."99" as big-endian 16-bit pairs of ASCII digits: two digits per store. */
const DIGIT_PAIRS = Uint16Array.from({ length: 100 }, (_, i) => ((0x30 + ((i / 10) | 0)) << 8) | (0x30 + (i % 10)));

const viewOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/**
 * Copies `length` bytes four at a time (a byte loop costs ~2 ns a byte; these DataView accesses
 * compile to plain loads and stores) and returns the OR of the words copied: bit 7 of any byte
 * set means the bytes are not all ASCII.
 */
function copy(dst: DataView, p: number, src: DataView, from: number, length: number): number {
  let high = 0;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const w = src.getInt32(from + i);
    dst.setInt32(p + i, w);
    high |= w;
  }
  for (; i < length; i++) {
    const c = src.getUint8(from + i);
    dst.setUint8(p + i, c);
    high |= c;
  }
  return high;
}

/** Decimal digits of a non-negative int32. */
function digits(n: number): number {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

/** The digits of a non-negative int32 ending at `end` (integer arithmetic: a float `%` is a libm call). */
function putDigits(d: DataView, end: number, n: number, count: number): void {
  let q = end;
  while (count >= 2) {
    const t = (n / 100) | 0;
    q -= 2;
    d.setUint16(q, DIGIT_PAIRS[n - t * 100]);
    n = t;
    count -= 2;
  }
  if (count === 1) d.setUint8(q - 1, 0x30 + n);
}

/** A non-negative int32 as decimal text. */
function putUint31(d: DataView, p: number, n: number): number {
  const len = digits(n);
  putDigits(d, p + len, n, len);
  return p + len;
}

/** An int32 field (sizes, sequence) as decimal text. */
function putInt(d: DataView, p: number, n: number): number {
  if (n >= 0) return putUint31(d, p, n);
  d.setUint8(p, 0x2d);
  if (n > -2147483648) return putUint31(d, p + 1, -n);
  return p + 1 + putAscii(d, p + 1, '2147483648');
}

function putAscii(d: DataView, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) d.setUint8(p + i, s.charCodeAt(i));
  return s.length;
}

/** A long (offset, timestamp) as Java's Long.toString prints the same number. */
function putLong(d: DataView, p: number, n: number): number {
  if (n >= 0 && n < 1e9) return putUint31(d, p, n | 0);
  if (n < 0 || n > Number.MAX_SAFE_INTEGER || !Number.isInteger(n)) return p + putAscii(d, p, longText(n));
  // Two exact int32 halves: the high part below 2^24, the low part padded to 9 digits.
  const hi = Math.floor(n / 1e9);
  p = putUint31(d, p, hi);
  putDigits(d, p + 9, (n - hi * 1e9) | 0, 9);
  return p + 9;
}

/**
 * A run of line text that stays the same from record to record (" keySize: -1 valueSize: 100
 * sequence: ", " headerKeys: [] payload: "): built once, copied word-wise while its inputs repeat.
 */
class Run {
  readonly bytes = Buffer.alloc(256);
  readonly view = viewOf(this.bytes);
  length = -1;
  a = NaN;
  b = NaN;

  set(text: string, a: number, b: number): void {
    this.length = this.bytes.write(text, 0, 'latin1');
    this.a = a;
    this.b = b;
  }
}

export class RecordLineBytes {
  private tsName = '';
  private readonly tsLabel = new Run();
  private readonly sizes = new Run();
  private readonly tail = new Run();
  private src: Buffer | null = null;
  private srcView = viewOf(Buffer.alloc(0));
  private readonly outView: DataView;
  private readonly printKey: boolean;
  private readonly printValue: boolean;

  constructor(
    private readonly out: LineWriter,
    private readonly opts: RecordLineOptions,
  ) {
    this.printKey = opts.printData && opts.key === 'string';
    this.printValue = opts.printData && opts.value === 'string';
    this.outView = viewOf(out.buf);
  }

  /** Writes the record's line; false (nothing written) for records this encoder leaves to recordLine. */
  write(r: KafkaRecord, timestampType: string): boolean {
    if (r.magic < 2 || r.isControl) return false;
    const klen = this.printKey ? r.keyLength : -1;
    const vlen = this.printValue ? r.valueLength : -1;
    const skip = this.opts.skipMetadata;
    const headerKeys = r.headerCount > 0 && !skip ? r.headerKeys().join(',') : '';
    const need = METADATA_MAX + 3 * (Math.max(klen, 0) + Math.max(vlen, 0) + headerKeys.length) + 1;
    if (!this.out.reserve(need)) return false;
    if (r.buf !== this.src) {
      this.src = r.buf;
      this.srcView = viewOf(r.buf);
    }
    const d = this.outView;
    let p = this.out.pos;
    if (!skip) {
      if (timestampType !== this.tsName) {
        this.tsName = timestampType;
        this.tsLabel.set(` ${timestampType}: `, 0, 0);
      }
      const sizes = this.sizes;
      if (sizes.a !== r.keyLength || sizes.b !== r.valueLength) sizes.set(` keySize: ${r.keyLength} valueSize: ${r.valueLength} sequence: `, r.keyLength, r.valueLength);
      const tail = this.tail;
      const tailKind = klen >= 0 ? 1 : vlen >= 0 ? 2 : 0;
      const field = tailKind === 1 ? ' key: ' : tailKind === 2 ? ' payload: ' : '';
      if (tail.a !== tailKind) tail.set(` headerKeys: []${field}`, tailKind, 0);
      copy(d, p, OFFSET_VIEW, 0, OFFSET.length);
      p += OFFSET.length;
      p = putLong(d, p, r.offset);
      copy(d, p, this.tsLabel.view, 0, this.tsLabel.length);
      p = putLong(d, p + this.tsLabel.length, r.timestamp);
      copy(d, p, sizes.view, 0, sizes.length);
      p = putInt(d, p + sizes.length, r.sequence);
      if (headerKeys.length > 0) p += utf8Write.call(this.out.buf, ` headerKeys: [${headerKeys}]${field}`, p);
      else {
        copy(d, p, tail.view, 0, tail.length);
        p += tail.length;
      }
    } else if (klen >= 0) {
      copy(d, p, SKIPPED_KEY_VIEW, 0, SKIPPED_KEY.length);
      p += SKIPPED_KEY.length;
    } else if (vlen >= 0) {
      copy(d, p, SKIPPED_PAYLOAD_VIEW, 0, SKIPPED_PAYLOAD.length);
      p += SKIPPED_PAYLOAD.length;
    }
    if (klen >= 0) {
      p = this.text(p, r.keyOffset, klen);
      if (vlen >= 0) {
        copy(d, p, PAYLOAD_AFTER_KEY_VIEW, 0, PAYLOAD_AFTER_KEY.length);
        p += PAYLOAD_AFTER_KEY.length;
      }
    }
    if (vlen >= 0) p = this.text(p, r.valueOffset, vlen);
    d.setUint8(p, 0x0a);
    this.out.pos = p + 1;
    return true;
  }

  /**
   * Key or value bytes as the string decoder prints them: valid UTF-8 is copied as is (decoding and
   * re-encoding gives the same bytes); anything else goes through the decoder, which writes U+FFFD
   * for each invalid sequence (the reserve() allowed 3 bytes per input byte).
   */
  private text(p: number, from: number, length: number): number {
    const src = this.src!;
    if ((copy(this.outView, p, this.srcView, from, length) & 0x80808080) === 0 || isUtf8(src.subarray(from, from + length))) return p + length;
    return p + utf8Write.call(this.out.buf, src.toString('utf8', from, from + length), p);
  }
}

const OFFSET_VIEW = viewOf(OFFSET);
const PAYLOAD_AFTER_KEY_VIEW = viewOf(PAYLOAD_AFTER_KEY);
const SKIPPED_KEY_VIEW = viewOf(SKIPPED_KEY);
const SKIPPED_PAYLOAD_VIEW = viewOf(SKIPPED_PAYLOAD);

