// Zigzag varint / varlong (Kafka's ByteUtils): round trips, exact bytes at the boundaries, sizes,
// and malformed input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError, readVarint, readVarlong, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong, type Cursor } from '../../src/format/index.js';
import { expectThrows } from './support.js';

/** Reference zigzag encoding with BigInt (protobuf sint64), independent of src/. */
function refZigzag(value: bigint, bits: 32 | 64): Buffer {
  const mask = (1n << BigInt(bits)) - 1n;
  let v = ((value << 1n) ^ (value >> BigInt(bits - 1))) & mask;
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

function cursor(buf: Uint8Array, pos = 0, end = buf.length): Cursor {
  return { buf, pos, end };
}

function encodeVarint(v: number): Buffer {
  const b = Buffer.alloc(16, 0xee);
  const n = writeVarint(b, 3, v);
  return b.subarray(3, n);
}

function encodeVarlong(v: number): Buffer {
  const b = Buffer.alloc(24, 0xee);
  const n = writeVarlong(b, 5, v);
  return b.subarray(5, n);
}

const INT32_BOUNDARIES = [0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, 1048575, -1048576, 134217727, -134217728, 2 ** 30 - 1, -(2 ** 30), 2 ** 31 - 1, -(2 ** 31)];
const INT64_BOUNDARIES = [
  ...INT32_BOUNDARIES,
  2 ** 30,
  -(2 ** 30) - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 32,
  -(2 ** 32),
  2 ** 35 - 1,
  -(2 ** 35),
  2 ** 41,
  -(2 ** 41) - 1,
  2 ** 48,
  -(2 ** 48),
  2 ** 52 - 1,
  -(2 ** 52),
  2 ** 52,
  -(2 ** 52) - 1,
  2 ** 52 + 1,
  -(2 ** 52) - 3,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER - 1,
  Number.MIN_SAFE_INTEGER + 1,
  1_700_000_000_000,
  -1_700_000_000_000,
];

describe('varint (int32)', () => {
  it('writes the exact zigzag bytes and reads them back at every size boundary', () => {
    for (const v of INT32_BOUNDARIES) {
      const bytes = encodeVarint(v);
      expect(bytes.toString('hex'), `value ${v}`).toBe(refZigzag(BigInt(v), 32).toString('hex'));
      expect(sizeOfVarint(v)).toBe(bytes.length);
      const c = cursor(bytes);
      expect(readVarint(c)).toBe(v);
      expect(c.pos).toBe(bytes.length);
    }
    expect(encodeVarint(-1).toString('hex')).toBe('01');
    expect(encodeVarint(2 ** 31 - 1).toString('hex')).toBe('feffffff0f');
    expect(encodeVarint(-(2 ** 31)).toString('hex')).toBe('ffffffff0f');
  });

  it('round-trips every int32', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
        const bytes = encodeVarint(v);
        expect(bytes.equals(refZigzag(BigInt(v), 32))).toBe(true);
        expect(sizeOfVarint(v)).toBe(bytes.length);
        expect(readVarint(cursor(bytes))).toBe(v);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a sequence of varints from a shared cursor', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 50 }), (vs) => {
        const buf = Buffer.concat(vs.map(encodeVarint));
        const c = cursor(buf);
        expect(vs.map(() => readVarint(c))).toEqual(vs);
        expect(c.pos).toBe(buf.length);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects varints that run past the end or are longer than 5 bytes', () => {
    const e = expectThrows(() => readVarint(cursor(Buffer.from([0x80, 0x80]))), CorruptRecordError);
    expect(e.message).toMatch(/past the end/);
    // the cursor's end, not the buffer's, bounds the read
    expectThrows(() => readVarint(cursor(Buffer.from([0x80, 0x01]), 0, 1)), CorruptRecordError);
    expectThrows(() => readVarint(cursor(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))), CorruptRecordError);
    expectThrows(() => readVarint(cursor(Buffer.alloc(0))), CorruptRecordError);
  });
});

describe('varlong (int64 as a JS number, exact within ±(2^53 - 1))', () => {
  it('writes the exact zigzag bytes and reads them back at the boundaries (±2^31, ±2^52, ±(2^53 - 1))', () => {
    for (const v of INT64_BOUNDARIES) {
      const bytes = encodeVarlong(v);
      expect(bytes.toString('hex'), `value ${v}`).toBe(refZigzag(BigInt(v), 64).toString('hex'));
      expect(sizeOfVarlong(v), `size of ${v}`).toBe(bytes.length);
      const c = cursor(bytes);
      expect(readVarlong(c), `read ${v}`).toBe(v);
      expect(c.pos).toBe(bytes.length);
    }
  });

  it('round-trips every safe integer, and reads what a Java (BigInt reference) writer wrote', () => {
    const safe = fc.oneof(
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.maxSafeInteger(),
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: -(2 ** 52) }),
      fc.integer({ min: 2 ** 52, max: Number.MAX_SAFE_INTEGER }),
    );
    fc.assert(
      fc.property(safe, (v) => {
        const ref = refZigzag(BigInt(v), 64);
        const bytes = encodeVarlong(v);
        expect(bytes.toString('hex')).toBe(ref.toString('hex'));
        expect(sizeOfVarlong(v)).toBe(ref.length);
        expect(readVarlong(cursor(ref))).toBe(v);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads Long.MIN/MAX_VALUE (10 bytes) without throwing, and the 10-byte limit', () => {
    for (const v of [(1n << 63n) - 1n, -(1n << 63n)]) {
      const bytes = refZigzag(v, 64);
      expect(bytes.length).toBe(10);
      const c = cursor(bytes);
      expect(Math.abs(readVarlong(c))).toBeCloseTo(2 ** 63, -50);
      expect(c.pos).toBe(10);
    }
    expectThrows(() => readVarlong(cursor(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))), CorruptRecordError);
    expectThrows(() => readVarlong(cursor(Buffer.from([0x80]))), CorruptRecordError);
    expectThrows(() => readVarlong(cursor(Buffer.alloc(0))), CorruptRecordError);
  });
});
