// Text dump of a large `.log` on several cores. The main thread walks the batch headers (cheap: no
// record is parsed) and cuts the file into ranges of whole batches; each range is rendered either
// by a worker thread or by the main thread itself, into memory, and the main thread writes the
// ranges out in file order. Output is byte-for-byte the sequential dump's: a range starts from the
// offset the range before it is expected to end at (its last batch's header); if the walk of that
// range actually ended elsewhere (corrupt records, empty batches), the next range is rendered again
// on the main thread from the real offset, so the consecutive-offsets problems are the same too.
// Memory stays bounded: at most `maxQueued` ranges are rendered ahead of what has been written.

import { statSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { LogFileReader } from '../storage/logFileReader.js';
import { logHeader, LogWalk, trailingEvents, type DumpEvent, type ProblemEvent } from '../tools/dump.js';
import { startWorker } from '../tools/startWorker.js';
import type { DumpTextRenderer } from './dumpText.js';
import { renderLogRange, type RangeOptions } from './dumpTextRange.js';
import { LineWriter } from './output.js';

export interface WorkerSetup {
  port: MessagePort;
  signal: SharedArrayBuffer;
  bufferBytes: number;
}

export interface RangeJob {
  id: number;
  file: string;
  from: number;
  to: number;
  prevOffset: number | null;
  options: RangeOptions;
  /** Written output buffers going back for reuse. */
  returned: ArrayBuffer[];
}

export interface RangeReply {
  /** -1: the worker is ready. */
  id: number;
  chunks: { buffer: ArrayBuffer; length: number }[];
  problems: ProblemEvent[];
  prevOffset: number | null;
  error?: { message: string; io: boolean };
  /** Time the worker spent on the range. */
  renderMs?: number;
}

export interface ParallelDumpConfig {
  /** Threads in all, the main one included (default 1: sequential). */
  jobs?: number;
  /** Logs smaller than this are dumped sequentially (worker start-up would cost more). */
  minBytes?: number;
  /** Bytes of batches per range. */
  rangeBytes?: number;
}

const MiB = 1024 * 1024;
const BUFFER_BYTES = MiB;

interface Range {
  id: number;
  from: number;
  to: number;
  /** The offset the walk is assumed to continue from. */
  assumedPrev: number | null;
  done: boolean;
  chunks: Buffer[];
  problems: ProblemEvent[];
  prevOffset: number | null;
  error?: { message: string; io: boolean };
}

interface DumpWorker {
  worker: Worker;
  port: MessagePort;
  ready: boolean;
  inflight: number;
}

export class ParallelTextDump {
  private readonly jobs: number;
  private readonly minBytes: number;
  private readonly rangeBytes: number;
  private readonly workers: DumpWorker[] = [];
  private readonly signal = new SharedArrayBuffer(4);
  private readonly counter = new Int32Array(this.signal);
  private replies = 0;
  /** Where ranges were rendered (for tests and tuning). */
  readonly stats = { worker: 0, main: 0, direct: 0, again: 0, workerMs: 0 };
  private nextId = 0;
  private readonly pending = new Map<number, Range>();
  /** Output buffers already written, for reuse by workers and main-thread ranges. */
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly ro: RangeOptions,
    cfg: ParallelDumpConfig = {},
  ) {
    this.jobs = Math.max(1, cfg.jobs ?? 1);
    this.minBytes = cfg.minBytes ?? 64 * MiB;
    this.rangeBytes = Math.max(1, cfg.rangeBytes ?? 2 * MiB);
  }

  /** Whether `file` (a `.log`) is worth dumping here rather than sequentially. */
  eligible(file: string): boolean {
    if (this.jobs < 2 || !new LogWalk(file, this.ro.opts).deep) return false;
    try {
      const st = statSync(file);
      return st.isFile() && st.size >= this.minBytes;
    } catch {
      return false;
    }
  }

  /** Dumps one log (its header, batches, records and tail) to `out`; problems go to `text`. */
  dumpLog(file: string, out: LineWriter, text: DumpTextRenderer): void {
    this.startWorkers();
    const emit = (ev: DumpEvent) => {
      const line = text.line(ev);
      if (line !== null) out.line(line);
    };
    const header = logHeader(file, 'log');
    if (header) emit(header);
    const queue: Range[] = [];
    let written: number | null = null; // where the walk of everything written so far really ended
    const writeHead = () => {
      while (queue.length > 0 && queue[0].done) {
        const r = queue.shift()!;
        if (r.error) {
          this.recycle(r.chunks);
          for (const q of queue.splice(0)) if (!q.done) q.chunks = []; // replies still come; dropped
          throw Object.assign(new Error(r.error.message), r.error.io ? { code: 'EIO' } : {});
        }
        if (r.assumedPrev !== written) {
          // The range before did not end where its header said: render this one again from there.
          this.recycle(r.chunks);
          this.stats.again++;
          const again = renderLogRange(file, r.from, r.to, written, this.ro, out);
          text.problems.push(...again.problems);
          written = again.state.prevOffset;
          continue;
        }
        for (const c of r.chunks) out.append(c);
        this.recycle(r.chunks);
        text.problems.push(...r.problems);
        written = r.prevOffset;
      }
    };
    const reader = new LogFileReader(file);
    let from = -1;
    let to = 0;
    let lastOffset: number | null = null; // of the last batch scanned
    let assumed: number | null = null; // where the walk should stand after the ranges handed out
    const handOut = () => {
      this.poll();
      writeHead();
      const w = this.workers.find((x) => x.ready && x.inflight < 3);
      const range: Range = { id: this.nextId++, from, to, assumedPrev: assumed, done: false, chunks: [], problems: [], prevOffset: null };
      if (w) {
        w.inflight++;
        this.stats.worker++;
        this.pending.set(range.id, range);
        const returned = this.spare.splice(0, 8).map((b) => b.buffer as ArrayBuffer);
        const job: RangeJob = { id: range.id, file, from, to, prevOffset: assumed, options: this.ro, returned };
        w.port.postMessage(job, returned);
        queue.push(range);
      } else if (queue.length === 0) {
        // Nothing ahead of it: straight to the output.
        this.stats.direct++;
        const r = renderLogRange(file, from, to, written, this.ro, out);
        text.problems.push(...r.problems);
        written = r.state.prevOffset;
      } else {
        this.stats.main++;
        const mem = new LineWriter(-1, BUFFER_BYTES, { take: (c) => range.chunks.push(c), pool: this.spare });
        const r = renderLogRange(file, from, to, assumed, this.ro, mem);
        mem.flush();
        Object.assign(range, { done: true, problems: r.problems, prevOffset: r.state.prevOffset });
        queue.push(range);
      }
      assumed = lastOffset;
      while (queue.length > this.jobs * 2) {
        this.block();
        writeHead();
      }
    };
    try {
      for (const batch of reader) {
        if (from < 0) from = batch.position;
        to = batch.position + batch.sizeInBytes;
        lastOffset = batch.lastOffset;
        if (to - from >= this.rangeBytes) {
          handOut();
          from = -1;
        }
      }
      if (from >= 0) handOut();
      while (queue.length > 0) {
        if (!queue[0].done) this.block();
        writeHead();
      }
    } finally {
      for (const r of queue) this.recycle(r.chunks);
    }
    for (const ev of trailingEvents(file, reader.end, this.ro.opts)) emit(ev);
  }

  /** Stops the workers (they hold no state between logs). */
  close(): void {
    for (const w of this.workers) void w.worker.terminate();
    this.workers.length = 0;
  }

  private startWorkers(): void {
    if (this.workers.length > 0) return;
    for (let i = 1; i < this.jobs; i++) {
      const { port1, port2 } = new MessageChannel();
      const setup: WorkerSetup = { port: port2, signal: this.signal, bufferBytes: BUFFER_BYTES };
      const worker = startWorker('./dumpTextWorker.js', import.meta.url, setup, [port2]);
      worker.unref();
      this.workers.push({ worker, port: port1, ready: false, inflight: 0 });
    }
  }

  /** Takes the replies that have arrived, without waiting. */
  private poll(): void {
    for (const w of this.workers) {
      for (let m = receiveMessageOnPort(w.port); m !== undefined; m = receiveMessageOnPort(w.port)) {
        this.replies++;
        const reply = m.message as RangeReply;
        if (reply.id < 0) {
          w.ready = true;
          continue;
        }
        w.inflight--;
        this.stats.workerMs += reply.renderMs ?? 0;
        const range = this.pending.get(reply.id)!;
        this.pending.delete(reply.id);
        range.done = true;
        range.chunks = reply.chunks.map((c) => Buffer.from(c.buffer, 0, c.length));
        range.problems = reply.problems;
        range.prevOffset = reply.prevOffset;
        range.error = reply.error;
      }
    }
  }

  /** Waits until a worker replies (a worker that stops answering for a minute is an error). */
  private block(): void {
    const before = this.replies;
    for (let waited = 0; this.replies === before; waited++) {
      if (Atomics.wait(this.counter, 0, this.replies, 1000) === 'timed-out' && waited >= 60) throw new Error('a dump worker thread stopped responding');
      this.poll();
    }
  }

  private recycle(chunks: Buffer[]): void {
    for (const c of chunks) if (c.buffer.byteLength === BUFFER_BYTES && this.spare.length < 32) this.spare.push(Buffer.from(c.buffer as ArrayBuffer));
  }
}
