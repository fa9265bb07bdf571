// Interop both ways with an independent implementation: Debian's kafka-python, through
// test/interop/kafka_python_oracle.py (see its docstring for the JSON contract).
//
//  (a) batches kafka-python builds (v0/v1/v2 × every codec it can write) decode in kseg to the
//      records they were built from, with valid CRCs; uncompressed ones are byte-identical to
//      what kseg builds from the same spec, compressed ones hold byte-identical records.
//  (b) batches kseg builds (every magic × codec, headers, null keys, LogAppendTime, producer
//      fields, transactional/control, delete horizon) pass kafka-python's CRC validation and decode
//      to the same batch fields and records.
//
// The spec sets are random (fast-check) with a seed printed on failure (KSEG_INTEROP_SEED=<n> to
// replay), plus fixed "everything at once" specs per combination. All specs go through one
// `build` and one `decode` invocation: each python spawn costs ~150 ms.

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Codec, RECORD_BATCH_OVERHEAD, RecordBatch, TimestampType, buildLegacyBatch, buildRecordBatch, decompress, type CodecName } from '../../src/format/index.js';
import {
  requireKafkaPython,
  runOracle,
  type OracleBatchSpec,
  type OracleBuilt,
  type OracleDecoded,
  type OracleDecodedBatch,
} from '../helpers/kafkaPython.js';
import {
  MAGIC_CODEC_COMBOS,
  b64,
  batchSpecArb,
  buildSpec,
  codecIdOf,
  decodeAll,
  expectedRecords,
  recordInputs,
  type BatchSpec,
  type PlainRecord,
} from './support.js';

const kafkaPython = requireKafkaPython('kafka-python interop tests (test/format/interop.kafka-python.test.ts)');

const SEED = process.env.KSEG_INTEROP_SEED ? Number(process.env.KSEG_INTEROP_SEED) : Math.floor(Math.random() * 2 ** 31);
const SPECS_PER_COMBO = 6;
const seedNote = `(fast-check seed ${SEED}; replay with KSEG_INTEROP_SEED=${SEED})`;

/** A spec with every optional feature a magic allows, so each combination is covered for sure. */
function kitchenSink(magic: 0 | 1 | 2, codec: CodecName, kafkaPythonCanBuild: boolean): BatchSpec {
  const t0 = 1_712_345_678_901;
  const records = [
    { timestamp: t0, key: null, value: Buffer.from('first value '.repeat(10)), headers: [{ key: 'trace-id', value: Buffer.from('abc') }], offsetDelta: 0 },
    { timestamp: t0 + 5, key: Buffer.alloc(0), value: null, headers: [{ key: 'nullable', value: null }, { key: 'empty', value: Buffer.alloc(0) }], offsetDelta: 1 },
    { timestamp: t0 - 70_000, key: Buffer.from('k\u00e9y'), value: Buffer.alloc(0), headers: [{ key: 'ünïcødé 🚀', value: Buffer.from([0, 255]) }], offsetDelta: 4 },
    { timestamp: t0 + 2, key: Buffer.from('key'), value: Buffer.from('last value '.repeat(10)), headers: [], offsetDelta: 9 },
  ];
  return {
    magic,
    codec,
    baseOffset: 1_234_567,
    timestampType: magic === 0 ? TimestampType.CreateTime : TimestampType.LogAppendTime,
    logAppendTime: t0 + 5, // = max record timestamp: what kafka-python's stamping yields
    isTransactional: magic === 2,
    isControl: false,
    deleteHorizonMs: magic === 2 && !kafkaPythonCanBuild ? t0 - 100_000 : null,
    producerId: magic === 2 ? 987_654_321_012 : -1,
    producerEpoch: magic === 2 ? 7 : -1,
    baseSequence: magic === 2 ? 2_147_483_640 : -1,
    partitionLeaderEpoch: magic === 2 ? 42 : -1,
    records: records.map((r) => (magic === 2 ? r : { ...r, headers: [] })),
  };
}

/** Random specs limited to what kafka-python's builders can express. */
function kafkaPythonSpecs(magic: 0 | 1 | 2, codec: CodecName, seed: number): BatchSpec[] {
  const arb = batchSpecArb({ magic, codec, bigValues: codec !== 'zstd', maxRecords: 6 }).map((s) => ({
    ...s,
    isControl: false,
    deleteHorizonMs: null,
    // the oracle stamps LogAppendTime like a broker: maxTimestamp = the largest record timestamp
    logAppendTime: Math.max(...s.records.map((r) => r.timestamp)),
  }));
  return [kitchenSink(magic, codec, true), ...fc.sample(arb, { numRuns: SPECS_PER_COMBO, seed })];
}

function toOracleSpec(s: BatchSpec): OracleBatchSpec {
  return {
    magic: s.magic,
    codec: s.codec,
    baseOffset: s.baseOffset,
    timestampType: s.timestampType as 0 | 1,
    isTransactional: s.isTransactional,
    producerId: s.producerId,
    producerEpoch: s.producerEpoch,
    baseSequence: s.baseSequence,
    partitionLeaderEpoch: s.partitionLeaderEpoch,
    records: s.records.map((r) => ({
      offset: r.offsetDelta,
      timestamp: r.timestamp,
      key: b64(r.key),
      value: b64(r.value),
      headers: r.headers.map((h) => [h.key, b64(h.value)] as [string, string | null]),
    })),
  };
}

/**
 * What kseg must read from kafka-python's bytes. kafka-python differs from the Java builders in
 * two places, both faithfully visible in its bytes: its v2 maxTimestamp starts at the first
 * record's timestamp (not -1), and a v1 uncompressed LogAppendTime message keeps its own timestamp.
 */
function expectedFromKafkaPython(s: BatchSpec): PlainRecord[] {
  const maxTs = Math.max(...s.records.map((r) => r.timestamp));
  const want = expectedRecords({ ...s, logAppendTime: maxTs });
  if (s.magic === 1 && s.codec === 'none' && s.timestampType === TimestampType.LogAppendTime) {
    want.forEach((r, i) => (r.timestamp = s.records[i].timestamp));
  }
  return want;
}

const kp = (v: number | null | undefined): number => (v === null || v === undefined ? -1 : v);

describe.skipIf(!kafkaPython.available)('interop with kafka-python', () => {
  let writable: CodecName[] = ['none'];

  beforeAll(async () => {
    const codecs = await runOracle<Record<string, boolean>>('codecs');
    writable = ['none', ...(['gzip', 'snappy', 'lz4', 'zstd'] as const).filter((c) => codecs[c])];
    const missing = (['gzip', 'snappy', 'lz4', 'zstd'] as const).filter((c) => !codecs[c]);
    if (missing.length) console.warn(`[skip] kafka-python cannot use codec(s) ${missing.join(', ')}: those combinations are not tested against it`);
  });

  it(`(a) kseg decodes what kafka-python builds, v0/v1/v2 × every codec`, async () => {
    const specs: BatchSpec[] = [];
    let i = 0;
    for (const { magic, codec } of MAGIC_CODEC_COMBOS) {
      if (!writable.includes(codec)) continue;
      specs.push(...kafkaPythonSpecs(magic, codec, SEED + i++));
    }
    const built = await runOracle<OracleBuilt[]>('build', specs.map(toOracleSpec));
    expect(built).toHaveLength(specs.length);

    const seen = new Set<string>();
    specs.forEach((spec, n) => {
      const where = `spec #${n} (magic ${spec.magic}, ${spec.codec}) ${seedNote}`;
      const bytes = Buffer.from(built[n].hex, 'hex');
      const written = built[n].codecWritten as CodecName;
      // kafka-python's v2 builder falls back to uncompressed when compressing does not pay
      if (spec.magic < 2) expect(written, where).toBe(spec.codec);
      else expect([spec.codec, 'none'], where).toContain(written);
      seen.add(`${spec.magic}/${written}`);

      const got = decodeAll(bytes, 1000);
      expect(got.stopReason, where).toBe('end');
      for (const b of got.batches) {
        expect(b.compression, where).toBe(written);
        expect(b.magic, where).toBe(spec.magic);
      }
      expect(got.records.flat(), where).toEqual(expectedFromKafkaPython(spec));

      // byte-level: the same spec written by kseg holds exactly the same bytes (records; whole batch when uncompressed)
      const maxTs = Math.max(...spec.records.map((r) => r.timestamp));
      if (spec.magic === 2) {
        const mine = buildRecordBatch(recordInputs(spec), {
          codec: Codec.None,
          baseOffset: spec.baseOffset,
          timestampType: spec.timestampType,
          logAppendTime: maxTs,
          producerId: spec.producerId,
          producerEpoch: spec.producerEpoch,
          baseSequence: spec.baseSequence,
          isTransactional: spec.isTransactional,
          partitionLeaderEpoch: spec.partitionLeaderEpoch,
        });
        const theirs = new RecordBatch(bytes, 0);
        const theirRecords = written === 'none' ? bytes.subarray(RECORD_BATCH_OVERHEAD) : decompress(codecIdOf(written), bytes.subarray(RECORD_BATCH_OVERHEAD));
        expect(theirRecords.equals(mine.subarray(RECORD_BATCH_OVERHEAD)), `${where}: records section`).toBe(true);
        // header after the CRC, minus the codec bits; maxTimestamp only when kafka-python's rule agrees with Java's
        const mineHdr = Buffer.from(mine.subarray(21, 61));
        const theirHdr = Buffer.from(bytes.subarray(21, 61));
        theirHdr[1] &= ~0x07;
        if (maxTs < -1) {
          expect(theirs.maxTimestamp, where).toBe(maxTs);
          mineHdr.fill(0, 14, 22);
          theirHdr.fill(0, 14, 22);
        }
        expect(theirHdr.toString('hex'), `${where}: header`).toBe(mineHdr.toString('hex'));
        if (written === 'none' && maxTs >= -1) expect(bytes.toString('hex'), `${where}: whole batch`).toBe(mine.toString('hex'));
      } else {
        const legacyOpts = { magic: spec.magic, baseOffset: spec.baseOffset, timestampType: spec.timestampType };
        const mine = buildLegacyBatch(recordInputs(spec), { ...legacyOpts, codec: Codec.None });
        if (written === 'none') {
          expect(bytes.toString('hex'), `${where}: whole message set`).toBe(mine.toString('hex'));
        } else {
          // wrapper: same header fields; the value inflates to the inner message set kseg writes
          const mineWrapper = buildLegacyBatch(recordInputs(spec), { ...legacyOpts, codec: codecIdOf(written) });
          // v0: offset 8 | size 4 | crc 4 | magic | attributes | key length | value length @22 | value @26
          // v1: ... | attributes | timestamp 8 | key length | value length @30 | value @34
          const valueLengthAt = spec.magic === 0 ? 22 : 30;
          expect(bytes.subarray(0, 8).equals(mineWrapper.subarray(0, 8)), `${where}: wrapper offset`).toBe(true);
          expect(bytes.subarray(16, valueLengthAt).equals(mineWrapper.subarray(16, valueLengthAt)), `${where}: wrapper magic/attributes/timestamp/key`).toBe(true);
          const valueAt = valueLengthAt + 4;
          expect(bytes.readInt32BE(valueLengthAt), where).toBe(bytes.length - valueAt);
          if (spec.magic === 0 && written === 'lz4') {
            // both write the KAFKA-3160 broken header checksum for magic 0: 04 22 4d 18 60 40 1a
            expect(bytes.subarray(valueAt, valueAt + 7).toString('hex'), `${where}: lz4 frame header`).toBe(mineWrapper.subarray(valueAt, valueAt + 7).toString('hex'));
            expect(bytes.subarray(valueAt, valueAt + 7).toString('hex')).toBe('04224d1860401a');
          }
          const inner = decompress(codecIdOf(written), bytes.subarray(valueAt), { magic: spec.magic });
          // inner offsets: absolute in v0, relative in v1; inner messages are CreateTime
          const innerMine = buildLegacyBatch(recordInputs(spec), { magic: spec.magic, codec: Codec.None, baseOffset: spec.magic === 0 ? spec.baseOffset : 0 });
          expect(inner.toString('hex'), `${where}: inner messages`).toBe(innerMine.toString('hex'));
        }
      }
    });
    // every combination kafka-python can write was exercised with its codec actually written
    for (const { magic, codec } of MAGIC_CODEC_COMBOS) {
      if (writable.includes(codec)) expect(seen.has(`${magic}/${codec}`), `magic ${magic} × ${codec} never written ${seedNote}`).toBe(true);
    }
  });

  it(`(b) kafka-python validates and decodes what kseg builds, v0/v1/v2 × every codec`, async () => {
    const specs: BatchSpec[] = [];
    let i = 1000;
    for (const { magic, codec } of MAGIC_CODEC_COMBOS) {
      if (!writable.includes(codec)) continue;
      specs.push(kitchenSink(magic, codec, false));
      const arb = batchSpecArb({ magic, codec, bigValues: codec !== 'zstd', maxRecords: 6 });
      specs.push(...fc.sample(arb, { numRuns: SPECS_PER_COMBO, seed: SEED + i++ }));
    }
    const parts = specs.map(buildSpec);
    const segment = Buffer.concat(parts);
    const mine = decodeAll(segment);
    expect(mine.stopReason).toBe('end');
    const theirs = await runOracle<OracleDecoded>('decode', { hex: segment.toString('hex') });
    expect(theirs.remainingBytes).toBe(0);
    expect(theirs.batches.length).toBe(mine.batches.length);

    // which spec each shallow batch came from, for messages
    const owner: number[] = [];
    parts.forEach((p, n) => {
      for (const _ of decodeAll(p).batches) owner.push(n);
    });

    mine.batches.forEach((b, n) => {
      const t: OracleDecodedBatch = theirs.batches[n];
      const where = `batch #${n} of spec #${owner[n]} (magic ${b.magic}, ${b.compression}) ${seedNote}`;
      expect(t.crcValid, where).toBe(true);
      expect(t.magic, where).toBe(b.magic);
      expect(t.codec, where).toBe(b.compression);
      expect(kp(t.timestampType), where).toBe(b.timestampType);
      if (b.magic === 2) {
        expect(
          {
            baseOffset: t.baseOffset,
            length: t.length,
            partitionLeaderEpoch: t.partitionLeaderEpoch,
            lastOffsetDelta: t.lastOffsetDelta,
            firstTimestamp: t.firstTimestamp,
            maxTimestamp: t.maxTimestamp,
            producerId: t.producerId,
            producerEpoch: t.producerEpoch,
            baseSequence: t.baseSequence,
            recordCount: t.recordCount,
            isTransactional: t.isTransactional,
            isControl: t.isControl,
          },
          where,
        ).toEqual({
          baseOffset: b.baseOffset,
          length: b.sizeInBytes - 12,
          partitionLeaderEpoch: b.partitionLeaderEpoch,
          lastOffsetDelta: b.lastOffsetDelta,
          firstTimestamp: b.baseTimestamp,
          maxTimestamp: b.maxTimestamp,
          producerId: b.producerId,
          producerEpoch: b.producerEpoch,
          baseSequence: b.baseSequence,
          recordCount: b.count,
          isTransactional: b.isTransactional,
          isControl: b.isControl,
        });
      } else {
        expect(t.baseOffset, where).toBe(b.lastOffset); // the (wrapper) message's own offset
        expect(kp(t.timestamp), where).toBe(b.maxTimestamp);
      }
    });

    const theirRecords = theirs.records.map((r) => ({
      offset: r.offset,
      timestamp: kp(r.timestamp),
      timestampType: kp(r.timestampType),
      key: r.key,
      value: r.value,
      headers: r.headers,
    }));
    const want = specs.flatMap(expectedRecords).map(({ sequence: _s, isControl: _c, ...r }) => r);
    expect(theirRecords.length).toBe(want.length);
    for (let n = 0; n < want.length; n++) {
      const spec = owner[theirs.records[n].batchIndex];
      expect(theirRecords[n], `record #${n} (spec #${spec}: magic ${specs[spec].magic}, ${specs[spec].codec}) ${seedNote}`).toEqual(want[n]);
    }
  });
});
