// Decimal digits and ASCII labels written straight into an output buffer, for the dump's byte
// encoders (recordLineBytes.ts, batchLineBytes.ts): integer arithmetic, two digits per store, and
// Java's Long.toString text for any number a long field holds.

import { longText } from './dumpText.js';

/** A label's bytes (ASCII), made once. */
export const bytesOf = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

/** "00".."99" as 16-bit pairs of ASCII digits, stored little-endian (no byte swap): two digits per store. */
const DIGIT_PAIRS = Uint16Array.from({ length: 100 }, (_, i) => ((0x30 + (i % 10)) << 8) | (0x30 + ((i / 10) | 0)));

/** Decimal digits of a non-negative int32. */
export function digits(n: number): number {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

/** The `count` last digits of a non-negative int32, ending at `end` (integer arithmetic only). */
export function putDigits(d: DataView, end: number, n: number, count: number): void {
  let q = end;
  while (count >= 2) {
    const t = (n / 100) | 0;
    q -= 2;
    d.setUint16(q, DIGIT_PAIRS[n - t * 100], true);
    n = t;
    count -= 2;
  }
  if (count === 1) d.setUint8(q - 1, 0x30 + n);
}

/**
 * Adds `delta` (1..9) to the decimal digits ending at `last`, carrying leftwards. The caller knows
 * the digit count does not change (no carry out of the first digit).
 */
export function addDigit(b: Uint8Array, last: number, delta: number): void {
  let q = last;
  let c = b[q] + delta;
  while (c > 0x39) {
    b[q--] = c - 10;
    c = b[q] + 1;
  }
  b[q] = c;
}

/** A non-negative int32 as decimal text. */
export function putUint31(d: DataView, p: number, n: number): number {
  const len = digits(n);
  putDigits(d, p + len, n, len);
  return p + len;
}

export function putAscii(d: DataView, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) d.setUint8(p + i, s.charCodeAt(i));
  return p + s.length;
}

/** An int32 field (sizes, sequence) as decimal text. */
export function putInt(d: DataView, p: number, n: number): number {
  if (n >= 0) return putUint31(d, p, n);
  d.setUint8(p, 0x2d);
  return n > -2147483648 ? putUint31(d, p + 1, -n) : putAscii(d, p + 1, '2147483648');
}

/** A long (offset, timestamp) as Java's Long.toString prints the same number. */
export function putLong(d: DataView, p: number, n: number): number {
  if (n >= 0 && n < 1e9) return putUint31(d, p, n | 0);
  if (n < 0 || n > Number.MAX_SAFE_INTEGER || !Number.isInteger(n)) return putAscii(d, p, longText(n));
  // Two exact int32 halves: the high part below 2^24, the low part padded to 9 digits.
  const hi = Math.floor(n / 1e9);
  p = putUint31(d, p, hi);
  putDigits(d, p + 9, (n - hi * 1e9) | 0, 9);
  return p + 9;
}
