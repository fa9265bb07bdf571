// Text dump of a large `.log` on several cores. The main thread reads the batch headers only
// (storage/batchSpans.ts) and publishes ranges of whole batches in shared memory; it and the worker
// threads (dumpTextWorker.ts) claim them in order, render them, and each writes its own ranges to
// the output when their turn comes (dumpTextTurns.ts). Until a worker is up, the main thread renders
// every range itself.
//
// Output is byte-for-byte the sequential dump's, problems included (see dumpTextTurns.ts), with
// bounded memory: a few ranges ahead per thread.

import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { receiveMessageOnPort } from 'node:worker_threads';
import { BatchSpans, type BatchSpan } from '../storage/batchSpans.js';
import { logHeader, LogWalk, trailingEvents, type DumpEvent } from '../tools/dump.js';
import type { DumpTextRenderer } from './dumpText.js';
import type { RangeOptions } from './dumpTextRange.js';
import { bump, TurnTaker, waitEpoch } from './dumpTextTurns.js';
import { PARALLEL_MIN_BYTES, startDumpWorkers, takePrestartedWorkers, type DumpWorker } from './dumpWorkerPrestart.js';
import type { LineWriter } from './output.js';
import {
  CLAIMED,
  CONTROL_WORDS,
  EPOCH,
  JOINED,
  LOG_SEQ,
  OPEN,
  PUBLISHED,
  RANGE_AT_TURN,
  RANGE_WORDS,
  RING,
  SCAN_DONE,
  STOP,
  STOP_BROKEN_PIPE,
  STOP_FAILED,
  TURN,
  type LogJob,
  type RangeProblems,
  type SharedTables,
  type TurnsReport,
  type WorkerReport,
  type WorkerSetup,
} from './dumpTextProtocol.js';

export interface ParallelDumpConfig {
  /**
   * Worker threads (default: cores - 1). The main thread renders too while fewer workers than cores
   * take part (with as many workers as cores, it only cuts ranges once they are up). 0 = one thread.
   */
  jobs?: number;
  /** Logs smaller than this are dumped sequentially (worker start-up would cost more). */
  minBytes?: number;
  /** Bytes of batches per range. */
  rangeBytes?: number;
  /** A batch this large gets a range of its own, rendered only at its turn (never kept in memory). */
  atTurnBytes?: number;
}

const MiB = 1024 * 1024;
/** A range (1 MiB of batches and the rest of the last one) in one read, not a read and a tail. */
const READ_BYTES = 2 * MiB;
const BUFFER_BYTES = MiB;
/** Output buffers per thread for ranges rendered ahead (a range of 100 B records fills about 2; see MAX_AHEAD in dumpTextTurns.ts). */
const BUFFERS = 4;
/** Ranges published but not yet claimed, at most: enough that a worker never waits for one. */
const LOOKAHEAD = 4;

export class ParallelTextDump {
  private readonly jobs: number;
  private readonly cores: number;
  private readonly minBytes: number;
  private readonly rangeBytes: number;
  private readonly atTurnBytes: number;
  private readonly workers: DumpWorker[] = [];
  private tables: SharedTables | null = null;
  private turns: TurnTaker | null = null;
  private seq = 0;
  /** Where ranges were rendered (for tests and tuning): by workers, by the main thread at its turn / ahead, again. */
  readonly stats = { workers: 0, main: 0, mainAhead: 0, again: 0 };

  constructor(
    private readonly ro: RangeOptions,
    cfg: ParallelDumpConfig = {},
  ) {
    this.cores = availableParallelism();
    this.jobs = Math.max(0, cfg.jobs ?? this.cores - 1);
    this.minBytes = cfg.minBytes ?? PARALLEL_MIN_BYTES;
    this.rangeBytes = Math.max(1, cfg.rangeBytes ?? MiB);
    this.atTurnBytes = Math.max(1, cfg.atTurnBytes ?? 16 * MiB);
  }

  /** Whether `file` (a `.log`) is worth dumping here rather than sequentially. */
  eligible(file: string): boolean {
    const walk = new LogWalk(file, this.ro.opts);
    if (this.jobs < 1 || !walk.deep || walk.filtered || this.ro.opts.maxBytes !== undefined) return false;
    try {
      const st = statSync(file);
      return st.isFile() && st.size >= this.minBytes;
    } catch {
      return false;
    }
  }

  /** Dumps one log (its header, batches, records and tail) to `out`; problems go to `text`. */
  dumpLog(file: string, out: LineWriter, text: DumpTextRenderer): void {
    const turns = this.start(out);
    const tables = this.tables!;
    const ctrl = turns.ctrl;
    const ranges = new Float64Array(tables.ranges);
    const emit = (ev: DumpEvent) => {
      const line = text.line(ev);
      if (line !== null) out.line(line);
    };
    const header = logHeader(file, 'log');
    if (header) emit(header);
    out.flush(); // before any thread writes a range

    // A new log: counters reset while it is closed, then opened to the workers.
    const seq = ++this.seq;
    for (const w of [PUBLISHED, CLAIMED, TURN, SCAN_DONE, STOP]) Atomics.store(ctrl, w, 0);
    Atomics.store(ctrl, LOG_SEQ, seq);
    Atomics.store(ctrl, OPEN, 1);
    const job: LogJob = { type: 'log', seq, file, options: this.ro };
    for (const w of this.workers) w.port.postMessage(job);

    // The scan: ranges of whole batches, published LOOKAHEAD ahead of the claims.
    const spans = new BatchSpans(file);
    const it = spans[Symbol.iterator]();
    let lastOffset: number | null = null; // of the last batch published
    let published = 0;
    const publish = (from: number, to: number, last: number, atTurn: boolean) => {
      const r = (published % RING) * RANGE_WORDS;
      ranges[r] = from;
      ranges[r + 1] = to;
      ranges[r + 2] = lastOffset === null ? NaN : lastOffset;
      ranges[r + 3] = atTurn ? RANGE_AT_TURN : 0;
      lastOffset = last;
      Atomics.store(ctrl, PUBLISHED, ++published);
    };
    let carry: BatchSpan | null = null; // read past the end of the last range
    const refill = () => {
      if (Atomics.load(ctrl, SCAN_DONE) === 1) return;
      const before = published;
      while (published - Atomics.load(ctrl, CLAIMED) < LOOKAHEAD && published - Atomics.load(ctrl, TURN) < RING - 1) {
        let from = -1;
        let to = 0;
        let last = 0;
        for (;;) {
          const span = carry ?? it.next().value;
          carry = null;
          if (!span) break;
          if (from >= 0 && span.size >= this.atTurnBytes) {
            carry = { ...span }; // alone in a range of its own
            break;
          }
          if (from < 0) from = span.position;
          to = span.position + span.size;
          last = span.lastOffset;
          if (to - from >= this.rangeBytes) break;
        }
        if (from >= 0) publish(from, to, last, to - from >= this.atTurnBytes);
        if (from < 0 || (carry === null && spans.end !== null)) {
          Atomics.store(ctrl, SCAN_DONE, 1);
          break;
        }
      }
      if (published !== before || Atomics.load(ctrl, SCAN_DONE) === 1) bump(ctrl);
    };

    const reports: TurnsReport[] = [];
    try {
      reports.push(turns.run(file, this.ro, out, refill, this.cores));
      // Everything this thread had is written; the workers' ranges may still be on their way.
      for (;;) {
        const seen = Atomics.load(ctrl, EPOCH);
        if (Atomics.load(ctrl, STOP) !== 0 || (Atomics.load(ctrl, SCAN_DONE) === 1 && Atomics.load(ctrl, TURN) >= Atomics.load(ctrl, PUBLISHED))) break;
        waitEpoch(ctrl, seen);
      }
    } finally {
      // Closed: workers leave (after a failure, at once) and report.
      if (Atomics.load(ctrl, SCAN_DONE) !== 1 || Atomics.load(ctrl, TURN) < published) Atomics.store(ctrl, STOP, Math.max(STOP_FAILED, Atomics.load(ctrl, STOP)));
      Atomics.store(ctrl, OPEN, 0);
      bump(ctrl);
      for (;;) {
        const seen = Atomics.load(ctrl, EPOCH);
        if (Atomics.load(ctrl, JOINED) === 0) break;
        waitEpoch(ctrl, seen);
      }
      for (const w of this.workers) {
        for (let m = receiveMessageOnPort(w.port); m !== undefined; m = receiveMessageOnPort(w.port)) {
          const report = m.message as WorkerReport;
          if (report.seq !== seq) continue;
          reports.push(report);
          this.stats.workers += report.stats.atTurn + report.stats.ahead;
        }
      }
    }
    if (Atomics.load(ctrl, STOP) === STOP_BROKEN_PIPE) process.exit(0); // as a write here would
    const main = reports[0];
    this.stats.main += main.stats.atTurn;
    this.stats.mainAhead += main.stats.ahead;
    for (const r of reports) this.stats.again += r.stats.again;

    // Problems in file order; after a failure, only those of the ranges written before it.
    const failure = reports.map((r) => r.failure).find((f) => f !== null) ?? null;
    const problems: RangeProblems[] = reports.flatMap((r) => r.problems).filter((p) => failure === null || p.id < failure.id);
    problems.sort((a, b) => a.id - b.id);
    for (const p of problems) text.problems.push(...p.problems);
    if (failure !== null) throw Object.assign(new Error(failure.message), failure.io ? { code: 'EIO' } : {});
    for (const ev of trailingEvents(file, spans.end!, this.ro.opts)) emit(ev);
  }

  /** Stops the workers (they hold no state between logs). */
  close(): void {
    for (const w of this.workers) void w.worker.terminate();
    this.workers.length = 0;
  }

  /** The shared tables, the main thread's share, and the workers (started once, used for every log). */
  private start(out: LineWriter): TurnTaker {
    if (this.turns === null) {
      const tables: SharedTables = {
        control: new SharedArrayBuffer(4 * CONTROL_WORDS),
        ranges: new SharedArrayBuffer(8 * RING * RANGE_WORDS),
        ends: new SharedArrayBuffer(8 * RING),
      };
      this.tables = tables;
      const arena = new ArrayBuffer(READ_BYTES + BUFFERS * BUFFER_BYTES);
      const pool = Array.from({ length: BUFFERS }, (_, i) => Buffer.from(arena, READ_BYTES + i * BUFFER_BYTES, BUFFER_BYTES));
      this.turns = new TurnTaker(tables, Buffer.from(arena, 0, READ_BYTES), pool, BUFFER_BYTES);
    }
    if (this.workers.length === 0 && this.jobs > 0) {
      const workers = takePrestartedWorkers(this.jobs);
      workers.push(...startDumpWorkers(this.jobs - workers.length, this.cores));
      const setup: WorkerSetup = { type: 'setup', ...this.tables!, fd: out.fd, readBytes: READ_BYTES, bufferBytes: BUFFER_BYTES, buffers: BUFFERS };
      for (const w of workers) {
        w.port.postMessage(setup);
        this.workers.push(w);
      }
    }
    return this.turns;
  }
}
