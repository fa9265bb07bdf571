// Starting a parallel text dump's worker threads early. When `kseg dump` names a `.log` large enough
// to be dumped on several cores (or a partition dir holding one), its workers are started before
// the dump command's own modules load, so the workers' start-up (Node's bootstrap, their modules:
// ~50 ms) overlaps the main thread's instead of following it. ParallelTextDump adopts them and
// sends their setup; when the guess is wrong (a filter or --json makes the dump sequential) they
// are never used and end with the process. Measured on the 1 GiB bench log: the worker joins the
// dump 121-144 ms after the process starts instead of 144-192 ms; the dump takes 0.79-0.90 s
// instead of 0.85-0.90 s (8 interleaved runs each, means 0.855 and 0.874 s).

import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorker } from '../tools/startWorker.js';
import type { WorkerStart } from './dumpTextProtocol.js';

/** Logs smaller than this are dumped on one thread: each thread pays its own start-up and JIT warm-up. */
export const PARALLEL_MIN_BYTES = 768 * 1024 * 1024;

export interface DumpWorker {
  worker: Worker;
  port: MessagePort;
}

const prestarted: DumpWorker[] = [];

/** Starts `count` dump workers; each waits for its setup message (dumpTextWorker.ts). */
export function startDumpWorkers(count: number, cores = availableParallelism()): DumpWorker[] {
  // With a render thread on every core (the main thread and the workers), V8's background
  // compiler has no core of its own: hot code waits for one, running slower meanwhile. Workers
  // started from here on compile on their own thread instead (the flag is read when an isolate
  // starts). The launcher, bin/kseg.js, already passes it to the whole process; this covers a dump
  // run some other way (`node dist/src/cli/main.js`, the library). Measured on 2 cores, 1 GiB log,
  // the main thread and one worker: 0.85-0.88 s against 0.89-0.92 s.
  if (count > 0 && count + 1 >= cores) setFlagsFromString('--no-concurrent-recompilation');
  return Array.from({ length: count }, () => {
    const { port1, port2 } = new MessageChannel();
    const start: WorkerStart = { port: port2 };
    const worker = startWorker('./dumpTextWorker.js', import.meta.url, start, [port2]);
    worker.unref();
    port1.unref();
    return { worker, port: port1 };
  });
}

/** For `kseg dump` (`argv` as process.argv): starts the workers if a path it names is a large log. */
export function prestartDumpWorkers(argv: readonly string[]): void {
  const args = argv.slice(2);
  const at = args.indexOf('--jobs');
  const jobs = at >= 0 ? Number(args[at + 1]) : availableParallelism() - 1;
  if (!(jobs > 0) || prestarted.length > 0 || !args.some(isLargeLog)) return;
  prestarted.push(...startDumpWorkers(jobs));
}

function isLargeLog(path: string): boolean {
  const large = (file: string) => file.endsWith('.log') && statSync(file).size >= PARALLEL_MIN_BYTES;
  try {
    const st = statSync(path);
    if (st.isFile()) return large(path);
    return st.isDirectory() && readdirSync(path).some((f) => large(join(path, f)));
  } catch {
    return false; // not a path (an option's value), or unreadable: no guess
  }
}

/** Up to `count` workers started early (the rest are the caller's to start). */
export function takePrestartedWorkers(count: number): DumpWorker[] {
  return prestarted.splice(0, count);
}
