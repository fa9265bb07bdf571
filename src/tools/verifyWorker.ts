// Worker-thread entry for verifyParallel: verifies its share of segments, each on its own.
import { parentPort, workerData } from 'node:worker_threads';
import { VerifyCollector, verifySegment, withReadBuffer } from './verify.js';
import type { SegmentJob, SegmentJobResult } from './verifyParallel.js';
import type { VerifyOptions } from './verifyTypes.js';

const { share, opts: options } = workerData as { share: SegmentJob[]; opts: VerifyOptions };
const opts = withReadBuffer(options);
try {
  const results: SegmentJobResult[] = share.map((j) => {
    const c = new VerifyCollector();
    const result = verifySegment(j.logPath, c, opts, { isActive: j.isActive });
    return { logPath: j.logPath, result, problems: c.problems, files: c.stats.files };
  });
  parentPort!.postMessage({ ok: true, results });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: (err as Error).message });
}
