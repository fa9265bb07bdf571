// The producer simulation behind `kseg produce`: records are created, accumulated per partition into
// batches (closed at batch.size or after linger.ms, whichever comes first), compressed, CRC'd and
// appended to the partition logs in the log dir. One engine runs per worker thread, owning a subset
// of the partitions. Latency = record creation → its batch appended (and fsynced when the flush
// policy flushes on that append), recorded per record in µs. With write-behind (by default for
// batches of 256 KiB and more: produceOptions) the batches are written by a thread of their own (writeBehind.ts)
// and "appended" is when that thread finished the write. With compress-behind (by default with a
// codec, when a worker can have two cores) batches are compressed by another thread (compressBehind.ts)
// and appended here once they come back, in order.

import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Codec, codecId, compressedBatchBound, ControlRecordType, controlKey, endTxnMarkerValue, RecordBatchBuilder, type RecordBatchOptions } from '../format/index.js';
import { Fifo, logConfig, objectArray, PartitionLog } from '../storage/index.js';
import { LatencyRecorder, newHistogram, Window, type Histogram } from './latency.js';
import { filePayloads, keySource, monotonicPayloads, poolPayloads, rng, type PayloadSource } from './payload.js';
import { partitionForKey } from './murmur2.js';
import type { ProduceOptions } from './produceOptions.js';
import { CompressBehind } from './compressBehind.js';
import { WriteBehind } from './writeBehind.js';

/**
 * Batches the writer may have in hand: one being written and three waiting, so that a pause of the
 * producing thread (a garbage collection, a slow wake-up of a sleeping thread: 1-5 ms on a 2-vCPU
 * VM) seldom leaves it idle. Like Kafka's max.in.flight.requests.per.connection (5), it trades
 * latency for throughput: 1 KiB records in 1 MiB batches, once V8 has compiled the per-batch path,
 * 0.81-0.86 of raw write against 0.73-0.83 at 2 in hand, steady p99 1.5-2.4 ms against 0.6-1.6 ms
 * (interleaved runs, 2-vCPU VM). 8 measured no faster than 4: their buffers start to fall out of
 * the caches before they are written.
 */
export const WRITE_BEHIND_BATCHES_IN_FLIGHT = 4;

export interface EngineProgress {
  /** When the first record was made (epoch ms), once run() has got that far; else null. */
  startedAtEpochMs: number | null;
  records: number;
  valueBytes: number;
  window: { records: number; bytes: number; latencySumUs: number; latencyMaxUs: number; ms: number } | null;
  partitions: { partition: number; nextOffset: number; segments: number }[];
  rolls: number;
}

export interface EngineResult {
  records: number;
  valueBytes: number;
  /** Uncompressed batch bytes (what the batches would take without compression). */
  uncompressedBytes: number;
  /** Bytes appended to .log files. */
  logBytes: number;
  batches: number;
  fsyncs: number;
  rolls: number;
  transactions: { committed: number; aborted: number };
  latency: Histogram;
  steadyLatency: Histogram | null;
  steadyRecords: number;
  steadyValueBytes: number;
  steadySeconds: number;
  /**
   * When the first record was made (epoch ms, comparable across worker threads): once the writer
   * thread runs, as Kafka's perf tool starts its clock once its producer (and sender thread) is up.
   */
  startedAtEpochMs: number;
  /** When the last batch was appended (epoch ms, comparable across worker threads); closing follows. */
  appendedAtEpochMs: number;
  partitions: { topic: string; partition: number; logStartOffset: number; logEndOffset: number }[];
}

interface PartitionState {
  partition: number;
  log: PartitionLog;
  builder: RecordBatchBuilder;
  /** Creation time (ms, performance clock) of each record in the open batch. */
  created: Float64Array;
  /** Creation time of the open batch's first record (linger.ms counts from it). */
  firstCreatedMs: number;
  /** Value bytes of the records in the open batch. */
  valueBytes: number;
  sequence: number;
  inTxn: boolean;
}

export interface EngineOptions extends ProduceOptions {
  /** Partitions this engine owns. */
  ownedPartitions: number[];
  /** Records this engine should produce (its share of numRecords). */
  recordsToProduce?: number;
  /** Its share of warm-up records. */
  warmupShare: number;
  producerId: number;
}

export class ProducerEngine {
  private readonly states: PartitionState[];
  private readonly codec: Codec;
  private readonly payload: PayloadSource;
  private readonly key: PayloadSource | null;
  private readonly headers: { key: string; value: Buffer }[];
  readonly latency = newHistogram();
  private steady: Histogram | null = null;
  /** Per-record latencies land here and are drained into `latency` (and `steady`) every slice. */
  private readonly recorder = new LatencyRecorder(this.latency);
  private records = 0;
  private valueBytes = 0;
  private uncompressedBytes = 0;
  private window: Window;
  private txn = { committed: 0, aborted: 0 };
  private txnStartMs = 0;
  private readonly random: () => number;
  private nextSticky = 0;
  /** Bytes of unkeyed records the sticky partition has taken since it became the sticky one. */
  private stickyBytes = 0;
  private steadyStart = { ms: 0, records: 0, bytes: 0 };
  /** Batch options of a plain (not idempotent) producer: the same for every batch, made once. */
  private readonly plainBatchOptions: RecordBatchOptions;
  private readonly batchSize: number;
  /** Size of the builders' buffers. */
  private readonly bufferBytes: number;
  private readonly writer: WriteBehind | null;
  /** Batches handed to the writer whose latencies are not recorded yet: write sequence, creation times, count. */
  private readonly unwritten = new Fifo<{ seq: number; created: Float64Array; count: number; valueBytes: number }>();
  private readonly compressor: CompressBehind | null;
  /** Batches at the compressor, in the order they come back: their partition, creation times, count. */
  private readonly compressing = new Fifo<{ s: PartitionState; created: Float64Array; count: number; valueBytes: number }>();
  /**
   * run()'s position, kept here for produceSlice: the next record's index, how often the clock is
   * read, whether steady state has started, and the run's bounds.
   * Record creation times: performance.now() costs ~35-40 ns, ~8% of a 100 B record, so while
   * unthrottled the clock is read every `clockEvery` records, sized per slice so that many records
   * take at most ~1 µs at the previous slice's rate, and always right after a record's produce had
   * to send a batch. A record's creation time is thus the clock read at most clockEvery - 1 records
   * (< ~1 µs) before it: latencies can be overstated by that much, never understated. Throttled
   * runs read the clock for every record.
   */
  private readonly cursor = { i: 0, clockEvery: 1, steadyStarted: false, start: 0, total: Infinity, deadline: Infinity, perRecordMs: 0 };
  /** Creation-time arrays of written batches, for reuse. */
  private readonly spareCreated: Float64Array[] = objectArray();
  stopped = false;

  constructor(private readonly o: EngineOptions) {
    this.codec = codecId(o.compressionType);
    this.plainBatchOptions = { codec: this.codec, level: o.compressionLevel, partitionLeaderEpoch: 0, baseSequence: -1, isTransactional: false };
    this.batchSize = o.batchSize;
    const cfg = logConfig({
      segmentBytes: o.segmentBytes,
      segmentMs: o.segmentMs,
      indexIntervalBytes: o.indexIntervalBytes,
      segmentIndexBytes: o.segmentIndexBytes,
      flushMessages: o.flushMessages,
      flushMs: o.flushMs,
    });
    // An unthrottled engine polls for the write it waits on (see WriteBehindOptions.pollMs) if
    // the engines and their writers have a core each; throttled ones sleep at once.
    const pollMs = o.throughput < 0 && 2 * o.workers <= availableParallelism() ? 1 : 0;
    const capacity = (this.bufferBytes = Math.min(o.batchSize * 2, 64 * 1024 * 1024));
    const writer = (this.writer = o.writeBehind === true ? new WriteBehind({ maxInFlightBytes: WRITE_BEHIND_BATCHES_IN_FLIGHT * capacity, pollMs }) : null);
    this.compressor = writer !== null && o.compressBehind === true ? new CompressBehind({ codec: this.codec, level: o.compressionLevel }) : null;
    this.states = o.ownedPartitions.map((p) => ({
      partition: p,
      log: PartitionLog.open(o.logDir, o.topic, p, cfg, { leaderEpoch: 0, writer: writer ?? undefined }),
      builder: new RecordBatchBuilder({}, capacity, writer),
      created: new Float64Array(1024),
      firstCreatedMs: 0,
      sequence: 0,
      inTxn: false,
      valueBytes: 0,
    }));
    for (const s of this.states) s.sequence = this.sequenceAfterReopen(s);
    this.payload = o.payloadFile ? filePayloads(o.payloadFile, o.payloadDelimiter, o.seed) : o.payloadMonotonic ? monotonicPayloads() : poolPayloads(o.recordSize ?? 100, o.compressibility, o.seed + o.producerId);
    this.key = keySource(o.keySize, o.keyRange, o.seed);
    this.headers = Array.from({ length: o.headers }, (_, i) => ({ key: `h${i}`, value: Buffer.from(`v${i}-` + 'x'.repeat(5)) }));
    this.random = rng(o.seed ^ 0x9e3779b9 ^ o.producerId);
    this.window = new Window(performance.now());
    if (o.warmupShare === 0) this.steady = this.latency;
  }

  private sequenceAfterReopen(s: PartitionState): number {
    const e = s.log.producerState.entries().find((x) => x.producerId === this.o.producerId);
    return e ? e.lastSequence + 1 : 0;
  }

  private get producerFields() {
    const o = this.o;
    return o.idempotent || o.transactional ? { producerId: o.producerId, producerEpoch: 0 } : {};
  }

  private startBatch(s: PartitionState): void {
    const o = this.o;
    if (!o.idempotent && !o.transactional) {
      s.builder.reset(this.plainBatchOptions);
      return;
    }
    s.builder.reset({
      codec: this.codec,
      level: o.compressionLevel,
      partitionLeaderEpoch: 0,
      ...this.producerFields,
      baseSequence: s.sequence,
      isTransactional: o.transactional,
    });
  }

  /** Close the open batch of `s`: build, append, record latencies. */
  private send(s: PartitionState): void {
    const n = s.builder.recordCount;
    if (n === 0) return;
    this.uncompressedBytes += s.builder.sizeInBytes;
    const writer = this.writer;
    if (writer === null) {
      // A view of the builder's buffer (no copy when uncompressed): written before the builder is reset.
      s.log.append(s.builder.buildView());
      this.recordLatencies(s.created, n, s.valueBytes, performance.now());
    } else {
      this.collectWritten();
      const compressor = this.compressor;
      if (compressor === null) {
        // The batch's buffer goes to the writer; the builder continues in another.
        this.appendWrittenBehind(s, s.builder.buildDetached(), s.created, n, s.valueBytes);
      } else {
        this.appendCompressed(compressor.maxInFlight - 1); // room for this one
        // The batch's buffer, and one to compress it into, go to the compressor; both come back to
        // the writer's pool (appendCompressed), the builder continues in another.
        const unsealed = s.builder.buildForCompression();
        // As large as the builders' buffers, so the pool holds one size and any buffer serves either.
        const out = writer.acquire(Math.max(this.bufferBytes, compressedBatchBound(this.codec, unsealed.length)));
        writer.lend(unsealed);
        compressor.submit(unsealed, writer.lend(out));
        this.compressing.push({ s, created: s.created, count: n, valueBytes: s.valueBytes });
      }
      // The creation times went with the batch; the next batch takes a spare array.
      s.created = this.spareCreated.pop() ?? new Float64Array(s.created.length);
    }
    if (this.o.idempotent || this.o.transactional) s.sequence = (s.sequence + n) % 2147483648;
    if (this.o.transactional) s.inTxn = true;
    s.valueBytes = 0;
    this.startBatch(s);
  }

  /** Appends `batch` (in a buffer of the writer's) to the log of `s`: written behind, latencies recorded once written. */
  private appendWrittenBehind(s: PartitionState, batch: Buffer, created: Float64Array, n: number, valueBytes: number): void {
    const r = s.log.append(batch);
    if (r.flushed) {
      this.recordLatencies(created, n, valueBytes, performance.now());
      this.spareCreated.push(created);
    } else this.unwritten.push({ seq: r.writeSeq, created, count: n, valueBytes });
  }

  /** Appends the batches back from the compressor, in order, waiting for more while over `maxLeft` are in flight. */
  private appendCompressed(maxLeft = Infinity): void {
    const compressor = this.compressor!;
    const writer = this.writer!;
    for (;;) {
      const c = compressor.take();
      if (c === null) {
        if (compressor.inFlight <= maxLeft) return;
        compressor.waitForOne();
        continue;
      }
      const b = this.compressing.shift()!;
      writer.release(writer.takeBack(c.input));
      this.appendWrittenBehind(b.s, writer.takeBack(c.out).subarray(0, c.length), b.created, b.count, b.valueBytes);
    }
  }

  /** Records of `s` in batches at the compressor (a few batches: counted when asked). */
  private recordsCompressing(s: PartitionState): number {
    let n = 0;
    for (let i = 0, b = this.compressing.peek(0); b !== undefined; b = this.compressing.peek(++i)) if (b.s === s) n += b.count;
    return n;
  }

  /**
   * Latencies of a batch's `n` records (`valueBytes` of values) created at `created[i]`, appended
   * at `appendedMs`; the reporting window counts them now, as Kafka's perf tool counts a record
   * when its send completes.
   */
  private recordLatencies(created: Float64Array, n: number, valueBytes: number, appendedMs: number): void {
    const rec = this.recorder;
    let sum = 0;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const us = Math.max(1, Math.round((appendedMs - created[i]) * 1000));
      rec.record(us);
      sum += us;
      if (us > max) max = us;
    }
    const w = this.window;
    w.records += n;
    w.bytes += valueBytes;
    w.latencySumUs += sum;
    if (max > w.latencyMaxUs) w.latencyMaxUs = max;
  }

  /** Records the latencies of the batches the writer has finished, as of when it finished each. */
  private collectWritten(): void {
    const writer = this.writer!;
    const q = this.unwritten;
    if (q.length === 0) return;
    const done = writer.completed;
    for (let b = q.peek(); b !== undefined && b.seq < done; b = q.peek()) {
      q.shift();
      this.recordLatencies(b.created, b.count, b.valueBytes, writer.doneAtMs(b.seq));
      this.spareCreated.push(b.created);
    }
  }

  /** Produce one record created at `nowMs`; true when it first had to send a full batch. */
  private produceOne(i: number, nowMs: number, timestamp: number): boolean {
    const value = this.payload.value(i);
    const key = this.key !== null ? this.key.value(i) : null;
    let s: PartitionState;
    if (key !== null && this.states.length > 1) s = this.states[partitionForKey(key, this.states.length)];
    else s = this.states[this.nextSticky];
    let b = s.builder;
    let sent = false;
    if (b.recordCount > 0 && b.sizeInBytes + value.length + (key !== null ? key.length : 0) + 16 > this.batchSize) {
      this.send(s);
      sent = true;
      if (key === null) {
        // Sticky partitioner: a full batch moves new records to the next partition.
        this.nextSticky = (this.nextSticky + 1) % this.states.length;
        this.stickyBytes = 0;
        s = this.states[this.nextSticky];
        b = s.builder;
      }
    }
    const k = b.recordCount;
    if (k === 0) s.firstCreatedMs = nowMs;
    if (k >= s.created.length) {
      const bigger = new Float64Array(s.created.length * 2);
      bigger.set(s.created);
      s.created = bigger;
    }
    s.created[k] = nowMs;
    const sizeBefore = b.sizeInBytes;
    b.append(timestamp, key, value, this.headers);
    if (key === null && (this.stickyBytes += b.sizeInBytes - sizeBefore) >= 2 * this.batchSize) {
      // Like Kafka's sticky partitioner (KIP-794), which also moves on once a partition has taken
      // twice batch.size, when linger.ms sends its batches before they fill.
      this.nextSticky = (this.nextSticky + 1) % this.states.length;
      this.stickyBytes = 0;
    }
    this.records++;
    this.valueBytes += value.length;
    s.valueBytes += value.length;
    return sent;
  }

  /** linger.ms: send batches whose first record has waited long enough; and flush.ms checks. */
  private lingerCheck(nowMs: number): void {
    for (const s of this.states) {
      if (s.builder.recordCount > 0 && nowMs - s.firstCreatedMs >= this.o.lingerMs) this.send(s);
      s.log.maybeTimedFlush();
      s.log.writeIndexEntries();
    }
  }

  private endTransaction(nowMs: number): void {
    for (const s of this.states) this.send(s);
    if (this.compressor !== null) this.appendCompressed(0); // the markers follow the batches
    const abort = this.random() < this.o.abortRatio;
    for (const s of this.states) {
      if (!s.inTxn) continue;
      const b = new RecordBatchBuilder({ ...this.producerFields, isTransactional: true, isControl: true, partitionLeaderEpoch: 0 });
      b.append(Date.now(), controlKey(abort ? ControlRecordType.ABORT : ControlRecordType.COMMIT), endTxnMarkerValue(0));
      s.log.append(b.build());
      s.inTxn = false;
    }
    if (abort) this.txn.aborted++;
    else this.txn.committed++;
    this.txnStartMs = nowMs;
  }

  /** Takes and resets the current reporting window. */
  takeWindow(): EngineProgress['window'] {
    const now = performance.now();
    const w = this.window;
    const out = { records: w.records, bytes: w.bytes, latencySumUs: w.latencySumUs, latencyMaxUs: w.latencyMaxUs, ms: now - w.startMs };
    w.reset(now);
    return out;
  }

  progress(withWindow: boolean): EngineProgress {
    const start = this.cursor.start; // 0 until run() starts the clock
    return {
      startedAtEpochMs: start > 0 ? performance.timeOrigin + start : null,
      records: this.records,
      valueBytes: this.valueBytes,
      window: withWindow ? this.takeWindow() : null,
      partitions: this.states.map((s) => ({ partition: s.partition, nextOffset: s.log.nextOffset + this.recordsCompressing(s) + s.builder.recordCount, segments: s.log.segmentCount })),
      rolls: this.states.reduce((a, s) => a + s.log.stats.rolls, 0),
    };
  }

  /**
   * One slice of run(): records until ~20 ms have passed, throttled records are not due yet, or
   * the total or the deadline is reached; returns the clock at its end. A method of its own, not
   * a loop inside the async run(): V8 runs a hot loop of an async function in optimized code only
   * once the whole function is optimized, or by on-stack replacement again after every await.
   */
  private produceSlice(nowMs: number): number {
    const o = this.o;
    const c = this.cursor;
    const { start, total, deadline, perRecordMs, clockEvery } = c;
    let i = c.i;
    let steadyStarted = c.steadyStarted;
    let wallMs = Date.now();
    const sliceStart = nowMs;
    const sliceFirst = i;
    const sliceEnd = nowMs + 20;
    let sliceCount = 0;
    let sinceClock = 0;
    while (i < total) {
      if (perRecordMs > 0) {
        const due = start + i * perRecordMs;
        if (due > nowMs) break; // throttled: run() waits
      }
      if (!steadyStarted && i >= o.warmupShare) {
        steadyStarted = c.steadyStarted = true;
        this.steady = newHistogram();
        this.recorder.setTargets(this.latency, this.steady);
        this.steadyStart = { ms: nowMs, records: this.records, bytes: this.valueBytes };
      }
      const sent = this.produceOne(i, nowMs, wallMs);
      i++;
      if (sent || ++sinceClock >= clockEvery) {
        nowMs = performance.now();
        sinceClock = 0;
      }
      if (++sliceCount >= 256) {
        sliceCount = 0;
        wallMs = Date.now();
        if (sinceClock !== 0) {
          nowMs = performance.now();
          sinceClock = 0;
        }
        if (nowMs >= sliceEnd || nowMs >= deadline) break;
      }
    }
    if (perRecordMs === 0 && i - sliceFirst >= 256) {
      const nsPerRecord = ((nowMs - sliceStart) * 1e6) / (i - sliceFirst);
      c.clockEvery = Math.max(1, Math.min(8, Math.floor(1000 / nsPerRecord)));
    }
    c.i = i;
    return nowMs;
  }

  /**
   * Runs until the record count or duration is reached. Works in slices and yields to the event
   * loop between them (progress rendering, worker messages), calling `onSlice` after each.
   * `beforeStart` runs once everything is set up, right before the first record, and is not timed.
   */
  async run(onSlice: () => void, beforeStart?: () => void): Promise<EngineResult> {
    try {
      return await this.runToEnd(onSlice, beforeStart);
    } catch (err) {
      // A failed run stops its helper threads too: the writer once it has written what it holds
      // (or failed), the compressor at once (its batches were never in a log).
      this.compressor?.close();
      try {
        this.writer?.close();
      } catch {
        // The run's own error is the one to report.
      }
      throw err;
    }
  }

  private async runToEnd(onSlice: () => void, beforeStart?: () => void): Promise<EngineResult> {
    const o = this.o;
    await Promise.all([this.writer?.ready(), this.compressor?.ready()]);
    beforeStart?.();
    for (const s of this.states) this.startBatch(s);
    // The run's bounds live in the cursor only, where produceSlice reads them too.
    const c = this.cursor;
    c.start = performance.now();
    c.total = o.recordsToProduce ?? Infinity;
    c.deadline = o.durationMs !== undefined ? c.start + o.durationMs : Infinity;
    c.perRecordMs = o.throughput > 0 ? 1000 / o.throughput : 0;
    c.steadyStarted = o.warmupShare === 0;
    this.txnStartMs = c.start;
    if (c.steadyStarted) this.steadyStart = { ms: c.start, records: 0, bytes: 0 };
    let nowMs = c.start;
    while (c.i < c.total && !this.stopped) {
      nowMs = performance.now();
      if (nowMs >= c.deadline) break;
      nowMs = this.produceSlice(nowMs);
      this.lingerCheck(nowMs);
      if (o.transactional && nowMs - this.txnStartMs >= o.transactionDurationMs) this.endTransaction(nowMs);
      if (this.compressor !== null) this.appendCompressed();
      if (this.writer !== null) this.collectWritten();
      this.recorder.drain(); // the histograms are read in onSlice (progress, worker messages)
      onSlice();
      if (c.perRecordMs > 0 && c.i < c.total) {
        const due = c.start + c.i * c.perRecordMs;
        const lingerDue = Math.min(...this.states.map((s) => (s.builder.recordCount > 0 ? s.firstCreatedMs + o.lingerMs : Infinity)));
        const wait = Math.min(due, lingerDue, c.deadline) - performance.now();
        if (wait > 0) await sleep(wait);
        else await yieldToLoop();
      } else await yieldToLoop();
    }
    for (const s of this.states) this.send(s);
    if (o.transactional) this.endTransaction(performance.now());
    if (this.compressor !== null) this.appendCompressed(0);
    if (this.writer !== null) {
      this.writer.drain();
      this.collectWritten();
    }
    const end = performance.now();
    this.recorder.drain();
    const results = [];
    let fsyncs = 0;
    let rolls = 0;
    let logBytes = 0;
    let batches = 0;
    for (const s of this.states) {
      await s.log.close();
      fsyncs += s.log.stats.fsyncs;
      rolls += s.log.stats.rolls;
      logBytes += s.log.stats.bytes;
      batches += s.log.stats.batches;
      results.push({ topic: o.topic, partition: s.partition, logStartOffset: s.log.logStartOffset, logEndOffset: s.log.nextOffset });
    }
    this.compressor?.close();
    this.writer?.close();
    return {
      records: this.records,
      valueBytes: this.valueBytes,
      uncompressedBytes: this.uncompressedBytes,
      logBytes,
      batches,
      fsyncs,
      rolls,
      transactions: this.txn,
      latency: this.latency,
      steadyLatency: o.warmupShare > 0 ? this.steady : null,
      steadyRecords: this.records - this.steadyStart.records,
      steadyValueBytes: this.valueBytes - this.steadyStart.bytes,
      steadySeconds: (end - this.steadyStart.ms) / 1000,
      startedAtEpochMs: performance.timeOrigin + c.start,
      appendedAtEpochMs: performance.timeOrigin + end,
      partitions: results,
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

function yieldToLoop(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
