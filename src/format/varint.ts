// Zigzag varints (protobuf sint32/sint64), as Kafka's ByteUtils writes them in record v2.
// Readers work on a shared cursor object rather than returning tuples, so the hot decode path
// allocates nothing per field.

import { CorruptRecordError } from './errors.js';

/** A read position into a buffer. One cursor is reused across every record of a batch. */
export interface Cursor {
  buf: Uint8Array;
  pos: number;
  /** Exclusive end: reads past it are corrupt data. */
  end: number;
  /** Position errors report (e.g. the enclosing batch's file position); default: where the read failed. */
  errorPosition?: number;
}

export function readVarint(c: Cursor): number {
  const buf = c.buf;
  let pos = c.pos;
  const end = c.end;
  let raw = 0;
  let shift = 0;
  let b: number;
  do {
    if (pos >= end) throw new CorruptRecordError('Varint runs past the end of the data', c.errorPosition ?? pos);
    if (shift > 28) throw new CorruptRecordError('Varint is too long (more than 5 bytes)', c.errorPosition ?? c.pos);
    b = buf[pos++];
    raw |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  c.pos = pos;
  return (raw >>> 1) ^ -(raw & 1);
}

/** Varlong, returned as a JS number: exact up to 2^53, which covers every timestamp delta Kafka writes. */
export function readVarlong(c: Cursor): number {
  const buf = c.buf;
  let pos = c.pos;
  const end = c.end;
  // Fast path: values that fit in 28 bits of raw varint (4 bytes) stay in int32 arithmetic.
  // The zigzag sign is the low bit of the first byte; starting at -sign keeps raw even, so it stays
  // exact up to 2^54 (an odd raw above 2^53 would round and flip the sign).
  const sign = buf[pos] & 1;
  let raw = -sign;
  let mult = 1;
  let b: number;
  let n = 0;
  do {
    if (pos >= end) throw new CorruptRecordError('Varlong runs past the end of the data', c.errorPosition ?? pos);
    if (n === 10) throw new CorruptRecordError('Varlong is too long (more than 10 bytes)', c.errorPosition ?? c.pos);
    b = buf[pos++];
    raw += (b & 0x7f) * mult;
    mult *= 128;
    n++;
  } while (b & 0x80);
  c.pos = pos;
  // zigzag decode on a double: raw (without the sign bit) / 2, or -(raw/2) - 1 when the sign bit is set
  return sign ? -(raw / 2) - 1 : raw / 2;
}

export function sizeOfVarint(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (v >= 0x80) {
    v >>>= 7;
    bytes++;
  }
  return bytes;
}

export function sizeOfVarlong(value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  let bytes = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    bytes++;
  }
  return bytes;
}

/** Writes a zigzag varint at `pos`, returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

export function writeVarlong(buf: Uint8Array, pos: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(buf, pos, value);
  // zigzag as 2·(-value - 1) plus a sign bit ORed into the first byte: v stays even and exact up to
  // 2^54, where -value * 2 - 1 would round for |value| > 2^52 (and flip the sign).
  let v = value >= 0 ? value * 2 : (-value - 1) * 2;
  let sign = value >= 0 ? 0 : 1;
  while (v >= 128) {
    buf[pos++] = (v % 128) | 0x80 | sign;
    sign = 0;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v | sign;
  return pos;
}
