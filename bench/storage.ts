// Storage benchmark: the library's produce() and consume() against a real log dir, each compared
// with what the disk under it can do, measured in the same run:
//
// - raw: sequential write of the same byte size in 1 MiB writes (buffered; and with fdatasync before
//   close), and a page-cache read of it right after writing; in-process with node:fs (the ratio
//   denominator: the same syscalls kseg makes) and with coreutils dd (bs=1M, conv=fdatasync) as a
//   cross-check. See bench/lib/rawDisk.ts for the VM's cold-page effect and how it is neutralized.
// - produce (src/tools/produce.ts, in-process, workers 1): 1 KiB records uncompressed in 1 MiB
//   batches (MB/s vs raw buffered write), 100 B records in 16 KiB batches (records/s), lz4 and zstd
//   (MB/s vs the codec's own compress speed on 1 MiB chunks of the same payload: the records
//   sections of the uncompressed 1 KiB run's batches, compressed with src/format/codecs directly;
//   produce compresses them on a thread of its own, compressBehind, as it does by default here).
//   Beside the 1 KiB case, its own batches written alone the way the write-behind thread writes
//   them (writeBehindCeiling): that thread's limit, which the raw figure's page-aligned 1 MiB writes
//   do not show.
// - latency: p99 with flush.messages=1 (fsync per batch) vs never, on a small 100 B run.
// - consume (src/tools/consume.ts, CRC checks on and off): MB/s on the 1 KiB log vs raw page-cache
//   read, records/s on the 100 B log.
//
// Definitions (echoed in meta.definitions):
// - MB = 1e6 bytes. Produce/consume MB/s count value bytes (+ key bytes; there are none), as Kafka's
//   perf tools do, not the framing around them: slightly conservative against raw figures.
// - produce "steady": produce()'s own steadyState, which starts after warmupRecords (1/64 of the
//   records) and ends when the last batch is appended, so it leaves out opening the log and the
//   close-time fsync of the whole log; it is the figure compared with the buffered raw write.
//   produce()'s overall figure (open → close, fsync included) is compared with raw write+fdatasync.
// - Each timed case runs once untimed first (JIT warm-up), then `runs` times; figures are medians
//   and spreadPct = (max - min) / median of the case's main figure. The machine is noisy (±30%).

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Codec } from '../src/format/attributes.js';
import { compress } from '../src/format/codecs/compression.js';
import { crc32c, crc32cImplementation } from '../src/format/crc.js';
import { RECORDS_OFFSET } from '../src/format/recordBatch.js';
import { LogFileReader } from '../src/storage/logFileReader.js';
import { consume, type ConsumeResult } from '../src/tools/consume.js';
import { produce, type ProduceOptions, type ProduceResult } from '../src/tools/produce.js';
import { WRITE_BEHIND_BATCHES_IN_FLIGHT } from '../src/tools/producerEngine.js';
import { batchWriteRun, ddRun, haveDd, inProcessRun, warmPages, type RawDiskRun } from './lib/rawDisk.js';

export interface StorageBenchOptions {
  /** ~128 MiB instead of ~1 GiB per MB/s case, and fewer latency records. */
  quick?: boolean;
  /** Parent of the bench's temp dir (default: the OS temp dir). Raw files and log dirs all live in that temp dir, so on one filesystem. */
  dir?: string;
  /** Bytes per MB/s case (overrides quick's/default size). */
  bytes?: number;
  /** Timed runs per case (default 3). */
  runs?: number;
  /** Cross-check with dd (default: when dd is installed). */
  dd?: boolean;
  /** Write and delete a same-size scratch file before each timed write (default true; see rawDisk.ts). */
  warmPages?: boolean;
  /** Only cases whose id contains this substring (raw always runs: it is every ratio's denominator). */
  filter?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface Stat {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, percent. */
  spreadPct: number;
  runs: number[];
}

export interface ProduceFigures {
  id: string;
  config: Pick<ProduceOptions, 'recordSize' | 'batchSize' | 'compressionType' | 'lingerMs' | 'workers' | 'writeBehind' | 'compressBehind'> & { numRecords: number; warmupRecords: number; flushMessages: number | 'never' };
  records: number;
  valueBytes: number;
  bytesOnDisk: number;
  compressionRatio: number;
  batches: number;
  /** The untimed runs before the timed ones (see JIT_WARMUP_BATCHES): how many, and the batches they produced. */
  warmup: { runs: number; batches: number };
  fsyncs: number;
  segmentRolls: number;
  /** produce()'s figures: open → close, the close-time fsync included. */
  overall: { seconds: Stat; recordsPerSec: Stat; mbPerSec: Stat; cpuSeconds: Stat };
  /** produce()'s steadyState: after warmupRecords until the last append (no open, no close). */
  steady: { seconds: Stat; recordsPerSec: Stat; mbPerSec: Stat };
  /** Latency of every record (produce()'s latencyMs). */
  latencyMs: { p50: Stat; p99: Stat; p999: Stat; max: Stat };
  /** Latency of the steady-state records only (after warmupRecords: no first-append/JIT effects). */
  steadyLatencyMs: { p50: Stat; p99: Stat; p999: Stat; max: Stat };
  /** Minor page faults of the process during the run (fresh memory touched: e.g. one new Buffer per batch). */
  minorFaults: Stat;
}

export interface ConsumeFigures {
  id: string;
  checkCrcs: boolean;
  records: number;
  bytes: number;
  batches: number;
  seconds: Stat;
  recordsPerSec: Stat;
  mbPerSec: Stat;
  /** Process CPU time (user + system) of the run: well below seconds means the run waited (or was starved). */
  cpuSeconds: Stat;
}

export interface Target {
  name: string;
  case: string;
  value: number;
  target: number;
  met: boolean;
  /** What the value is a ratio to, when it is one. */
  vs?: string;
  /**
   * Set when the runs of a figure it is computed from disagree by more than NOISY_SPREAD_PCT (a run
   * met cold memory or a busy host): which figure, and its runs. `met` is then a weak verdict.
   */
  noisy?: string;
}

export interface StorageBenchResult {
  meta: Record<string, unknown>;
  raw: {
    bytes: number;
    /** The first write of the process, into pages the host may have to fault in (not a denominator). */
    coldWriteMBps: number;
    inProcess: { writeMBps: Stat; writeFdatasyncMBps: Stat; readMBps: Stat };
    dd: { writeMBps: Stat; writeFdatasyncMBps: Stat; readMBps: Stat } | { skipped: string };
    denominator: string;
  };
  produce: ProduceFigures[];
  /**
   * What the write-behind thread alone can reach in the 1 KiB case: the same bytes as raw, as that
   * case's batches (as many rotating buffers as the producer uses) written the way the thread does;
   * valueMBps counts value bytes only, as produce does; ratio = valueMBps / raw buffered write.
   */
  writeBehindCeiling: { case: string; batchBytes: number; writeMBps: Stat; valueMBps: number; ratio: number } | null;
  /**
   * compress() speed per codec on the 1 KiB payload. ceilingRatio = the best produce/codec ratio
   * one thread doing it all could reach (compressBehind off) if only the codec, the copies (in at
   * memcpy speed, out at memcpy speed), CRC-32C and the raw write of the compressed bytes cost
   * anything (limits' figures); compressorCeilingRatio = the same for the compressor thread of
   * compressBehind, which compresses and CRCs only.
   */
  codecs: { codec: string; chunkBytes: number; inputBytes: number; compressionRatio: number; mbPerSec: Stat; ceilingRatio: number; compressorCeilingRatio: number }[];
  latency: { flushMessages1: ProduceFigures; flushNever: ProduceFigures; p99Ratio: number; steadyP99Ratio: number } | null;
  consume: ConsumeFigures[];
  /** Per-byte CPU costs every produce/consume pays, and the ceilings they imply on one thread. */
  limits: Limits;
  targets: Target[];
}

export interface Limits {
  /** Buffer.copy of 1 MiB into a reused buffer (what RecordBatchBuilder.append does with values). */
  memcpyMBps: Stat;
  /**
   * Buffer.allocUnsafe(1 MiB) + copy, 256 in a row (what RecordBatchBuilder.build() does per
   * uncompressed batch). Fresh memory costs page faults, so this swings with the VM's page state;
   * inside produce the cost lands between this and memcpyMBps (see minorFaults per run).
   */
  allocCopyMBps: Stat;
  /** crc32c (src/format/crc.ts) over 1 MiB. */
  crc32cMBps: Stat;
  /**
   * 1 / (2/memcpy + 1/crc32c + 1/rawWrite): producing uncompressed records on one thread with
   * nothing else — the value copied into the builder, copied out by build() (at memcpy speed, i.e.
   * ignoring its allocation), CRC-32C, written. An upper bound: the JS per record comes on top.
   */
  produceNoneCeilingMBps: number;
  produceNoneCeilingRatio: number;
  /** 1 / (1/rawRead + 1/crc32c): consuming with CRC checks on one thread, parsing for free. */
  consumeCrcCeilingMBps: number;
  consumeCrcCeilingRatio: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const MB = 1e6;

/**
 * Batches a produce case's untimed runs make before its timed runs (at most MAX_WARMUP_RUNS runs).
 * V8 optimizes a function once it has run enough, and the per-batch path (send, append, the
 * write-behind hand-off) runs once per batch: with 1 MiB batches, a 1 GiB run makes ~1,000, and
 * --trace-opt showed 15-30 functions compiled on the main thread in each of the first three such
 * runs (28-57 ms of a ~250 ms run), and almost none (2-7 ms) from the fourth on. The timed runs
 * measure the steady state that follows, as a long-running producer sees it.
 */
const JIT_WARMUP_BATCHES = 3000;
const MAX_WARMUP_RUNS = 4;

/** Spread (max − min over median) past which a figure's runs disagree too much for its median to be trusted alone. */
const NOISY_SPREAD_PCT = 50;

/** The `noisy` of a target computed from `figures`: those whose runs disagree, or undefined. */
export function noisy(figures: Record<string, Stat>): string | undefined {
  const bad = Object.entries(figures).filter(([, f]) => f.spreadPct > NOISY_SPREAD_PCT);
  return bad.length > 0 ? bad.map(([name, f]) => `${name} runs ${f.runs.join(', ')} (spread ${f.spreadPct}%)`).join('; ') : undefined;
}

export function stat(values: number[], digits = 1): Stat {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const r = (x: number) => round(x, digits);
  return { median: r(median), min: r(s[0]), max: r(s[s.length - 1]), spreadPct: median ? round(((s[s.length - 1] - s[0]) / median) * 100, 1) : 0, runs: values.map(r) };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

interface ProduceCaseSpec {
  id: string;
  recordSize: number;
  records: number;
  batchSize?: number;
  compressionType?: ProduceOptions['compressionType'];
  flushMessages?: number;
  /** produce()'s writeBehind (default: its own, by batch size). */
  writeBehind?: boolean;
  /** Write and delete a scratch file of this many bytes before each timed run. */
  warmBytes: number;
  /** Fraction of the records produce() treats as warm-up (steadyState excludes them); default 1/64. */
  warmupFraction?: number;
}

export async function runStorageBench(opts: StorageBenchOptions = {}): Promise<StorageBenchResult> {
  const quick = opts.quick ?? false;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const bytes = opts.bytes ?? (quick ? 128 * MiB : 1024 * MiB);
  const runs = opts.runs ?? 3;
  const warm = opts.warmPages ?? true;
  const useDd = (opts.dd ?? true) && haveDd();
  const filter = opts.filter;
  const want = (id: string) => !filter || id.includes(filter);
  const root = mkdtempSync(join(opts.dir ?? os.tmpdir(), 'kseg-storage-bench-'));
  const t0 = performance.now();
  const loadavgStart = os.loadavg().map((x) => round(x, 2));
  try {
    // ---- raw disk ----------------------------------------------------------------------------
    const coldWriteMBps = warmPages(root, bytes);
    log(`raw: cold first write ${coldWriteMBps.toFixed(0)} MB/s (pages faulted in from the host)`);
    inProcessRun(root, bytes, warm); // warm-up
    const ip: RawDiskRun[] = [];
    const dd: RawDiskRun[] = [];
    for (let r = 0; r < runs; r++) {
      ip.push(inProcessRun(root, bytes, warm));
      if (useDd) dd.push(ddRun(root, bytes, warm));
      log(`raw run ${r + 1}: node write ${ip[r].writeMBps.toFixed(0)} MB/s, +fdatasync ${ip[r].writeFdatasyncMBps.toFixed(0)}, read ${ip[r].readMBps.toFixed(0)}` + (useDd ? ` | dd write ${dd[r].writeMBps.toFixed(0)}, +fdatasync ${dd[r].writeFdatasyncMBps.toFixed(0)}, read ${dd[r].readMBps.toFixed(0)}` : ''));
    }
    const figs = (rs: RawDiskRun[]) => ({ writeMBps: stat(rs.map((x) => x.writeMBps), 0), writeFdatasyncMBps: stat(rs.map((x) => x.writeFdatasyncMBps), 0), readMBps: stat(rs.map((x) => x.readMBps), 0) });
    const raw: StorageBenchResult['raw'] = {
      bytes,
      coldWriteMBps: round(coldWriteMBps, 0),
      inProcess: figs(ip),
      dd: useDd ? figs(dd) : { skipped: 'dd not available or disabled' },
      denominator: 'inProcess medians (node:fs writeSync/readSync in 1 MiB blocks, the syscalls kseg itself makes); dd is reported as a cross-check only',
    };
    const rawWrite = raw.inProcess.writeMBps.median;
    const rawWriteSync = raw.inProcess.writeFdatasyncMBps.median;
    const rawRead = raw.inProcess.readMBps.median;
    const limits = cpuLimits(runs, rawWrite, rawRead);
    log(`limits: memcpy ${limits.memcpyMBps.median} MB/s, alloc+copy ${limits.allocCopyMBps.median}, crc32c (${crc32cImplementation}) ${limits.crc32cMBps.median}; ceilings: produce none ${limits.produceNoneCeilingMBps} MB/s (${limits.produceNoneCeilingRatio} of raw write), consume+CRC ${limits.consumeCrcCeilingMBps} MB/s (${limits.consumeCrcCeilingRatio} of raw read)`);

    // ---- produce -----------------------------------------------------------------------------
    let seq = 0;
    const newLogDir = () => {
      const d = join(root, `log-${seq++}`);
      mkdirSync(d);
      return d;
    };
    const produceOnce = (spec: ProduceCaseSpec, logDir: string, records = spec.records, beforeStart?: () => void): Promise<ProduceResult> =>
      produce(
        {
          logDir,
          numRecords: records,
          recordSize: spec.recordSize,
          batchSize: spec.batchSize,
          compressionType: spec.compressionType ?? 'none',
          flushMessages: spec.flushMessages,
          writeBehind: spec.writeBehind,
          warmupRecords: Math.max(1, Math.ceil(records * (spec.warmupFraction ?? 1 / 64))),
          workers: 1,
        },
        undefined,
        { beforeStart },
      );

    /**
     * Untimed warm-up runs (a quarter-size one, then full-size ones until JIT_WARMUP_BATCHES), then
     * `runs` timed runs; keeps the last run's log dir when asked.
     */
    const produceCase = async (spec: ProduceCaseSpec, keepLog: boolean): Promise<{ figures: ProduceFigures; logDir: string | null }> => {
      const warmup = { runs: 0, batches: 0 };
      while (warmup.runs === 0 || (warmup.batches < JIT_WARMUP_BATCHES && warmup.runs < MAX_WARMUP_RUNS)) {
        const wdir = newLogDir();
        const res = await produceOnce(spec, wdir, warmup.runs === 0 ? Math.max(1000, Math.ceil(spec.records / 4)) : spec.records);
        rmSync(wdir, { recursive: true, force: true });
        warmup.runs++;
        warmup.batches += res.batches;
      }
      log(`${spec.id}: warm-up ${warmup.runs} untimed runs, ${warmup.batches} batches`);
      const results: ProduceResult[] = [];
      const cpu: number[] = [];
      const faults: number[] = [];
      let kept: string | null = null;
      for (let r = 0; r < runs; r++) {
        const d = newLogDir();
        const c0 = process.cpuUsage();
        const f0 = process.resourceUsage().minorPageFault;
        // Pages warmed once produce is set up (its writer thread started), right before its first
        // record, as right before each raw write: 100 ms later, 2 in 6 runs already met cold pages.
        const res = await produceOnce(spec, d, spec.records, warm && spec.warmBytes > 0 ? () => warmPages(root, spec.warmBytes) : undefined);
        faults.push(process.resourceUsage().minorPageFault - f0);
        const cu = process.cpuUsage(c0);
        cpu.push((cu.user + cu.system) / 1e6);
        results.push(res);
        const s = res.steadyState!;
        log(`${spec.id} run ${r + 1}: steady ${(s.recordsPerSec / 1e6).toFixed(2)}M rec/s ${(s.mbPerSec * (MiB / MB)).toFixed(0)} MB/s, overall ${(res.recordsPerSec / 1e6).toFixed(2)}M rec/s ${((res.bytes / res.seconds) / MB).toFixed(0)} MB/s, p99 ${res.latencyMs.p99.toFixed(3)} ms (steady ${s.latencyMs.p99.toFixed(3)}), ${res.fsyncs} fsyncs, ${faults[r]} minor faults`);
        if (keepLog && r === runs - 1) kept = d;
        else rmSync(d, { recursive: true, force: true });
      }
      const last = results[results.length - 1];
      const steadyMBps = (x: ProduceResult) => x.steadyState!.mbPerSec * (MiB / MB);
      const figures: ProduceFigures = {
        id: spec.id,
        config: {
          recordSize: spec.recordSize,
          batchSize: last.config.batchSize,
          compressionType: last.config.compressionType,
          lingerMs: last.config.lingerMs,
          workers: 1,
          writeBehind: last.config.writeBehind,
          compressBehind: last.config.compressBehind,
          numRecords: spec.records,
          warmupRecords: last.config.warmupRecords,
          flushMessages: spec.flushMessages ?? 'never',
        },
        records: last.records,
        valueBytes: last.bytes,
        bytesOnDisk: last.bytesOnDisk,
        compressionRatio: round(last.compressionRatio, 3),
        batches: last.batches,
        warmup,
        fsyncs: last.fsyncs,
        segmentRolls: last.segmentRolls,
        overall: {
          seconds: stat(results.map((x) => x.seconds), 3),
          recordsPerSec: stat(results.map((x) => x.recordsPerSec), 0),
          mbPerSec: stat(results.map((x) => x.bytes / MB / x.seconds), 1),
          cpuSeconds: stat(cpu, 3),
        },
        steady: {
          seconds: stat(results.map((x) => x.steadyState!.seconds), 3),
          recordsPerSec: stat(results.map((x) => x.steadyState!.recordsPerSec), 0),
          mbPerSec: stat(results.map(steadyMBps), 1),
        },
        latencyMs: {
          p50: stat(results.map((x) => x.latencyMs.p50), 3),
          p99: stat(results.map((x) => x.latencyMs.p99), 3),
          p999: stat(results.map((x) => x.latencyMs.p999), 3),
          max: stat(results.map((x) => x.latencyMs.max), 3),
        },
        steadyLatencyMs: {
          p50: stat(results.map((x) => x.steadyState!.latencyMs.p50), 3),
          p99: stat(results.map((x) => x.steadyState!.latencyMs.p99), 3),
          p999: stat(results.map((x) => x.steadyState!.latencyMs.p999), 3),
          max: stat(results.map((x) => x.steadyState!.latencyMs.max), 3),
        },
        minorFaults: stat(faults, 0),
      };
      return { figures, logDir: kept };
    };

    const produceFigures: ProduceFigures[] = [];
    const targets: Target[] = [];
    const recs1k = Math.max(1, Math.floor(bytes / KiB));
    const recs100 = Math.max(1, Math.floor(bytes / 100));
    const spec1k: ProduceCaseSpec = { id: 'produce/none/1KiB/1MiB', recordSize: KiB, records: recs1k, batchSize: MiB, warmBytes: recs1k * (KiB + 12) };
    const spec100: ProduceCaseSpec = { id: 'produce/none/100B/16KiB', recordSize: 100, records: recs100, warmBytes: recs100 * (100 + 12) };

    /** A log of `spec` for the consume/codec cases: the timed case's last run, or one untimed run. */
    const logs = new Map<string, string>();
    const logFor = async (spec: ProduceCaseSpec): Promise<string> => {
      let d = logs.get(spec.id);
      if (!d) {
        d = newLogDir();
        await produceOnce(spec, d);
        logs.set(spec.id, d);
      }
      return d;
    };
    const dropLog = (spec: ProduceCaseSpec) => {
      const d = logs.get(spec.id);
      if (d) rmSync(d, { recursive: true, force: true });
      logs.delete(spec.id);
    };

    let writeBehindCeiling: StorageBenchResult['writeBehindCeiling'] = null;
    const needs1k = ['consume/1KiB', 'codec/', 'produce/lz4', 'produce/zstd'].some(want);
    if (want(spec1k.id)) {
      const { figures, logDir } = await produceCase(spec1k, needs1k);
      produceFigures.push(figures);
      if (logDir) logs.set(spec1k.id, logDir);
      const ratio = round(figures.steady.mbPerSec.median / rawWrite, 3);
      targets.push({ name: 'produce MB/s (1 KiB, none, 1 MiB batches, steady) / raw buffered write', case: spec1k.id, value: ratio, target: 0.8, met: ratio >= 0.8, vs: `raw.inProcess.writeMBps ${rawWrite}`, noisy: noisy({ 'produce MB/s': figures.steady.mbPerSec, 'raw write MB/s': raw.inProcess.writeMBps }) });
      const batchBytes = Math.round(figures.bytesOnDisk / figures.batches);
      // As many buffers as the producer rotates: those in the writer's hands and the one being built.
      const bw = stat(Array.from({ length: runs }, () => batchWriteRun(root, bytes, batchBytes, WRITE_BEHIND_BATCHES_IN_FLIGHT + 1, warm)), 0);
      const valueMBps = round((bw.median * figures.valueBytes) / figures.bytesOnDisk, 0);
      writeBehindCeiling = { case: spec1k.id, batchBytes, writeMBps: bw, valueMBps, ratio: round(valueMBps / rawWrite, 3) };
      log(`${spec1k.id}: its ${batchBytes} B batches written alone (the write-behind thread's ceiling) ${bw.median} MB/s, ${valueMBps} MB/s of values = ${writeBehindCeiling.ratio} of raw write`);
      targets.push({ name: "(info) ceiling of the write-behind thread: this case's batches written alone as that thread writes them, value MB/s / raw buffered write", case: spec1k.id, value: writeBehindCeiling.ratio, target: 0, met: true, vs: `raw.inProcess.writeMBps ${rawWrite}` });
      const ratioSync = round(figures.overall.mbPerSec.median / rawWriteSync, 3);
      targets.push({ name: '(info) produce MB/s overall incl. close-time fsync / raw write+fdatasync', case: spec1k.id, value: ratioSync, target: 0, met: true, vs: `raw.inProcess.writeFdatasyncMBps ${rawWriteSync}` });
    }
    // The same without the write-behind thread: each batch written by the thread that built it.
    const spec1kInline: ProduceCaseSpec = { ...spec1k, id: 'produce/none/1KiB/1MiB/no-write-behind', writeBehind: false };
    if (want(spec1kInline.id)) {
      const { figures } = await produceCase(spec1kInline, false);
      produceFigures.push(figures);
      const ratio = round(figures.steady.mbPerSec.median / rawWrite, 3);
      targets.push({ name: '(info) produce MB/s (1 KiB, none, 1 MiB batches, steady, --no-write-behind) / raw buffered write', case: spec1kInline.id, value: ratio, target: 0, met: true, vs: `raw.inProcess.writeMBps ${rawWrite}` });
    }

    // ---- codec speed on the same payload (records sections of the 1 KiB log's batches) --------
    const codecs: StorageBenchResult['codecs'] = [];
    const codecSpeed = async (codec: Codec, name: string): Promise<StorageBenchResult['codecs'][number]> => {
      const dir = await logFor(spec1k);
      const chunks: Buffer[] = [];
      let input = 0;
      const cap = Math.min(bytes, 256 * MiB);
      const part = readdirSync(dir).find((f) => f.startsWith('kseg-perf-'))!;
      for (const f of readdirSync(join(dir, part)).filter((f) => f.endsWith('.log')).sort()) {
        for (const b of new LogFileReader(join(dir, part, f))) {
          if (input >= cap) break;
          const rec = Buffer.from(b.bytes().subarray(RECORDS_OFFSET)); // copy: the reader's buffer is reused
          chunks.push(rec);
          input += rec.length;
        }
      }
      const pass = () => {
        let out = 0;
        for (const c of chunks) out += compress(codec, c, { magic: 2 }).length;
        return out;
      };
      const outBytes = pass(); // warm-up
      const speeds: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t = performance.now();
        pass();
        speeds.push(input / MB / ((performance.now() - t) / 1000));
      }
      const mbps = stat(speeds, 1);
      const ratio = outBytes / input;
      // seconds per MB of input: compress, copy in, copy the compressed bytes out, CRC and write them
      const perMB = 1 / mbps.median + 1 / limits.memcpyMBps.median + ratio / limits.memcpyMBps.median + ratio / limits.crc32cMBps.median + ratio / rawWrite;
      const compressorPerMB = 1 / mbps.median + ratio / limits.crc32cMBps.median;
      const res = {
        codec: name,
        chunkBytes: Math.round(input / chunks.length),
        inputBytes: input,
        compressionRatio: round(ratio, 3),
        mbPerSec: mbps,
        ceilingRatio: round(1 / mbps.median / perMB, 3),
        compressorCeilingRatio: round(1 / mbps.median / compressorPerMB, 3),
      };
      log(`codec/${name}: compress ${res.mbPerSec.median} MB/s on ${chunks.length} chunks of ~${(res.chunkBytes / MiB).toFixed(2)} MiB (ratio ${res.compressionRatio}); produce/codec ceiling ${res.ceilingRatio} on one thread, ${res.compressorCeilingRatio} compressing behind`);
      return res;
    };
    for (const [codec, name] of [
      [Codec.Lz4, 'lz4'],
      [Codec.Zstd, 'zstd'],
    ] as const) {
      const pid = `produce/${name}/1KiB/1MiB`;
      if (!want(pid) && !want(`codec/${name}`)) continue;
      const c = await codecSpeed(codec, name);
      codecs.push(c);
      if (!want(pid)) continue;
      // Pages warmed for what the run writes: the compressed log, not the uncompressed size (the
      // surplus pages, freed and not reused, go back to the host during the run and slow it).
      const warmBytes = Math.ceil(recs1k * (KiB + 12) * c.compressionRatio * 1.02);
      const { figures } = await produceCase({ id: pid, recordSize: KiB, records: recs1k, batchSize: MiB, compressionType: name, warmBytes }, false);
      produceFigures.push(figures);
      const ratio = round(figures.steady.mbPerSec.median / c.mbPerSec.median, 3);
      targets.push({ name: `produce MB/s (${name}, 1 KiB, 1 MiB batches, steady) / ${name} compress MB/s on the same payload`, case: pid, value: ratio, target: 0.8, met: ratio >= 0.8, vs: `codecs.${name}.mbPerSec ${c.mbPerSec.median}`, noisy: noisy({ 'produce MB/s': figures.steady.mbPerSec, [`${name} compress MB/s`]: c.mbPerSec }) });
    }

    // ---- consume 1 KiB ------------------------------------------------------------------------
    const consumeFigures: ConsumeFigures[] = [];
    const consumeCase = async (id: string, logDir: string): Promise<ConsumeFigures[]> => {
      await consume({ logDir, checkCrcs: true }); // warm-up (and the log is in the page cache)
      const res: Record<'on' | 'off', ConsumeResult[]> = { on: [], off: [] };
      const cpu: Record<'on' | 'off', number[]> = { on: [], off: [] };
      for (let r = 0; r < runs; r++) {
        for (const crc of [true, false]) {
          const c0 = process.cpuUsage();
          const c = await consume({ logDir, checkCrcs: crc });
          const cu = process.cpuUsage(c0);
          cpu[crc ? 'on' : 'off'].push((cu.user + cu.system) / 1e6);
          res[crc ? 'on' : 'off'].push(c);
          log(`${id}/${crc ? 'crc' : 'nocrc'} run ${r + 1}: ${(c.recordsPerSec / 1e6).toFixed(2)}M rec/s ${(c.bytes / MB / c.seconds).toFixed(0)} MB/s`);
        }
      }
      return (['on', 'off'] as const).map((k) => {
        const rs = res[k];
        return {
          id: `${id}/${k === 'on' ? 'crc' : 'nocrc'}`,
          checkCrcs: k === 'on',
          records: rs[0].records,
          bytes: rs[0].bytes,
          batches: rs[0].batches,
          seconds: stat(rs.map((x) => x.seconds), 3),
          recordsPerSec: stat(rs.map((x) => x.recordsPerSec), 0),
          mbPerSec: stat(rs.map((x) => x.bytes / MB / x.seconds), 1),
          cpuSeconds: stat(cpu[k], 3),
        };
      });
    };
    if (want('consume/1KiB')) {
      const cs = await consumeCase('consume/1KiB', await logFor(spec1k));
      consumeFigures.push(...cs);
      for (const c of cs) {
        const ratio = round(c.mbPerSec.median / rawRead, 3);
        targets.push({ name: `consume MB/s (1 KiB, ${c.checkCrcs ? 'CRC checks on' : 'CRC checks off'}) / raw page-cache read`, case: c.id, value: ratio, target: c.checkCrcs ? 0.35 : 0, met: !c.checkCrcs || ratio >= 0.35, vs: `raw.inProcess.readMBps ${rawRead}`, noisy: noisy({ 'consume MB/s': c.mbPerSec, 'raw read MB/s': raw.inProcess.readMBps }) });
      }
    }
    dropLog(spec1k);

    // ---- produce / consume 100 B --------------------------------------------------------------
    if (want(spec100.id)) {
      const { figures, logDir } = await produceCase(spec100, want('consume/100B'));
      produceFigures.push(figures);
      if (logDir) logs.set(spec100.id, logDir);
      const v = figures.steady.recordsPerSec.median;
      targets.push({ name: 'produce records/s (100 B, none, 16 KiB batches, steady)', case: spec100.id, value: v, target: 5e6, met: v >= 5e6, noisy: noisy({ 'produce records/s': figures.steady.recordsPerSec }) });
    }
    if (want('consume/100B')) {
      const cs = await consumeCase('consume/100B', await logFor(spec100));
      consumeFigures.push(...cs);
      for (const c of cs) {
        targets.push({ name: `consume records/s (100 B, ${c.checkCrcs ? 'CRC checks on' : 'CRC checks off'})`, case: c.id, value: c.recordsPerSec.median, target: c.checkCrcs ? 10e6 : 0, met: !c.checkCrcs || c.recordsPerSec.median >= 10e6, noisy: noisy({ 'consume records/s': c.recordsPerSec }) });
      }
    }
    dropLog(spec100);

    // ---- latency: fsync per batch vs never ----------------------------------------------------
    let latency: StorageBenchResult['latency'] = null;
    if (want('latency')) {
      const n = quick ? 5000 : 20000;
      const base = { recordSize: 100, records: n, warmBytes: 0, warmupFraction: 1 / 8 };
      const flush1 = (await produceCase({ ...base, id: 'latency/100B/16KiB/flush.messages=1', flushMessages: 1 }, false)).figures;
      const never = (await produceCase({ ...base, id: 'latency/100B/16KiB/flush.messages=never' }, false)).figures;
      latency = {
        flushMessages1: flush1,
        flushNever: never,
        p99Ratio: round(flush1.latencyMs.p99.median / Math.max(never.latencyMs.p99.median, 0.001), 1),
        steadyP99Ratio: round(flush1.steadyLatencyMs.p99.median / Math.max(never.steadyLatencyMs.p99.median, 0.001), 1),
      };
      targets.push({ name: '(info) p99 latency ms, flush.messages=1 (fsync per batch), all records', case: flush1.id, value: flush1.latencyMs.p99.median, target: 0, met: true });
      targets.push({ name: '(info) p99 latency ms, flush.messages=never, all records', case: never.id, value: never.latencyMs.p99.median, target: 0, met: true });
      targets.push({ name: '(info) p99 latency ms, flush.messages=1, steady state (after the first 1/8 of records)', case: flush1.id, value: flush1.steadyLatencyMs.p99.median, target: 0, met: true });
      targets.push({ name: '(info) p99 latency ms, flush.messages=never, steady state (after the first 1/8 of records)', case: never.id, value: never.steadyLatencyMs.p99.median, target: 0, met: true });
    }

    for (const t of targets) if (t.noisy) log(`noisy (runs disagree, so "${t.met ? 'met' : 'missed'}" is a weak verdict): ${t.name}: ${t.noisy}`);

    const cpus = os.cpus();
    return {
      meta: {
        bench: 'storage',
        quick,
        bytesPerCase: bytes,
        runs,
        dir: root,
        filesystemNote: 'raw files and log dirs share one temp dir, so one filesystem',
        node: process.version,
        v8: process.versions.v8,
        /** Node flags (`npm run bench`: --no-concurrent-recompilation, as the kseg launcher). */
        nodeFlags: process.execArgv,
        cpu: cpus[0]?.model ?? 'unknown',
        cpus: cpus.length,
        totalMemGiB: round(os.totalmem() / 1024 ** 3, 1),
        crc32c: crc32cImplementation,
        /** 1/5/15-minute load averages at the start and end: other work on this 2-core VM skews the figures. */
        loadavgStart,
        loadavgEnd: os.loadavg().map((x) => round(x, 2)),
        date: new Date().toISOString(),
        benchSeconds: round((performance.now() - t0) / 1000, 1),
        warmPages: warm,
        definitions: {
          MB: '1e6 bytes',
          produceMbPerSec: 'value bytes / s (Kafka perf-tool style; record and batch framing not counted)',
          steady: "produce()'s steadyState: from warmupRecords (records/64; latency cases records/8) to the last append; excludes log open and the close-time fsync",
          latency: 'record creation -> its batch appended (fsynced with flush.messages=1), per record, µs resolution; latencyMs = all records, steadyLatencyMs = after warmupRecords (the first batches of a fresh log pay file creation and first-touch costs)',
          minorFaults: 'process.resourceUsage().minorPageFault delta over the run',
          overall: "produce()'s own seconds: open → close, including the final fsync of the log",
          consumeMbPerSec: 'key + value bytes / s (ConsumerPerformance style)',
          rawDenominator: 'in-process node:fs figures (1 MiB writeSync/readSync); dd only cross-checks them',
          codecMbPerSec: 'uncompressed input bytes / s of compress() from src/format/codecs on each batch records section (~1 MiB) of the uncompressed 1 KiB log',
          noisy: `on a target: a figure it is computed from has runs whose spreadPct exceeds ${NOISY_SPREAD_PCT} (a run met memory the host had taken back, or a busy host); its median may stand for neither state`,
          stat: 'median of the timed runs; spreadPct = (max - min) / median. Raw and consume: after one untimed run. Produce cases: after untimed runs (warmup) of a quarter size, then full size until 3000 batches, 4 runs at most, so that V8 has compiled the per-batch path',
          limits: 'memcpy / alloc+copy / crc32c over 1 MiB; the ceilings add their per-byte times to the raw write (produce: value copied into the builder, copied out by build() at memcpy speed, CRC-32C, written) or raw read (consume: read, CRC-32C) — what one thread cannot beat whatever the JS around it costs',
          writeBehindCeiling: "the 1 KiB case's bytes written alone as its batches (rotating buffers, as many as the producer's), the way its write-behind thread writes them (each write carried on to the next 256 KiB boundary of the file with bytes of the next batch); the best that thread can do, against raw's page-aligned 1 MiB writes",
          cpuSeconds: 'process.cpuUsage() user + system over the run; far below wall seconds = waiting on I/O or starved by other load',
          warmPages: 'right before each timed write (for produce: once it is set up, before its first record) a scratch file of the size it will write (the compressed size for lz4/zstd) is written and deleted, so pages are host-backed (this VM hands freed memory back to the host soon after it is freed)',
        },
      },
      raw,
      produce: produceFigures,
      writeBehindCeiling,
      codecs,
      latency,
      consume: consumeFigures,
      limits,
      targets,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** memcpy, alloc+copy and CRC-32C speed over 1 MiB (256 MiB per run), and the one-thread ceilings they imply. */
function cpuLimits(runs: number, rawWrite: number, rawRead: number): Limits {
  const src = Buffer.allocUnsafe(MiB);
  for (let i = 0; i < MiB; i++) src[i] = (i * 2654435761) >>> 24;
  const dst = Buffer.allocUnsafe(MiB);
  const reps = 256;
  let sink = 0;
  const time = (f: () => void): number => {
    f(); // warm-up
    const t = performance.now();
    for (let i = 0; i < reps; i++) f();
    return (reps * MiB) / MB / ((performance.now() - t) / 1000);
  };
  const memcpy: number[] = [];
  const allocCopy: number[] = [];
  const crc: number[] = [];
  for (let r = 0; r < runs; r++) {
    memcpy.push(time(() => void src.copy(dst)));
    allocCopy.push(
      time(() => {
        const b = Buffer.allocUnsafe(MiB);
        src.copy(b);
        sink ^= b[MiB - 1];
      }),
    );
    crc.push(time(() => void (sink ^= crc32c(src))));
  }
  if (sink === 0.5) throw new Error('unreachable');
  const m = stat(memcpy, 0);
  const a = stat(allocCopy, 0);
  const c = stat(crc, 0);
  const produceCeil = 1 / (2 / m.median + 1 / c.median + 1 / rawWrite);
  const consumeCeil = 1 / (1 / rawRead + 1 / c.median);
  return {
    memcpyMBps: m,
    allocCopyMBps: a,
    crc32cMBps: c,
    produceNoneCeilingMBps: round(produceCeil, 0),
    produceNoneCeilingRatio: round(produceCeil / rawWrite, 3),
    consumeCrcCeilingMBps: round(consumeCeil, 0),
    consumeCrcCeilingRatio: round(consumeCeil / rawRead, 3),
  };
}

/** `node dist/bench/storage.js [--quick] [--dir D] [--bytes N] [--runs N] [--filter S] [--no-dd] [--no-warm-pages]` */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const val = (f: string) => {
    const i = args.indexOf(f);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const storage = await runStorageBench({
    quick: args.includes('--quick'),
    dir: val('--dir'),
    bytes: val('--bytes') !== undefined ? Number(val('--bytes')) : undefined,
    runs: val('--runs') !== undefined ? Number(val('--runs')) : undefined,
    filter: val('--filter'),
    dd: !args.includes('--no-dd'),
    warmPages: !args.includes('--no-warm-pages'),
  });
  process.stdout.write(`${JSON.stringify({ storage }, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
