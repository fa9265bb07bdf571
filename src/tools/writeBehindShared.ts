// What tools/writeBehind.ts (the producing thread) and its writer thread share: counters in shared
// memory, and the messages on their port. The compressor thread (compressBehind.ts) counts its
// messages in the same slots.

import { performance } from 'node:perf_hooks';
import type { QueuedWrite } from './writeSpan.js';

/** ctl (Int32Array) slots. Counters wrap at 2^32 and are compared by difference. */
export const SUBMITTED = 0; // write messages posted to the writer
export const COMPLETED = 1; // write messages done (written, or skipped after a failure)
export const SLEEPING = 2; // the writer is (about to be) in Atomics.wait: notify after submitting
export const FAILED = 3; // a write failed; its error is posted on the port
export const READY = 4; // the writer thread is running its loop
export const CTL_INTS = 5;

/** When the last RING writes finished (hrMs), by sequence number modulo RING (a power of two). */
export const RING = 1024;

export interface WriterShared {
  ctl: Int32Array;
  doneAt: Float64Array;
}

/**
 * Producer → writer: append bytes [at, end) of `buffer` to `fd`, ending at file offset
 * `endPosition`. The buffer is transferred; the writer queues the message itself (writeSpan.ts).
 */
export type WriteMessage = QueuedWrite;

/** Writer → producer: a buffer given back once written (transferred), or a failed write. */
export type WriterReply = { type: 'written'; buffer: ArrayBuffer } | { type: 'failed'; seq: number; message: string };

/**
 * Polls until ctl[index] is no longer `value` or `ms` have passed; returns whether it changed. The
 * clock (this thread's performance.now(): it allocates nothing, unlike process.hrtime()) is read
 * once every 64 polls.
 */
export function pollWhile(ctl: Int32Array, index: number, value: number, ms: number): boolean {
  if (ms <= 0) return Atomics.load(ctl, index) !== value;
  const until = performance.now() + ms;
  for (let i = 1; ; i++) {
    if (Atomics.load(ctl, index) !== value) return true;
    if ((i & 63) === 0 && performance.now() >= until) return false;
  }
}

/**
 * A helper thread's idle wait (the other side of HelperThread.post): polls `ms` for SUBMITTED to
 * move past `received`, then sleeps until it does, having asked (SLEEPING) to be woken. It looks once
 * more after asking: the producer may have counted a message between the two loads and still seen
 * SLEEPING 0.
 */
export function awaitSubmitted(ctl: Int32Array, received: number, ms: number): void {
  if (pollWhile(ctl, SUBMITTED, received, ms)) return;
  Atomics.store(ctl, SLEEPING, 1);
  if (Atomics.load(ctl, SUBMITTED) === received) Atomics.wait(ctl, SUBMITTED, received);
  Atomics.store(ctl, SLEEPING, 0);
}

/**
 * Blocks until ctl[index] is no longer `value` or FAILED is set, polling `ms` first (a wake-up
 * from Atomics.wait takes 0.2-2 ms on a 2-vCPU VM). No timeout: a write may take long on a busy
 * disk.
 */
export function waitWhile(ctl: Int32Array, index: number, value: number, ms: number): void {
  if (pollWhile(ctl, index, value, ms)) return;
  while (Atomics.load(ctl, index) === value && Atomics.load(ctl, FAILED) === 0) Atomics.wait(ctl, index, value, 1000);
}

/** A monotonic clock in ms that every thread of the process reads alike (performance.now() has a per-thread origin). */
export function hrMs(): number {
  const t = process.hrtime();
  return t[0] * 1e3 + t[1] / 1e6;
}
