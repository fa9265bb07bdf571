// Compression on a thread of its own, so that compressing one batch (most of a compressed batch's
// cost: lz4 ~1.3 ms per MiB here) overlaps building the next instead of following it. Batches go to
// the compressor with their records not compressed yet (RecordBatchBuilder.buildForCompression), each
// with an output buffer, both transferred (no copy); they come back compressed and sealed, in the
// order they were submitted, and the producer appends them to their logs itself: segment positions,
// index entries and rolls depend on the compressed sizes and stay on the producing thread.
//
// The buffers are the write-behind writer's (WriteBehind.lend / takeBack), so a compressed batch
// goes on to be written without a copy.

import { receiveMessageOnPort } from 'node:worker_threads';
import { KsegError, type Codec } from '../format/index.js';
import type { CompressMessage, CompressorReply } from './compressorLoop.js';
import { HelperThread } from './helperThread.js';
import { COMPLETED, FAILED, waitWhile } from './writeBehindShared.js';

/**
 * Batches at the compressor at most: one being compressed and one waiting, so that the producing
 * thread's wake-up (0.2-2 ms on a 2-vCPU VM) overlaps a compression (~1.3 ms for 1 MiB of lz4).
 * lz4, 1 KiB records, 1 MiB batches, runs of the storage bench on a 2-vCPU VM, produce / the
 * codec's own speed: 1 in flight 0.85-0.94 (p99 4.3-5.6 ms), 2: 0.89-1.0, median 0.93, one run 0.81
 * (p99 6-8.6 ms), 3: 0.90-0.99 (8-11.5 ms), 4: 0.82-0.95 (11-15 ms); compressing on the producing
 * thread: 0.82-0.87 (p99 2-2.9 ms). At 2 the compressor is busy ~99% of the run, at the codec's speed.
 */
export const COMPRESS_BEHIND_BATCHES_IN_FLIGHT = 2;

export interface CompressBehindOptions {
  codec: Codec;
  level?: number;
  /** Batches submitted and not yet taken back before submit() must wait (default COMPRESS_BEHIND_BATCHES_IN_FLIGHT). */
  maxInFlight?: number;
  /** How long waitForOne() polls before it sleeps, in ms (default 0: the compressor needs the core). */
  pollMs?: number;
}

/** A batch back from the compressor: sealed at [0, length) of `out`; `input` held its records uncompressed. */
export interface CompressedBatch {
  input: ArrayBuffer;
  out: ArrayBuffer;
  length: number;
}

export class CompressBehind {
  private readonly thread: HelperThread;
  private readonly level: number | undefined;
  readonly maxInFlight: number;
  private readonly pollMs: number;
  private taken = 0;

  constructor(opts: CompressBehindOptions) {
    this.level = opts.level;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? COMPRESS_BEHIND_BATCHES_IN_FLIGHT);
    this.pollMs = opts.pollMs ?? 0;
    this.thread = new HelperThread('the compressor thread', './compressBehindThread.js', import.meta.url, { codec: opts.codec, level: opts.level });
  }

  /** Resolves once the compressor has loaded its codec and runs its loop. */
  async ready(): Promise<void> {
    await this.thread.ready();
  }

  /** Batches submitted and not taken back yet. */
  get inFlight(): number {
    return this.thread.posted - this.taken;
  }

  /**
   * Hands over the unsealed batch `unsealed` to be compressed into `out`; its buffer and `out` are
   * transferred. Call only while inFlight < maxInFlight (waitForOne, take).
   */
  submit(unsealed: Uint8Array, out: ArrayBuffer): void {
    const input = unsealed.buffer as ArrayBuffer;
    if (this.thread.stopped) throw new KsegError('submit to a stopped compressor');
    this.check();
    if (this.inFlight >= this.maxInFlight) throw new Error('compressor submit beyond maxInFlight');
    const m: CompressMessage = { input, at: unsealed.byteOffset, end: unsealed.byteOffset + unsealed.length, out, level: this.level };
    this.thread.post(m, [input, out]);
  }

  /** The oldest batch the compressor has finished, or null if none is finished yet; throws a failed one. */
  take(): CompressedBatch | null {
    if (this.inFlight === 0) return null;
    const m = receiveMessageOnPort(this.thread.port);
    if (m === undefined) {
      this.check();
      return null;
    }
    this.taken++;
    const r = m.message as CompressorReply;
    if (r.type === 'failed') {
      this.thread.failure ??= new KsegError(`compression failed: ${r.message}`);
      throw this.thread.failure;
    }
    return r;
  }

  /** Blocks until the oldest batch in flight is finished (take() returns it). */
  waitForOne(): void {
    if (this.inFlight === 0) return;
    const ctl = this.thread.ctl;
    // COMPLETED counts batches done since the start; the oldest is done once it passes `taken`.
    for (let word = Atomics.load(ctl, COMPLETED); ((word - this.taken) | 0) <= 0; word = Atomics.load(ctl, COMPLETED)) {
      waitWhile(ctl, COMPLETED, word, this.pollMs);
      if (Atomics.load(ctl, COMPLETED) === word) this.check(); // FAILED
    }
  }

  /** Stops the thread; batches still in flight are dropped (take them first). */
  close(): void {
    this.thread.stop();
  }

  private check(): void {
    const t = this.thread;
    if (t.failure === null && Atomics.load(t.ctl, FAILED) !== 0) {
      // The failed batch's reply is posted before FAILED is set: its reason is on the port.
      for (let m = receiveMessageOnPort(t.port); m !== undefined && t.failure === null; m = receiveMessageOnPort(t.port)) {
        const r = m.message as CompressorReply;
        if (r.type === 'failed') t.failure = new KsegError(`compression failed: ${r.message}`);
      }
      t.failure ??= new KsegError('compression failed');
    }
    if (t.failure !== null) throw t.failure;
  }
}
