// Worker thread of a parallel text dump: renders the byte ranges it is sent (dumpTextRange.ts) into
// buffers it hands back (transferred, not copied), and bumps a shared counter after each reply so
// the main thread can block on it (Atomics.wait) without returning to the event loop.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { LineWriter } from './output.js';
import { renderLogRange } from './dumpTextRange.js';
import type { RangeJob, RangeReply, WorkerSetup } from './dumpTextParallel.js';

const { port, signal, bufferBytes } = workerData as WorkerSetup;
const counter = new Int32Array(signal);
const pool: Buffer[] = [];

function reply(port: MessagePort, msg: RangeReply, transfer: ArrayBuffer[]): void {
  port.postMessage(msg, transfer);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
}

port.on('message', (job: RangeJob) => {
  for (const ab of job.returned) if (pool.length < 8) pool.push(Buffer.from(ab));
  const chunks: Buffer[] = [];
  const out = new LineWriter(-1, bufferBytes, { take: (c) => chunks.push(c), pool });
  const t0 = performance.now();
  try {
    const r = renderLogRange(job.file, job.from, job.to, job.prevOffset, job.options, out);
    out.flush();
    reply(port, { id: job.id, chunks: chunks.map((c) => ({ buffer: c.buffer as ArrayBuffer, length: c.length })), problems: r.problems, prevOffset: r.state.prevOffset, renderMs: performance.now() - t0 }, chunks.map((c) => c.buffer as ArrayBuffer));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reply(port, { id: job.id, chunks: [], problems: [], prevOffset: null, error: { message: e.message, io: e.code !== undefined } }, []);
  }
});
reply(port, { id: -1, chunks: [], problems: [], prevOffset: null }, []);
parentPort?.unref();
