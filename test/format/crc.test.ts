import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { crc32, crc32c, crc32cImplementation, crc32cImplementations } from '../../src/format/crc.js';

const ref = (b: Uint8Array): number => nodeRsCrc32c(b) >>> 0;

// CRC-32C check value and the iSCSI vectors of RFC 3720 B.4.
const VECTORS: [string, Uint8Array, number][] = [
  ['"123456789"', Buffer.from('123456789'), 0xe3069283],
  ['empty', new Uint8Array(0), 0],
  ['32 zero bytes', new Uint8Array(32), 0x8a9136aa],
  ['32 0xff bytes', new Uint8Array(32).fill(0xff), 0x62a8ab43],
  ['0..31', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
  ['31..0', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
];

/** A byte array at any alignment: `bytes` copied into a larger ArrayBuffer at `offset`. */
function atOffset(bytes: Uint8Array, offset: number): Uint8Array {
  const u = new Uint8Array(new ArrayBuffer(bytes.length + offset + 8), offset, bytes.length);
  u.set(bytes);
  return u;
}

// Buffers of any length up to 20,000 bytes (fc.uint8Array alone rarely goes past a few dozen).
const bytesArb = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 20_000, size: 'max' }));
const rangeArb = fc.tuple(bytesArb, fc.nat(63), fc.nat(), fc.nat());
function subRange(len: number, a: number, b: number): [number, number] {
  const start = len ? a % len : 0;
  return [start, start + (len - start ? b % (len - start + 1) : 0)];
}

describe('crc32c', () => {
  it('has the CRC-32C check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with @node-rs/crc32 on any bytes, lengths and sub-ranges', () => {
    fc.assert(
      fc.property(bytesArb, fc.nat(), fc.nat(), (bytes, a, b) => {
        const buf = Buffer.from(bytes);
        const [start, end] = subRange(buf.length, a, b);
        expect(crc32c(buf, start, end)).toBe(ref(buf.subarray(start, end)));
      }),
      { numRuns: 500, endOnFailure: true },
    );
  });

  it('uses the first implementation that loads', () => {
    const names = crc32cImplementations().map((i) => i.name);
    expect(names.at(-1)).toBe('@node-rs/crc32');
    expect(crc32cImplementation).toBe(names[0]);
  });

  for (const { name, crc32c: fn } of crc32cImplementations()) {
    describe(`implementation ${name}`, () => {
      it('gives the known vectors', () => {
        for (const [what, bytes, crc] of VECTORS) expect(fn(bytes, 0, bytes.length), what).toBe(crc);
      });

      it('equals @node-rs/crc32 at any length, alignment and sub-range', () => {
        fc.assert(
          fc.property(rangeArb, ([bytes, offset, a, b]) => {
            const buf = atOffset(bytes, offset);
            const [start, end] = subRange(buf.length, a, b);
            expect(fn(buf, start, end)).toBe(ref(buf.subarray(start, end)));
          }),
          { numRuns: 300, endOnFailure: true }, // no shrinking: on 20 KB arrays it takes minutes
        );
      });

      it('equals @node-rs/crc32 at every length to 4 KiB and every alignment to 16', () => {
        const bytes = Uint8Array.from({ length: 4096 + 16 }, (_, i) => (Math.imul(i, 2654435761) >>> 24) ^ i);
        for (let offset = 0; offset < 16; offset++) {
          for (let len = 0; len <= 4096; len++) {
            if (fn(bytes, offset, offset + len) !== ref(bytes.subarray(offset, offset + len))) {
              expect.fail(`${name} wrong at offset ${offset}, length ${len}`);
            }
          }
        }
      });
    });
  }

  it('crc32 (IEEE) has its check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

// The ISA-L addon itself (native/isal-crc32c), built by `npm install` where libisal-dev is installed. In CI
// (.ci/run installs libisal-dev) it must be built and in use.
const ADDON = new URL('../../native/isal-crc32c/build/Release/isal_crc32c.node', import.meta.url);
const built = existsSync(ADDON);
const inCI = !!process.env.CI;
if (!built && !inCI) console.warn('test/format/crc.test.ts: ISA-L addon tests skipped: not built (apt-get install libisal-dev, then npm install)');

describe.skipIf(!built && !inCI)('ISA-L CRC-32C addon', () => {
  type Binding = { crc32c(buf: Uint8Array, start: number, end: number, initial?: number): number };
  const isal = (): Binding => createRequire(import.meta.url)(ADDON.pathname) as Binding;

  it('is built, loads and is the implementation in use', () => {
    expect(built, 'native/isal-crc32c not built; CI must install libisal-dev before npm install').toBe(true);
    expect(crc32cImplementation).toBe('isa-l');
  });

  it('continues from an initial CRC: any split into chunks gives the whole buffer\'s CRC', () => {
    const { crc32c: f } = isal();
    fc.assert(
      fc.property(bytesArb, fc.nat(63), fc.array(fc.nat(), { maxLength: 6 }), (bytes, offset, cuts) => {
        const buf = atOffset(bytes, offset);
        const points = [0, ...cuts.map((c) => c % (buf.length + 1)).sort((x, y) => x - y), buf.length];
        let crc = 0;
        for (let i = 1; i < points.length; i++) crc = f(buf, points[i - 1], points[i], crc);
        expect(crc).toBe(ref(buf));
        // the same as @node-rs/crc32's own continuation
        if (points.length > 2) expect(f(buf, points[1], buf.length, ref(buf.subarray(0, points[1])))).toBe(ref(buf));
      }),
      { numRuns: 300, endOnFailure: true }, // no shrinking: on 20 KB arrays it takes minutes
    );
  });

  it('returns the initial CRC for an empty range, anywhere', () => {
    const { crc32c: f } = isal();
    const buf = Buffer.from('123456789');
    for (let i = 0; i <= buf.length; i++) {
      expect(f(buf, i, i)).toBe(0);
      expect(f(buf, i, i, 0xe3069283)).toBe(0xe3069283);
    }
    expect(f(new Uint8Array(0), 0, 0)).toBe(0);
    expect(f(buf, 0, 9, undefined)).toBe(0xe3069283);
  });

  it('rejects what is not a byte range of a Uint8Array', () => {
    const { crc32c: f } = isal();
    const buf = Buffer.alloc(8);
    expect(() => f(buf, 0, 9)).toThrow(RangeError);
    expect(() => f(buf, 5, 4)).toThrow(RangeError);
    expect(() => f(buf, -1, 4)).toThrow(RangeError);
    expect(() => f(new Uint32Array(2) as unknown as Uint8Array, 0, 1)).toThrow(TypeError);
    expect(() => f('abc' as unknown as Uint8Array, 0, 1)).toThrow(TypeError);
    expect(() => (f as unknown as (b: Uint8Array) => number)(buf)).toThrow(TypeError);
    expect(() => f(buf, 0, 8, 'x' as unknown as number)).toThrow(TypeError);
  });

  it('equals the other implementations on a 65 MiB buffer and across ISA-L\'s 1 GiB call chunks', () => {
    const { crc32c: f } = isal();
    const big = Buffer.allocUnsafe(65 * 2 ** 20 + 13);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, Math.min(i, big.length - 4));
    const want = ref(big);
    for (const { crc32c: g } of crc32cImplementations()) expect(g(big, 0, big.length)).toBe(want);
    expect(f(big, 3, big.length - 5)).toBe(ref(big.subarray(3, big.length - 5)));
    // > 2 GiB (crc32_iscsi takes an int length): calloc'd zero pages cost no memory until written.
    const huge = Buffer.alloc(2 ** 31 + 4097);
    for (const [at, v] of [[0, 1], [2 ** 30 - 1, 2], [2 ** 30, 3], [2 ** 31 - 1, 4], [2 ** 31 + 4096, 5]]) huge[at] = v;
    expect(f(huge, 0, huge.length)).toBe(ref(huge));
    expect(f(huge, 1, huge.length - 1)).toBe(ref(huge.subarray(1, huge.length - 1)));
  });
});

describe('without the ISA-L addon (KSEG_NO_ISAL=1)', () => {
  it('falls back to sse4_crc32 or @node-rs/crc32 and gives the same CRCs', async () => {
    vi.stubEnv('KSEG_NO_ISAL', '1');
    vi.resetModules();
    try {
      const m = await import('../../src/format/crc.js');
      expect(m.crc32cImplementations().map((i) => i.name)).not.toContain('isa-l');
      expect(['sse4_crc32', '@node-rs/crc32']).toContain(m.crc32cImplementation);
      for (const [what, bytes, crc] of VECTORS) expect(m.crc32c(bytes), what).toBe(crc);
      const buf = Buffer.from('xx123456789yy');
      expect(m.crc32c(buf, 2, 11)).toBe(0xe3069283);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
