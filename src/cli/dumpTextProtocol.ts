// What the main thread and the worker threads of a parallel text dump (dumpTextParallel.ts,
// dumpTextWorker.ts) exchange: its own module, so a worker loads only what it runs.

import type { MessagePort } from 'node:worker_threads';
import type { ProblemEvent } from '../tools/dumpEvents.js';
import type { RangeOptions } from './dumpTextRange.js';

// Layout of a worker's control words (Int32Array over a SharedArrayBuffer).
/** Messages the worker has posted. */
export const CTRL_REPLIES = 0;
/** Slots the main thread has handed back. */
export const CTRL_FREED = 1;
/** 1 once the worker listens. */
export const CTRL_READY = 2;
/** One word per output slot: 0 free, 1 the worker's or not yet written. */
export const CTRL_SLOTS = 3;

export interface WorkerSetup {
  port: MessagePort;
  /** `slots` output slots of `slotBytes`. */
  slotArena: SharedArrayBuffer;
  control: SharedArrayBuffer;
  readBytes: number;
  slotBytes: number;
  slots: number;
}

export interface RangeJob {
  id: number;
  file: string;
  from: number;
  to: number;
  prevOffset: number | null;
  options: RangeOptions;
}

export type WorkerMessage =
  | { type: 'chunk'; id: number; slot: number; length: number }
  | { type: 'done'; id: number; problems: ProblemEvent[]; prevOffset: number | null; error?: { message: string; io: boolean } };
