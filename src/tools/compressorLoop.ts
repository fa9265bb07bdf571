// The loop of the compressor thread (compressBehindThread.ts): takes batches whose records are not
// compressed yet (RecordBatchBuilder.buildForCompression), compresses and seals each into the output
// buffer that came with it (compressBatch), and gives both buffers back, in order. Like the writer's
// loop (writerLoop.ts) it takes messages synchronously, counted in SUBMITTED, and sleeps in
// Atomics.wait when there are none.
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Codec, compressBatch, RecordBatchBuilder, type BufferSource } from '../format/index.js';
import { awaitSubmitted, COMPLETED, CTL_INTS, FAILED, SUBMITTED } from './writeBehindShared.js';

/** Producer → compressor: the unsealed batch at [at, end) of `input`, to be compressed into `out` (both transferred). */
export interface CompressMessage {
  input: ArrayBuffer;
  at: number;
  end: number;
  out: ArrayBuffer;
  level: number | undefined;
}

/** Compressor → producer, one per message in order: the sealed batch at [0, length) of `out`, or why it failed. */
export type CompressorReply = { type: 'compressed'; input: ArrayBuffer; out: ArrayBuffer; length: number } | { type: 'failed'; message: string };

/**
 * How long the compressor polls for the next batch before it sleeps. Short: a producer that keeps
 * it busy has batches queued already, and polling takes CPU time the other threads need.
 */
const COMPRESSOR_POLL_MS = 0.1;

export class CompressorLoop {
  private received: number;
  private done: number;
  private failed = false;

  constructor(
    private readonly ctl: Int32Array,
    private readonly port: MessagePort,
  ) {
    this.received = this.done = Atomics.load(ctl, COMPLETED);
  }

  /** Compresses until the stop message (or a missing message, reported as a failure); leaves the port open. */
  run(): void {
    const ctl = this.ctl;
    for (;;) {
      if (Atomics.load(ctl, SUBMITTED) === this.received) {
        awaitSubmitted(ctl, this.received, COMPRESSOR_POLL_MS);
        continue;
      }
      const r = receiveMessageOnPort(this.port);
      this.received = (this.received + 1) | 0;
      if (r === undefined) {
        // Cannot happen (a message is posted before it is counted); fail loudly rather than hang.
        this.fail('compressor message missing');
        return;
      }
      const m = r.message as CompressMessage | null;
      if (m === null) return; // the stop message: nothing comes after it
      this.compress(m);
    }
  }

  private compress(m: CompressMessage): void {
    if (this.failed) this.complete({ type: 'failed', message: 'an earlier batch failed to compress' });
    else {
      try {
        const length = compressBatch(new Uint8Array(m.input, m.at, m.end - m.at), Buffer.from(m.out), m.level);
        this.complete({ type: 'compressed', input: m.input, out: m.out, length }, [m.input, m.out]);
      } catch (err) {
        this.fail((err as Error).message);
      }
    }
  }

  private fail(message: string): void {
    this.failed = true;
    // Counted before FAILED is set, so a producer woken by either finds the reply with its message.
    this.complete({ type: 'failed', message });
    Atomics.store(this.ctl, FAILED, 1);
    Atomics.notify(this.ctl, COMPLETED);
  }

  private complete(reply: CompressorReply, transfer?: ArrayBuffer[]): void {
    this.port.postMessage(reply, transfer);
    this.done = (this.done + 1) | 0;
    Atomics.store(this.ctl, COMPLETED, this.done);
    Atomics.notify(this.ctl, COMPLETED);
  }
}

/** Batches warmCompressorLoop compresses, and the records in each. */
export const WARM_UP_BATCHES = 400;
const WARM_UP_RECORDS = 16;

/**
 * Runs CompressorLoops over `batches` small batches of `codec`, posted and given back through a
 * port as a producer's are, so that the codec's native module is loaded and V8 has compiled the
 * loop before the thread reports ready (kseg runs node with --no-concurrent-recompilation: compiling
 * happens on this thread, and left to the run it would stop the compressions while the producer
 * waits). Returns the bytes of the sealed batches.
 */
export function warmCompressorLoop(codec: Codec, level: number | undefined, batches = WARM_UP_BATCHES): number {
  const { port1: producer, port2: compressor } = new MessageChannel();
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_INTS * 4));
  const source: BufferSource = { acquire: (n) => Buffer.from(new ArrayBuffer(n)), release: () => {} };
  const builder = new RecordBatchBuilder({ codec, level }, 4096, source);
  const value = Buffer.alloc(200, 'warm-up value ');
  const rounds = 2; // a new loop each, as each producer gets one
  let bytes = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const loop = new CompressorLoop(ctl, compressor);
      const n = Math.ceil(batches / rounds);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < WARM_UP_RECORDS; k++) builder.append(1_700_000_000_000 + k, null, value);
        const unsealed = builder.buildForCompression();
        const out = new ArrayBuffer(2 * unsealed.length + 1024);
        const input = unsealed.buffer as ArrayBuffer;
        producer.postMessage({ input, at: unsealed.byteOffset, end: unsealed.byteOffset + unsealed.length, out, level } satisfies CompressMessage, [input, out]);
      }
      producer.postMessage(null);
      Atomics.add(ctl, SUBMITTED, n + 1);
      loop.run();
      for (let m = receiveMessageOnPort(producer); m !== undefined; m = receiveMessageOnPort(producer)) {
        const r = m.message as CompressorReply;
        if (r.type === 'failed') throw new Error(`compressor warm-up: ${r.message}`);
        bytes += r.length;
      }
      Atomics.store(ctl, COMPLETED, Atomics.load(ctl, SUBMITTED)); // the stop message too
    }
  } finally {
    producer.close();
    compressor.close();
  }
  return bytes;
}
