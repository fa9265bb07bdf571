// Codecs: round trips and output limits for every codec, the exact framings Kafka's Java client
// writes (xerial snappy, lz4 frame 60 40 82, gzip MTIME 0), the magic-0 lz4 header-checksum quirk
// (KAFKA-3160), frames other writers produce (lz4 with content size, raw snappy, concatenated
// gzip members / zstd frames), and the per-magic codec rules.

import fc from 'fast-check';
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  Codec,
  CompressionError,
  LegacyRecordBatch,
  RecordBatch,
  RecordBatchBuilder,
  UnsupportedFormatError,
  buildLegacyBatch,
  buildRecordBatch,
  compress,
  decompress,
  writeLegacyMessage,
} from '../../src/format/index.js';
import { expectThrows, filler, fixChecksum, lz4HeaderChecksum, mapRecords } from './support.js';

const require = createRequire(import.meta.url);
const lz4Block = require('lz4') as { encodeBound(n: number): number; encodeBlock(src: Uint8Array, dst: Uint8Array): number };
const snappyRaw = require('snappy') as { compressSync(b: Uint8Array): Buffer };

const hc = lz4HeaderChecksum;

const LZ4_MAGIC = Buffer.from([0x04, 0x22, 0x4d, 0x18]);

/** An lz4 frame with any FLG, as other writers produce it (blocks compressed with the raw codec). */
function lz4Frame(data: Buffer, o: { contentSize?: boolean; blockChecksum?: boolean; contentChecksum?: boolean; brokenHc?: boolean; flgExtra?: number } = {}): Buffer {
  const flg = 0x60 | (o.blockChecksum ? 0x10 : 0) | (o.contentSize ? 0x08 : 0) | (o.contentChecksum ? 0x04 : 0) | (o.flgExtra ?? 0);
  const desc = [flg, 0x40];
  if (o.contentSize) {
    const cs = Buffer.alloc(8);
    cs.writeBigUInt64LE(BigInt(data.length));
    desc.push(...cs);
  }
  const descBuf = Buffer.from(desc);
  const parts: Buffer[] = [LZ4_MAGIC, descBuf, Buffer.from([o.brokenHc ? hc(Buffer.concat([LZ4_MAGIC, descBuf])) : hc(descBuf)])];
  for (let off = 0; off < data.length; off += 65536) {
    const block = data.subarray(off, Math.min(off + 65536, data.length));
    const dst = Buffer.alloc(lz4Block.encodeBound(block.length));
    const n = lz4Block.encodeBlock(block, dst);
    const size = Buffer.alloc(4);
    if (n > 0 && n < block.length) {
      size.writeUInt32LE(n);
      parts.push(size, dst.subarray(0, n));
    } else {
      size.writeUInt32LE((block.length | 0x80000000) >>> 0);
      parts.push(size, block);
    }
    if (o.blockChecksum) parts.push(Buffer.from([1, 2, 3, 4])); // not verified by Kafka (KAFKA-20528)
  }
  parts.push(Buffer.alloc(4));
  if (o.contentChecksum) parts.push(Buffer.from([5, 6, 7, 8]));
  return Buffer.concat(parts);
}

const CODEC_IDS = [Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd] as const;
const NAMES = { [Codec.Gzip]: 'gzip', [Codec.Snappy]: 'snappy', [Codec.Lz4]: 'lz4', [Codec.Zstd]: 'zstd' } as const;

const payloadArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.record({ n: fc.integer({ min: 1, max: 300_000 }), seed: fc.nat(), c: fc.boolean() }).map(({ n, seed, c }) => filler(n, seed, c)),
);

describe('round trips and output limits', () => {
  for (const codec of CODEC_IDS) {
    it(`${NAMES[codec]}: decompress(compress(x)) = x; maxBytes = |x| passes, |x| - 1 fails with CompressionError`, () => {
      fc.assert(
        fc.property(payloadArb, (data) => {
          for (const magic of codec === Codec.Zstd ? [2] : [0, 1, 2]) {
            const c = compress(codec, data, { magic });
            expect(decompress(codec, c, { magic }).equals(data)).toBe(true);
            if (data.length > 0) {
              expect(decompress(codec, c, { magic, maxBytes: data.length }).equals(data)).toBe(true);
              const e = expectThrows(() => decompress(codec, c, { magic, maxBytes: data.length - 1, position: 777 }), CompressionError);
              expect(e.codec).toBe(NAMES[codec]);
              expect(e.position).toBe(777);
            }
          }
        }),
        { numRuns: 40 },
      );
    });
  }

  it('codec levels are honoured and still round-trip', () => {
    const data = filler(100_000, 3, true);
    for (const [codec, levels] of [
      [Codec.Gzip, [1, 9]],
      [Codec.Lz4, [1, 9, 17]],
      [Codec.Zstd, [-5, 1, 19]],
    ] as const) {
      for (const level of levels) expect(decompress(codec, compress(codec, data, { level })).equals(data)).toBe(true);
    }
    expect(compress(Codec.Gzip, data, { level: 1 }).length).toBeGreaterThan(compress(Codec.Gzip, data, { level: 9 }).length);
  });
});

describe('framings as the Java client writes them', () => {
  it('lz4: FLG 0x60 (independent blocks, no checksums, no content size), BD 0x40, spec header checksum 0x82; 64 KiB blocks; end mark', () => {
    const data = filler(150_000, 9, true);
    const f = compress(Codec.Lz4, data, { magic: 2 });
    expect(f.subarray(0, 7).toString('hex')).toBe('04224d18604082');
    expect(hc(Buffer.from([0x60, 0x40]))).toBe(0x82);
    expect(f.subarray(f.length - 4).toString('hex')).toBe('00000000');
    // walk the blocks: each at most 64 KiB of input
    let pos = 7;
    let out = 0;
    for (;;) {
      const word = f.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      expect(size).toBeLessThanOrEqual(65536);
      pos += size;
      out++;
    }
    expect(out).toBe(3);
    expect(pos).toBe(f.length);
    // v1 writes the same, spec-correct header
    expect(compress(Codec.Lz4, data, { magic: 1 }).subarray(0, 7).toString('hex')).toBe('04224d18604082');
    // incompressible input is stored (bit 31 set), like Java when compressed >= raw
    const raw = filler(1000, 5, false);
    const stored = compress(Codec.Lz4, raw);
    expect(stored.readUInt32LE(7)).toBe((0x80000000 | 1000) >>> 0);
    expect(stored.subarray(11, 1011).equals(raw)).toBe(true);
  });

  it('snappy: xerial header 82 SNAPPY 00 | version 1 | compat 1, then [int32 BE length][raw block] per 32 KiB of input', () => {
    const data = filler(100_000, 1, true);
    const f = compress(Codec.Snappy, data);
    expect(f.subarray(0, 16).toString('hex')).toBe('82534e41505059000000000100000001');
    let pos = 16;
    const blocks: Buffer[] = [];
    while (pos < f.length) {
      const len = f.readInt32BE(pos);
      blocks.push(f.subarray(pos + 4, pos + 4 + len));
      pos += 4 + len;
    }
    expect(pos).toBe(f.length);
    expect(blocks.map((b) => b.length > 0)).toEqual([true, true, true, true]);
    // each block is exactly the raw snappy encoding of its 32 KiB slice
    blocks.forEach((b, i) => expect(b.equals(snappyRaw.compressSync(data.subarray(i * 32768, (i + 1) * 32768)))).toBe(true));
  });

  it('gzip: RFC 1952 with MTIME 0 (byte-reproducible, like Java and kafkajs)', () => {
    const f = compress(Codec.Gzip, Buffer.from('hello kafka'));
    expect(f.subarray(0, 3).toString('hex')).toBe('1f8b08');
    expect(f.readUInt32LE(4)).toBe(0);
    expect(compress(Codec.Gzip, Buffer.from('hello kafka')).equals(f)).toBe(true);
  });
});

describe('lz4 blocks compressed in place', () => {
  // The frame writer gives the block encoder one byte less than the block as room (a block that
  // would not shrink is stored anyway); a limited output must encode exactly what an unlimited one does.
  const lz4 = require('lz4') as { encodeBound(n: number): number; encodeBlock(src: Buffer, dst: Buffer): number };
  function frameWithFullRoom(data: Buffer): Buffer {
    const parts: Buffer[] = [Buffer.from('04224d18604082', 'hex')];
    const scratch = Buffer.alloc(lz4.encodeBound(65536));
    for (let off = 0; off < data.length; off += 65536) {
      const block = data.subarray(off, Math.min(off + 65536, data.length));
      const n = block.length > 0 ? lz4.encodeBlock(block, scratch) : 0;
      const word = Buffer.alloc(4);
      if (n > 0 && n < block.length) {
        word.writeUInt32LE(n);
        parts.push(word, Buffer.from(scratch.subarray(0, n)));
      } else {
        word.writeUInt32LE((block.length | 0x80000000) >>> 0);
        parts.push(word, block);
      }
    }
    parts.push(Buffer.alloc(4));
    return Buffer.concat(parts);
  }

  it('writes the frame an encoder with full room writes, for compressible, barely and not compressible blocks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), fc.nat(), fc.constantFrom('compressible', 'random', 'mixed'), (length, seed, kind) => {
        const data = kind === 'mixed' ? Buffer.concat([filler(length >> 1, seed, true), filler(length - (length >> 1), seed, false)]) : filler(length, seed, kind === 'compressible');
        expect(compress(Codec.Lz4, data, { magic: 2 }).equals(frameWithFullRoom(data))).toBe(true);
      }),
      { numRuns: 60 },
    );
    // Blocks that compress to just under, exactly or just over their length: random bytes with a
    // run of zeros long enough to pay for the literal overhead, give or take a byte.
    const scratch = Buffer.alloc(lz4.encodeBound(65536));
    let nearLimit = 0;
    for (let random = 16; random < 400; random += 7) {
      for (let zeros = 0; zeros < 40; zeros++) {
        const data = Buffer.concat([filler(random, random + zeros, false), Buffer.alloc(zeros)]);
        const n = lz4.encodeBlock(data, scratch);
        if (n < data.length - 3 || n > data.length + 1) continue;
        nearLimit++;
        expect(compress(Codec.Lz4, data).equals(frameWithFullRoom(data))).toBe(true);
      }
    }
    expect(nearLimit).toBeGreaterThan(20);
  });

  it('RecordBatchBuilder.buildView() gives the same lz4 batch as build(), builder after builder', () => {
    const b = new RecordBatchBuilder({ codec: Codec.Lz4 });
    for (let round = 0; round < 3; round++) {
      b.reset({ codec: Codec.Lz4, baseOffset: round * 100 });
      for (let i = 0; i < 200 * (round + 1); i++) b.append(1_700_000_000_000 + i, null, filler(300 + round, i, i % 3 !== 0));
      const view = Buffer.from(b.buildView());
      expect(view.equals(b.build())).toBe(true);
    }
  });
});

describe('lz4 header checksum by magic (KAFKA-3160)', () => {
  const records = [0, 1, 2].map((i) => ({ timestamp: 1000 + i, key: Buffer.from(`k${i}`), value: Buffer.from(`value ${i} `.repeat(20)) }));

  it('magic 0 writes the broken checksum (over magic+FLG+BD: 0x1a) and ignores the checksum on read', () => {
    const f = compress(Codec.Lz4, Buffer.from('x'.repeat(100)), { magic: 0 });
    expect(f.subarray(0, 7).toString('hex')).toBe('04224d1860401a');
    expect(hc(Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]))).toBe(0x1a);
    expect(decompress(Codec.Lz4, f, { magic: 0 }).toString()).toBe('x'.repeat(100));
    // Java ignores the HC entirely for magic 0: a spec-correct one, or garbage, reads too
    const fixed = Buffer.from(f);
    fixed[6] = 0x82;
    expect(decompress(Codec.Lz4, fixed, { magic: 0 }).toString()).toBe('x'.repeat(100));
    fixed[6] = 0x00;
    expect(decompress(Codec.Lz4, fixed, { magic: 0 }).toString()).toBe('x'.repeat(100));

    // inside a real v0 wrapper message
    const wrapper = buildLegacyBatch(records, { magic: 0, codec: Codec.Lz4, baseOffset: 50 });
    const valueStart = 12 + 14; // log overhead + v0 overhead (crc, magic, attributes, key length -1, value length)
    expect(wrapper.subarray(valueStart, valueStart + 7).toString('hex')).toBe('04224d1860401a');
    const w = new LegacyRecordBatch(wrapper, 0);
    w.ensureValid();
    expect(mapRecords(w.records(), (r) => [r.offset, r.key()!.toString()])).toEqual([
      [50, 'k0'],
      [51, 'k1'],
      [52, 'k2'],
    ]);
  });

  it('magic 1 and 2 check the checksum: a frame with the broken (magic-0 style) checksum is rejected', () => {
    const good = compress(Codec.Lz4, Buffer.from('y'.repeat(100)), { magic: 2 });
    const bad = Buffer.from(good);
    bad[6] = 0x1a;
    for (const magic of [1, 2]) {
      const e = expectThrows(() => decompress(Codec.Lz4, bad, { magic, position: 4096 }), CompressionError);
      expect(e.message).toMatch(/descriptor|checksum/i);
      expect(e.position).toBe(4096);
    }
    // a whole v2 batch whose frame carries the broken checksum (CRC recomputed: only the HC is wrong)
    const batch = buildRecordBatch(records, { codec: Codec.Lz4 });
    expect(batch.subarray(61, 68).toString('hex')).toBe('04224d18604082');
    batch[67] = 0x1a;
    fixChecksum(batch);
    const rb = new RecordBatch(batch, 0, 12345);
    rb.ensureValid();
    const e = expectThrows(() => [...rb.records()], CompressionError);
    expect(e.position).toBe(12345);
    // and a v1 wrapper likewise
    const v1 = buildLegacyBatch(records, { magic: 1, codec: Codec.Lz4 });
    const hcAt = 12 + 22 + 6; // value start (null key) + magic + FLG + BD
    expect(v1[hcAt]).toBe(0x82);
    v1[hcAt] = 0x1a;
    fixChecksum(v1);
    new LegacyRecordBatch(v1, 0).ensureValid();
    expectThrows(() => [...new LegacyRecordBatch(v1, 0).records()], CompressionError);
  });
});

describe('frames from other writers', () => {
  const data = filler(200_000, 17, true);

  it('lz4 with content size (kafka-python, FLG 0x68), block and content checksums (skipped, like Kafka)', () => {
    for (const o of [{ contentSize: true }, { blockChecksum: true }, { contentChecksum: true }, { contentSize: true, blockChecksum: true, contentChecksum: true }]) {
      const f = lz4Frame(data, o);
      expect(decompress(Codec.Lz4, f, { magic: 2 }).equals(data)).toBe(true);
      expect(decompress(Codec.Lz4, f, { magic: 1 }).equals(data)).toBe(true);
      // a declared content size above the limit fails before decompressing
      if (o.contentSize) expectThrows(() => decompress(Codec.Lz4, f, { maxBytes: 1000 }), CompressionError);
    }
    // magic 0 data written by kafka-python: broken HC, no content size
    expect(decompress(Codec.Lz4, lz4Frame(data, { brokenHc: true }), { magic: 0 }).equals(data)).toBe(true);
  });

  it('lz4 dependent blocks and reserved/dictionary bits are rejected', () => {
    const dependent = lz4Frame(data);
    dependent[4] = 0x40; // version 1, block independence off
    dependent[6] = hc(dependent.subarray(4, 6));
    expect(expectThrows(() => decompress(Codec.Lz4, dependent), CompressionError).message).toMatch(/Dependent block stream is unsupported/);
    const dict = lz4Frame(data, { flgExtra: 0x01 });
    expectThrows(() => decompress(Codec.Lz4, dict), CompressionError);
  });

  it('raw (unframed) snappy, as librdkafka writes it, is read too', () => {
    const raw = snappyRaw.compressSync(data);
    expect(decompress(Codec.Snappy, raw).equals(data)).toBe(true);
    expectThrows(() => decompress(Codec.Snappy, raw, { maxBytes: data.length - 1 }), CompressionError);
  });

  it('concatenated gzip members and zstd frames read as one stream (like Java)', () => {
    const a = Buffer.from('first part|');
    const b = Buffer.from('second part');
    expect(decompress(Codec.Gzip, Buffer.concat([zlib.gzipSync(a), zlib.gzipSync(b)])).toString()).toBe('first part|second part');
    expect(decompress(Codec.Zstd, Buffer.concat([compress(Codec.Zstd, a), compress(Codec.Zstd, b)])).toString()).toBe('first part|second part');
  });
});

describe('codec rules per magic', () => {
  it('zstd is rejected for magic 0 and 1 (write and read), with UnsupportedFormatError', () => {
    for (const magic of [0, 1]) {
      expectThrows(() => compress(Codec.Zstd, Buffer.from('x'), { magic }), UnsupportedFormatError);
      expectThrows(() => decompress(Codec.Zstd, compress(Codec.Zstd, Buffer.from('x')), { magic }), UnsupportedFormatError);
      const wrapper = writeLegacyMessage(9, magic as 0 | 1, Codec.Zstd, 5, null, compress(Codec.Zstd, Buffer.from('x')));
      const w = new LegacyRecordBatch(wrapper, 0, 300);
      w.ensureValid();
      expect(expectThrows(() => [...w.records()], UnsupportedFormatError).position).toBe(300);
    }
  });

  it('unknown codec ids 5..7 are rejected with UnsupportedFormatError (batch position attached)', () => {
    for (const id of [5, 6, 7]) {
      const batch = buildRecordBatch([{ timestamp: 1, key: null, value: Buffer.from('v') }]);
      batch.writeInt16BE(id, 21);
      fixChecksum(batch);
      const rb = new RecordBatch(batch, 0, 640);
      rb.ensureValid();
      expect(rb.compressionName).toBe(`unknown(${id})`);
      expect(expectThrows(() => [...rb.records()], UnsupportedFormatError).position).toBe(640);
      expectThrows(() => decompress(id, Buffer.from('x')), UnsupportedFormatError);
    }
  });
});
