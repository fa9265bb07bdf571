// What `produce` writes, read by an independent implementation: Debian's kafka-python (through
// test/interop/kafka_python_oracle.py `decode`) validates every batch CRC and decodes every record,
// for every codec, several partitions and rolled segments. With --payload-monotonic and --key-range
// the records produced are known exactly (value = record number, key = number % range, partition =
// murmur2 like Kafka's partitioner); with random payloads (worker threads) kseg's own decode and
// kafka-python's must agree record for record.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { produce } from '../../src/tools/produce.js';
import { partitionForKey } from '../../src/tools/murmur2.js';
import { requireKafkaPython, runOracle, type OracleDecoded } from '../helpers/kafkaPython.js';
import { cleanupTempDirs, partitionDirs, readBatches, readRecords, segFile, segmentBases, tempDir } from '../storage/helpers.js';

afterAll(cleanupTempDirs);

const kp = requireKafkaPython('produce output vs kafka-python');

const b64 = (b: Buffer | null) => (b === null ? null : b.toString('base64'));

/** The partition's segments, concatenated (offsets are absolute, so one buffer decodes as the log). */
function partitionBytes(dir: string): { bytes: Buffer; segments: number } {
  const bases = segmentBases(dir);
  return { bytes: Buffer.concat(bases.map((b) => readFileSync(segFile(dir, b, '.log')))), segments: bases.length };
}

/** kafka-python's view of a partition, checked for CRCs, codec and a clean end; plus kseg's view. */
async function decodeBoth(dir: string, codec: string) {
  const { bytes, segments } = partitionBytes(dir);
  const theirs = await runOracle<OracleDecoded>('decode', { hex: bytes.toString('hex') });
  expect(theirs.remainingBytes).toBe(0);
  expect(theirs.batches.length).toBeGreaterThan(0);
  for (const b of theirs.batches) {
    expect(b.magic).toBe(2);
    expect(b.crcValid).toBe(true);
    expect(b.codec).toBe(codec);
  }
  const bases = segmentBases(dir);
  const ourBatches = bases.flatMap((b) => readBatches(segFile(dir, b, '.log')).batches);
  expect(theirs.batches.map((b) => [b.baseOffset, b.lastOffsetDelta, b.recordCount, b.crc, b.maxTimestamp, b.producerId])).toEqual(
    ourBatches.map((b) => [b.baseOffset, b.lastOffset - b.baseOffset, b.recordCount, b.crc, b.maxTimestamp, b.producerId]),
  );
  const ours = bases.flatMap((b) => readRecords(segFile(dir, b, '.log')));
  // record for record: offset, timestamp, key, value, headers
  expect(theirs.records.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers }))).toEqual(
    ours.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: b64(r.key), value: b64(r.value), headers: r.headers.map((h) => [h.key, b64(h.value)]) })),
  );
  return { theirs, ours, segments };
}

describe.skipIf(!kp.available)('produce output decodes in kafka-python', () => {
  const N = 1200;
  const KEYS = 23;
  const P = 3;
  const cases = [
    ...(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const).map((codec) => ({ codec, writeBehind: false, compressBehind: false })),
    // Written by the write-behind thread: batches handed over in their builder's buffer (none,
    // lz4, zstd) or copied (gzip, snappy, control batches).
    ...(['none', 'gzip', 'lz4', 'zstd'] as const).map((codec) => ({ codec, writeBehind: true, compressBehind: false })),
    // Compressed and sealed by the compressor thread (compressBatch), then written behind.
    ...(['gzip', 'snappy', 'lz4', 'zstd'] as const).map((codec) => ({ codec, writeBehind: true, compressBehind: true })),
  ];
  for (const { codec, writeBehind, compressBehind } of cases) {
    const how = compressBehind ? ', compressed and written behind' : writeBehind ? ', written behind' : '';
    it(`${codec}${how}: valid CRCs, the codec asked for, exactly the records produced, in every segment`, async () => {
      const logDir = tempDir('kseg-interop-');
      const r = await produce({
        logDir,
        topic: 'interop',
        partitions: P,
        numRecords: N,
        payloadMonotonic: true,
        keyRange: KEYS,
        headers: 2,
        batchSize: 700,
        lingerMs: 1000,
        segmentBytes: 3000,
        indexIntervalBytes: 500,
        compressionType: codec,
        seed: 11,
        reportingIntervalMs: 60_000,
        writeBehind,
        compressBehind,
      });
      expect(r.config.writeBehind).toBe(writeBehind);
      expect(r.config.compressBehind).toBe(compressBehind);
      expect(r.records).toBe(N);
      const parts = partitionDirs(logDir, 'interop');
      expect(parts.length).toBe(P);
      let total = 0;
      let segments = 0;
      for (const p of parts) {
        const { theirs, segments: s } = await decodeBoth(p.dir, codec);
        segments += s;
        const expected = Array.from({ length: N }, (_, i) => i).filter((i) => partitionForKey(Buffer.from(String(i % KEYS)), P) === p.partition);
        expect(theirs.records.map((x) => x.offset)).toEqual(expected.map((_, k) => k));
        expect(theirs.records.map((x) => Buffer.from(x.value!, 'base64').toString())).toEqual(expected.map(String));
        expect(theirs.records.map((x) => Buffer.from(x.key!, 'base64').toString())).toEqual(expected.map((i) => String(i % KEYS)));
        for (const x of theirs.records) {
          expect(x.headers).toEqual([
            ['h0', Buffer.from('v0-xxxxx').toString('base64')],
            ['h1', Buffer.from('v1-xxxxx').toString('base64')],
          ]);
          expect(x.timestampType).toBe(0);
        }
        total += theirs.records.length;
      }
      expect(total).toBe(N);
      expect(segments).toBeGreaterThan(2 * P); // rolled segments in every partition
    });
  }

  it('worker threads, each with its write-behind thread (batch.size 256 KiB): kseg and kafka-python agree', async () => {
    const { produce: produceDist } = await import('../../dist/src/tools/produce.js' as string);
    const logDir = tempDir('kseg-interop-');
    const r = await produceDist({ logDir, topic: 'wb', partitions: 3, workers: 2, numRecords: 3000, recordSize: 1000, batchSize: 256 * 1024, segmentBytes: 1_000_000, lingerMs: 1000, reportingIntervalMs: 60_000 });
    expect(r.config.writeBehind).toBe(true);
    let total = 0;
    for (const p of partitionDirs(logDir, 'wb')) total += (await decodeBoth(p.dir, 'none')).ours.length;
    expect(total).toBe(3000);
  });

  it('worker threads, random compressible payloads, keys, idempotent (zstd): kseg and kafka-python agree', async () => {
    // Worker threads need the compiled engine (npm test compiles first).
    const { produce: produceDist } = await import('../../dist/src/tools/produce.js' as string);
    const logDir = tempDir('kseg-interop-');
    const r = await produceDist({
      logDir,
      topic: 'w',
      partitions: 4,
      workers: 2,
      numRecords: 2000,
      recordSize: 300,
      keySize: 12,
      compressibility: 0.8,
      batchSize: 4000,
      segmentBytes: 20_000,
      compressionType: 'zstd',
      idempotent: true,
      reportingIntervalMs: 60_000,
    });
    expect(r.records).toBe(2000);
    let total = 0;
    for (const p of partitionDirs(logDir, 'w')) {
      const { ours } = await decodeBoth(p.dir, 'zstd');
      // each partition belongs to one worker's producer id; its sequences run on across batches
      const batches = segmentBases(p.dir).flatMap((b) => readBatches(segFile(p.dir, b, '.log')).batches);
      expect([1000, 1001]).toContain(batches[0].producerId);
      let seq = 0;
      for (const b of batches) {
        expect(b.producerId).toBe(batches[0].producerId);
        expect(b.baseSequence).toBe(seq);
        seq = b.lastSequence + 1;
      }
      expect(ours.map((x) => x.sequence)).toEqual(ours.map((_, i) => i));
      for (const x of ours) {
        expect(x.value!.length).toBe(300);
        expect(x.key!.length).toBe(12);
      }
      total += ours.length;
    }
    expect(total).toBe(2000);
  });
});
