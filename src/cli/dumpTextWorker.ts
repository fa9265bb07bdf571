// Worker thread of a parallel text dump (dumpTextParallel.ts). It renders the ranges it is sent, in
// order, into a buffer of its own; each time that buffer is full it is copied into a free output
// slot of a SharedArrayBuffer shared with the main thread, which writes the slot out and hands it
// back. Rendering never touches shared memory (V8's copies and stores on SharedArrayBuffers are
// much slower: a whole dump rendered into one took 1.5x as long), and the read buffer shares an
// ArrayBuffer with the render buffer, so keys and values are copied with copyWithin.

import { workerData, type MessagePort } from 'node:worker_threads';
import { renderLogRange } from './dumpTextRange.js';
import { LineWriter } from './output.js';
import { CTRL_FREED, CTRL_READY, CTRL_REPLIES, CTRL_SLOTS, type RangeJob, type WorkerMessage, type WorkerSetup } from './dumpTextProtocol.js';

const { port, slotArena, control, readBytes, slotBytes, slots } = workerData as WorkerSetup;
const ctrl = new Int32Array(control);
const local = new ArrayBuffer(readBytes + slotBytes);
const readBuffer = Buffer.from(local, 0, readBytes);
const renderBuffer = Buffer.from(local, readBytes, slotBytes);
const slotBytesView = new Uint8Array(slotArena);

function post(port: MessagePort, msg: WorkerMessage): void {
  port.postMessage(msg);
  Atomics.add(ctrl, CTRL_REPLIES, 1);
  Atomics.notify(ctrl, CTRL_REPLIES);
}

/** A free output slot, waiting for the main thread to hand one back if all are in use. */
function acquireSlot(): number {
  for (;;) {
    const freed = Atomics.load(ctrl, CTRL_FREED);
    for (let i = 0; i < slots; i++) if (Atomics.compareExchange(ctrl, CTRL_SLOTS + i, 0, 1) === 0) return i;
    Atomics.wait(ctrl, CTRL_FREED, freed);
  }
}

port.on('message', (job: RangeJob) => {
  const out = new LineWriter(
    -1,
    slotBytes,
    {
      take: (chunk) => {
        const slot = acquireSlot();
        slotBytesView.set(chunk, slot * slotBytes);
        post(port, { type: 'chunk', id: job.id, slot, length: chunk.length });
      },
      next: () => renderBuffer,
    },
    renderBuffer,
  );
  try {
    const r = renderLogRange(job.file, job.from, job.to, job.prevOffset, job.options, out, readBuffer);
    out.flush();
    post(port, { type: 'done', id: job.id, problems: r.problems, prevOffset: r.state.prevOffset });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    post(port, { type: 'done', id: job.id, problems: [], prevOffset: null, error: { message: e.message, io: e.code !== undefined } });
  }
});
Atomics.store(ctrl, CTRL_READY, 1);
