// The writer thread of tools/writeBehind.ts: takes write messages in order, appends their bytes to
// their fds, gives each buffer back and marks its write done with the time it finished. It blocks in
// Atomics.wait while there is nothing to write and never returns to its event loop until told to
// stop, so messages are taken synchronously (receiveMessageOnPort); each is posted before SUBMITTED
// counts it, so a counted message is already queued. A write may carry on into the messages queued
// behind it in the same file (writeSpan.ts): a message is done once all its bytes are written.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { Fifo } from '../storage/fifo.js';
import { COMPLETED, FAILED, hrMs, pollWhile, READY, RING, SLEEPING, SUBMITTED, type WriteMessage, type WriterReply, type WriterShared } from './writeBehindShared.js';
import { writeNextSpan } from './writeSpan.js';

const { ctl, doneAt, port } = workerData as WriterShared & { port: MessagePort };
const WRITER_POLL_MS = 0.3;
const reply = (r: WriterReply, transfer?: ArrayBuffer[]) => port.postMessage(r, transfer);

/** Received and not yet done, in order. */
const queue = new Fifo<WriteMessage>();
let failed = false;
let stopping = false;
let done = Atomics.load(ctl, COMPLETED);
let received = done;
Atomics.store(ctl, READY, 1);
Atomics.notify(ctl, READY);
for (;;) {
  if (!receiveCounted()) {
    // Cannot happen (a message is posted before it is counted); fail loudly rather than hang.
    reply({ type: 'failed', seq: done, message: 'write-behind message missing' });
    Atomics.store(ctl, FAILED, 1);
    break;
  }
  if (queue.length === 0) {
    if (stopping) break; // nothing comes after the stop message
    // A short poll first: a producer that keeps up submits again within a write's time (0.2 ms
    // for 1 MiB) and then need not wake us (a wake cost it ~60 µs of a 2-vCPU VM's time). Not
    // longer: polling takes CPU time a slower producer (lz4) needs.
    if (pollWhile(ctl, SUBMITTED, received, WRITER_POLL_MS)) continue;
    // Ask to be woken, then look once more before sleeping: the producer may have counted a
    // message between the two loads and still seen SLEEPING 0.
    Atomics.store(ctl, SLEEPING, 1);
    if (Atomics.load(ctl, SUBMITTED) === received) Atomics.wait(ctl, SUBMITTED, received);
    Atomics.store(ctl, SLEEPING, 0);
    continue;
  }
  if (!failed) {
    try {
      writeNextSpan(queue);
    } catch (err) {
      // Nothing after a failed write is written, so every file keeps a prefix of its appends.
      failed = true;
      reply({ type: 'failed', seq: done, message: (err as Error).message });
      Atomics.store(ctl, FAILED, 1);
    }
  }
  // Done: written whole, or (after a failure) skipped.
  for (let w = queue.peek(); w !== undefined && (failed || w.at === w.end); w = queue.peek()) {
    queue.shift();
    reply({ type: 'written', buffer: w.buffer }, [w.buffer]);
    doneAt[done & (RING - 1)] = hrMs();
    done = (done + 1) | 0;
    Atomics.store(ctl, COMPLETED, done);
    Atomics.notify(ctl, COMPLETED);
  }
}
port.close();

/** Takes every counted message into the queue (a stop message sets `stopping`); false if one is missing. */
function receiveCounted(): boolean {
  const submitted = Atomics.load(ctl, SUBMITTED);
  while (received !== submitted) {
    const r = receiveMessageOnPort(port);
    if (r === undefined) return false;
    received = (received + 1) | 0;
    const m = r.message as WriteMessage | null;
    if (m === null) stopping = true;
    else queue.push(m);
  }
  return true;
}
