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
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { KsegError, type BufferSource } from '../format/index.js';
import { objectArray, type LogWriter } from '../storage/index.js';
import { startWorker } from './startWorker.js';
import { COMPLETED, CTL_INTS, FAILED, hrMs, pollWhile, READY, RING, SLEEPING, SUBMITTED, type WriteMessage, type WriterReply, type WriterShared } from './writeBehindShared.js';

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
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CTL_INTS * 4));
  private readonly doneAt = new Float64Array(new SharedArrayBuffer(RING * 8));
  private readonly paths: string[] = new Array<string>(RING);
  private readonly port: MessagePort;
  private readonly worker: Worker;
  /** Buffers handed out by acquire() and not yet appended or released. */
  private readonly held = new Set<ArrayBuffer>();
  /** Buffers back from the writer (or released), for acquire(). */
  private readonly free: Buffer[] = objectArray();
  private inFlightBytes = 0;
  private readonly maxInFlightBytes: number;
  private readonly pollMs: number;
  private submitted = 0;
  private completedCount = 0;
  private lastCompletedWord = 0;
  /** hrMs() − performance.now() on this thread: turns the writer's times into this thread's clock. */
  private readonly hrOffset = hrMs() - performance.now();
  private failure: KsegError | null = null;
  private stopped = false;

  constructor(opts: WriteBehindOptions = {}) {
    this.maxInFlightBytes = opts.maxInFlightBytes ?? 8 * 1024 * 1024;
    this.pollMs = opts.pollMs ?? 1;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const shared: WriterShared = { ctl: this.ctl, doneAt: this.doneAt };
    this.worker = startWorker('./writeBehindThread.js', import.meta.url, { ...shared, port: port2 }, [port2]);
    // Never keeps the process alive (but see ready()). The writer reports failed writes through
    // FAILED and does not die of them; an error starting it is kept for ready() to throw.
    this.worker.unref();
    this.port.unref();
    this.worker.on('error', (err) => {
      this.failure ??= new KsegError(`the write-behind thread failed: ${err.message}`);
    });
  }

  /**
   * Resolves once the writer thread runs its loop (a thread takes tens of ms to start, and compiling
   * the loop some tens more: writerLoop.ts). Appends before that are fine, they wait in order; a
   * producer that measures its speed waits for this first, as a Kafka producer starts its sender
   * thread before the first send.
   */
  async ready(): Promise<void> {
    if (Atomics.load(this.ctl, READY) !== 0) return;
    // (Atomics.waitAsync: in Node since 16, in TypeScript's lib from es2024.)
    const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string } }).waitAsync;
    const w = waitAsync(this.ctl, READY, 0);
    if (!w.async) return;
    // Kept referenced while waiting (an unreferenced thread would let the process end here), and
    // a thread that fails to start ends the wait with its error instead of hanging it.
    let onExit!: () => void;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', (onExit = resolve)));
    this.worker.ref();
    try {
      await Promise.race([w.value, exited]);
    } finally {
      this.worker.off('exit', onExit);
      this.worker.unref();
    }
    if (Atomics.load(this.ctl, READY) === 0) throw this.failure ?? new KsegError('the write-behind thread stopped before it started');
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

  release(buf: Buffer): void {
    if (this.held.delete(buf.buffer as ArrayBuffer)) this.free.push(buf);
  }

  append(fd: number, bytes: Uint8Array, path: string, position: number): number {
    if (this.stopped) throw new KsegError('append to a stopped write-behind writer');
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
    const seq = this.submitted;
    this.paths[seq & (RING - 1)] = path;
    this.inFlightBytes += buffer.byteLength;
    this.port.postMessage({ fd, buffer, at: from, end: from + bytes.length, endPosition: position + bytes.length } satisfies WriteMessage, [buffer]);
    this.count();
    return seq;
  }

  drain(): void {
    while (this.completed !== this.submitted) this.waitForCompleted(this.lastCompletedWord);
    this.receiveReplies(Infinity);
    this.check();
  }

  /** Drains and stops the writer thread. */
  close(): void {
    if (this.stopped) return;
    try {
      this.drain();
    } finally {
      this.stopped = true;
      this.port.postMessage(null);
      this.count();
      this.port.close();
    }
  }

  /** One more message for the writer; wake it if it sleeps. */
  private count(): void {
    this.submitted++;
    Atomics.store(this.ctl, SUBMITTED, this.submitted | 0);
    if (Atomics.load(this.ctl, SLEEPING) !== 0) Atomics.notify(this.ctl, SUBMITTED);
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
      const m = receiveMessageOnPort(this.port);
      if (m === undefined) return false;
      const r = m.message as WriterReply;
      if (r.type === 'failed') {
        this.failure ??= new KsegError(`write to ${this.paths[r.seq & (RING - 1)]} failed: ${r.message}`);
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

  /** Blocks until the writer's completed count moves past `word` (a write may take long on a busy disk: no timeout). */
  private waitForCompleted(word: number): void {
    pollWhile(this.ctl, COMPLETED, word, this.pollMs);
    while (Atomics.load(this.ctl, COMPLETED) === word) {
      Atomics.wait(this.ctl, COMPLETED, word, 1000);
      if (Atomics.load(this.ctl, FAILED) !== 0) this.check();
    }
    this.completed;
  }

  /** Throws the first failed write, with the file it was for. */
  private check(): void {
    if (this.failure === null && Atomics.load(this.ctl, FAILED) !== 0) {
      this.receiveReplies(Infinity);
      this.failure ??= new KsegError('a write-behind write failed');
    }
    if (this.failure !== null) throw this.failure;
  }
}
