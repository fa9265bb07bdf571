// Worker-thread entry for `kseg consume --workers N`.
import { parentPort, workerData } from 'node:worker_threads';
import { consumePartitions, type ConsumeOptions, type PartitionTarget } from './consume.js';

const { targets, o, limit, shared } = workerData as { targets: PartitionTarget[]; o: ConsumeOptions; limit?: number; shared?: Int32Array };
try {
  parentPort!.postMessage({ type: 'done', counts: consumePartitions(targets, o, limit ?? Infinity, undefined, shared) });
} catch (err) {
  parentPort!.postMessage({ type: 'error', message: (err as Error).message });
}
