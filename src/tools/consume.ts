// kseg consume: reads partitions of a log dir from an offset or a timestamp (seeking through the
// indexes), checks batch CRCs (on by default; Kafka's consumer perf tool turns check.crcs off),
// decompresses and parses every record, visiting key and value. Reports ConsumerPerformance's
// figures. Worker threads split the partitions.

import { startWorker } from './startWorker.js';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KsegError } from '../format/errors.js';
import type { RecordBatch } from '../format/index.js';
import { newReadBuffer, parsePartitionDirName, PartitionReader, DEFAULT_FETCH_SIZE } from '../storage/index.js';

export interface ConsumeOptions {
  logDir: string;
  /** Topic to read; all topics when undefined. */
  topic?: string;
  /** Partition numbers to read; all when undefined. */
  partitions?: number[];
  fromOffset?: number;
  fromTime?: number;
  /** Stop after this many records in total. */
  messages?: number;
  fetchSize: number;
  checkCrcs: boolean;
  workers: number;
  reportingIntervalMs: number;
  maxDecompressedBytes?: number;
}

export interface PartitionTarget {
  dir: string;
  topic: string;
  partition: number;
}

export interface ConsumeCounts {
  records: number;
  /** Key + value bytes, as ConsumerPerformance counts. */
  bytes: number;
  batches: number;
  crcChecked: number;
}

export interface ConsumeResult extends ConsumeCounts {
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  checkCrcs: boolean;
  partitions: number;
  startMs: number;
  endMs: number;
}

export type ConsumeEvent = { type: 'progress'; elapsedMs: number; counts: ConsumeCounts; window: ConsumeCounts & { ms: number } };

const MiB = 1024 * 1024;

export function consumeOptions(o: Partial<ConsumeOptions> & { logDir: string }): ConsumeOptions {
  return { fetchSize: DEFAULT_FETCH_SIZE, checkCrcs: true, workers: 1, reportingIntervalMs: 5000, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as ConsumeOptions;
}

export function findPartitions(logDir: string, topic?: string, partitions?: number[]): PartitionTarget[] {
  if (!existsSync(logDir)) throw new KsegError(`Log dir ${logDir} does not exist`);
  const out: PartitionTarget[] = [];
  for (const name of readdirSync(logDir, { withFileTypes: true })) {
    if (!name.isDirectory()) continue;
    const tp = parsePartitionDirName(name.name);
    if (!tp) continue;
    if (topic !== undefined && tp.topic !== topic) continue;
    if (partitions && !partitions.includes(tp.partition)) continue;
    out.push({ dir: join(logDir, name.name), ...tp });
  }
  out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  if (out.length === 0) throw new KsegError(`No partitions${topic ? ` of topic ${topic}` : ''} found in ${logDir}`);
  return out;
}

/**
 * Reads the given partitions in this thread. `limit` caps the records; with `shared` (worker
 * threads) the cap is on the count all threads share, so together they stop at exactly `limit`.
 * `onProgress` is called every few thousand batches with running counts.
 */
export function consumePartitions(targets: PartitionTarget[], o: ConsumeOptions, limit = Infinity, onProgress?: (c: ConsumeCounts) => void, shared?: Int32Array): ConsumeCounts {
  const c: ConsumeCounts = { records: 0, bytes: 0, batches: 0, crcChecked: 0 };
  let sink = 0; // bytes of keys/values read, so the visit cannot be optimized away
  const iterOpts = { maxBytes: o.maxDecompressedBytes };
  const readBuffer = newReadBuffer(o.fetchSize); // for every partition: they are read one after another
  outer: for (const t of targets) {
    const reader = new PartitionReader(t.dir);
    let from = o.fromOffset ?? 0;
    if (o.fromTime !== undefined) {
      const found = reader.offsetForTimestamp(o.fromTime);
      if (found === null) continue;
      from = Math.max(from, found);
    }
    for (const batch of reader.batches(from, o.fetchSize, undefined, readBuffer)) {
      if (o.checkCrcs) {
        batch.ensureValid();
        c.crcChecked++;
      }
      c.batches++;
      // A consumer never sees control records (transaction markers): Kafka's fetcher skips them.
      if (batch.magic >= 2 && (batch as RecordBatch).isControl) continue;
      for (const r of batch.records(iterOpts)) {
        if (r.offset < from) continue;
        if (shared && Atomics.add(shared, 0, 1) >= limit) break outer;
        const buf = r.buf;
        if (r.keyLength > 0) {
          sink += buf[r.keyOffset];
          c.bytes += r.keyLength;
        }
        if (r.valueLength > 0) {
          sink += buf[r.valueOffset + r.valueLength - 1];
          c.bytes += r.valueLength;
        }
        if (++c.records >= limit && !shared) break outer;
      }
      if (onProgress && (c.batches & 255) === 0) onProgress(c);
    }
  }
  if (sink === -1) c.bytes++; // never true; keeps `sink` live
  return c;
}

export async function consume(input: Partial<ConsumeOptions> & { logDir: string }, onEvent: (e: ConsumeEvent) => void = () => {}): Promise<ConsumeResult> {
  const o = consumeOptions(input);
  const targets = findPartitions(o.logDir, o.topic, o.partitions);
  const startMs = Date.now();
  const start = performance.now();
  const workers = Math.min(o.workers, targets.length);
  let counts: ConsumeCounts;
  let lastReport = start;
  let lastCounts: ConsumeCounts = { records: 0, bytes: 0, batches: 0, crcChecked: 0 };
  const report = (now: ConsumeCounts) => {
    const t = performance.now();
    if (t - lastReport < o.reportingIntervalMs) return;
    onEvent({ type: 'progress', elapsedMs: t - start, counts: { ...now }, window: { records: now.records - lastCounts.records, bytes: now.bytes - lastCounts.bytes, batches: now.batches - lastCounts.batches, crcChecked: now.crcChecked - lastCounts.crcChecked, ms: t - lastReport } });
    lastReport = t;
    lastCounts = { ...now };
  };
  if (workers <= 1) {
    counts = consumePartitions(targets, o, o.messages ?? Infinity, report);
  } else {
    const shares = Array.from({ length: workers }, (_, w) => targets.filter((_, i) => i % workers === w));
    // --messages is a total: the workers draw from one shared count (an Int32, so capped below 2^31).
    const limit = o.messages === undefined ? undefined : Math.min(o.messages, 2 ** 31 - 1 - workers);
    const shared = limit === undefined ? undefined : new Int32Array(new SharedArrayBuffer(4));
    const perWorker = await Promise.all(shares.map((t) => runWorker(t, o, limit, shared)));
    counts = perWorker.reduce((a, b) => ({ records: a.records + b.records, bytes: a.bytes + b.bytes, batches: a.batches + b.batches, crcChecked: a.crcChecked + b.crcChecked }));
  }
  const seconds = (performance.now() - start) / 1000;
  return { ...counts, seconds, recordsPerSec: counts.records / seconds, mbPerSec: counts.bytes / MiB / seconds, checkCrcs: o.checkCrcs, partitions: targets.length, startMs, endMs: Date.now() };
}

function runWorker(targets: PartitionTarget[], o: ConsumeOptions, limit: number | undefined, shared: Int32Array | undefined): Promise<ConsumeCounts> {
  return new Promise((resolve, reject) => {
    const w = startWorker('./consumeWorker.js', import.meta.url, { targets, o, limit, shared });
    w.on('message', (m: { type: 'done'; counts: ConsumeCounts } | { type: 'error'; message: string }) => (m.type === 'done' ? resolve(m.counts) : reject(new KsegError(m.message))));
    w.on('error', reject);
  });
}

/** ConsumerPerformance's header and row. */
export const CONSUMER_HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
export const CONSUMER_DETAILED_HEADER = 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

/** `yyyy-MM-dd HH:mm:ss:SSS` in local time, Kafka's default --date-format. */
export function kafkaDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`;
}

export function formatConsumerRow(r: ConsumeResult): string {
  const mb = r.bytes / MiB;
  const fetchMs = Math.round(r.seconds * 1000);
  // No group rebalance happens reading a local log: rebalance.time.ms is 0 and fetch time is the whole run.
  return `${kafkaDate(r.startMs)}, ${kafkaDate(r.endMs)}, ${mb.toFixed(4)}, ${(mb / r.seconds).toFixed(4)}, ${r.records}, ${(r.records / r.seconds).toFixed(4)}, 0, ${fetchMs}, ${(mb / r.seconds).toFixed(4)}, ${(r.records / r.seconds).toFixed(4)}`;
}

export function formatConsumerDetailedRow(timeMs: number, threadId: number, w: ConsumeCounts & { ms: number }, total: ConsumeCounts): string {
  const mb = total.bytes / MiB;
  const secs = w.ms / 1000;
  return `${kafkaDate(timeMs)}, ${threadId}, ${mb.toFixed(4)}, ${(w.bytes / MiB / secs).toFixed(4)}, ${total.records}, ${(w.records / secs).toFixed(4)}, 0, ${Math.round(w.ms)}, ${(w.bytes / MiB / secs).toFixed(4)}, ${(w.records / secs).toFixed(4)}`;
}
