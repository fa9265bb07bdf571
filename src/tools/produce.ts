// kseg produce: runs producer engines (in-process, or one per worker thread with partitions spread
// over them) against a locked log dir, merges their progress and latencies, and returns the result
// Kafka's ProducerPerformance would print, plus what only a local log can tell (bytes on disk,
// compression ratio, fsyncs, segment rolls).

import { startWorker } from './startWorker.js';
import { performance } from 'node:perf_hooks';
import { KsegError } from '../format/errors.js';
import { ensurePartitionMetadata, existingTopicId, LogDir, newTopicId } from '../storage/index.js';
import { decodeHistogram, encodeHistogram, newHistogram, summarize, type LatencySummaryMs } from './latency.js';
import { ProducerEngine, type EngineOptions, type EngineProgress, type EngineResult } from './producerEngine.js';
import { produceOptions, type ProduceOptions } from './produceOptions.js';

export { produceOptions, type ProduceOptions };

export interface ProduceWindow {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
}

export interface ProduceProgress {
  elapsedMs: number;
  records: number;
  target: number | null;
  valueBytes: number;
  partitions: { partition: number; nextOffset: number; segments: number }[];
  rolls: number;
  latencyMs: LatencySummaryMs;
}

export type ProduceEvent = { type: 'window'; window: ProduceWindow } | { type: 'progress'; progress: ProduceProgress } | { type: 'steady' };

export interface ProduceResult {
  config: ProduceOptions;
  records: number;
  /** Value bytes (Kafka's perf tool counts values only). */
  bytes: number;
  bytesOnDisk: number;
  /**
   * From the first record until the last was appended (and fsynced, when the flush policy says so).
   * Set-up (opening the log, starting threads) comes before, as Kafka's perf tool starts its clock
   * once its producer is created.
   */
  seconds: number;
  /** The clean shutdown after it: final index entries, fsync of every log and index, checkpoints. */
  closeSeconds: number;
  recordsPerSec: number;
  /** MiB/s of value bytes, like Kafka's "MB/sec". */
  mbPerSec: number;
  latencyMs: LatencySummaryMs;
  fsyncs: number;
  /** Log bytes / uncompressed batch bytes (1 = no gain). */
  compressionRatio: number;
  batches: number;
  segmentRolls: number;
  transactions?: { committed: number; aborted: number };
  steadyState?: { records: number; seconds: number; recordsPerSec: number; mbPerSec: number; latencyMs: LatencySummaryMs };
}

const MiB = 1024 * 1024;

function validate(o: ProduceOptions): void {
  const sources = [o.recordSize !== undefined, o.payloadFile !== undefined, o.payloadMonotonic].filter(Boolean).length;
  if (sources !== 1) throw new KsegError('Exactly one of --record-size, --payload-file or --payload-monotonic is required');
  if (o.numRecords === undefined && o.durationMs === undefined) throw new KsegError('One of --num-records or --duration is required');
  if (o.numRecords !== undefined && o.numRecords <= 0) throw new KsegError('--num-records must be greater than zero');
  if (o.partitions < 1) throw new KsegError('--partitions must be at least 1');
  if (o.workers < 1) throw new KsegError('--workers must be at least 1');
  if (o.throughput === 0) throw new KsegError('--throughput 0 would never send; use -1 for unlimited');
  if (o.warmupRecords > 0 && o.numRecords !== undefined && o.warmupRecords >= o.numRecords) throw new KsegError('--warmup-records must be less than --num-records');
  if (o.abortRatio < 0 || o.abortRatio > 1) throw new KsegError('--abort-ratio must be between 0 and 1');
  if (o.abortRatio > 0 && !o.transactional) throw new KsegError('--abort-ratio needs --transactional');
  if (o.compressibility < 0 || o.compressibility > 1) throw new KsegError('--compressibility must be between 0 and 1');
}

/** Split n into `parts` shares that add up to n. */
function share(n: number, parts: number, i: number): number {
  return Math.floor(n / parts) + (i < n % parts ? 1 : 0);
}

/**
 * @param run.isolate run even a single engine in a worker thread, so a live display rendering on
 *   this thread does not steal time from producing (and skew latencies).
 * @param run.beforeStart called once the engine is set up (log open, writer thread running), right
 *   before its first record, and not timed: the storage bench warms the page cache there, as right
 *   before its raw writes. Only for an engine on this thread (one worker, not isolated).
 */
export async function produce(input: Partial<ProduceOptions> & { logDir: string }, onEvent: (e: ProduceEvent) => void = () => {}, run: { isolate?: boolean; beforeStart?: () => void } = {}): Promise<ProduceResult> {
  const o = produceOptions(input);
  validate(o);
  const workers = Math.min(o.workers, o.partitions);
  const inProcess = workers === 1 && !run.isolate;
  if (run.beforeStart && !inProcess) throw new KsegError('produce: beforeStart needs the engine on this thread (one worker, not isolated)');
  const logDir = LogDir.openForWrite(o.logDir);
  const tracker = new ProgressTracker(o, performance.now(), onEvent);
  let results: EngineResult[];
  try {
    // One topic id for all partitions, decided here so worker threads do not each invent one.
    const topicId = existingTopicId(o.logDir, o.topic) ?? newTopicId();
    for (let p = 0; p < o.partitions; p++) ensurePartitionMetadata(o.logDir, o.topic, p, topicId);
    const engineOpts: EngineOptions[] = Array.from({ length: workers }, (_, w) => ({
      ...o,
      ownedPartitions: Array.from({ length: o.partitions }, (_, p) => p).filter((p) => p % workers === w),
      recordsToProduce: o.numRecords === undefined ? undefined : share(o.numRecords, workers, w),
      warmupShare: share(o.warmupRecords, workers, w),
      producerId: 1000 + w,
    }));
    results = inProcess ? [await runInProcess(engineOpts[0], tracker, run.beforeStart)] : await Promise.all(engineOpts.map((e, w) => runInWorker(e, w, tracker)));
  } catch (err) {
    tracker.stop();
    logDir.close([], { clean: false });
    throw err;
  }
  // Like Kafka's perf tool, the run lasts until every record is appended; the clean shutdown after it
  // (final index entries, fsync of every log, checkpoints) is reported apart as closeSeconds.
  const appendedAt = Math.max(...results.map((r) => r.appendedAtEpochMs)) - performance.timeOrigin;
  const startedAt = Math.min(...results.map((r) => r.startedAtEpochMs)) - performance.timeOrigin;
  const seconds = Math.max(1e-6, (appendedAt - startedAt) / 1000);
  // One last window, for all engines, ending when the last record was appended (not after closing).
  tracker.tick(true, appendedAt);
  tracker.stop();
  logDir.close(results.flatMap((r) => r.partitions));
  const closeSeconds = Math.max(0, (performance.now() - appendedAt) / 1000);
  return mergeResults(o, results, seconds, closeSeconds);
}

function mergeResults(o: ProduceOptions, results: EngineResult[], seconds: number, closeSeconds: number): ProduceResult {
  const sum = (f: (r: EngineResult) => number) => results.reduce((a, r) => a + f(r), 0);
  const latency = newHistogram();
  for (const r of results) latency.add(r.latency);
  const records = sum((r) => r.records);
  const bytes = sum((r) => r.valueBytes);
  const logBytes = sum((r) => r.logBytes);
  const result: ProduceResult = {
    config: o,
    records,
    bytes,
    bytesOnDisk: logBytes,
    seconds,
    closeSeconds,
    recordsPerSec: records / seconds,
    mbPerSec: bytes / MiB / seconds,
    latencyMs: summarize(latency),
    fsyncs: sum((r) => r.fsyncs),
    compressionRatio: sum((r) => r.uncompressedBytes) > 0 ? logBytes / sum((r) => r.uncompressedBytes) : 1,
    batches: sum((r) => r.batches),
    segmentRolls: sum((r) => r.rolls),
  };
  if (o.transactional) result.transactions = { committed: sum((r) => r.transactions.committed), aborted: sum((r) => r.transactions.aborted) };
  if (o.warmupRecords > 0) {
    const steady = newHistogram();
    for (const r of results) if (r.steadyLatency) steady.add(r.steadyLatency);
    const sRecords = sum((r) => r.steadyRecords);
    const sSeconds = Math.max(...results.map((r) => r.steadySeconds));
    result.steadyState = { records: sRecords, seconds: sSeconds, recordsPerSec: sRecords / sSeconds, mbPerSec: sum((r) => r.steadyValueBytes) / MiB / sSeconds, latencyMs: summarize(steady) };
  }
  return result;
}

/** Merges engine progress into Kafka-style windows (every reporting interval) and dashboard ticks. */
class ProgressTracker {
  private readonly last = new Map<number, EngineProgress>();
  private win = { records: 0, bytes: 0, latSum: 0, latMax: 0 };
  private winStart: number;
  private readonly latency = newHistogram();
  private steadyAnnounced = false;
  private timer: NodeJS.Timeout;
  /**
   * Engines that have reported when they made their first record. Until the first window, `start`
   * is the earliest of those (engines on worker threads start apart); before any, when produce() began.
   */
  private readonly started = new Set<number>();
  private firstWindow = true;

  constructor(
    private readonly o: ProduceOptions,
    private start: number,
    private readonly onEvent: (e: ProduceEvent) => void,
  ) {
    this.winStart = start;
    this.timer = setInterval(() => this.tick(), 250);
    this.timer.unref();
  }

  update(worker: number, p: EngineProgress, latency?: import('./latency.js').Histogram): void {
    if (this.firstWindow && p.startedAtEpochMs !== null && !this.started.has(worker)) {
      // Windows and elapsed time run from the first record, as the run's seconds do (not from set-up).
      const t = p.startedAtEpochMs - performance.timeOrigin;
      this.start = this.winStart = this.started.size === 0 ? t : Math.min(this.start, t);
      this.started.add(worker);
    }
    this.last.set(worker, p);
    if (p.window) {
      this.win.records += p.window.records;
      this.win.bytes += p.window.bytes;
      this.win.latSum += p.window.latencySumUs;
      this.win.latMax = Math.max(this.win.latMax, p.window.latencyMaxUs);
    }
    if (latency) {
      this.latency.reset();
      this.latency.add(latency);
    }
  }

  get records(): number {
    let n = 0;
    for (const p of this.last.values()) n += p.records;
    return n;
  }

  /** Emits a window when one is due, or (final) what is left of the last, ending at `endMs`; and progress. */
  tick(final = false, endMs = performance.now()): void {
    const now = endMs;
    if (!this.steadyAnnounced && this.o.warmupRecords > 0 && this.records >= this.o.warmupRecords) {
      this.steadyAnnounced = true;
      this.onEvent({ type: 'steady' });
    }
    if (now - this.winStart >= this.o.reportingIntervalMs || (final && this.win.records > 0 && now - this.winStart > 1)) {
      const secs = (now - this.winStart) / 1000;
      const w = this.win;
      this.onEvent({
        type: 'window',
        window: { records: w.records, recordsPerSec: w.records / secs, mbPerSec: w.bytes / MiB / secs, avgLatencyMs: w.records ? w.latSum / w.records / 1000 : 0, maxLatencyMs: w.latMax / 1000 },
      });
      this.win = { records: 0, bytes: 0, latSum: 0, latMax: 0 };
      this.winStart = now;
      this.firstWindow = false;
    }
    const parts = [...this.last.values()];
    this.onEvent({
      type: 'progress',
      progress: {
        elapsedMs: now - this.start,
        records: this.records,
        target: this.o.numRecords ?? null,
        valueBytes: parts.reduce((a, p) => a + p.valueBytes, 0),
        partitions: parts.flatMap((p) => p.partitions).sort((a, b) => a.partition - b.partition),
        rolls: parts.reduce((a, p) => a + p.rolls, 0),
        latencyMs: summarize(this.latency),
      },
    });
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function runInProcess(opts: EngineOptions, tracker: ProgressTracker, beforeStart?: () => void): Promise<EngineResult> {
  const engine = new ProducerEngine(opts);
  let lastWindow = performance.now();
  const result = await engine.run(() => {
    const now = performance.now();
    // Window counts are drained often so the tracker's reporting interval is exact enough.
    if (now - lastWindow >= 100) {
      lastWindow = now;
      tracker.update(0, engine.progress(true), engine.latency);
    }
  }, beforeStart);
  tracker.update(0, engine.progress(true), engine.latency);
  return result;
}

/** Message protocol between produce and its worker threads. */
export type WorkerMessage =
  | { type: 'progress'; progress: EngineProgress; latency: string }
  | { type: 'done'; result: Omit<EngineResult, 'latency' | 'steadyLatency'> & { latency: string; steadyLatency: string | null } }
  | { type: 'error'; message: string };

function runInWorker(opts: EngineOptions, w: number, tracker: ProgressTracker): Promise<EngineResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('./produceWorker.js', import.meta.url, opts);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') tracker.update(w, m.progress, decodeHistogram(m.latency));
      else if (m.type === 'error') reject(new KsegError(m.message));
      else {
        resolve({ ...m.result, latency: decodeHistogram(m.result.latency), steadyLatency: m.result.steadyLatency ? decodeHistogram(m.result.steadyLatency) : null });
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new KsegError(`produce worker ${w} exited with code ${code}`));
    });
  });
}

export { encodeHistogram };

/** Kafka's ProducerPerformance lines. */
export function formatWindow(w: ProduceWindow): string {
  return `${w.records} records sent, ${w.recordsPerSec.toFixed(1)} records/sec (${w.mbPerSec.toFixed(2)} MB/sec), ${w.avgLatencyMs.toFixed(1)} ms avg latency, ${w.maxLatencyMs.toFixed(1)} ms max latency.`;
}

export function formatFinal(records: number, recordsPerSec: number, mbPerSec: number, l: LatencySummaryMs, label = ''): string {
  const int = (ms: number) => Math.trunc(ms);
  return (
    `${records}${label} records sent, ${recordsPerSec.toFixed(6)} records/sec (${mbPerSec.toFixed(2)} MB/sec), ${l.avg.toFixed(2)} ms avg latency, ` +
    `${l.max.toFixed(2)} ms max latency, ${int(l.p50)} ms 50th, ${int(l.p95)} ms 95th, ${int(l.p99)} ms 99th, ${int(l.p999)} ms 99.9th.`
  );
}

export function formatProduceSummary(r: ProduceResult): string[] {
  const lines = [formatFinal(r.records, r.recordsPerSec, r.mbPerSec, r.latencyMs)];
  if (r.steadyState) lines.push(formatFinal(r.steadyState.records, r.steadyState.recordsPerSec, r.steadyState.mbPerSec, r.steadyState.latencyMs, ' steady state'));
  lines.push(
    `kseg: ${r.batches} batches, ${r.bytesOnDisk} bytes on disk, compression ratio ${r.compressionRatio.toFixed(3)} (${r.config.compressionType}), ` +
      `${r.fsyncs} fsyncs (clean shutdown ${(r.closeSeconds * 1000).toFixed(0)} ms), ${r.segmentRolls} segment rolls, latency p99 ${r.latencyMs.p99.toFixed(3)} ms` +
      (r.transactions ? `, ${r.transactions.committed} transactions committed, ${r.transactions.aborted} aborted` : ''),
  );
  return lines;
}
