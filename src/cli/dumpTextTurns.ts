// One thread's share of a parallel text dump (dumpTextParallel.ts): the main thread and every worker
// run this same loop over shared memory. The main thread publishes ranges of whole batches in file
// order; each thread claims the next unclaimed range, renders it, and writes it to the output
// itself when its turn comes (TURN: the id of the next range to write). Nothing is copied between
// threads and no thread writes for another.
//
// - A range claimed at its turn is rendered straight to the output, starting from the offset where
//   the range before really ended, so its consecutive-offsets check is the sequential dump's.
// - A range claimed ahead of its turn is rendered into memory from the offset its predecessor's last
//   header states. When its turn comes, and the predecessor did not really end there (corrupt records,
//   empty batches), its output is dropped and it is rendered again, straight out. A thread keeps at
//   most MAX_AHEAD such ranges, so memory is bounded.
// - Only ranges that were written report their problems; the first failure stops every thread once
//   the output before it is written.

import { type RangeOptions, renderLogRange } from './dumpTextRange.js';
import { LineWriter } from './output.js';
import {
  CLAIMED,
  EPOCH,
  JOINED,
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
  type RangeFailure,
  type SharedTables,
  type TurnsReport,
} from './dumpTextProtocol.js';
import type { ProblemEvent } from '../tools/dumpEvents.js';

/**
 * Ranges a thread renders ahead of its turn, at most. One is enough for two threads, and a small
 * footprint keeps the output buffers in cache: 3 ahead (and 2 MiB ranges, 12 buffers) dumped the
 * 1 GiB bench log in 0.84-0.94 s, 1 ahead (1 MiB ranges, 4 buffers) in 0.85-0.88 s, RSS 121 -> 104 MB.
 */
const MAX_AHEAD = 1;
/** A thread that waits this long for the others without any change gives up (a dead worker). */
const SILENCE_MS = 120_000;

/** A write to a closed pipe in a worker thread: unwinds its loop (the main thread then exits). */
export class BrokenPipe extends Error {}

interface Ahead {
  id: number;
  assumedPrev: number | null;
  chunks: Buffer[];
  problems: ProblemEvent[];
  prevOffset: number | null;
  error: RangeFailure | null;
}

/** Wakes every thread waiting on EPOCH. */
export function bump(ctrl: Int32Array): void {
  Atomics.add(ctrl, EPOCH, 1);
  Atomics.notify(ctrl, EPOCH);
}

/** Waits for EPOCH to move on from `seen`; throws after SILENCE_MS without a change. */
export function waitEpoch(ctrl: Int32Array, seen: number): void {
  if (Atomics.wait(ctrl, EPOCH, seen, SILENCE_MS) === 'timed-out') throw new Error(`a parallel dump thread waited ${SILENCE_MS / 1000} s for the others`);
}

const toNumber = (o: number | null) => (o === null ? NaN : o);
const toOffset = (n: number) => (Number.isNaN(n) ? null : n);

export class TurnTaker {
  readonly ctrl: Int32Array;
  private readonly ranges: Float64Array;
  private readonly ends: Float64Array;
  private ahead: Ahead[] = [];
  private report: TurnsReport = TurnTaker.emptyReport();

  /**
   * `readBuffer` and the `pool` buffers (for ranges rendered ahead) should share one ArrayBuffer, so
   * values are copied with copyWithin; `bufferBytes` is the size of each pool buffer.
   */
  constructor(
    tables: SharedTables,
    private readonly readBuffer: Buffer,
    private readonly pool: Buffer[],
    private readonly bufferBytes: number,
  ) {
    this.ctrl = new Int32Array(tables.control);
    this.ranges = new Float64Array(tables.ranges);
    this.ends = new Float64Array(tables.ends);
  }

  private static emptyReport(): TurnsReport {
    return { problems: [], failure: null, stats: { atTurn: 0, ahead: 0, again: 0 } };
  }

  /**
   * Takes part in the dump of `file` until every range is claimed and this thread's are written (or
   * the dump stops). `out` writes to the output; `refill` (the main thread's) publishes ranges; the
   * thread claims ranges only while fewer than `renderWhileJoinedBelow` workers take part.
   */
  run(file: string, ro: RangeOptions, out: LineWriter, refill?: () => void, renderWhileJoinedBelow = Infinity): TurnsReport {
    const c = this.ctrl;
    try {
      for (;;) {
        const seen = Atomics.load(c, EPOCH);
        if (Atomics.load(c, STOP) !== 0 || Atomics.load(c, OPEN) === 0) break;
        if (this.writeDue(file, ro, out)) continue;
        refill?.();
        if (this.ahead.length < MAX_AHEAD && Atomics.load(c, JOINED) < renderWhileJoinedBelow) {
          const id = this.claim();
          if (id >= 0) {
            this.render(id, file, ro, out);
            continue;
          }
        }
        if (this.ahead.length === 0 && Atomics.load(c, SCAN_DONE) === 1 && Atomics.load(c, CLAIMED) >= Atomics.load(c, PUBLISHED)) break;
        waitEpoch(c, seen);
      }
    } finally {
      for (const a of this.ahead) this.release(a.chunks);
      this.ahead = [];
    }
    const report = this.report;
    this.report = TurnTaker.emptyReport();
    return report;
  }

  private claim(): number {
    const c = this.ctrl;
    for (;;) {
      const next = Atomics.load(c, CLAIMED);
      if (next >= Atomics.load(c, PUBLISHED)) return -1;
      if (Atomics.compareExchange(c, CLAIMED, next, next + 1) !== next) continue;
      // Running low: wake the main thread if it waits, so it publishes more.
      if (Atomics.load(c, PUBLISHED) - next <= 2) bump(c);
      return next;
    }
  }

  /** Where the range before `id` really ended (its turn has come, so it is written). */
  private prevEnd(id: number): number | null {
    return id === 0 ? null : toOffset(this.ends[(id - 1) % RING]);
  }

  private render(id: number, file: string, ro: RangeOptions, out: LineWriter): void {
    const r = (id % RING) * RANGE_WORDS;
    const from = this.ranges[r];
    const to = this.ranges[r + 1];
    const assumedPrev = toOffset(this.ranges[r + 2]);
    if (this.ranges[r + 3] & RANGE_AT_TURN) {
      // Too large for memory: wait for its turn (writing this thread's earlier ranges meanwhile).
      const c = this.ctrl;
      for (;;) {
        const seen = Atomics.load(c, EPOCH);
        if (Atomics.load(c, STOP) !== 0) return;
        if (this.writeDue(file, ro, out)) continue;
        if (Atomics.load(c, TURN) === id) break;
        waitEpoch(c, seen);
      }
    }
    if (this.ahead.length === 0 && Atomics.load(this.ctrl, TURN) === id) {
      this.report.stats.atTurn++;
      this.renderAtTurn(id, from, to, file, ro, out);
      return;
    }
    this.report.stats.ahead++;
    const chunks: Buffer[] = [];
    const mem = new LineWriter(-1, this.bufferBytes, { take: (chunk) => chunks.push(chunk), next: () => this.buffer() }, this.buffer());
    const a: Ahead = { id, assumedPrev, chunks, problems: [], prevOffset: null, error: null };
    try {
      const done = renderLogRange(file, from, to, assumedPrev, ro, mem, this.readBuffer);
      a.problems = done.problems;
      a.prevOffset = done.state.prevOffset;
    } catch (err) {
      a.error = failureOf(id, err);
    }
    mem.flush();
    this.release([mem.buf]);
    this.ahead.push(a);
  }

  /** Renders range `id` straight to the output (its turn), then passes the turn on. */
  private renderAtTurn(id: number, from: number, to: number, file: string, ro: RangeOptions, out: LineWriter): void {
    try {
      const done = renderLogRange(file, from, to, this.prevEnd(id), ro, out, this.readBuffer);
      out.flush();
      this.pass(id, done.problems, done.state.prevOffset);
    } catch (err) {
      if (err instanceof BrokenPipe) throw err;
      out.flush();
      this.fail(failureOf(id, err));
    }
  }

  /** Writes this thread's ranges rendered ahead whose turn has come; true if it wrote any. */
  private writeDue(file: string, ro: RangeOptions, out: LineWriter): boolean {
    let wrote = false;
    while (this.ahead.length > 0 && Atomics.load(this.ctrl, TURN) === this.ahead[0].id && Atomics.load(this.ctrl, STOP) === 0) {
      const a = this.ahead.shift()!;
      wrote = true;
      if (a.assumedPrev !== this.prevEnd(a.id)) {
        // Rendered from the wrong offset: again, now that the right one is known.
        this.release(a.chunks);
        this.report.stats.again++;
        const r = (a.id % RING) * RANGE_WORDS;
        this.renderAtTurn(a.id, this.ranges[r], this.ranges[r + 1], file, ro, out);
        continue;
      }
      for (const chunk of a.chunks) out.writeThrough(chunk);
      this.release(a.chunks);
      if (a.error) this.fail(a.error);
      else this.pass(a.id, a.problems, a.prevOffset);
    }
    return wrote;
  }

  /** Range `id` is written: its problems count, and the next range may be written. */
  private pass(id: number, problems: ProblemEvent[], prevOffset: number | null): void {
    if (problems.length > 0) this.report.problems.push({ id, problems });
    this.ends[id % RING] = toNumber(prevOffset);
    Atomics.store(this.ctrl, TURN, id + 1);
    bump(this.ctrl);
  }

  /** Range `failure.id` failed after writing what it could: every thread stops. */
  private fail(failure: RangeFailure): void {
    this.report.failure = failure;
    Atomics.store(this.ctrl, STOP, STOP_FAILED);
    bump(this.ctrl);
  }

  private buffer(): Buffer {
    return this.pool.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  /** Output buffers go back to the pool (only the pool's own: an overflow buffer is left to the GC). */
  private release(chunks: Buffer[]): void {
    const arena = this.readBuffer.buffer;
    for (const c of chunks) if (c.buffer === arena) this.pool.push(Buffer.from(c.buffer, c.byteOffset, this.bufferBytes));
  }
}

function failureOf(id: number, err: unknown): RangeFailure {
  if (err instanceof BrokenPipe) throw err;
  const e = err as NodeJS.ErrnoException;
  return { id, message: e.message, io: e.code !== undefined };
}

/** A worker thread's broken pipe: every thread stops, and the main thread exits quietly. */
export function stopForBrokenPipe(ctrl: Int32Array): never {
  Atomics.store(ctrl, STOP, STOP_BROKEN_PIPE);
  bump(ctrl);
  throw new BrokenPipe('broken pipe');
}
