// kseg bench: runs produce then consume over a matrix of knobs against a temp log dir on the disk
// under test, beside that disk's own limits measured in the same run, and reports each cell
// absolute and as a ratio to its limit. Medians over --repeat runs feed the regression gate.

import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KsegError } from '../format/errors.js';
import { type BenchCell, cellId, cells, type BenchMatrix } from './benchMatrix.js';
import { consume } from './consume.js';
import { measureCodecs, measureDisk, type CodecBaseline, type DiskBaseline } from './diskBaseline.js';
import type { LatencySummaryMs } from './latency.js';
import { produce } from './produce.js';

export const BENCH_SCHEMA_VERSION = 1;

export interface BenchOptions {
  matrix: BenchMatrix;
  /** Bytes of payload produced per cell (records = bytes / record size). */
  bytesPerCell: number;
  repeat: number;
  /** Parent dir of the temp log dirs (the disk under test). */
  dir?: string;
  compressibility: number;
  seed: number;
  /** Called as cells progress (for the live display). */
  onProgress?: (e: BenchProgress) => void;
}

export interface BenchProgress {
  phase: 'baseline' | 'produce' | 'consume';
  cell?: BenchCell;
  index: number;
  total: number;
  recordsPerSec?: number;
}

export interface BenchCellResult {
  id: string;
  config: BenchCell;
  records: number;
  repeats: number;
  produce: {
    recordsPerSec: number;
    mbPerSec: number;
    latencyMs: LatencySummaryMs;
    compressionRatio: number;
    bytesOnDisk: number;
    fsyncs: number;
    /** Every repeat's records/s (the median is reported above). */
    samples: number[];
  };
  consume: { recordsPerSec: number; mbPerSec: number; samples: number[] };
  ratios: {
    /** Produce MB/s of value bytes over raw buffered (or fdatasync'd, with a flush policy) write MB/s. */
    produceVsDiskWrite: number;
    /** Consume MB/s over raw page-cache read MB/s. */
    consumeVsPageCacheRead: number;
    /** Produce MB/s over the codec library's own compress MB/s on the same payload (compressed cells). */
    produceVsCodec: number | null;
  };
}

export interface BenchReport {
  version: number;
  createdAt: string;
  machine: { cpus: number; cpuModel: string; memoryBytes: number; node: string; platform: string };
  options: { bytesPerCell: number; repeat: number; compressibility: number; seed: number };
  baseline: { disk: DiskBaseline; codecs: CodecBaseline[] };
  results: BenchCellResult[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function ratioOrNull(a: number, b: number | undefined): number | null {
  return b && b > 0 ? a / b : null;
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const parent = o.dir ?? tmpdir();
  if (!existsSync(parent)) mkdirSync(parent, { recursive: true });
  const list = cells(o.matrix);
  if (list.length === 0) throw new KsegError('the bench matrix is empty');
  if (!Number.isInteger(o.repeat) || o.repeat < 1) throw new KsegError(`--repeat must be at least 1 (got ${o.repeat})`);
  if (list.some((c) => !(c.recordSize >= 1))) throw new KsegError('the bench record size must be at least 1 byte');
  const maxBatch = Math.max(...o.matrix.batchSize);
  o.onProgress?.({ phase: 'baseline', index: 0, total: list.length });
  const disk = measureDisk(parent, Math.max(o.bytesPerCell, 64 * 1024 * 1024));
  const codecs = measureCodecs(o.matrix.compression, Math.min(o.bytesPerCell, 64 * 1024 * 1024), Math.min(maxBatch, 1024 * 1024), o.compressibility, o.seed);
  // Warm-up: JIT-compile every codec's produce and consume path once, so the first cells measured
  // are not penalised against later ones (and medians compare like with like across runs).
  for (const codec of new Set(list.map((c) => c.compression))) {
    const logDir = mkdtempSync(join(parent, 'kseg-bench-warmup-'));
    try {
      await produce({ logDir, numRecords: 20_000, recordSize: list[0].recordSize, compressionType: codec, batchSize: list[0].batchSize, compressibility: o.compressibility, seed: o.seed, reportingIntervalMs: 3_600_000 });
      await consume({ logDir, reportingIntervalMs: 3_600_000 });
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  }
  const results: BenchCellResult[] = [];
  for (let i = 0; i < list.length; i++) {
    const cell = list[i];
    const numRecords = Math.max(1000, Math.floor(o.bytesPerCell / cell.recordSize));
    const prod: Awaited<ReturnType<typeof produce>>[] = [];
    const cons: Awaited<ReturnType<typeof consume>>[] = [];
    for (let r = 0; r < o.repeat; r++) {
      const logDir = mkdtempSync(join(parent, 'kseg-bench-'));
      try {
        o.onProgress?.({ phase: 'produce', cell, index: i, total: list.length });
        const p = await produce({
          logDir,
          numRecords,
          recordSize: cell.recordSize,
          compressibility: o.compressibility,
          seed: o.seed,
          batchSize: cell.batchSize,
          lingerMs: cell.lingerMs,
          compressionType: cell.compression,
          flushMessages: cell.flushMessages ?? undefined,
          partitions: cell.partitions,
          workers: Math.min(cell.partitions, Math.max(1, cpus().length)),
          reportingIntervalMs: 3_600_000,
        });
        prod.push(p);
        o.onProgress?.({ phase: 'consume', cell, index: i, total: list.length, recordsPerSec: p.recordsPerSec });
        cons.push(await consume({ logDir, workers: Math.min(cell.partitions, Math.max(1, cpus().length)), reportingIntervalMs: 3_600_000 }));
      } finally {
        rmSync(logDir, { recursive: true, force: true });
      }
    }
    // The repeat with the median produce rate stands for the cell (its latencies and ratio).
    const pRates = prod.map((p) => p.recordsPerSec);
    const mid = prod[pRates.indexOf([...pRates].sort((a, b) => a - b)[(pRates.length - 1) >> 1])];
    const produceMBps = median(prod.map((p) => p.mbPerSec));
    const consumeMBps = median(cons.map((c) => c.mbPerSec));
    const codec = codecs.find((c) => c.codec === cell.compression);
    results.push({
      id: cellId(cell),
      config: cell,
      records: numRecords,
      repeats: o.repeat,
      produce: {
        recordsPerSec: median(pRates),
        mbPerSec: produceMBps,
        latencyMs: mid.latencyMs,
        compressionRatio: mid.compressionRatio,
        bytesOnDisk: mid.bytesOnDisk,
        fsyncs: mid.fsyncs,
        samples: pRates,
      },
      consume: { recordsPerSec: median(cons.map((c) => c.recordsPerSec)), mbPerSec: consumeMBps, samples: cons.map((c) => c.recordsPerSec) },
      ratios: {
        produceVsDiskWrite: produceMBps / (cell.flushMessages !== null ? disk.writeFdatasyncMBps : disk.writeMBps),
        consumeVsPageCacheRead: consumeMBps / disk.pageCacheReadMBps,
        produceVsCodec: ratioOrNull(produceMBps, codec?.compressMBps),
      },
    });
  }
  return {
    version: BENCH_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryBytes: totalmem(), node: process.version, platform: `${process.platform}-${process.arch}` },
    options: { bytesPerCell: o.bytesPerCell, repeat: o.repeat, compressibility: o.compressibility, seed: o.seed },
    baseline: { disk, codecs },
    results,
  };
}
