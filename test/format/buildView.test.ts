import { describe, expect, it } from 'vitest';
import { Codec, RecordBatch, RecordBatchBuilder, type BufferSource } from '../../src/format/index.js';

describe('RecordBatchBuilder.buildView', () => {
  for (const codec of [Codec.None, Codec.Lz4, Codec.Zstd]) {
    it(`gives the same bytes as build() (codec ${codec}), reusing its buffer`, () => {
      const opts = { codec, baseOffset: 7, producerId: 5, producerEpoch: 1, baseSequence: 3, partitionLeaderEpoch: 2 };
      const fill = (b: RecordBatchBuilder) => {
        for (let i = 0; i < 50; i++) b.append(1_700_000_000_000 + i, Buffer.from(`k${i}`), Buffer.alloc(100, i), i % 3 ? [] : [{ key: 'h', value: Buffer.from('v') }]);
        return b;
      };
      const expected = fill(new RecordBatchBuilder(opts)).build();
      const builder = fill(new RecordBatchBuilder(opts));
      const view = builder.buildView();
      expect(view.equals(expected)).toBe(true);
      new RecordBatch(view, 0).ensureValid();
      // Reused after reset: the next batch is correct too, and (uncompressed) lives in the same memory.
      builder.reset(opts);
      const second = fill(builder).buildView();
      expect(second.equals(expected)).toBe(true);
      // The same memory again: the records buffer (uncompressed), or the reused compressed buffer.
      expect(second.buffer).toBe(view.buffer);
    });
  }
});

describe('RecordBatchBuilder.buildDetached', () => {
  /** A source that records what it hands out and gets back. */
  function source() {
    const given: Buffer[] = [];
    const released: Buffer[] = [];
    const src: BufferSource = {
      acquire: (n) => {
        const b = Buffer.alloc(n);
        given.push(b);
        return b;
      },
      release: (b) => void released.push(b),
    };
    return { src, given, released };
  }
  const opts = (codec: Codec) => ({ codec, baseOffset: 3, partitionLeaderEpoch: 1 });
  const fill = (b: RecordBatchBuilder, n: number, size = 100) => {
    for (let i = 0; i < n; i++) b.append(1_700_000_000_000 + i, null, Buffer.alloc(size, i));
    return b;
  };

  for (const codec of [Codec.None, Codec.Gzip, Codec.Lz4, Codec.Zstd]) {
    it(`gives build()'s bytes, batch after batch, each in a buffer the builder no longer touches (codec ${codec})`, () => {
      const { src, given } = source();
      const builder = new RecordBatchBuilder(opts(codec), 4096, src);
      const batches: Buffer[] = [];
      for (let k = 1; k <= 4; k++) {
        builder.reset(opts(codec));
        batches.push(fill(builder, 10 * k).buildDetached());
      }
      // Overwrite every buffer the builder still holds: detached batches must not change.
      builder.reset(opts(codec));
      fill(builder, 30, 200);
      builder.buildView().fill(0xee);
      batches.forEach((b, k) => {
        expect(b.equals(fill(new RecordBatchBuilder(opts(codec)), 10 * (k + 1)).build()), `batch ${k}`).toBe(true);
        new RecordBatch(b, 0).ensureValid();
      });
      if (codec === Codec.None || codec === Codec.Lz4 || codec === Codec.Zstd) {
        // No copy: each detached batch is a view of a buffer the source handed out.
        for (const b of batches) expect(given.some((g) => g.buffer === b.buffer)).toBe(true);
      }
    });
  }

  it('takes the next buffer only when a record needs it, as big as the last; outgrown buffers go back to the source', () => {
    const { src, given, released } = source();
    const builder = new RecordBatchBuilder({}, 1000, src);
    expect(given.length).toBe(1);
    fill(builder, 5).buildDetached();
    expect(given.length).toBe(1); // not yet
    builder.reset({});
    fill(builder, 1);
    expect(given.length).toBe(2);
    expect(given[1].length).toBe(1000);
    fill(builder, 20); // outgrows 1000 bytes (twice: 1000 -> 2000 -> 4000)
    expect(released.length).toBe(2);
    expect(released[0]).toBe(given[1]);
    expect(released[1]).toBe(given[2]);
    // Without a source it is build(): a fresh copy.
    const plain = fill(new RecordBatchBuilder({}), 3);
    const view = plain.buildView();
    expect(plain.buildDetached().equals(view)).toBe(true);
  });

  it('is reset after a detach: the next records start a new batch', () => {
    const { src } = source();
    const builder = new RecordBatchBuilder(opts(Codec.None), 1000, src);
    fill(builder, 3).buildDetached();
    expect(builder.recordCount).toBe(0);
    const next = fill(builder, 2).buildDetached();
    expect(next.equals(fill(new RecordBatchBuilder(opts(Codec.None)), 2).build())).toBe(true);
  });

  it('an empty batch right after a detach still builds', () => {
    const { src } = source();
    const builder = new RecordBatchBuilder({}, 1000, src);
    fill(builder, 2).buildDetached();
    builder.reset({});
    expect(builder.buildDetached().length).toBe(61);
  });
});

describe('RecordBatchBuilder header keys', () => {
  it('encodes each record\'s own header keys when they change from record to record', () => {
    const b = new RecordBatchBuilder({});
    const sets = [[{ key: 'a', value: Buffer.from('1') }], [{ key: 'bé', value: null }, { key: 'c', value: Buffer.from('3') }], [{ key: 'a', value: Buffer.from('4') }], []];
    sets.forEach((h, i) => b.append(1000 + i, null, Buffer.from(`v${i}`), h));
    const batch = new RecordBatch(b.build(), 0);
    const headers: { key: string; value: string | null }[][] = [];
    for (const r of batch.records()) headers.push(r.headers().map((x) => ({ key: x.key, value: x.value === null ? null : x.value.toString() })));
    expect(headers).toEqual(sets.map((h) => h.map((x) => ({ key: x.key, value: x.value === null ? null : x.value.toString() }))));
  });
});
