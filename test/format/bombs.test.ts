// Decompression bombs: 200 MiB of zeros, compressed with every codec (and in the variants other
// writers produce), must fail with CompressionError under a 1 MiB limit, standalone and inside a
// v2 batch / legacy wrapper, without allocating anything near the full size. Allocation is
// measured by spying on Buffer's allocators (BoundedOutput and node:zlib both allocate through
// them; the native codecs write into the buffers kseg hands them).

import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BatchScanner,
  Codec,
  CompressionError,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  buildRecordBatch,
  compress,
  decompress,
  writeLegacyMessage,
} from '../../src/format/index.js';
import { expectThrows, fixChecksum, lz4HeaderChecksum } from './support.js';

const require = createRequire(import.meta.url);
const snappyRaw = require('snappy') as { compressSync(b: Uint8Array): Buffer };
const zstd = require('zstd-napi/binding') as {
  CCtx: new () => { setParameter(p: number, v: number): void; compressStream2(dst: Uint8Array, src: Uint8Array, end: number): [number, number, number] };
  CParameter: { compressionLevel: number; contentSizeFlag: number };
  EndDirective: { continue: number; end: number };
  getFrameContentSize(b: Uint8Array): number | null;
};

const MiB = 1024 * 1024;
const BOMB_SIZE = 200 * MiB;
const LIMIT = 1 * MiB;

/** A zstd frame without a content size (Java's streaming writer), fed in chunks: never holds 200 MiB. */
function zstdStreamingBomb(total: number): Buffer {
  const cctx = new zstd.CCtx();
  cctx.setParameter(zstd.CParameter.compressionLevel, 3);
  cctx.setParameter(zstd.CParameter.contentSizeFlag, 0);
  const chunk = Buffer.alloc(4 * MiB);
  const out: Buffer[] = [];
  const dst = Buffer.alloc(1 * MiB);
  for (let done = 0; done < total; done += chunk.length) {
    const last = done + chunk.length >= total;
    let src: Buffer = chunk;
    for (;;) {
      const [remaining, produced, consumed] = cctx.compressStream2(dst, src, last ? zstd.EndDirective.end : zstd.EndDirective.continue);
      out.push(Buffer.from(dst.subarray(0, produced)));
      src = src.subarray(consumed);
      if (last ? remaining === 0 : src.length === 0) break;
    }
  }
  return Buffer.concat(out);
}

/** An lz4 frame (kseg/Java framing) of `blocks` copies of one compressed 64 KiB zero block. */
function lz4Bomb(total: number, o: { declaredSize?: number } = {}): Buffer {
  const block = compress(Codec.Lz4, Buffer.alloc(65536)); // 7-byte header | block | end mark
  const body = block.subarray(7, block.length - 4);
  const n = Math.ceil(total / 65536);
  const header = o.declaredSize === undefined ? block.subarray(0, 7) : lz4HeaderWithSize(o.declaredSize);
  return Buffer.concat([header, ...Array.from({ length: n }, () => body), Buffer.alloc(4)]);
}

function lz4HeaderWithSize(size: number): Buffer {
  // FLG 0x68 (content size present), BD 0x40; HC taken from a real frame written that way
  const h = Buffer.alloc(15);
  h.writeUInt32LE(0x184d2204, 0);
  h[4] = 0x68;
  h[5] = 0x40;
  h.writeBigUInt64LE(BigInt(size), 6);
  h[14] = lz4HeaderChecksum(h.subarray(4, 14));
  return h;
}

/** xerial snappy of `total` zeros: one 32 KiB raw block repeated (what SnappyOutputStream writes). */
function snappyXerialBomb(total: number): Buffer {
  const block = snappyRaw.compressSync(Buffer.alloc(32 * 1024));
  const len = Buffer.alloc(4);
  len.writeInt32BE(block.length);
  const header = compress(Codec.Snappy, Buffer.alloc(0));
  return Buffer.concat([header, ...Array.from({ length: Math.ceil(total / 32768) }, () => Buffer.concat([len, block]))]);
}

interface Bomb {
  name: string;
  codec: Codec;
  data: Buffer;
  /** Magic values the bomb may travel in. */
  magics: (0 | 1 | 2)[];
}

const bombs: Bomb[] = [];

beforeAll(() => {
  const zeros = Buffer.alloc(BOMB_SIZE);
  bombs.push(
    { name: 'gzip (one member, level 9)', codec: Codec.Gzip, data: zlib.gzipSync(zeros, { level: 9 }), magics: [0, 1, 2] },
    { name: 'snappy (xerial, 32 KiB blocks)', codec: Codec.Snappy, data: snappyXerialBomb(BOMB_SIZE), magics: [0, 1, 2] },
    { name: 'snappy (raw block, as librdkafka writes)', codec: Codec.Snappy, data: snappyRaw.compressSync(zeros), magics: [0, 1, 2] },
    { name: 'lz4 (Java frame, no content size)', codec: Codec.Lz4, data: lz4Bomb(BOMB_SIZE), magics: [0, 1, 2] },
    { name: 'lz4 (content size declared 200 MiB)', codec: Codec.Lz4, data: lz4Bomb(BOMB_SIZE, { declaredSize: BOMB_SIZE }), magics: [1, 2] },
    { name: 'lz4 (content size lying: 100 bytes declared)', codec: Codec.Lz4, data: lz4Bomb(BOMB_SIZE, { declaredSize: 100 }), magics: [1, 2] },
    { name: 'zstd (content size in the frame header)', codec: Codec.Zstd, data: compress(Codec.Zstd, zeros), magics: [2] },
    { name: 'zstd (streaming frame, no content size)', codec: Codec.Zstd, data: zstdStreamingBomb(BOMB_SIZE), magics: [2] },
  );
  // the bombs are what they claim: small, and the zstd ones with / without a content size
  for (const b of bombs) expect(b.data.length, b.name).toBeLessThan(BOMB_SIZE / 20);
  expect(zstd.getFrameContentSize(bombs[6].data)).toBe(BOMB_SIZE);
  expect(zstd.getFrameContentSize(bombs[7].data)).toBeNull();
}, 60_000);

/** Tracks every Buffer allocation made through Buffer's static allocators while `fn` runs. */
function trackAllocations(fn: () => void): { largest: number; total: number } {
  const stats = { largest: 0, total: 0 };
  const note = (n: unknown) => {
    if (typeof n === 'number') {
      stats.largest = Math.max(stats.largest, n);
      stats.total += n;
    }
  };
  const spies = (['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const).map((m) => {
    const orig = Buffer[m].bind(Buffer) as (...a: unknown[]) => Buffer;
    return vi.spyOn(Buffer, m).mockImplementation(((...args: unknown[]) => {
      note(args[0]);
      return orig(...args);
    }) as never);
  });
  try {
    fn();
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
  return stats;
}

afterEach(() => vi.restoreAllMocks());

describe('decompression bombs (200 MiB of zeros) under a 1 MiB limit', () => {
  it('the allocation tracker sees what a decompressor allocates', () => {
    // control: an honest 3 MiB payload decompressed without a tight limit is seen at its full size
    const data = compress(Codec.Gzip, Buffer.alloc(3 * MiB));
    const seen = trackAllocations(() => expect(decompress(Codec.Gzip, data).length).toBe(3 * MiB));
    expect(seen.total).toBeGreaterThanOrEqual(3 * MiB);
    const lz4 = compress(Codec.Lz4, Buffer.alloc(3 * MiB));
    expect(trackAllocations(() => decompress(Codec.Lz4, lz4)).largest).toBeGreaterThanOrEqual(2 * MiB);
  });

  const names = ['gzip (one member, level 9)', 'snappy (xerial, 32 KiB blocks)', 'snappy (raw block, as librdkafka writes)', 'lz4 (Java frame, no content size)', 'lz4 (content size declared 200 MiB)', 'lz4 (content size lying: 100 bytes declared)', 'zstd (content size in the frame header)', 'zstd (streaming frame, no content size)'];
  for (const name of names) {
    it(`${name}: CompressionError, allocating at most a few MiB`, () => {
      const bomb = bombs.find((b) => b.name === name)!;
      for (const magic of bomb.magics) {
        let err: CompressionError | undefined;
        const stats = trackAllocations(() => {
          err = expectThrows(() => decompress(bomb.codec, bomb.data, { maxBytes: LIMIT, magic, position: 8192 }), CompressionError);
        });
        expect(err!.position).toBe(8192);
        expect(err!.message).toMatch(/limit|exceed|corrupt/i);
        expect(stats.largest, `largest allocation (magic ${magic})`).toBeLessThanOrEqual(LIMIT);
        expect(stats.total, `total allocated (magic ${magic})`).toBeLessThanOrEqual(8 * LIMIT);
      }
    });
  }

  it('the default limit (64 MiB) stops every bomb too', () => {
    expect(DEFAULT_MAX_DECOMPRESSED_BYTES).toBe(64 * MiB);
    for (const bomb of bombs) {
      const stats = trackAllocations(() => {
        expectThrows(() => decompress(bomb.codec, bomb.data, { magic: bomb.magics[bomb.magics.length - 1] }), CompressionError);
      });
      // output grows geometrically up to the limit, never to the bomb's size
      expect(stats.largest, bomb.name).toBeLessThanOrEqual(DEFAULT_MAX_DECOMPRESSED_BYTES);
    }
  });

  it('inside a v2 batch and a legacy wrapper with valid CRCs: records() with maxBytes throws CompressionError at the batch position', () => {
    for (const bomb of bombs) {
      for (const magic of bomb.magics) {
        let buf: Buffer;
        if (magic === 2) {
          buf = Buffer.concat([buildRecordBatch([{ timestamp: 1, key: null, value: Buffer.from('x') }], { codec: bomb.codec }).subarray(0, 61), bomb.data]);
          buf.writeInt32BE(buf.length - 12, 8);
          buf.writeInt32BE(1_000_000, 57); // a plausible count
          fixChecksum(buf);
        } else {
          buf = writeLegacyMessage(99, magic, bomb.codec, magic === 1 ? 5 : -1, null, bomb.data);
        }
        const framed = Buffer.concat([buildRecordBatch([{ timestamp: 1, key: null, value: null }]), buf]);
        const scanner = new BatchScanner(framed, 1_000_000);
        scanner.next()!.ensureValid();
        const batch = scanner.next()!;
        batch.ensureValid();
        const stats = trackAllocations(() => {
          const e = expectThrows(() => {
            for (const r of batch.records({ maxBytes: LIMIT })) r.value();
          }, CompressionError);
          expect(e.position, `${bomb.name} in magic ${magic}`).toBe(batch.position);
        });
        expect(stats.largest, `${bomb.name} in magic ${magic}`).toBeLessThanOrEqual(LIMIT);
        // shallow iteration never decompresses
        expect([...batch.records({ shallow: true })]).toEqual([]);
      }
    }
  });
});
