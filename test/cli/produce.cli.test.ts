// `kseg produce` and `kseg consume` as a user runs them (the built CLI, bin/kseg.js): exit codes,
// Kafka's output lines, --json fields, the one-writer lock, and refusing a torn log.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, kseg, ksegAsync, partitionDirs, readRecords, segFile, segmentBases, tempDir, treeSnapshot } from '../storage/helpers.js';

afterAll(cleanupTempDirs);

// ProducerPerformance's final line: "%d records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency,
// %.2f ms max latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.%n"
const FINAL = /^(\d+)( steady state)? records sent, \d+\.\d{6} records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d{2} ms avg latency, \d+\.\d{2} ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/;
// and its window line: "%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.%n"
const WINDOW = /^\d+ records sent, \d+\.\d records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d ms avg latency, \d+\.\d ms max latency\.$/;
const CONSUMER_HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
// ConsumerPerformance's row: "%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f" (dates yyyy-MM-dd HH:mm:ss:SSS)
const DATE = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}:\\d{3}';
const CONSUMER_ROW = new RegExp(`^(${DATE}), (${DATE}), (\\d+\\.\\d{4}), (\\d+\\.\\d{4}), (\\d+), (\\d+\\.\\d{4}), (-?\\d+), (\\d+), (\\d+\\.\\d{4}), (\\d+\\.\\d{4})$`);

const lines = (s: string) => s.split('\n').filter((l) => l.length > 0);

describe('kseg produce: exit codes', () => {
  it('exits 2 on bad or missing flags, before creating anything', async () => {
    const base = tempDir();
    const cases: [string, string[]][] = [
      ['unknown codec', ['--compression-type', 'foo', '--num-records', '10', '--record-size', '10']],
      ['no payload source', ['--num-records', '10']],
      ['two payload sources', ['--num-records', '10', '--record-size', '10', '--payload-monotonic']],
      ['no record count or duration', ['--record-size', '10']],
      ['non-integer count', ['--num-records', 'ten', '--record-size', '10']],
      ['bad size', ['--num-records', '10', '--record-size', '10 parsecs']],
      ['abort ratio without transactions', ['--num-records', '10', '--record-size', '10', '--abort-ratio', '0.5']],
      ['unknown flag', ['--num-records', '10', '--record-size', '10', '--no-such-flag']],
    ];
    const results = await Promise.all(cases.map(([, args], i) => ksegAsync(['produce', join(base, `d${i}`), ...args])));
    results.forEach((r, i) => {
      const [name] = cases[i];
      expect(r.status, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, name).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(base, `d${i}`)), name).toBe(false);
    });
    expect(results[0].stderr).toMatch(/foo/);
    expect(lines(results[1].stderr)).toEqual(['kseg: Exactly one of --record-size, --payload-file or --payload-monotonic is required']);
  });
});

describe('kseg produce: output', () => {
  it('--json prints one object with the config and every result field', () => {
    const dir = join(tempDir(), 'logs');
    const r = kseg(['produce', dir, '--num-records', '3000', '--record-size', '1KiB', '--partitions', '2', '--segment-bytes', '256KiB', '--batch-size', '16KiB', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    const j = JSON.parse(r.stdout);
    for (const k of ['records', 'bytes', 'bytesOnDisk', 'seconds', 'recordsPerSec', 'mbPerSec', 'fsyncs', 'compressionRatio', 'batches', 'segmentRolls']) expect(typeof j[k], k).toBe('number');
    expect(Object.keys(j.latencyMs).sort()).toEqual(['avg', 'max', 'p50', 'p95', 'p99', 'p999']);
    for (const v of Object.values(j.latencyMs)) expect(v).toBeGreaterThanOrEqual(0);
    expect(j.latencyMs.p50).toBeLessThanOrEqual(j.latencyMs.p99);
    expect(j.latencyMs.p99).toBeLessThanOrEqual(j.latencyMs.p999);
    expect(j.records).toBe(3000);
    expect(j.bytes).toBe(3000 * 1024);
    expect(j.seconds).toBeGreaterThan(0);
    expect(j.recordsPerSec).toBeCloseTo(j.records / j.seconds, 3);
    expect(j.mbPerSec).toBeCloseTo(j.bytes / 1048576 / j.seconds, 3);
    const parts = partitionDirs(dir, 'kseg-perf');
    const onDisk = parts.reduce((a, p) => a + segmentBases(p.dir).reduce((s, b) => s + statSync(segFile(p.dir, b, '.log')).size, 0), 0);
    expect(j.bytesOnDisk).toBe(onDisk);
    expect(j.segmentRolls).toBe(parts.reduce((a, p) => a + segmentBases(p.dir).length - 1, 0));
    expect(j.segmentRolls).toBeGreaterThan(0);
    expect(j.fsyncs).toBe(2 * 3 + j.segmentRolls); // flush policy "never": close flush + one per roll
    expect(j.compressionRatio).toBe(1); // no codec: the log holds exactly the uncompressed batches
    expect(j.config).toMatchObject({ logDir: dir, topic: 'kseg-perf', partitions: 2, recordSize: 1024, segmentBytes: 262144, batchSize: 16384, compressionType: 'none' });
  });

  it("prints Kafka's final line (and window lines, and the steady-state line with --warmup-records)", () => {
    const dir = tempDir();
    const r = kseg(['produce', dir, '--num-records', '1500', '--record-size', '100', '--compression-type', 'gzip', '--compressibility', '1', '--warmup-records', '500', '--reporting-interval', '1', '--throughput', '20000', '--no-progress']);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe('Warmup first 500 records. Steady state results will print after the complete test summary.');
    const finals = out.filter((l) => FINAL.test(l));
    expect(finals).toHaveLength(2);
    expect(FINAL.exec(finals[0])![1]).toBe('1500');
    expect(finals[1]).toMatch(/^1000 steady state records sent/);
    const summary = out[out.length - 1];
    expect(summary).toMatch(/^kseg: \d+ batches, \d+ bytes on disk, compression ratio 0\.\d{3} \(gzip\), \d+ fsyncs \(clean shutdown \d+ ms\), \d+ segment rolls, latency p99 [\d.]+ ms$/);
    // everything else is a window line or the steady-state notice
    for (const l of out.slice(1)) if (!finals.includes(l) && l !== summary && l !== 'In steady state.') expect(l).toMatch(WINDOW);
    expect(out.filter((l) => WINDOW.test(l)).length).toBeGreaterThan(0);
  });
});

describe('kseg produce: one writer per log dir', () => {
  it('a second writer is refused with exit 2 and one line, and nothing in the dir changes', () => {
    const dir = tempDir();
    expect(kseg(['produce', dir, '--num-records', '500', '--record-size', '100', '--segment-bytes', '16KiB', '--json']).status).toBe(0);
    // a live process (this test) holds the lock
    writeFileSync(join(dir, '.lock'), `kseg pid=${process.pid} host=${hostname()}\n`);
    const before = treeSnapshot(dir);
    const r = kseg(['produce', dir, '--num-records', '500', '--record-size', '100']);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([`kseg: ${dir} is locked by another kseg writer (pid ${process.pid} on ${hostname()}); nothing was changed`]);
    expect(r.stdout).toBe('');
    expect(treeSnapshot(dir)).toEqual(before);
  });

  it('a stale lock left by a dead kseg process is taken over', () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid!;
    writeFileSync(join(dir, '.lock'), `kseg pid=${dead} host=${hostname()}\n`);
    const r = kseg(['produce', dir, '--num-records', '200', '--record-size', '50', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).records).toBe(200);
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe('');
    expect(existsSync(join(dir, '.kafka_cleanshutdown'))).toBe(true);
  });

  it('appending to a log with a torn tail is refused (run kseg recover), leaving the partition untouched', () => {
    const dir = tempDir();
    expect(kseg(['produce', dir, '--num-records', '800', '--record-size', '100', '--segment-bytes', '20KiB']).status).toBe(0);
    const part = partitionDirs(dir, 'kseg-perf')[0].dir;
    const bases = segmentBases(part);
    const last = segFile(part, bases[bases.length - 1], '.log');
    truncateSync(last, statSync(last).size - 5);
    const before = treeSnapshot(part);
    const r = kseg(['produce', dir, '--num-records', '100', '--record-size', '100', '--segment-bytes', '20KiB']);
    expect(r.status).not.toBe(0);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/run kseg recover before appending/);
    expect(treeSnapshot(part)).toEqual(before);
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(''); // released
  });
});

describe('kseg consume', () => {
  it("prints ConsumerPerformance's header and row, counting what produce wrote", async () => {
    const dir = tempDir();
    const p = kseg(['produce', dir, '--num-records', '2000', '--record-size', '200', '--key-size', '10', '--partitions', '3', '--segment-bytes', '64KiB', '--compression-type', 'lz4', '--json']);
    expect(p.status, p.stderr).toBe(0);
    const bytes = 2000 * 210;
    const [plain, noCrc, workers, json, fromOffset, fromTime, missing] = await Promise.all([
      ksegAsync(['consume', dir, '--no-progress']),
      ksegAsync(['consume', dir, '--no-check-crcs', '--no-progress', '--hide-header']),
      ksegAsync(['consume', dir, '--workers', '2', '--json']),
      ksegAsync(['consume', dir, '--json', '--topic', 'kseg-perf', '--partitions', '0,2']),
      ksegAsync(['consume', dir, '--json', '--from-offset', '100']),
      ksegAsync(['consume', dir, '--json', '--from-time', new Date(Date.now() + 3_600_000).toISOString()]),
      ksegAsync(['consume', join(dir, 'nope'), '--json']),
    ]);
    expect(plain.status, plain.stderr).toBe(0);
    const out = lines(plain.stdout);
    expect(out[0]).toBe(CONSUMER_HEADER);
    const m = CONSUMER_ROW.exec(out[1]);
    expect(m, out[1]).not.toBeNull();
    expect(m![3]).toBe((bytes / 1048576).toFixed(4));
    expect(m![5]).toBe('2000');
    expect(m![7]).toBe('0');
    expect(out[2]).toMatch(/^kseg: 2000 records in \d+ batches from 3 partitions, CRC checks on \(\d+ batches verified\)$/);

    expect(noCrc.status).toBe(0);
    const nc = lines(noCrc.stdout);
    expect(nc[0]).toMatch(CONSUMER_ROW);
    expect(CONSUMER_ROW.exec(nc[0])![5]).toBe('2000');
    expect(nc[1]).toMatch(/CRC checks off$/);

    for (const r of [workers, json, fromOffset, fromTime]) expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(workers.stdout)).toMatchObject({ records: 2000, bytes, checkCrcs: true, partitions: 3 });
    const parts = partitionDirs(dir, 'kseg-perf').map((pd) => segmentBases(pd.dir).flatMap((b) => readRecords(segFile(pd.dir, b, '.log'))));
    const j = JSON.parse(json.stdout);
    expect(j).toMatchObject({ partitions: 2, records: parts[0].length + parts[2].length, bytes: (parts[0].length + parts[2].length) * 210 });
    const after100 = parts.reduce((a, recs) => a + Math.max(0, recs.length - 100), 0);
    expect(JSON.parse(fromOffset.stdout)).toMatchObject({ records: after100, bytes: after100 * 210 });
    expect(JSON.parse(fromTime.stdout)).toMatchObject({ records: 0, bytes: 0 });
    expect(missing.status).toBe(2);
    expect(lines(missing.stderr)).toEqual([`kseg: Log dir ${join(dir, 'nope')} does not exist`]);
  });

  it('--from-time accepts epoch ms and ISO-8601 and lands on the first record at or after it', async () => {
    const dir = tempDir();
    expect(kseg(['produce', dir, '--num-records', '600', '--record-size', '20', '--throughput', '3000', '--batch-size', '400', '--segment-bytes', '4KiB']).status).toBe(0);
    const recs = segmentBases(partitionDirs(dir, 'kseg-perf')[0].dir).flatMap((b) => readRecords(segFile(partitionDirs(dir, 'kseg-perf')[0].dir, b, '.log')));
    const mid = recs[300].timestamp;
    const expected = recs.length - recs.findIndex((r) => r.timestamp >= mid);
    const [ms, iso] = await Promise.all([ksegAsync(['consume', dir, '--json', '--from-time', String(mid)]), ksegAsync(['consume', dir, '--json', '--from-time', new Date(mid).toISOString()])]);
    expect(JSON.parse(ms.stdout).records).toBe(expected);
    expect(JSON.parse(iso.stdout).records).toBe(expected);
    const bad = kseg(['consume', dir, '--from-time', 'yesterday-ish']);
    expect(bad.status).toBe(2);
    void readdirSync;
  });
});
