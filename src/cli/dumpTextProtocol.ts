// What the threads of a parallel text dump (dumpTextParallel.ts, dumpTextTurns.ts,
// dumpTextWorker.ts) share: its own module, so a worker loads only what it runs.

import type { MessagePort } from 'node:worker_threads';
import type { ProblemEvent } from '../tools/dumpEvents.js';
import type { RangeOptions } from './dumpTextRange.js';

// Control words (Int32Array over a SharedArrayBuffer), one set for all threads.
/** Bumped (and notified) on every change below: the one word threads wait on. */
export const EPOCH = 0;
/** Ranges published (ids 0..PUBLISHED-1) for the log being dumped. */
export const PUBLISHED = 1;
/** Ranges claimed by a thread. */
export const CLAIMED = 2;
/** The id of the range whose output is written next. */
export const TURN = 3;
/** 1 once every range of the log is published. */
export const SCAN_DONE = 4;
/** 0, or why threads stop early: STOP_FAILED (a range failed) or STOP_BROKEN_PIPE. */
export const STOP = 5;
/** 1 while the log numbered LOG_SEQ may be joined. */
export const OPEN = 6;
export const LOG_SEQ = 7;
/** Worker threads inside the log's loop. */
export const JOINED = 8;
export const CONTROL_WORDS = 9;

export const STOP_FAILED = 1;
export const STOP_BROKEN_PIPE = 2;

/** Ranges in flight at most (published, not yet written): the size of the shared range tables. */
export const RING = 64;
/** Float64 words per range in the range table: from, to, the offset it assumes it follows (NaN: none), flags. */
export const RANGE_WORDS = 4;
/** Range flag: one batch too large to keep in memory; rendered only at its turn, straight out. */
export const RANGE_AT_TURN = 1;

export interface SharedTables {
  control: SharedArrayBuffer;
  /** RING × RANGE_WORDS Float64 words. */
  ranges: SharedArrayBuffer;
  /** RING Float64 words: the offset each written range ended at (NaN: none), for the next one's check. */
  ends: SharedArrayBuffer;
}

/** Main → worker, its first message: the shared tables and where output goes. */
export interface WorkerSetup extends SharedTables {
  type: 'setup';
  /** Where output goes (the process's stdout, or the file a test gave). */
  fd: number;
  readBytes: number;
  bufferBytes: number;
  buffers: number;
}

/** A worker's workerData: only its port, so it can start before the dump knows its setup. */
export interface WorkerStart {
  port: MessagePort;
}

/** Main → worker: join the dump of this log (if it is still open). */
export interface LogJob {
  type: 'log';
  seq: number;
  file: string;
  options: RangeOptions;
}

export interface RangeProblems {
  id: number;
  problems: ProblemEvent[];
}

export interface RangeFailure {
  id: number;
  message: string;
  io: boolean;
}

/** What a thread did in one log. */
export interface TurnsReport {
  problems: RangeProblems[];
  failure: RangeFailure | null;
  /** Ranges rendered straight out at their turn / into memory ahead of it / again (stale). */
  stats: { atTurn: number; ahead: number; again: number };
}

/** Worker → main, when it leaves a log it joined. */
export interface WorkerReport extends TurnsReport {
  seq: number;
}
