// Shared by the bench tests: the built CLI (npm test compiles first) and synthetic reports, so the
// maths and the gate are tested without a real benchmark.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchCellResult, BenchReport } from '../../src/tools/bench.js';
import { cellId, type BenchCell } from '../../src/tools/benchMatrix.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function kseg(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const started = Date.now();
  const r = spawnSync(`${ROOT}/bin/kseg.js`, args, { encoding: 'utf8', cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

export const CELL: BenchCell = { compression: 'none', batchSize: 16384, recordSize: 1024, flushMessages: null, partitions: 1, lingerMs: 5 };

/** A result cell with the given medians; everything else plausible. */
export function syntheticCell(over: Partial<BenchCell> & { id?: string; produceRecs?: number; consumeRecs?: number } = {}): BenchCellResult {
  const { id, produceRecs = 100_000, consumeRecs = 400_000, ...knobs } = over;
  const config = { ...CELL, ...knobs };
  const mb = (recs: number) => (recs * config.recordSize) / (1024 * 1024);
  return {
    id: id ?? cellId(config),
    config,
    records: 1024,
    repeats: 3,
    produce: {
      recordsPerSec: produceRecs,
      mbPerSec: mb(produceRecs),
      latencyMs: { avg: 0.1, max: 4, p50: 0.05, p95: 0.2, p99: 1, p999: 3 },
      compressionRatio: 1,
      bytesOnDisk: 1_100_000,
      fsyncs: 0,
      samples: [produceRecs, produceRecs, produceRecs],
    },
    consume: { recordsPerSec: consumeRecs, mbPerSec: mb(consumeRecs), samples: [consumeRecs, consumeRecs, consumeRecs] },
    ratios: { produceVsDiskWrite: 0.1, consumeVsPageCacheRead: 0.05, produceVsCodec: null },
  };
}

export function syntheticReport(results: BenchCellResult[]): BenchReport {
  return {
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    machine: { cpus: 2, cpuModel: 'test', memoryBytes: 1 << 30, node: 'v20.0.0', platform: 'linux-x64' },
    options: { bytesPerCell: 1 << 20, repeat: 3, compressibility: 0.5, seed: 0 },
    baseline: { disk: { dir: '/tmp', bytes: 64 << 20, writeMBps: 2000, writeFdatasyncMBps: 200, pageCacheReadMBps: 10_000 }, codecs: [] },
    results,
  };
}
