// The compressor thread of tools/compressBehind.ts: loads its codec and compiles its loop
// (compressorLoop.ts) on small batches, reports ready, then compresses its producer's batches until
// told to stop.
import { workerData, type MessagePort } from 'node:worker_threads';
import type { Codec } from '../format/index.js';
import { CompressorLoop, warmCompressorLoop } from './compressorLoop.js';
import { READY } from './writeBehindShared.js';

const { ctl, port, codec, level } = workerData as { ctl: Int32Array; port: MessagePort; codec: Codec; level: number | undefined };
try {
  warmCompressorLoop(codec, level);
} catch {
  // A codec that fails here fails on the first real batch too, with the error reported there.
}
Atomics.store(ctl, READY, 1);
Atomics.notify(ctl, READY);
new CompressorLoop(ctl, port).run();
port.close();
