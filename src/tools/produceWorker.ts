// Worker-thread entry for `kseg produce --workers N`: one ProducerEngine over its partitions,
// reporting progress and the final result (histograms encoded) to the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { encodeHistogram } from './latency.js';
import { ProducerEngine, type EngineOptions } from './producerEngine.js';
import type { WorkerMessage } from './produce.js';

const post = (m: WorkerMessage) => parentPort!.postMessage(m);

async function main(): Promise<void> {
  const engine = new ProducerEngine(workerData as EngineOptions);
  let last = performance.now();
  const r = await engine.run(() => {
    const now = performance.now();
    if (now - last >= 200) {
      last = now;
      post({ type: 'progress', progress: engine.progress(true), latency: encodeHistogram(engine.latency) });
    }
  });
  post({ type: 'progress', progress: engine.progress(true), latency: encodeHistogram(engine.latency) });
  post({ type: 'done', result: { ...r, latency: encodeHistogram(r.latency), steadyLatency: r.steadyLatency ? encodeHistogram(r.steadyLatency) : null } });
}

main().catch((err) => post({ type: 'error', message: (err as Error).message }));
