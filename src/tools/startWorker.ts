// Starting the tools' worker threads. Their entry files are the compiled .js beside this module; when
// the TypeScript sources run directly (vitest) that .js is not next to the .ts, so the compiled copy
// in dist/ is used. Workers start without the parent's execArgv: flags such as --input-type (a
// script run with -e) would make the worker's own module load fail.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export function workerUrl(file: string, from: string): URL {
  const url = new URL(file, from);
  const path = fileURLToPath(url);
  if (existsSync(path)) return url;
  const compiled = path.replace(/([\\/])src([\\/])/, '$1dist$1src$2');
  if (compiled !== path && existsSync(compiled)) return pathToFileURL(compiled);
  return url;
}

/** Starts the worker entry `file` (relative to the module URL `from`) with `workerData` (MessagePorts in it go in `transferList`). */
export function startWorker(file: string, from: string, workerData: unknown, transferList?: Transferable[]): Worker {
  return new Worker(workerUrl(file, from), { workerData, execArgv: [], transferList: transferList as never });
}
