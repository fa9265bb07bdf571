// What `produce` (src/tools/produce.ts, in-process engine) leaves on disk: contiguous offsets,
// indexes equal to the recovery recomputation in every segment, fsync counts that follow the flush
// policy exactly, transactional markers / .txnindex / producer snapshots that agree with the log,
// contiguous idempotent sequences, and a log dir laid out like a broker's.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLeaderEpochCheckpoint, readOffsetCheckpoint } from '../../src/storage/index.js';
import { produce, type ProduceOptions, type ProduceWindow } from '../../src/tools/produce.js';
import {
  cleanupTempDirs,
  partitionDirs,
  readBatches,
  readOffsetIndexFile,
  readRecords,
  readSnapshotRaw,
  readTimeIndexFile,
  recomputeIndexes,
  segFile,
  segmentBases,
  tempDir,
  type BatchInfo,
  type RawSnapshotEntry,
} from '../storage/helpers.js';

afterAll(cleanupTempDirs);

type Opts = Partial<ProduceOptions>;

async function run(o: Opts) {
  const logDir = tempDir('kseg-produce-');
  const result = await produce({ topic: 't', reportingIntervalMs: 60_000, ...o, logDir });
  return { logDir, result, parts: partitionDirs(logDir, o.topic ?? 't') };
}

/** All batches of a partition, in order across segments, each with its segment base. */
function partitionBatches(dir: string): (BatchInfo & { segment: number })[] {
  return segmentBases(dir).flatMap((base) => {
    const { batches, end } = readBatches(segFile(dir, base, '.log'));
    expect(end.reason, `${base}.log ends cleanly`).toBe('end');
    return batches.map((b) => ({ ...b, segment: base }));
  });
}

function expectContiguous(batches: BatchInfo[]): number {
  let next = 0;
  for (const b of batches) {
    expect(b.crcValid).toBe(true);
    expect(b.baseOffset).toBe(next);
    next = b.lastOffset + 1;
  }
  return next;
}

function expectIndexesRecomputed(dir: string, interval: number): { segments: number; entries: number } {
  let entries = 0;
  const bases = segmentBases(dir);
  for (const base of bases) {
    const e = recomputeIndexes(segFile(dir, base, '.log'), interval);
    // trimmed: the files hold exactly the recomputed entries, no zero tail
    expect(readOffsetIndexFile(segFile(dir, base, '.index'), base), `${dir} ${base}.index`).toEqual(e.offsets);
    expect(readTimeIndexFile(segFile(dir, base, '.timeindex'), base), `${dir} ${base}.timeindex`).toEqual(e.times);
    entries += e.offsets.length;
  }
  return { segments: bases.length, entries };
}

describe('produce: segments and indexes', () => {
  for (const [name, o] of [
    ['small index.interval.bytes, lz4', { indexIntervalBytes: 700, compressionType: 'lz4', recordSize: 90, batchSize: 1500 }],
    ['default index.interval.bytes, none', { recordSize: 120, batchSize: 6000 }],
    ['index.interval.bytes 1 (an entry for every batch but the first), zstd, keys', { indexIntervalBytes: 1, compressionType: 'zstd', recordSize: 50, keySize: 8, batchSize: 800 }],
    ['written behind, none', { recordSize: 120, batchSize: 6000, writeBehind: true }],
    ['written behind, index.interval.bytes 1, lz4, keys', { indexIntervalBytes: 1, compressionType: 'lz4', recordSize: 50, keySize: 8, batchSize: 800, writeBehind: true, compressBehind: false }],
    // Sizes known only once the compressor thread is done: positions, entries and rolls follow them.
    ['compressed and written behind, index.interval.bytes 1, lz4, keys', { indexIntervalBytes: 1, compressionType: 'lz4', recordSize: 50, keySize: 8, batchSize: 800, writeBehind: true, compressBehind: true }],
    ['compressed and written behind, zstd', { compressionType: 'zstd', recordSize: 120, batchSize: 6000, writeBehind: true, compressBehind: true }],
  ] as [string, Opts][]) {
    it(`every segment's indexes equal the recovery recomputation: ${name}`, async () => {
      const interval = o.indexIntervalBytes ?? 4096;
      const { result, parts } = await run({ partitions: 3, numRecords: 4000, segmentBytes: 40_000, lingerMs: 1000, ...o });
      expect(result.records).toBe(4000);
      let total = 0;
      let segments = 0;
      let entries = 0;
      for (const p of parts) {
        total += expectContiguous(partitionBatches(p.dir));
        const s = expectIndexesRecomputed(p.dir, interval);
        segments += s.segments;
        entries += s.entries;
      }
      expect(total).toBe(4000);
      expect(segments).toBeGreaterThan(parts.length); // rolled
      expect(result.segmentRolls).toBe(segments - parts.length);
      expect(entries).toBeGreaterThan(0);
    });
  }

  it('rolls when the offset index is full (segment.index.bytes), and the indexes still equal the recomputation', async () => {
    const { parts } = await run({ partitions: 1, numRecords: 1500, recordSize: 40, batchSize: 400, lingerMs: 1000, indexIntervalBytes: 1, segmentIndexBytes: 96 });
    const dir = parts[0].dir;
    const bases = segmentBases(dir);
    expect(bases.length).toBeGreaterThan(3);
    for (const base of bases.slice(0, -1)) {
      const n = statSync(segFile(dir, base, '.index')).size / 8;
      const t = statSync(segFile(dir, base, '.timeindex')).size / 12;
      // 12 offset slots, 8 time slots (7 + the roll entry): one of the two was full
      expect(n === 12 || t >= 7).toBe(true);
    }
    expectIndexesRecomputed(dir, 1);
  });
});

describe('produce: latency when written behind', () => {
  it('every record gets one latency, taken when the writer thread finished its batch (or after the fsync when the flush policy flushes); also when compressed behind', async () => {
    const { ProducerEngine } = await import('../../src/tools/producerEngine.js');
    const { produceOptions } = await import('../../src/tools/produceOptions.js');
    for (const [flushMessages, compressionType] of [
      [undefined, 'none'],
      [1, 'none'],
      [undefined, 'lz4'],
      [1, 'lz4'],
    ] as const) {
      const logDir = tempDir('kseg-produce-');
      const compressBehind = compressionType !== 'none';
      const o = produceOptions({ logDir, topic: 't', partitions: 2, numRecords: 20_000, recordSize: 200, batchSize: 300 * 1024, lingerMs: 1000, flushMessages, writeBehind: true, compressionType, compressBehind });
      expect(o.compressBehind).toBe(compressBehind);
      const engine = new ProducerEngine({ ...o, ownedPartitions: [0, 1], recordsToProduce: 20_000, warmupShare: 0, producerId: 1000 });
      const r = await engine.run(() => {});
      expect(r.records).toBe(20_000);
      expect(r.latency.totalCount, `flush.messages ${flushMessages}`).toBe(20_000);
      expect(r.latency.minNonZeroValue).toBeGreaterThanOrEqual(1);
      expect(r.batches).toBeGreaterThan(10);
    }
  });
});

describe('produce: a failed run', () => {
  /** This process's threads (Linux). */
  const threads = () => readdirSync('/proc/self/task').length;
  const settle = async (ok: () => boolean) => {
    for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
    return ok();
  };

  it.skipIf(!existsSync('/proc/self/task'))('reports the compressor thread\'s error, releases the log dir and stops its helper threads', async () => {
    const o: Opts = { partitions: 1, numRecords: 3000, recordSize: 1000, batchSize: 256 * 1024, lingerMs: 1000, compressionType: 'gzip', writeBehind: true, compressBehind: true };
    await run(o); // libuv's pool and the like are started once, and stay
    // This run's writer and compressor end once they have stopped (a few ms).
    let before = threads();
    for (let i = 0; i < 20; i++, before = Math.min(before, threads())) await new Promise((r) => setTimeout(r, 25));
    const logDir = tempDir('kseg-produce-');
    await expect(produce({ logDir, ...o, compressionLevel: 99 })).rejects.toThrow(/^compression failed: .*level/);
    expect(await settle(() => threads() <= before), `${threads()} threads, ${before} before the run`).toBe(true);
    expect((await produce({ logDir, ...o })).records).toBe(3000); // the lock was released
  });
});

describe('produce: what is timed', () => {
  /** Blocks this thread for `ms` (the hook is synchronous). */
  const block = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

  it('beforeStart runs once, after set-up (segment open, nothing appended yet), and is not in seconds', async () => {
    const logDir = tempDir('kseg-produce-');
    const seen: number[] = [];
    const r = await produce({ logDir, topic: 't', numRecords: 2000, recordSize: 1024, batchSize: 512 * 1024, writeBehind: true, reportingIntervalMs: 60_000 }, undefined, {
      beforeStart: () => {
        seen.push(statSync(segFile(join(logDir, 't-0'), 0, '.log')).size);
        block(400);
      },
    });
    expect(seen).toEqual([0]);
    expect(r.records).toBe(2000);
    expect(r.seconds).toBeLessThan(0.3); // 2 MB; the 400 ms before the first record are not counted
  });

  it('Kafka-style windows count each record once, when its batch is appended, and end at the last append: they add up to the run', async () => {
    for (const workers of [1, 2]) {
      const windows: ProduceWindow[] = [];
      const logDir = tempDir('kseg-produce-');
      const r = await produce({ logDir, topic: 't', numRecords: 120_000, recordSize: 512, batchSize: 512 * 1024, partitions: 2, workers, reportingIntervalMs: 60_000 }, (e) => {
        if (e.type === 'window') windows.push(e.window);
      });
      expect(windows.reduce((a, w) => a + w.records, 0), `workers ${workers}`).toBe(120_000);
      for (const w of windows) expect(w.avgLatencyMs).toBeLessThanOrEqual(w.maxLatencyMs);
      // One window (the interval is longer than the run): the same figures as the final line.
      expect(windows).toHaveLength(1);
      expect(windows[0].recordsPerSec / r.recordsPerSec).toBeCloseTo(1, 2);
    }
  });

  it('a window counts the records whose batches were appended in it, so its average latency never exceeds its max (batches lingering across windows)', async () => {
    const windows: ProduceWindow[] = [];
    const logDir = tempDir('kseg-produce-');
    // 40,000 records/s, each batch open 1 s, windows as short as the progress ticks (250 ms): most
    // windows append nothing, some a whole batch of 40,000 records made over four windows.
    await produce({ logDir, topic: 't', numRecords: 100_000, throughput: 40_000, recordSize: 100, batchSize: 8 * 1024 * 1024, lingerMs: 1000, reportingIntervalMs: 50 }, (e) => {
      if (e.type === 'window') windows.push(e.window);
    });
    expect(windows.reduce((a, w) => a + w.records, 0)).toBe(100_000);
    expect(windows.filter((w) => w.records > 0).length).toBeGreaterThanOrEqual(2);
    for (const w of windows) expect(w.avgLatencyMs).toBeLessThanOrEqual(w.maxLatencyMs);
  });

  it('beforeStart with worker threads is refused before the log dir is touched', async () => {
    const logDir = tempDir('kseg-produce-');
    await expect(produce({ logDir, topic: 't', numRecords: 10, recordSize: 10, partitions: 2, workers: 2 }, undefined, { beforeStart: () => {} })).rejects.toThrow(/beforeStart needs the engine on this thread/);
    expect(readdirSync(logDir)).toEqual([]);
  });
});

describe('produce: flush policy', () => {
  /** fsyncs the policy implies, recomputed from the log: per partition every flush is 3 fsyncs
   *  (log, index, time index), close flushes once, and each roll fsyncs the old segment once. */
  function expectedFsyncs(parts: { dir: string }[], flushAfter: (unflushed: number) => boolean): number {
    let fsyncs = 0;
    for (const p of parts) {
      let unflushed = 0;
      for (const b of partitionBatches(p.dir)) {
        unflushed += b.recordCount;
        if (flushAfter(unflushed)) {
          fsyncs += 3;
          unflushed = 0;
        }
      }
      fsyncs += 3 + (segmentBases(p.dir).length - 1);
    }
    return fsyncs;
  }
  const base: Opts = { partitions: 2, numRecords: 3000, recordSize: 64, batchSize: 2000, segmentBytes: 50_000, lingerMs: 1000 };

  it('never (default): only the close-time flush and the per-roll flush', async () => {
    const { result, parts } = await run(base);
    expect(result.segmentRolls).toBeGreaterThan(0);
    expect(result.fsyncs).toBe(2 * 3 + result.segmentRolls);
    expect(result.fsyncs).toBe(expectedFsyncs(parts, () => false));
  });

  it('--flush-messages N: a flush whenever N records are unflushed; the count grows as N shrinks', async () => {
    const counts: number[] = [];
    for (const n of [1000, 100, 7]) {
      const { result, parts } = await run({ ...base, flushMessages: n });
      expect(result.fsyncs, `flush.messages ${n}`).toBe(expectedFsyncs(parts, (u) => u >= n));
      counts.push(result.fsyncs);
    }
    expect(counts[0]).toBeLessThan(counts[1]);
    expect(counts[1]).toBeLessThan(counts[2]);
    // with N = 7 there are at least records/N/… flushes: each flush covers < N + one batch of records
    expect(counts[2]).toBeGreaterThanOrEqual(3 * Math.floor(3000 / (7 + 40)));
  });

  it('--flush-messages 1 flushes after every batch', async () => {
    const { result } = await run({ ...base, flushMessages: 1 });
    expect(result.fsyncs).toBe(3 * result.batches + 2 * 3 + result.segmentRolls);
  });

  it('--flush-ms: 0 flushes after every append, an hour never within the run', async () => {
    const zero = await run({ ...base, flushMs: 0 });
    expect(zero.result.fsyncs).toBe(3 * zero.result.batches + 2 * 3 + zero.result.segmentRolls);
    const hour = await run({ ...base, flushMs: 3_600_000 });
    expect(hour.result.fsyncs).toBe(2 * 3 + hour.result.segmentRolls);
  });
});

describe('produce: transactions and idempotence', () => {
  for (const [label, threads] of [
    ['', { writeBehind: false }],
    [' (written behind)', { writeBehind: true }],
    // The markers wait for the batches still at the compressor.
    [' (lz4, compressed and written behind)', { writeBehind: true, compressionType: 'lz4', compressBehind: true }],
  ] as [string, Opts][]) {
    it(`--transactional --abort-ratio: markers, .txnindex and snapshots agree with the data${label}`, async () => {
      const { result, parts } = await run({
        ...threads,
        partitions: 2,
        numRecords: 900,
        recordSize: 40,
        batchSize: 600,
        lingerMs: 2,
        throughput: 3000,
        segmentBytes: 6000,
        transactional: true,
        transactionDurationMs: 0,
        abortRatio: 0.5,
        seed: 3,
      });
      const tx = result.transactions!;
      expect(tx.aborted).toBeGreaterThan(0);
      expect(tx.committed).toBeGreaterThan(0);
      let dataRecords = 0;
      for (const p of parts) {
        const batches = partitionBatches(p.dir);
        const end = expectContiguous(batches);
        // Replay the partition: producer state and the aborted transactions Kafka would index.
        const expectedAborted: { producerId: number; firstOffset: number; lastOffset: number; lastStableOffset: number; segment: number }[] = [];
        const stateAt = new Map<number, RawSnapshotEntry[]>(); // snapshot offset -> state
        let st: RawSnapshotEntry | null = null;
        let txnFirst = -1;
        let seq = 0;
        let aborts = 0;
        let commits = 0;
        for (const b of batches) {
          if (!stateAt.has(b.baseOffset)) stateAt.set(b.baseOffset, st ? [{ ...st }] : []);
          expect(b.producerId).toBe(1000);
          expect(b.producerEpoch).toBe(0);
          expect(b.isTransactional).toBe(true);
          st ??= { producerId: 1000, producerEpoch: 0, lastSequence: -1, lastOffset: -1, offsetDelta: 0, timestamp: -1, coordinatorEpoch: -1, currentTxnFirstOffset: -1 };
          st.timestamp = b.maxTimestamp;
          if (b.isControl) {
            expect(b.recordCount).toBe(1);
            expect(b.baseSequence).toBe(-1);
            expect([0, 1]).toContain(b.control!.type);
            expect(b.control!.coordinatorEpoch).toBe(0);
            expect(txnFirst, `marker at ${b.baseOffset} ends a transaction with data`).toBeGreaterThanOrEqual(0);
            if (b.control!.type === 0) {
              aborts++;
              expectedAborted.push({ producerId: 1000, firstOffset: txnFirst, lastOffset: b.baseOffset, lastStableOffset: b.baseOffset + 1, segment: b.segment });
            } else commits++;
            st.coordinatorEpoch = 0;
            st.currentTxnFirstOffset = -1;
            txnFirst = -1;
          } else {
            expect(b.baseSequence).toBe(seq);
            seq = b.lastSequence + 1;
            dataRecords += b.recordCount;
            if (txnFirst < 0) txnFirst = b.baseOffset;
            st.lastSequence = b.lastSequence;
            st.lastOffset = b.lastOffset;
            st.offsetDelta = b.lastOffset - b.baseOffset;
            st.currentTxnFirstOffset = txnFirst;
          }
        }
        stateAt.set(end, st ? [{ ...st }] : []);
        expect(txnFirst, 'no transaction left open').toBe(-1);
        expect(batches[batches.length - 1].isControl).toBe(true);
        expect(aborts).toBeLessThanOrEqual(tx.aborted);
        expect(commits).toBeLessThanOrEqual(tx.committed);

        // .txnindex: one entry per ABORT marker, in the segment the marker went to
        const bases = segmentBases(p.dir);
        const actual = bases.flatMap((base) => {
          const f = segFile(p.dir, base, '.txnindex');
          if (!existsSync(f)) return [];
          const buf = readFileSync(f);
          expect(buf.length % 34).toBe(0);
          return Array.from({ length: buf.length / 34 }, (_, i) => {
            const o = i * 34;
            expect(buf.readInt16BE(o)).toBe(0);
            return { producerId: Number(buf.readBigInt64BE(o + 2)), firstOffset: Number(buf.readBigInt64BE(o + 10)), lastOffset: Number(buf.readBigInt64BE(o + 18)), lastStableOffset: Number(buf.readBigInt64BE(o + 26)), segment: base };
          });
        });
        expect(actual).toEqual(expectedAborted);

        // snapshots: one per roll (named by the new segment's base) and one at close (the log end),
        // each with a valid CRC-32C and the producer state at that offset
        const snaps = readdirSync(p.dir).filter((f) => f.endsWith('.snapshot')).map((f) => Number(f.slice(0, 20))).sort((a, b) => a - b);
        expect(snaps).toEqual([...bases.slice(1), end]);
        for (const s of snaps) {
          const raw = readSnapshotRaw(segFile(p.dir, s, '.snapshot'));
          expect(raw.version).toBe(1);
          expect(raw.crcStored, `CRC of ${s}.snapshot`).toBe(raw.crcComputed);
          expect(raw.entries, `${s}.snapshot`).toEqual(stateAt.get(s));
        }
      }
      expect(dataRecords).toBe(900);
    });
  }

  it('--idempotent: sequences contiguous per partition across batches, and continued after reopening', async () => {
    const { logDir, parts } = await run({ partitions: 3, numRecords: 2000, recordSize: 30, batchSize: 700, lingerMs: 1000, segmentBytes: 8000, idempotent: true });
    const check = (expectedRecords: number) => {
      let total = 0;
      for (const p of parts) {
        const batches = partitionBatches(p.dir);
        expectContiguous(batches);
        let seq = 0;
        for (const b of batches) {
          expect(b.isTransactional).toBe(false);
          expect(b.producerId).toBe(1000);
          expect(b.producerEpoch).toBe(0);
          expect(b.baseSequence).toBe(seq);
          seq = b.lastSequence + 1;
        }
        const records = segmentBases(p.dir).flatMap((base) => readRecords(segFile(p.dir, base, '.log')));
        expect(records.map((r) => r.sequence)).toEqual(records.map((_, i) => i));
        total += records.length;
      }
      expect(total).toBe(expectedRecords);
    };
    check(2000);
    await produce({ logDir, topic: 't', partitions: 3, numRecords: 600, recordSize: 30, batchSize: 700, lingerMs: 1000, segmentBytes: 8000, idempotent: true, reportingIntervalMs: 60_000 });
    check(2600);
  });
});

describe('produce: the directory looks like a broker', () => {
  it('meta.properties, checkpoints, leader epochs, partition.metadata, clean-shutdown marker; no stray files', async () => {
    const { logDir, result, parts } = await run({ topic: 'orders.v1', partitions: 4, numRecords: 1200, recordSize: 50, keyRange: 97, batchSize: 1000, segmentBytes: 10_000 });
    expect(parts.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    const root = readdirSync(logDir).sort();
    expect(root).toEqual(
      ['.kafka_cleanshutdown', '.lock', 'cleaner-offset-checkpoint', 'log-start-offset-checkpoint', 'meta.properties', 'recovery-point-offset-checkpoint', 'replication-offset-checkpoint', ...parts.map((p) => `orders.v1-${p.partition}`)].sort(),
    );
    expect(JSON.parse(readFileSync(join(logDir, '.kafka_cleanshutdown'), 'utf8'))).toEqual({ version: 0, brokerEpoch: -1 });
    expect(readFileSync(join(logDir, '.lock'), 'utf8')).toBe('');
    const meta = readFileSync(join(logDir, 'meta.properties'), 'utf8');
    expect(meta).toMatch(/^version=1$/m);
    expect(meta).toMatch(/^cluster\.id=[A-Za-z0-9_-]{22}$/m);
    expect(meta).toMatch(/^directory\.id=[A-Za-z0-9_-]{22}$/m);
    expect(meta).toMatch(/^node\.id=\d+$/m);

    const ends = parts.map((p) => expectContiguous(partitionBatches(p.dir)));
    expect(ends.reduce((a, b) => a + b, 0)).toBe(result.records);
    const expected = parts.map((p, i) => ({ topic: 'orders.v1', partition: p.partition, offset: ends[i] }));
    expect(readOffsetCheckpoint(join(logDir, 'recovery-point-offset-checkpoint'))).toEqual(expected);
    expect(readOffsetCheckpoint(join(logDir, 'replication-offset-checkpoint'))).toEqual(expected);
    expect(readFileSync(join(logDir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n0\n');
    expect(readFileSync(join(logDir, 'cleaner-offset-checkpoint'), 'utf8')).toBe('');

    const topicIds = new Set<string>();
    for (const p of parts) {
      const names = readdirSync(p.dir);
      for (const n of names) expect(n).toMatch(/^(\d{20}\.(log|index|timeindex|txnindex|snapshot)|leader-epoch-checkpoint|partition\.metadata)$/);
      expect(readLeaderEpochCheckpoint(join(p.dir, 'leader-epoch-checkpoint'))).toEqual([{ epoch: 0, startOffset: 0 }]);
      const pm = readFileSync(join(p.dir, 'partition.metadata'), 'utf8');
      const m = /^version: 0\ntopic_id: ([A-Za-z0-9_-]{22})$/.exec(pm);
      expect(m, pm).not.toBeNull();
      topicIds.add(m![1]);
      // every segment has its three files
      for (const base of segmentBases(p.dir)) for (const s of ['.index', '.timeindex']) expect(existsSync(segFile(p.dir, base, s))).toBe(true);
    }
    // a topic has one id, shared by all its partitions
    expect(topicIds.size).toBe(1);
    // and partitions added by a later run get the same id
    await produce({ logDir, topic: 'orders.v1', partitions: 6, numRecords: 60, recordSize: 10, reportingIntervalMs: 60_000 });
    const after = partitionDirs(logDir, 'orders.v1').map((p) => /topic_id: (\S+)/.exec(readFileSync(join(p.dir, 'partition.metadata'), 'utf8'))![1]);
    expect(after).toEqual(Array(6).fill([...topicIds][0]));
  });

  it('unkeyed records stick to one partition until it has taken 2 × batch.size, when linger.ms sends batches before they fill (KIP-794)', async () => {
    const batchSize = 2000;
    const { parts } = await run({ partitions: 3, numRecords: 1500, payloadMonotonic: true, batchSize, lingerMs: 1, throughput: 5000 });
    const owner = new Map<number, number>(); // record number -> partition
    let batches = 0;
    for (const p of parts) {
      const bs = partitionBatches(p.dir);
      batches += bs.length;
      for (const base of segmentBases(p.dir)) for (const r of readRecords(segFile(p.dir, base, '.log'))) owner.set(Number(r.value!.toString()), p.partition);
    }
    expect(owner.size).toBe(1500);
    expect(batches).toBeGreaterThan(20); // sent by linger.ms, far from full
    // Stints: runs of consecutive records in one partition, taking turns 0, 1, 2, 0, ...
    const stints: { partition: number; records: number }[] = [];
    for (let i = 0; i < 1500; i++) {
      const last = stints[stints.length - 1];
      if (last && last.partition === owner.get(i)) last.records++;
      else stints.push({ partition: owner.get(i)!, records: 1 });
    }
    expect(stints.length).toBeGreaterThanOrEqual(3);
    stints.forEach((st, k) => expect(st.partition).toBe(k % 3));
    // A record takes at least 8 bytes in its batch: a stint holds at most 2 × batch.size of them.
    for (const st of stints.slice(0, -1)) expect(st.records).toBeLessThanOrEqual((2 * batchSize) / 8);
  });

  it('keyed records land in the partition murmur2 picks, in order', async () => {
    const { parts } = await run({ partitions: 5, numRecords: 1000, payloadMonotonic: true, keyRange: 31, batchSize: 500 });
    const { partitionForKey } = await import('../../src/tools/murmur2.js');
    for (const p of parts) {
      const records = segmentBases(p.dir).flatMap((base) => readRecords(segFile(p.dir, base, '.log')));
      const expectedValues = Array.from({ length: 1000 }, (_, i) => i).filter((i) => partitionForKey(Buffer.from(String(i % 31)), 5) === p.partition);
      expect(records.map((r) => Number(r.value!.toString()))).toEqual(expectedValues);
      expect(records.map((r) => r.key!.toString())).toEqual(expectedValues.map((i) => String(i % 31)));
    }
  });
});
