// A LogWriter whose writes run on a thread of their own, so that the write syscall of one batch
// (the copy into the page cache) overlaps the building of the next instead of following it.
//
// Batches are built straight into buffers handed out here (a BufferSource for
// RecordBatchBuilder.buildDetached) and handed to the writer thread by transfer, so no byte is
// copied on the way; the writer gives each buffer back once written. A batch in any other buffer
// is copied into one first. (Shared memory would spare the hand-offs, but V8 copies into a
// SharedArrayBuffer byte by byte when source and target are not 8-byte aligned alike, which record
// values never are: building 1 KiB records into one measured 2.7× slower.) A hand-off costs some
// µs, so this pays for large batches only; see produce's writeBehind option.
//
// Writes reach their files in submission order, so whatever happens to the process every file
// holds a prefix of its appends. Bounded: once `maxInFlightBytes` have not come back, the producer
// waits for the writer. A failed write stops all later ones and is thrown by the next append or
// drain.

import { performance } from 'node:perf_hooks';
import { receiveMessageOnPort } from 'node:worker_threads';
import { KsegError, type BufferSource } from '../format/index.js';
import { objectArray, type LogWriter } from '../storage/index.js';
import { HelperThread } from './helperThread.js';
import { COMPLETED, FAILED, hrMs, RING, waitWhile, type WriteMessage, type WriterReply, type WriterShared } from './writeBehindShared.js';

export interface WriteBehindOptions {
  /** Bytes handed to the writer and not yet given back before the producer waits (default 8 MiB; at least one batch). */
  maxInFlightBytes?: number;
  /**
   * How long the producer polls for a write in progress to finish before it sleeps, in ms
   * (default 1; use 0 when threads outnumber cores). Waking a sleeping thread took 0.2-2 ms on a
   * 2-vCPU VM, a 1 MiB write 0.2 ms. The writer thread itself polls only 0.3 ms: polling there
   * takes CPU time a slower producer needs (lz4, 1 MiB batches: 641 MB/s with the writer polling
   * 20 ms, 767 without).
   */
  pollMs?: number;
}

export class WriteBehind implements LogWriter, BufferSource {
  readonly synchronous = false;
  private readonly thread: HelperThread;
  private readonly ctl: Int32Array;
  private readonly doneAt = new Float64Array(new SharedArrayBuffer(RING * 8));
  private readonly paths: string[] = new Array<string>(RING);
  /** Buffers handed out by acquire() and not yet appended or released. */
  private readonly held = new Set<ArrayBuffer>();
  /** Buffers back from the writer (or released), for acquire(). */
  private readonly free: Buffer[] = objectArray();
  private inFlightBytes = 0;
  private readonly maxInFlightBytes: number;
  private readonly pollMs: number;
  private completedCount = 0;
  private lastCompletedWord = 0;
  /** hrMs() − performance.now() on this thread: turns the writer's times into this thread's clock. */
  private readonly hrOffset = hrMs() - performance.now();

  constructor(opts: WriteBehindOptions = {}) {
    this.maxInFlightBytes = opts.maxInFlightBytes ?? 8 * 1024 * 1024;
    this.pollMs = opts.pollMs ?? 1;
    // The writer reports failed writes through FAILED and does not die of them.
    this.thread = new HelperThread('the write-behind thread', './writeBehindThread.js', import.meta.url, { doneAt: this.doneAt } satisfies Omit<WriterShared, 'ctl'>);
    this.ctl = this.thread.ctl;
  }

  private get submitted(): number {
    return this.thread.posted;
  }

  /**
   * Resolves once the writer thread runs its loop (a thread takes tens of ms to start, and compiling
   * the loop some tens more: writerLoop.ts). Appends before that are fine, they wait in order; a
   * producer that measures its speed waits for this first, as a Kafka producer starts its sender
   * thread before the first send.
   */
  async ready(): Promise<void> {
    await this.thread.ready();
  }

  /** Appends with a sequence number below this are in their files. */
  get completed(): number {
    const word = Atomics.load(this.ctl, COMPLETED);
    this.completedCount += (word - this.lastCompletedWord) | 0;
    this.lastCompletedWord = word;
    return this.completedCount;
  }

  /** When append `seq` (done, and among the last RING/2 appends) finished, on this thread's performance.now() clock. */
  doneAtMs(seq: number): number {
    return this.doneAt[seq & (RING - 1)] - this.hrOffset;
  }

  acquire(minBytes: number): Buffer {
    for (;;) {
      const b = this.takeFree(minBytes) ?? (this.receiveReplies(minBytes) ? this.takeFree(minBytes) : null);
      if (b !== null) return this.hold(b);
      // A new buffer only while those not held by builders stay within maxInFlightBytes (new
      // memory is slow to touch the first time; on a VM, the host faults it in); otherwise wait
      // for the writer to give one back.
      if (this.inFlightBytes === 0 || this.inFlightBytes + this.freeBytes() + minBytes <= this.maxInFlightBytes) return this.hold(Buffer.from(new ArrayBuffer(minBytes)));
      this.waitForWriter();
    }
  }

  /**
   * A buffer from acquire() leaves for another thread (the compressor: compressBehind.ts) and is
   * no longer held; returns its memory to transfer. takeBack() brings it back.
   */
  lend(buf: Buffer): ArrayBuffer {
    const b = buf.buffer as ArrayBuffer;
    if (!this.held.delete(b)) throw new Error('lend() of a buffer not from acquire()');
    return b;
  }

  /** A lent buffer, back (transferred: a new ArrayBuffer object), held again: to append from, or release. */
  takeBack(buffer: ArrayBuffer): Buffer {
    return this.hold(Buffer.from(buffer));
  }

  release(buf: Buffer): void {
    if (this.held.delete(buf.buffer as ArrayBuffer)) this.free.push(buf);
  }

  append(fd: number, bytes: Uint8Array, path: string, position: number): number {
    if (this.thread.stopped) throw new KsegError('append to a stopped write-behind writer');
    this.check();
    let buffer = bytes.buffer as ArrayBuffer;
    let from = bytes.byteOffset;
    if (!this.held.has(buffer)) {
      // Not built here (a control batch, a caller's buffer): copied into a buffer of ours.
      const copy = this.acquire(bytes.length);
      copy.set(bytes);
      buffer = copy.buffer as ArrayBuffer;
      from = 0;
    }
    this.held.delete(buffer);
    while (this.inFlightBytes > 0 && this.inFlightBytes + buffer.byteLength > this.maxInFlightBytes) this.waitForWriter();
    while (this.submitted - this.completed >= RING / 2) this.waitForWriter();
    this.paths[this.submitted & (RING - 1)] = path;
    this.inFlightBytes += buffer.byteLength;
    return this.thread.post({ fd, buffer, at: from, end: from + bytes.length, endPosition: position + bytes.length } satisfies WriteMessage, [buffer]);
  }

  drain(): void {
    while (this.completed !== this.submitted) this.waitForCompleted(this.lastCompletedWord);
    this.receiveReplies(Infinity);
    this.check();
  }

  /** Drains and stops the writer thread. */
  close(): void {
    if (this.thread.stopped) return;
    try {
      this.drain();
    } finally {
      this.thread.stop();
    }
  }

  private hold(b: Buffer): Buffer {
    this.held.add(b.buffer as ArrayBuffer);
    return b;
  }

  private freeBytes(): number {
    let n = 0;
    for (const b of this.free) n += b.length;
    return n;
  }

  private takeFree(minBytes: number): Buffer | null {
    const free = this.free;
    for (let i = free.length - 1; i >= 0; i--) {
      if (free[i].length < minBytes) continue;
      const b = free[i];
      free[i] = free[free.length - 1];
      free.pop();
      return b;
    }
    return null;
  }

  /** Takes the writer's replies until one gives back a buffer of `minBytes` (Infinity: all); true if one did. */
  private receiveReplies(minBytes: number): boolean {
    for (;;) {
      const m = receiveMessageOnPort(this.thread.port);
      if (m === undefined) return false;
      const r = m.message as WriterReply;
      if (r.type === 'failed') {
        this.thread.failure ??= new KsegError(`write to ${this.paths[r.seq & (RING - 1)]} failed: ${r.message}`);
        continue;
      }
      this.inFlightBytes -= r.buffer.byteLength;
      this.free.push(Buffer.from(r.buffer));
      if (r.buffer.byteLength >= minBytes) return true;
    }
  }

  /** Waits until the writer has given back at least one buffer. */
  private waitForWriter(): void {
    this.check();
    const before = this.inFlightBytes;
    this.receiveReplies(Infinity);
    if (this.inFlightBytes !== before) return;
    this.waitForCompleted(this.lastCompletedWord);
    this.receiveReplies(Infinity);
  }

  /** Blocks until the writer's completed count moves past `word`. */
  private waitForCompleted(word: number): void {
    waitWhile(this.ctl, COMPLETED, word, this.pollMs);
    if (Atomics.load(this.ctl, COMPLETED) === word) this.check(); // FAILED
    this.completed;
  }

  /** Throws the first failed write, with the file it was for. */
  private check(): void {
    const t = this.thread;
    if (t.failure === null && Atomics.load(this.ctl, FAILED) !== 0) {
      this.receiveReplies(Infinity);
      t.failure ??= new KsegError('a write-behind write failed');
    }
    if (t.failure !== null) throw t.failure;
  }
}
