// The producing side of a helper thread fed through a port whose messages are counted in shared
// memory (the slots of writeBehindShared.ts): what the write-behind writer (writeBehind.ts) and the
// compressor (compressBehind.ts) have in common. A message is posted before SUBMITTED counts it, so
// the thread, taking messages synchronously, finds every counted one already queued.

import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { KsegError } from '../format/index.js';
import { startWorker } from './startWorker.js';
import { CTL_INTS, READY, SLEEPING, SUBMITTED } from './writeBehindShared.js';

export class HelperThread {
  readonly ctl = new Int32Array(new SharedArrayBuffer(CTL_INTS * 4));
  readonly port: MessagePort;
  private readonly worker: Worker;
  /** Messages posted and counted (the stop message too). */
  posted = 0;
  /** The first failure: the thread's own (it died), or one its owner found. */
  failure: KsegError | null = null;
  stopped = false;

  /** Starts the entry `file` (relative to `from`) with `workerData` plus `ctl` and `port`. */
  constructor(
    private readonly name: string,
    file: string,
    from: string,
    workerData: Record<string, unknown>,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = startWorker(file, from, { ...workerData, ctl: this.ctl, port: port2 }, [port2]);
    // Never keeps the process alive (but see ready()); an error starting it is kept for ready().
    this.worker.unref();
    this.port.unref();
    this.worker.on('error', (err) => {
      this.failure ??= new KsegError(`${name} failed: ${err.message}`);
    });
  }

  /** Resolves once the thread reports ready (READY); a thread that fails to start ends the wait with its error. */
  async ready(): Promise<void> {
    if (Atomics.load(this.ctl, READY) !== 0) return;
    // (Atomics.waitAsync: in Node since 16, in TypeScript's lib from es2024.)
    const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string } }).waitAsync;
    const w = waitAsync(this.ctl, READY, 0);
    if (!w.async) return;
    // Kept referenced while waiting (an unreferenced thread would let the process end here).
    let onExit!: () => void;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', (onExit = resolve)));
    this.worker.ref();
    try {
      await Promise.race([w.value, exited]);
    } finally {
      this.worker.off('exit', onExit);
      this.worker.unref();
    }
    if (Atomics.load(this.ctl, READY) === 0) throw this.failure ?? new KsegError(`${this.name} stopped before it started`);
  }

  /** Posts and counts one message (wakes the thread if it sleeps); returns its sequence number. */
  post(message: unknown, transfer?: ArrayBuffer[]): number {
    this.port.postMessage(message, transfer);
    const seq = this.posted++;
    Atomics.store(this.ctl, SUBMITTED, this.posted | 0);
    if (Atomics.load(this.ctl, SLEEPING) !== 0) Atomics.notify(this.ctl, SUBMITTED);
    return seq;
  }

  /** Posts the stop message and closes the port. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.post(null);
    this.port.close();
  }
}
