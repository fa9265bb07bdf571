import { describe, expect, it } from 'vitest';
import { Codec, RecordBatch, RecordBatchBuilder } from '../../src/format/index.js';

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
