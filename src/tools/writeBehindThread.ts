// The writer thread of tools/writeBehind.ts: takes write messages in order, appends each buffer to
// its fd, gives the buffer back and marks the write done with the time it finished. It blocks in
// Atomics.wait while there is nothing to write and never returns to its event loop until told to
// stop, so messages are taken synchronously (receiveMessageOnPort); each is posted before SUBMITTED
// counts it, so a counted message is already queued.
import { writeSync } from 'node:fs';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { COMPLETED, FAILED, hrMs, pollWhile, READY, RING, SLEEPING, SUBMITTED, type WriteMessage, type WriterReply, type WriterShared } from './writeBehindShared.js';

const { ctl, doneAt, port } = workerData as WriterShared & { port: MessagePort };
const WRITER_POLL_MS = 0.3;
const reply = (r: WriterReply, transfer?: ArrayBuffer[]) => port.postMessage(r, transfer);

let failed = false;
let done = Atomics.load(ctl, COMPLETED);
Atomics.store(ctl, READY, 1);
Atomics.notify(ctl, READY);
for (;;) {
  if (Atomics.load(ctl, SUBMITTED) === done) {
    // A short poll first: a producer that keeps up submits again within a write's time (0.2 ms
    // for 1 MiB) and then need not wake us (a wake cost it ~60 µs of a 2-vCPU VM's time). Not
    // longer: polling takes CPU time a slower producer (lz4) needs.
    if (pollWhile(ctl, SUBMITTED, done, WRITER_POLL_MS)) continue;
    // Ask to be woken, then look once more before sleeping: the producer may have counted a
    // message between the two loads and still seen SLEEPING 0.
    Atomics.store(ctl, SLEEPING, 1);
    if (Atomics.load(ctl, SUBMITTED) === done) Atomics.wait(ctl, SUBMITTED, done);
    Atomics.store(ctl, SLEEPING, 0);
    continue;
  }
  const r = receiveMessageOnPort(port);
  if (r === undefined) {
    // Cannot happen (a message is posted before it is counted); fail loudly rather than hang.
    reply({ type: 'failed', seq: done, message: 'write-behind message missing' });
    Atomics.store(ctl, FAILED, 1);
    break;
  }
  const m = r.message as WriteMessage | null;
  if (m === null) break; // stop: nothing comes after it
  if (!failed) {
    const buf = new Uint8Array(m.buffer);
    let at = m.from;
    const end = at + m.length;
    try {
      while (at < end) at += writeSync(m.fd, buf, at, end - at);
    } catch (err) {
      // Nothing after a failed write is written, so every file keeps a prefix of its appends.
      failed = true;
      reply({ type: 'failed', seq: done, message: (err as Error).message });
      Atomics.store(ctl, FAILED, 1);
    }
  }
  reply({ type: 'written', buffer: m.buffer }, [m.buffer]);
  doneAt[done & (RING - 1)] = hrMs();
  done = (done + 1) | 0;
  Atomics.store(ctl, COMPLETED, done);
  Atomics.notify(ctl, COMPLETED);
}
port.close();
