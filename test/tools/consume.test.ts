// `consume` counts exactly what `produce` wrote (records, key+value bytes), with and without CRC
// checks and with worker threads; --from-offset / --from-time start at the right record across
// segment boundaries; --messages stops at the count; CRC checks really catch a flipped byte.

import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../src/format/errors.js';
import { consume } from '../../src/tools/consume.js';
import { produce } from '../../src/tools/produce.js';
import { cleanupTempDirs, partitionDirs, readBatches, readRecords, segFile, segmentBases, tempDir, type RecordInfo } from '../storage/helpers.js';

afterAll(cleanupTempDirs);

// Worker threads need the compiled JS (npm test compiles first).
const dist = () => import('../../dist/src/tools/consume.js' as string) as Promise<typeof import('../../src/tools/consume.js')>;

const N = 3000;
let logDir: string;
let producedBatches: number;
/** Per partition: its records in offset order. */
let records: { partition: number; recs: RecordInfo[]; bases: number[] }[];

const kvBytes = (r: RecordInfo) => (r.key ? r.key.length : 0) + (r.value ? r.value.length : 0);

beforeAll(async () => {
  logDir = tempDir('kseg-consume-');
  const r = await produce({ logDir, topic: 'c', partitions: 3, numRecords: N, recordSize: 77, keySize: 5, compressionType: 'snappy', batchSize: 3000, lingerMs: 1000, segmentBytes: 12_000, indexIntervalBytes: 1000, reportingIntervalMs: 60_000 });
  expect(r.records).toBe(N);
  expect(r.bytes).toBe(N * 77);
  producedBatches = r.batches;
  records = partitionDirs(logDir, 'c').map((p) => {
    const bases = segmentBases(p.dir);
    return { partition: p.partition, bases, recs: bases.flatMap((b) => readRecords(segFile(p.dir, b, '.log'))) };
  });
  expect(records.every((p) => p.bases.length >= 3)).toBe(true);
});

describe('consume counts what produce wrote', () => {
  it('with CRC checks (default): every record and key+value byte, every batch verified', async () => {
    const c = await consume({ logDir });
    expect(c.records).toBe(N);
    expect(c.bytes).toBe(N * (77 + 5));
    expect(c.batches).toBe(producedBatches);
    expect(c.crcChecked).toBe(producedBatches);
    expect(c.partitions).toBe(3);
    expect(c.checkCrcs).toBe(true);
  });

  it('without CRC checks: the same counts, nothing verified', async () => {
    const c = await consume({ logDir, checkCrcs: false });
    expect([c.records, c.bytes, c.batches, c.crcChecked]).toEqual([N, N * 82, producedBatches, 0]);
  });

  it('with --workers 2: the same counts', async () => {
    const { consume: consumeDist } = await dist();
    const c = await consumeDist({ logDir, workers: 2 });
    expect([c.records, c.bytes, c.batches, c.crcChecked]).toEqual([N, N * 82, producedBatches, producedBatches]);
    const nc = await consumeDist({ logDir, workers: 2, checkCrcs: false });
    expect([nc.records, nc.bytes, nc.crcChecked]).toEqual([N, N * 82, 0]);
  });

  it('--messages stops at exactly that many records, with one worker or two', async () => {
    for (const m of [1, 100, 101, 2999]) expect((await consume({ logDir, messages: m })).records).toBe(m);
    const { consume: consumeDist } = await dist();
    for (const m of [101, 1001]) expect((await consumeDist({ logDir, messages: m, workers: 2 })).records, `--messages ${m} --workers 2`).toBe(m);
  });

  it('transactional logs: control records (COMMIT/ABORT markers) are not counted, as a consumer never sees them', async () => {
    const dir = tempDir('kseg-consume-txn-');
    const r = await produce({ logDir: dir, topic: 'x', partitions: 2, numRecords: 700, payloadMonotonic: true, keyRange: 13, transactional: true, transactionDurationMs: 0, abortRatio: 0.3, throughput: 4000, batchSize: 400, reportingIntervalMs: 60_000 });
    const markers = partitionDirs(dir, 'x').flatMap((p) => segmentBases(p.dir).flatMap((b) => readBatches(segFile(p.dir, b, '.log')).batches)).filter((b) => b.isControl).length;
    expect(markers).toBeGreaterThan(0);
    let bytes = 0;
    for (let i = 0; i < 700; i++) bytes += String(i).length + String(i % 13).length;
    const c = await consume({ logDir: dir });
    expect(c.records).toBe(r.records);
    expect(c.bytes).toBe(bytes);
  });
});

describe('consume seeks', () => {
  /** Expected counts when each partition starts at `start(p)` (an offset, or null to skip it). */
  const expectFrom = (start: (p: (typeof records)[number]) => number | null) => {
    let n = 0;
    let bytes = 0;
    for (const p of records) {
      const s = start(p);
      if (s === null) continue;
      for (const r of p.recs) if (r.offset >= s) (n++, (bytes += kvBytes(r)));
    }
    return { records: n, bytes };
  };

  it('--from-offset starts at that offset in every partition, also right at and around segment boundaries', async () => {
    const p0 = records[0];
    const targets = new Set<number>([0, 1, 57]);
    for (const b of p0.bases.slice(1)) for (const t of [b - 1, b, b + 1]) targets.add(t);
    targets.add(p0.recs.length - 1);
    targets.add(p0.recs.length);
    targets.add(100_000);
    for (const t of targets) {
      const c = await consume({ logDir, fromOffset: t });
      expect({ records: c.records, bytes: c.bytes }, `--from-offset ${t}`).toEqual(expectFrom(() => t));
    }
  });

  it('--from-time starts at the first record whose timestamp is >= the target, in every partition', async () => {
    const p0 = records[0];
    const firstAtOrAfter = (p: (typeof records)[number], ts: number) => p.recs.find((r) => r.timestamp >= ts)?.offset ?? null;
    const targets = new Set<number>();
    for (const p of records) {
      targets.add(p.recs[0].timestamp);
      targets.add(p.recs[0].timestamp - 1);
      targets.add(p.recs[p.recs.length - 1].timestamp);
      targets.add(p.recs[p.recs.length - 1].timestamp + 1);
    }
    for (const b of p0.bases.slice(1)) {
      const first = p0.recs.find((r) => r.offset === b)!;
      const prev = p0.recs.find((r) => r.offset === b - 1)!;
      for (const t of [first.timestamp, first.timestamp + 1, prev.timestamp, prev.timestamp + 1]) targets.add(t);
    }
    for (let i = 0; i < p0.recs.length; i += 97) targets.add(p0.recs[i].timestamp);
    for (const t of targets) {
      const c = await consume({ logDir, fromTime: t });
      expect({ records: c.records, bytes: c.bytes }, `--from-time ${t}`).toEqual(expectFrom((p) => firstAtOrAfter(p, t)));
    }
    // with both, the later start wins
    const mid = p0.recs[Math.floor(p0.recs.length / 2)];
    const c = await consume({ logDir, fromTime: mid.timestamp, fromOffset: 5 });
    expect({ records: c.records, bytes: c.bytes }).toEqual(expectFrom((p) => {
      const t = firstAtOrAfter(p, mid.timestamp);
      return t === null ? null : Math.max(t, 5);
    }));
  });
});

describe('consume CRC checks', () => {
  it('a flipped byte inside a record fails with --check-crcs, and is read anyway without', async () => {
    const dir = tempDir('kseg-consume-crc-');
    await produce({ logDir: dir, topic: 'k', partitions: 1, numRecords: 300, recordSize: 50, batchSize: 1000, reportingIntervalMs: 60_000 });
    const part = partitionDirs(dir, 'k')[0].dir;
    const f = segFile(part, 0, '.log');
    const { batches } = readBatches(f);
    const victim = batches[Math.floor(batches.length / 2)];
    const bytes = readFileSync(f);
    bytes[victim.position + victim.size - 10] ^= 0x01; // inside the last record's value
    writeFileSync(f, bytes);
    await expect(consume({ logDir: dir })).rejects.toThrow(CorruptRecordError);
    await expect(consume({ logDir: dir })).rejects.toThrow(new RegExp(`Record is corrupt \\(stored crc = ${victim.crc}, computed crc = \\d+\\) \\(at byte ${victim.position}\\)`));
    const c = await consume({ logDir: dir, checkCrcs: false });
    expect([c.records, c.bytes]).toEqual([300, 300 * 50]);
  });
});
