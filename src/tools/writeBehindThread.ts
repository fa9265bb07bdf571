// The writer thread of tools/writeBehind.ts: compiles its loop (writerLoop.ts) on writes to the null
// device, reports ready, then runs the loop over its producer's writes until told to stop.
import { workerData, type MessagePort } from 'node:worker_threads';
import { READY, type WriterShared } from './writeBehindShared.js';
import { warmWriterLoop, WriterLoop } from './writerLoop.js';

const { ctl, doneAt, port } = workerData as WriterShared & { port: MessagePort };
try {
  warmWriterLoop();
} catch {
  // Without it only the run's first writes are slower (no null device, say): not a reason to fail.
}
Atomics.store(ctl, READY, 1);
Atomics.notify(ctl, READY);
new WriterLoop(ctl, doneAt, port).run();
port.close();
