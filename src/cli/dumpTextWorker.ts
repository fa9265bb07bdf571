// Worker thread of a parallel text dump (dumpTextParallel.ts). It may start before the dump knows
// what it will be (dumpWorkerPrestart.ts): its first message gives the shared tables and where
// output goes. Then, for each log it is sent, it joins the shared loop (dumpTextTurns.ts) while the
// log is still open, writing its ranges to the output itself, and reports its problems and leaves.
// Its read buffer and output buffers share one ArrayBuffer, so values are copied with copyWithin.

import { workerData } from 'node:worker_threads';
import { LineWriter, setBrokenPipeHandler } from './output.js';
import { JOINED, LOG_SEQ, OPEN, STOP, STOP_FAILED, TURN, type LogJob, type WorkerReport, type WorkerSetup, type WorkerStart } from './dumpTextProtocol.js';
import { bump, stopForBrokenPipe, TurnTaker, BrokenPipe } from './dumpTextTurns.js';

const { port } = workerData as WorkerStart;
let turns: TurnTaker | null = null;
let out: LineWriter | null = null;

/** The first message: the shared tables and this worker's buffers (all in one ArrayBuffer). */
function setUp(setup: WorkerSetup): void {
  const { fd, readBytes, bufferBytes, buffers } = setup;
  const arena = new ArrayBuffer(readBytes + (buffers + 1) * bufferBytes);
  const readBuffer = Buffer.from(arena, 0, readBytes);
  const pool = Array.from({ length: buffers }, (_, i) => Buffer.from(arena, readBytes + (i + 1) * bufferBytes, bufferBytes));
  out = new LineWriter(fd, bufferBytes, undefined, Buffer.from(arena, readBytes, bufferBytes));
  const t = new TurnTaker(setup, readBuffer, pool, bufferBytes);
  turns = t;
  setBrokenPipeHandler(() => stopForBrokenPipe(t.ctrl));
}

function join(job: LogJob, turns: TurnTaker, out: LineWriter): void {
  const ctrl = turns.ctrl;
  Atomics.add(ctrl, JOINED, 1);
  try {
    // A log that closed (or a later one) while this message waited: nothing to join.
    if (Atomics.load(ctrl, OPEN) !== 1 || Atomics.load(ctrl, LOG_SEQ) !== job.seq) return;
    let report: WorkerReport;
    try {
      report = { seq: job.seq, ...turns.run(job.file, job.options, out) };
    } catch (err) {
      out.discard(); // the dump stopped: what is left unwritten stays so
      if (err instanceof BrokenPipe) return;
      // Unexpected (a thread that waited too long): the dump fails with it.
      Atomics.store(ctrl, STOP, STOP_FAILED);
      const failure = { id: Atomics.load(ctrl, TURN), message: err instanceof Error ? err.message : String(err), io: false };
      report = { seq: job.seq, problems: [], failure, stats: { atTurn: 0, ahead: 0, again: 0 } };
    }
    port.postMessage(report);
  } finally {
    Atomics.sub(ctrl, JOINED, 1);
    bump(ctrl);
  }
}

port.on('message', (m: WorkerSetup | LogJob) => {
  if (m.type === 'setup') setUp(m);
  else if (turns !== null && out !== null) join(m, turns, out);
});
