// The loop of the write-behind writer thread (writeBehindThread.ts): takes write messages in order,
// appends their bytes to their fds, gives each buffer back and marks its write done with the time it
// finished. It blocks in Atomics.wait while there is nothing to write and never returns to its event
// loop until told to stop, so messages are taken synchronously (receiveMessageOnPort); each is
// posted before SUBMITTED counts it, so a counted message is already queued. A write may carry on
// into the messages queued behind it in the same file (writeSpan.ts): a message is done once all its
// bytes are written.
import { closeSync, openSync } from 'node:fs';
import { devNull } from 'node:os';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Fifo } from '../storage/fifo.js';
import { awaitSubmitted, COMPLETED, CTL_INTS, FAILED, hrMs, RING, SUBMITTED, type WriteMessage, type WriterReply } from './writeBehindShared.js';
import { writeNextSpan } from './writeSpan.js';

const WRITER_POLL_MS = 0.3;

/** Writes warmWriterLoop makes: fewer (1000, 2000) still left V8 compiling parts of the loop during the first GiB. */
export const WARM_UP_WRITES = 4000;
const WARM_UP_WRITE_BYTES = 256;

/** One producer's writes: its shared counters (ctl, doneAt) and its port. */
export class WriterLoop {
  /** Received and not yet done, in order. */
  private readonly queue = new Fifo<WriteMessage>();
  private failed = false;
  private stopping = false;
  private done: number;
  private received: number;

  constructor(
    private readonly ctl: Int32Array,
    private readonly doneAt: Float64Array,
    private readonly port: MessagePort,
  ) {
    this.done = this.received = Atomics.load(ctl, COMPLETED);
  }

  /** Writes until the stop message (or a missing message, reported as a failure); leaves the port open. */
  run(): void {
    const { ctl, queue } = this;
    for (;;) {
      if (!this.receiveCounted()) {
        // Cannot happen (a message is posted before it is counted); fail loudly rather than hang.
        this.reply({ type: 'failed', seq: this.done, message: 'write-behind message missing' });
        Atomics.store(ctl, FAILED, 1);
        return;
      }
      if (queue.length === 0) {
        if (this.stopping) return; // nothing comes after the stop message
        // A short poll first: a producer that keeps up submits again within a write's time (0.2 ms
        // for 1 MiB) and then need not wake us (a wake cost it ~60 µs of a 2-vCPU VM's time). Not
        // longer: polling takes CPU time a slower producer (lz4) needs.
        awaitSubmitted(ctl, this.received, WRITER_POLL_MS);
        continue;
      }
      if (!this.failed) {
        try {
          writeNextSpan(queue);
        } catch (err) {
          // Nothing after a failed write is written, so every file keeps a prefix of its appends.
          this.failed = true;
          this.reply({ type: 'failed', seq: this.done, message: (err as Error).message });
          Atomics.store(ctl, FAILED, 1);
        }
      }
      this.completeWritten();
    }
  }

  /** Gives back the buffers of the writes at the head that are done: written whole, or (after a failure) skipped. */
  private completeWritten(): void {
    const { ctl, queue } = this;
    for (let w = queue.peek(); w !== undefined && (this.failed || w.at === w.end); w = queue.peek()) {
      queue.shift();
      this.reply({ type: 'written', buffer: w.buffer }, [w.buffer]);
      this.doneAt[this.done & (RING - 1)] = hrMs();
      this.done = (this.done + 1) | 0;
      Atomics.store(ctl, COMPLETED, this.done);
      Atomics.notify(ctl, COMPLETED);
    }
  }

  /** Takes every counted message into the queue (a stop message sets `stopping`); false if one is missing. */
  private receiveCounted(): boolean {
    const submitted = Atomics.load(this.ctl, SUBMITTED);
    while (this.received !== submitted) {
      const r = receiveMessageOnPort(this.port);
      if (r === undefined) return false;
      this.received = (this.received + 1) | 0;
      const m = r.message as WriteMessage | null;
      if (m === null) this.stopping = true;
      else this.queue.push(m);
    }
    return true;
  }

  private reply(r: WriterReply, transfer?: ArrayBuffer[]): void {
    this.port.postMessage(r, transfer);
  }
}

/**
 * Runs WriterLoops over `writes` small writes, posted and given back through a port as a
 * producer's are, to the null device (or `fd`), so that V8 compiles the loop before the thread
 * reports ready. kseg runs node with --no-concurrent-recompilation (bin/kseg.js), so that compiling
 * happens on this thread; left to the run, it stopped the writes for 7-10 ms within the first GiB
 * (which the producer waited out). Takes 40-80 ms. Returns the bytes written.
 */
export function warmWriterLoop(fd?: number, writes = WARM_UP_WRITES): number {
  const out = fd ?? openSync(devNull, 'w');
  const { port1: producer, port2: writer } = new MessageChannel();
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_INTS * 4));
  const rounds = 4; // a new WriterLoop each, as each producer gets one
  let bytes = 0;
  try {
    for (let round = 0, k = 0; round < rounds; round++) {
      const loop = new WriterLoop(ctl, new Float64Array(RING), writer);
      let position = 0;
      const n = Math.ceil(writes / rounds);
      for (let i = 0; i < n; i++, k++) {
        const buffer = new ArrayBuffer(WARM_UP_WRITE_BYTES);
        new Uint8Array(buffer).fill(k & 0xff);
        // Runs of writes that follow on (written together, writev) and some that do not (written alone).
        position += i % 3 === 0 ? WARM_UP_WRITE_BYTES + 1 : WARM_UP_WRITE_BYTES;
        producer.postMessage({ fd: out, buffer, at: 0, end: WARM_UP_WRITE_BYTES, endPosition: position } satisfies WriteMessage, [buffer]);
        bytes += WARM_UP_WRITE_BYTES;
      }
      producer.postMessage(null);
      Atomics.add(ctl, SUBMITTED, n + 1);
      loop.run();
      // The buffers come back; a failed write (not to the null device) is the caller's to see.
      for (let m = receiveMessageOnPort(producer); m !== undefined; m = receiveMessageOnPort(producer)) {
        const r = m.message as WriterReply;
        if (r.type === 'failed') throw new Error(`write-behind warm-up: ${r.message}`);
      }
      Atomics.store(ctl, COMPLETED, Atomics.load(ctl, SUBMITTED)); // the stop message too
    }
  } finally {
    producer.close();
    writer.close();
    if (fd === undefined) closeSync(out);
  }
  return bytes;
}
