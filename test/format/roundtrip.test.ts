// Property tests: random batches over every magic × codec × attribute combination are built with
// kseg's builders and read back through BatchScanner; every batch field and every record field
// must come back exactly as specified.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTES_OFFSET,
  BatchScanner,
  CONTROL_FLAG_MASK,
  Codec,
  ControlRecordType,
  DELETE_HORIZON_FLAG_MASK,
  LegacyRecordBatch,
  RECORD_BATCH_OVERHEAD,
  RECORDS_OFFSET,
  RecordBatch,
  RecordBatchBuilder,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  TimestampType,
  buildRecordBatch,
  controlKey,
  decompress,
  endTxnMarkerValue,
  readControlRecord,
} from '../../src/format/index.js';
import {
  MAGIC_CODEC_COMBOS,
  batchSpecArb,
  buildSpec,
  codecIdOf,
  decodeAll,
  expectedBatches,
  expectedRecords,
  mapRecords,
  recordInputs,
  v2BatchOptions,
  type BatchSpec,
} from './support.js';

/** Checks that `specs`, written back to back, decode to exactly what they describe. */
function checkSegment(specs: BatchSpec[], basePosition: number): void {
  const parts = specs.map(buildSpec);
  const buf = Buffer.concat(parts);
  const decoded = decodeAll(buf, basePosition);
  expect(decoded.stopReason).toBe('end');
  expect(decoded.stopPosition).toBe(basePosition + buf.length);

  const wantBatches = specs.flatMap((s) => expectedBatches(s));
  expect(decoded.batches.length).toBe(wantBatches.length);
  // positions and sizes: batches tile the buffer exactly
  let pos = basePosition;
  for (const b of decoded.batches) {
    expect(b.position).toBe(pos);
    pos += b.sizeInBytes;
  }
  expect(pos).toBe(basePosition + buf.length);
  expect(decoded.batches.map(({ position: _p, sizeInBytes: _s, ...rest }) => rest)).toEqual(wantBatches);

  const wantRecords = specs.flatMap((s) => expectedRecords(s));
  expect(decoded.records.flat()).toEqual(wantRecords);
}

describe('encode → BatchScanner/decode identity', () => {
  for (const { magic, codec } of MAGIC_CODEC_COMBOS) {
    it(`magic ${magic} × ${codec}`, () => {
      fc.assert(
        fc.property(fc.array(batchSpecArb({ magic, codec }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 2 ** 40 }), (specs, basePosition) => {
          checkSegment(specs, basePosition);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('mixed magics and codecs in one segment (an upgraded log)', () => {
    const anyBatch = fc.constantFrom(...MAGIC_CODEC_COMBOS).chain(({ magic, codec }) => batchSpecArb({ magic, codec, maxRecords: 4, bigValues: false }));
    fc.assert(
      fc.property(fc.array(anyBatch, { minLength: 1, maxLength: 6 }), fc.nat(1 << 30), (specs, basePosition) => checkSegment(specs, basePosition)),
      { numRuns: 60 },
    );
  });
});

describe('BatchScanner windows', () => {
  it('scanning from a batch boundary inside a buffer, up to an end bound, reports file positions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...MAGIC_CODEC_COMBOS).chain(({ magic, codec }) => batchSpecArb({ magic, codec, maxRecords: 3, bigValues: false })), { minLength: 2, maxLength: 5 }),
        fc.nat(),
        fc.nat(1 << 30),
        (specs, pick, basePosition) => {
          const parts = specs.map(buildSpec);
          const junk = Buffer.from('garbage before and after the window');
          const buf = Buffer.concat([junk, ...parts, junk]);
          const all = decodeAll(Buffer.concat(parts), basePosition + junk.length);
          const from = pick % parts.length;
          const skip = parts.slice(0, from).reduce((n, p) => n + p.length, 0);
          const scanner = new BatchScanner(buf, basePosition, junk.length + skip, buf.length - junk.length);
          const positions: number[] = [];
          for (const b of scanner) {
            b.ensureValid();
            positions.push(b.position);
          }
          expect(scanner.stopReason).toBe('end');
          expect(positions).toEqual(all.batches.map((b) => b.position).filter((p) => p >= basePosition + junk.length + skip));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('v2 header bytes', () => {
  it('attribute bits, uncovered fields and the records section are where Kafka puts them', () => {
    fc.assert(
      fc.property(batchSpecArb({ magic: 2, codec: 'none', bigValues: false }), fc.constantFrom('none', 'gzip', 'snappy', 'lz4', 'zstd' as const), (spec0, codec) => {
        const spec = { ...spec0, codec };
        const buf = buildSpec(spec);
        const attrs = buf.readInt16BE(ATTRIBUTES_OFFSET);
        expect(attrs & 0x07).toBe(codecIdOf(codec));
        expect((attrs & TIMESTAMP_TYPE_MASK) !== 0).toBe(spec.timestampType === TimestampType.LogAppendTime);
        expect((attrs & TRANSACTIONAL_FLAG_MASK) !== 0).toBe(spec.isTransactional);
        expect((attrs & CONTROL_FLAG_MASK) !== 0).toBe(spec.isControl);
        expect((attrs & DELETE_HORIZON_FLAG_MASK) !== 0).toBe(spec.deleteHorizonMs !== null);
        expect(attrs & 0xff80).toBe(0);
        expect(buf.readBigInt64BE(0)).toBe(BigInt(spec.baseOffset));
        expect(buf.readInt32BE(8)).toBe(buf.length - 12);
        expect(buf.readInt32BE(12)).toBe(spec.partitionLeaderEpoch);
        expect(buf[16]).toBe(2);
        expect(buf.readBigInt64BE(43)).toBe(BigInt(spec.producerId));
        expect(buf.readInt16BE(51)).toBe(spec.producerEpoch);
        expect(buf.readInt32BE(53)).toBe(spec.baseSequence);
        expect(buf.readInt32BE(57)).toBe(spec.records.length);
        // compressing changes nothing in the records: the payload inflates to the uncompressed section
        const plain = buildSpec({ ...spec, codec: 'none' });
        const records = decompress(codecIdOf(codec), buf.subarray(RECORDS_OFFSET), { magic: 2 });
        expect(records.equals(plain.subarray(RECORD_BATCH_OVERHEAD))).toBe(true);
        // bytes 23..61 (lastOffsetDelta .. count) do not depend on the codec either
        expect(buf.subarray(23, 61).equals(plain.subarray(23, 61))).toBe(true);
        // record sizes add up to the records section of the uncompressed batch
        const batch = new RecordBatch(plain, 0);
        let total = 0;
        for (const r of batch.records()) total += r.sizeInBytes;
        expect(total).toBe(plain.length - RECORD_BATCH_OVERHEAD);
      }),
      { numRuns: 60 },
    );
  });

  it('a reused builder (reset) writes the same bytes as a fresh one', () => {
    const builder = new RecordBatchBuilder({}, 64);
    fc.assert(
      fc.property(fc.array(batchSpecArb({ magic: 2, codec: 'none', maxRecords: 5 }), { minLength: 1, maxLength: 4 }), fc.constantFrom(0, 1, 2, 3, 4), (specs, codec) => {
        for (const spec of specs) {
          const opts = v2BatchOptions(spec, codec as Codec);
          builder.reset(opts);
          for (const r of recordInputs(spec)) builder.append(r.timestamp, r.key, r.value, r.headers, r.offsetDelta);
          expect(builder.recordCount).toBe(spec.records.length);
          expect(builder.build().equals(buildRecordBatch(recordInputs(spec), opts))).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('an empty batch (as compaction leaves to keep producer state) has count 0 and no records', () => {
    const buf = new RecordBatchBuilder({ baseOffset: 42, producerId: 7, producerEpoch: 3, baseSequence: 11 }).build();
    expect(buf.length).toBe(RECORD_BATCH_OVERHEAD);
    const b = new RecordBatch(buf, 0);
    b.ensureValid();
    expect(b.recordCount).toBe(0);
    expect(b.lastOffsetDelta).toBe(-1);
    expect(b.baseTimestamp).toBe(-1);
    expect(b.maxTimestamp).toBe(-1);
    expect([...b.records()]).toEqual([]);
  });

  it('LogAppendTime: every record takes the batch maxTimestamp, even when it is -1 (not a "none" marker)', () => {
    // kafka-python stamps maxTimestamp from the records, so -1 happens (found by the interop test).
    for (const stamp of [-1, 0, 1_700_000_000_000]) {
      const records = [1_000, -5, 2_000].map((timestamp) => ({ timestamp, key: null, value: Buffer.from('v') }));
      const b = new RecordBatch(buildRecordBatch(records, { timestampType: TimestampType.LogAppendTime, logAppendTime: stamp }), 0);
      expect(b.maxTimestamp).toBe(stamp);
      expect(Array.from(b.records(), (r) => r.timestamp)).toEqual([stamp, stamp, stamp]);
    }
  });
});

describe('sequences', () => {
  it('wrap to 0 after Int.MAX (DefaultRecordBatch.incrementSequence)', () => {
    const recs = Array.from({ length: 4 }, (_, i) => ({ timestamp: 1000 + i, key: null, value: Buffer.from([i]) }));
    const b = new RecordBatch(buildRecordBatch(recs, { producerId: 1, producerEpoch: 0, baseSequence: 2147483646 }), 0);
    expect(mapRecords(b.records(), (r) => r.sequence)).toEqual([2147483646, 2147483647, 0, 1]);
    expect(b.lastSequence).toBe(1);
    const gaps = new RecordBatch(buildRecordBatch(recs.map((r, i) => ({ ...r, offsetDelta: i * 3 })), { producerId: 1, baseSequence: 2147483640 }), 0);
    expect(mapRecords(gaps.records(), (r) => r.sequence)).toEqual([2147483640, 2147483643, 2147483646, 1]);
    expect(gaps.lastSequence).toBe(1);
  });
});

describe('control batches', () => {
  it('COMMIT/ABORT markers and other control types decode from a control batch', () => {
    const markers = [
      { type: ControlRecordType.COMMIT, epoch: 5 },
      { type: ControlRecordType.ABORT, epoch: 2147483647 },
    ];
    for (const m of markers) {
      const buf = buildRecordBatch([{ timestamp: 1_700_000_000_000, key: controlKey(m.type), value: endTxnMarkerValue(m.epoch) }], {
        isControl: true,
        isTransactional: true,
        producerId: 99,
        producerEpoch: 4,
        baseOffset: 1234,
      });
      const batch = new BatchScanner(buf).next() as RecordBatch;
      batch.ensureValid();
      expect(batch.isControl).toBe(true);
      const recs = mapRecords(batch.records(), (r) => r.clone());
      expect(recs).toHaveLength(1);
      expect(recs[0].isControl).toBe(true);
      expect(recs[0].offset).toBe(1234);
      expect(readControlRecord(recs[0])).toEqual({ version: 0, type: m.type, typeName: m.type === 1 ? 'COMMIT' : 'ABORT', coordinatorEpoch: m.epoch });
    }
    const leader = new RecordBatch(buildRecordBatch([{ timestamp: 1, key: controlKey(ControlRecordType.LEADER_CHANGE), value: Buffer.from([0, 0]) }], { isControl: true }), 0);
    expect(readControlRecord(mapRecords(leader.records(), (r) => r.clone())[0])).toEqual({ version: 0, type: 2, typeName: 'LEADER_CHANGE' });
    const unknown = new RecordBatch(buildRecordBatch([{ timestamp: 1, key: controlKey(77, 3), value: null }], { isControl: true }), 0);
    expect(readControlRecord(mapRecords(unknown.records(), (r) => r.clone())[0])).toEqual({ version: 3, type: 77, typeName: 'UNKNOWN' });
  });
});

describe('legacy wrappers', () => {
  it('v1 relative inner offsets rebase on the wrapper offset; a wrapper offset of 0 leaves them as they are', () => {
    const spec: BatchSpec = {
      magic: 1,
      codec: 'gzip',
      baseOffset: 100,
      timestampType: TimestampType.CreateTime,
      logAppendTime: 0,
      isTransactional: false,
      isControl: false,
      deleteHorizonMs: null,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      partitionLeaderEpoch: -1,
      records: [0, 1, 5].map((d) => ({ timestamp: 1000 + d, key: null, value: Buffer.from([d]), headers: [], offsetDelta: d })),
    };
    const buf = buildSpec(spec);
    const w = new LegacyRecordBatch(buf, 0);
    expect(w.offset).toBe(105);
    expect(w.baseOffset).toBe(100);
    expect(w.innerEntries().map((e) => e.offset)).toEqual([0, 1, 5]);
    expect(mapRecords(w.records(), (r) => r.offset)).toEqual([100, 101, 105]);
    // librdkafka-style wrapper offset 0 (KAFKA: "certain versions of librdkafka"): 0 - 5 < 0, offsets kept
    buf.writeBigInt64BE(0n, 0);
    expect(mapRecords(new LegacyRecordBatch(buf, 0).records(), (r) => r.offset)).toEqual([0, 1, 5]);
  });

  it('v1 LogAppendTime on the wrapper overrides the inner CreateTime timestamps', () => {
    const spec: BatchSpec = {
      magic: 1,
      codec: 'lz4',
      baseOffset: 0,
      timestampType: TimestampType.LogAppendTime,
      logAppendTime: 1_650_000_000_000,
      isTransactional: false,
      isControl: false,
      deleteHorizonMs: null,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      partitionLeaderEpoch: -1,
      records: [0, 1].map((d) => ({ timestamp: 1000 + d, key: Buffer.from('k'), value: null, headers: [], offsetDelta: d })),
    };
    const w = new LegacyRecordBatch(buildSpec(spec), 0);
    expect(w.timestampType).toBe(TimestampType.LogAppendTime);
    expect(w.innerEntries().map((e) => [e.timestamp, e.timestampType])).toEqual([
      [1000, TimestampType.CreateTime],
      [1001, TimestampType.CreateTime],
    ]);
    expect(mapRecords(w.records(), (r) => [r.timestamp, r.timestampType])).toEqual([
      [1_650_000_000_000, TimestampType.LogAppendTime],
      [1_650_000_000_000, TimestampType.LogAppendTime],
    ]);
  });
});
