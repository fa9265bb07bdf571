// Compressing apart from building (src/format/batchCompression.ts): a batch finished by
// buildForCompression() and then compressBatch() is byte for byte the batch build() makes, for every
// codec, and its buffer leaves the builder as with buildDetached().

import { describe, expect, it } from 'vitest';
import { Codec, compressBatch, compressedBatchBound, RecordBatch, RecordBatchBuilder, sealBatch, unsealedCodec, type BufferSource } from '../../src/format/index.js';

const source = (): BufferSource => ({ acquire: (n) => Buffer.from(new ArrayBuffer(n)), release: () => {} });

const fill = (b: RecordBatchBuilder, from = 0) => {
  for (let i = from; i < from + 60; i++) b.append(1_700_000_000_000 + i, i % 2 ? Buffer.from(`k${i}`) : null, Buffer.alloc(90, `value ${i} `), i % 4 ? [] : [{ key: 'h', value: Buffer.from('v') }]);
  return b;
};

describe('buildForCompression + compressBatch', () => {
  for (const codec of [Codec.None, Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd]) {
    it(`equals build() byte for byte (codec ${codec}), batch after batch from one builder`, () => {
      const opts = { codec, producerId: 9, producerEpoch: 2, baseSequence: 40, isTransactional: true, partitionLeaderEpoch: 3 };
      const builder = new RecordBatchBuilder(opts, 1024, source());
      // All three built before any is compressed: each batch's buffer left the builder with it.
      const unsealed = [0, 1, 2].map((k) => {
        const u = fill(builder, 100 * k).buildForCompression();
        expect(builder.recordCount).toBe(0);
        return u;
      });
      expect(new Set(unsealed.map((u) => u.buffer)).size).toBe(3);
      unsealed.forEach((u, k) => {
        expect(unsealedCodec(u)).toBe(codec);
        const out = Buffer.alloc(compressedBatchBound(codec, u.length));
        const n = compressBatch(u, out, undefined);
        expect(out.subarray(0, n).equals(fill(new RecordBatchBuilder(opts), 100 * k).build())).toBe(true);
        new RecordBatch(out, 0).ensureValid();
      });
    });
  }

  it('a level reaches the codec (zstd 19 shrinks more than 1), and the result still seals valid', () => {
    const sizes = [1, 19].map((level) => {
      const unsealed = fill(new RecordBatchBuilder({ codec: Codec.Zstd, level }, 1024, source())).buildForCompression();
      const out = Buffer.alloc(compressedBatchBound(Codec.Zstd, unsealed.length));
      const n = compressBatch(unsealed, out, level);
      new RecordBatch(out, 0).ensureValid();
      return n;
    });
    expect(sizes[1]).toBeLessThan(sizes[0]);
  });

  it('sealBatch fills in exactly the length and the CRC', () => {
    const batch = fill(new RecordBatchBuilder({})).build();
    const copy = Buffer.from(batch);
    copy.fill(0xaa, 8, 12);
    copy.fill(0xbb, 17, 21);
    sealBatch(copy);
    expect(copy.equals(batch)).toBe(true);
  });

  it('needs a builder with a buffer source (the buffer leaves it)', () => {
    expect(() => fill(new RecordBatchBuilder({ codec: Codec.Lz4 })).buildForCompression()).toThrow(/BufferSource/);
  });
});
