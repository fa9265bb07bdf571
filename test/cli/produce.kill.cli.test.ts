// A `kseg produce` killed with SIGKILL mid-run: while it runs, a second writer is refused and there
// is no clean-shutdown marker; afterwards the readable prefix of every partition is intact (every
// complete batch passes CRC in kseg and in kafka-python, offsets contiguous across segments, rolled
// segments' indexes trimmed and equal to the recomputation, the active segment's indexes still
// preallocated with a correct prefix), and the next produce either continues the log or refuses with
// "run kseg recover" — it never appends after garbage.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogFileReader } from '../../src/storage/logFileReader.js';
import { requireKafkaPython, runOracle, type OracleDecoded } from '../helpers/kafkaPython.js';
import {
  cleanupTempDirs,
  KSEG_BIN,
  kseg,
  partitionDirs,
  readBatches,
  readOffsetIndexFile,
  readRecords,
  readSnapshotRaw,
  readTimeIndexFile,
  recomputeIndexes,
  REPO_ROOT,
  segFile,
  segmentBases,
  tempDir,
  treeSnapshot,
  waitFor,
} from '../storage/helpers.js';

afterAll(cleanupTempDirs);

const kp = requireKafkaPython('kafka-python decode of the killed log');

const ARGS = ['--record-size', '120', '--partitions', '2', '--segment-bytes', '64KiB', '--index-interval-bytes', '1024', '--compression-type', 'lz4', '--batch-size', '4KiB', '--throughput', '15000', '--no-progress'];
/** Index entries a kill may leave unwritten: at 15000 records/s of 4 KiB batches, ~10 ms of them. */
const INDEX_LAG = 5;
const INDEX_BYTES = 10 * 1024 * 1024; // segment.index.bytes default: what the active segment is preallocated to

interface PartitionState {
  dir: string;
  end: number;
  /** valid bytes of each segment (all of it but a torn tail of the last) */
  valid: Map<number, number>;
  torn: boolean;
}

/** Checks the readable prefix of a partition; returns its end offset and whether the tail is torn. */
function checkPrefix(dir: string): PartitionState {
  const bases = segmentBases(dir);
  expect(bases[0]).toBe(0);
  let next = 0;
  const valid = new Map<number, number>();
  let torn = false;
  bases.forEach((base, s) => {
    const isLast = s === bases.length - 1;
    const file = segFile(dir, base, '.log');
    // every complete batch passes ensureValid (size and CRC-32C)
    const reader = new LogFileReader(file);
    let batches = 0;
    for (const b of reader) {
      b.ensureValid();
      if (batches === 0) expect(b.baseOffset, `${file} starts at its base offset`).toBe(base);
      expect(b.baseOffset, `${file} offsets contiguous`).toBe(next);
      next = b.lastOffset + 1;
      batches++;
    }
    const end = reader.end!;
    valid.set(base, end.position);
    if (!isLast) {
      expect(end.reason, `${file} (rolled) ends cleanly`).toBe('end');
      // rolled segments: indexes trimmed and equal to the recovery recomputation
      const e = recomputeIndexes(file, 1024);
      expect(readOffsetIndexFile(segFile(dir, base, '.index'), base)).toEqual(e.offsets);
      expect(readTimeIndexFile(segFile(dir, base, '.timeindex'), base)).toEqual(e.times);
      const snap = segFile(dir, bases[s + 1], '.snapshot');
      expect(existsSync(snap), `${snap} written at roll`).toBe(true);
      const raw = readSnapshotRaw(snap);
      expect(raw.crcStored).toBe(raw.crcComputed);
    } else {
      // the active segment: a torn write is the only thing a kill can leave after the batches
      expect(['end', 'truncated']).toContain(end.reason);
      torn = end.reason !== 'end';
      // (a kill while the segment is being created can leave an index not yet created)
      const sizeOf = (f: string) => (existsSync(f) ? statSync(f).size : -1);
      const idxSize = sizeOf(segFile(dir, base, '.index'));
      const timeSize = sizeOf(segFile(dir, base, '.timeindex'));
      const logSize = statSync(file).size;
      const live = recomputeWithin(file, end.position);
      const idx = idxSize <= 0 ? [] : readOffsetIndexFile(segFile(dir, base, '.index'), base, true);
      const times = timeSize <= 0 ? [] : readTimeIndexFile(segFile(dir, base, '.timeindex'), base, true);
      const state = `${base}: .log ${logSize} B, .index ${idxSize} B, .timeindex ${timeSize} B`;
      if (idxSize === INDEX_BYTES && timeSize === INDEX_BYTES - 4) {
        // the usual case: preallocated (12-byte entries: 10485756 B); the entries written so far are
        // a prefix of the recomputation. Entries are written behind, once per produce slice (a
        // slice ends when the throttle waits, every batch or two here), so the last few may be
        // missing: recovery rebuilds them, as Kafka's does after an unclean shutdown.
        expect(idx, state).toEqual(live.offsets.slice(0, idx.length));
        expect(idx.length, state).toBeGreaterThanOrEqual(live.offsets.length - INDEX_LAG);
        expect(times, state).toEqual(live.times.slice(0, times.length));
      } else if (logSize === 0) {
        // killed while the segment was being created (index files missing or not preallocated yet)
        expect(idx, state).toEqual([]);
        expect(times, state).toEqual([]);
      } else {
        // killed between trimming a rolled segment and creating the next: trimmed, recomputed
        const e = recomputeIndexes(file, 1024);
        expect(readOffsetIndexFile(segFile(dir, base, '.index'), base), state).toEqual(e.offsets);
        expect(readTimeIndexFile(segFile(dir, base, '.timeindex'), base), state).toEqual(e.times);
      }
    }
  });
  return { dir, end: next, valid, torn };
}

/** recomputeIndexes over the first `validBytes` of a file (without the close-time entry). */
function recomputeWithin(file: string, validBytes: number) {
  const { batches } = readBatches(file);
  const offsets: { offset: number; position: number }[] = [];
  const times: { timestamp: number; offset: number }[] = [];
  let pos = 0;
  let last = 0;
  let maxTs = -1;
  let maxOff = -1;
  for (const b of batches) {
    if (b.position + b.size > validBytes) break;
    if (b.maxTimestamp > maxTs) [maxTs, maxOff] = [b.maxTimestamp, b.lastOffset];
    if (pos - last > 1024) {
      offsets.push({ offset: b.lastOffset, position: pos });
      if (maxTs > (times.length ? times[times.length - 1].timestamp : -1)) times.push({ timestamp: maxTs, offset: maxOff });
      last = pos;
    }
    pos += b.size;
  }
  return { offsets, times };
}

describe('kseg produce killed with SIGKILL', () => {
  // Also with the write-behind thread (its index entries must never get ahead of the log bytes), and
  // with the compressor thread in front of it (batches at the compressor are simply not in the log).
  for (const [label, extra] of [
    ['', []],
    [' (written behind)', ['--write-behind', '--no-compress-behind']],
    [' (compressed and written behind)', ['--write-behind', '--compress-behind']],
  ] as const) {
    it(`leaves an intact readable prefix; the next produce continues it or refuses clearly${label}`, async () => {
      const dir = tempDir('kseg-kill-');
      const child = spawn(KSEG_BIN, ['produce', dir, '--num-records', '100000000', ...ARGS, ...extra], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
      const started = Date.now();
      try {
        // running: it holds the lock and has written data
        const running = await waitFor(() => {
          try {
            return readFileSync(join(dir, '.lock'), 'utf8').includes(`pid=${child.pid} `) && partitionDirs(dir, 'kseg-perf').length === 2 && statSync(segFile(join(dir, 'kseg-perf-0'), 0, '.log')).size > 0;
          } catch {
            return false;
          }
        }, 20_000);
        expect(running, stderr).toBe(true);
        expect(existsSync(join(dir, '.kafka_cleanshutdown')), 'no clean-shutdown marker while writing').toBe(false);
        // a second writer is refused while the first runs
        const second = kseg(['produce', dir, '--num-records', '10', '--record-size', '10']);
        expect(second.status).toBe(2);
        expect(second.stderr.trim().split('\n')).toHaveLength(1);
        expect(second.stderr).toContain(`is locked by another kseg writer (pid ${child.pid} `);
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - started))));
      } finally {
        child.kill('SIGKILL');
      }
      expect(await exited).toBe('SIGKILL');

      expect(existsSync(join(dir, '.kafka_cleanshutdown'))).toBe(false);
      expect(readFileSync(join(dir, '.lock'), 'utf8')).toContain(`pid=${child.pid} `); // stale now
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);

      const parts = partitionDirs(dir, 'kseg-perf').map((p) => checkPrefix(p.dir));
      const written = parts.reduce((a, p) => a + p.end, 0);
      expect(written).toBeGreaterThan(0);

      if (kp.available) {
        // kafka-python reads the same prefix: every batch's CRC valid, the same records
        for (const p of parts) {
          const bases = segmentBases(p.dir);
          const prefix = Buffer.concat(bases.map((b) => readFileSync(segFile(p.dir, b, '.log')).subarray(0, p.valid.get(b))));
          const theirs = await runOracle<OracleDecoded>('decode', { hex: prefix.toString('hex') });
          expect(theirs.remainingBytes).toBe(0);
          expect(theirs.batches.every((b) => b.crcValid && b.codec === 'lz4')).toBe(true);
          expect(theirs.records.length).toBe(p.end);
          expect(theirs.records.map((r) => r.offset)).toEqual(Array.from({ length: p.end }, (_, i) => i));
          const ours = bases.flatMap((b) => readRecords(segFile(p.dir, b, '.log')));
          expect(theirs.records.map((r) => r.value)).toEqual(ours.map((r) => r.value!.toString('base64')));
        }
      }

      // Reopen: either the log continues right after the prefix, or it is refused with the recover hint.
      const before = Object.fromEntries(parts.map((p) => [p.dir, treeSnapshot(p.dir)]));
      const again = kseg(['produce', dir, '--num-records', '500', ...ARGS.filter((a, i, all) => a !== '--throughput' && all[i - 1] !== '--throughput'), '--json']);
      if (parts.some((p) => p.torn)) {
        expect(again.status).not.toBe(0);
        expect(again.stderr.trim().split('\n')).toHaveLength(1);
        expect(again.stderr).toMatch(/run kseg recover before appending/);
        for (const p of parts.filter((x) => x.torn)) expect(treeSnapshot(p.dir)).toEqual(before[p.dir]);
      } else {
        expect(again.status, again.stderr).toBe(0);
        expect(JSON.parse(again.stdout).records).toBe(500);
        let total = 0;
        for (const p of partitionDirs(dir, 'kseg-perf')) {
          const bases = segmentBases(p.dir);
          let next = 0;
          for (const b of bases) {
            const { batches, end } = readBatches(segFile(p.dir, b, '.log'));
            expect(end.reason).toBe('end');
            for (const x of batches) {
              expect(x.crcValid).toBe(true);
              expect(x.baseOffset).toBe(next);
              next = x.lastOffset + 1;
            }
          }
          total += next;
        }
        expect(total).toBe(written + 500);
        expect(existsSync(join(dir, '.kafka_cleanshutdown'))).toBe(true);
      }
    });
  }
});
