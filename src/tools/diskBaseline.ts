// The machine's own limits, measured in the same run as a benchmark so every figure has a ratio:
// sequential write of N bytes through the page cache (buffered), the same followed by fdatasync,
// and reading it back from the page cache; plus each codec's own speed on the benchmark's payload.

import { closeSync, fdatasyncSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { codecId, compress, decompress, type CodecName } from '../format/index.js';
import { buildPayloadPool, rng } from './payload.js';

const MB = 1024 * 1024;

export interface DiskBaseline {
  dir: string;
  bytes: number;
  /** MiB/s */
  writeMBps: number;
  writeFdatasyncMBps: number;
  pageCacheReadMBps: number;
}

function writeFile(path: string, bytes: number, chunk: Buffer, sync: boolean): number {
  const start = performance.now();
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < bytes; done += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done));
    if (sync) fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return bytes / MB / ((performance.now() - start) / 1000);
}

function readFile(path: string, chunk: Buffer): number {
  const start = performance.now();
  const fd = openSync(path, 'r');
  let total = 0;
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, total)) > 0; ) total += n;
  } finally {
    closeSync(fd);
  }
  return total / MB / ((performance.now() - start) / 1000);
}

/** Measures raw sequential write (buffered and fdatasync'd) and page-cache read of `bytes` in `parent`. */
export function measureDisk(parent: string, bytes: number): DiskBaseline {
  const dir = mkdtempSync(join(parent, 'kseg-disk-'));
  const chunk = Buffer.alloc(MB, 0x5a);
  try {
    const file = join(dir, 'raw');
    writeFile(file, Math.min(bytes, 64 * MB), chunk, false); // warm-up
    const writeMBps = writeFile(file, bytes, chunk, false);
    const writeFdatasyncMBps = writeFile(join(dir, 'raw-sync'), bytes, chunk, true);
    readFile(file, chunk); // make sure it is cached
    const pageCacheReadMBps = Math.max(readFile(file, chunk), readFile(file, chunk));
    return { dir: parent, bytes, writeMBps, writeFdatasyncMBps, pageCacheReadMBps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CodecBaseline {
  codec: CodecName;
  /** MiB/s of uncompressed input. */
  compressMBps: number;
  decompressMBps: number;
  ratio: number;
}

/** Each codec library's own speed on `bytes` of the benchmark payload, in `chunkSize` chunks. */
export function measureCodecs(codecs: readonly CodecName[], bytes: number, chunkSize: number, compressibility: number, seed = 0): CodecBaseline[] {
  const data = buildPayloadPool(bytes, compressibility, rng(seed));
  const out: CodecBaseline[] = [];
  for (const name of codecs) {
    if (name === 'none') continue;
    const id = codecId(name);
    const chunks: Buffer[] = [];
    const run = () => {
      chunks.length = 0;
      const t = performance.now();
      for (let o = 0; o < data.length; o += chunkSize) chunks.push(compress(id, data.subarray(o, Math.min(o + chunkSize, data.length))));
      return performance.now() - t;
    };
    run(); // warm-up
    const cMs = Math.min(run(), run());
    const dRun = () => {
      const t = performance.now();
      for (const c of chunks) decompress(id, c, { maxBytes: chunkSize * 2 });
      return performance.now() - t;
    };
    dRun();
    const dMs = Math.min(dRun(), dRun());
    const compressed = chunks.reduce((a, c) => a + c.length, 0);
    out.push({ codec: name, compressMBps: data.length / MB / (cMs / 1000), decompressMBps: data.length / MB / (dMs / 1000), ratio: compressed / data.length });
  }
  return out;
}
