// Raw limits of the disk under a directory, as the denominators of the storage bench's ratios:
// sequential write of N bytes in 1 MiB writes (buffered, and with fdatasync before close), and a
// page-cache read of the same file right after writing it (1 MiB reads into one reused buffer);
// and, for comparison, the same bytes as a produce case's batches, written as its write-behind thread writes them.
// Measured twice: in-process with node:fs (the same syscalls kseg's storage layer makes, so the
// ratio compares like with like: this is the denominator) and with coreutils `dd` (bs=1M,
// conv=fdatasync), as a cross-check that node's figure is the disk's and not node's.
//
// This VM returns freed memory to the host about a second after it is freed (virtio-balloon free
// page reporting): a write into pages the host must fault back in runs ~10× slower (~300 MB/s cold
// vs 3-6 GB/s warm). `warmPages` writes and deletes a scratch file of the same size right before a
// timed write so both the raw figure and the case it is compared with start from host-backed pages.

import { spawnSync } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Fifo } from '../../src/storage/fifo.js';
import { writeNextSpan, type QueuedWrite } from '../../src/tools/writeSpan.js';

export const BLOCK = 1024 * 1024;
const MB = 1e6;

/** One 1 MiB block of pseudo-random bytes (content does not matter to ext4/xfs, but avoid zeros). */
function block(): Buffer {
  const b = Buffer.allocUnsafe(BLOCK);
  let x = 0x9e3779b9;
  for (let i = 0; i < BLOCK; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  return b;
}

let data: Buffer | undefined;
/** The 1 MiB block every write copies from, made on first use. */
const blockData = (): Buffer => (data ??= block());

/** Writes `bytes` to a new file at `path` in 1 MiB writes of the block; returns seconds. */
function writeFile(path: string, bytes: number, sync: boolean): number {
  const b = blockData();
  const t0 = performance.now();
  const fd = openSync(path, 'w');
  for (let left = bytes; left > 0; ) {
    const n = Math.min(left, b.length);
    let done = 0;
    while (done < n) done += writeSync(fd, b, done, n - done);
    left -= n;
  }
  if (sync) fdatasyncSync(fd);
  closeSync(fd);
  return (performance.now() - t0) / 1000;
}

function readFile(path: string): { seconds: number; bytes: number } {
  const buf = Buffer.allocUnsafe(BLOCK);
  const t0 = performance.now();
  const fd = openSync(path, 'r');
  let total = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, BLOCK, null);
    if (n === 0) break;
    total += n;
  }
  closeSync(fd);
  return { seconds: (performance.now() - t0) / 1000, bytes: total };
}

/** Writes and deletes a scratch file of `bytes` so the next write gets host-backed pages; returns its MB/s. */
export function warmPages(dir: string, bytes: number): number {
  const path = join(dir, 'warm-pages.tmp');
  const s = writeFile(path, bytes, false);
  unlinkSync(path);
  return bytes / MB / s;
}

export interface RawDiskRun {
  /** Buffered sequential write, MB/s (MB = 1e6 B). */
  writeMBps: number;
  /** Same, with fdatasync before close (in the timing). */
  writeFdatasyncMBps: number;
  /** Read back right after the buffered write: page cache. */
  readMBps: number;
}

/** One in-process run: buffered write → read back → delete; write + fdatasync → delete. */
export function inProcessRun(dir: string, bytes: number, warm = true): RawDiskRun {
  const path = join(dir, 'raw-disk.tmp');
  if (warm) warmPages(dir, bytes);
  const w = writeFile(path, bytes, false);
  const r = readFile(path);
  unlinkSync(path);
  if (r.bytes !== bytes) throw new Error(`raw disk: read back ${r.bytes} of ${bytes} bytes`);
  if (warm) warmPages(dir, bytes);
  const ws = writeFile(path, bytes, true);
  unlinkSync(path);
  return { writeMBps: bytes / MB / w, writeFdatasyncMBps: bytes / MB / ws, readMBps: bytes / MB / r.seconds };
}

/**
 * Buffered sequential write of `bytes` as batches of `writeBytes` from `buffers` rotating buffers,
 * MB/s, written as the write-behind thread writes them (writeNextSpan, with the batches of all
 * buffers but one queued): what a thread doing nothing but those writes can reach. A batch's end
 * is never page-aligned, unlike the raw figure's 1 MiB writes; the writes are carried on to the next
 * 256 KiB boundary with bytes of the next batch, as the thread does.
 */
export function batchWriteRun(dir: string, bytes: number, writeBytes: number, buffers: number, warm = true): number {
  const path = join(dir, 'raw-batches.tmp');
  const src = blockData();
  const writes = Array.from({ length: buffers }, (_, k) => {
    const b = Buffer.allocUnsafe(writeBytes);
    for (let at = 0; at < writeBytes; at += BLOCK) src.copy(b, at, 0, Math.min(BLOCK, writeBytes - at));
    b[0] ^= k; // distinct buffers, same content otherwise
    return b;
  });
  if (warm) warmPages(dir, bytes);
  const t0 = performance.now();
  const fd = openSync(path, 'w');
  const queue = new Fifo<QueuedWrite>();
  let queued = 0;
  for (let k = 0, written = 0; written < bytes; ) {
    for (; queue.length < Math.max(1, buffers - 1) && queued < bytes; k = (k + 1) % buffers) {
      const b = writes[k];
      const n = Math.min(writeBytes, bytes - queued);
      queued += n;
      queue.push({ fd, buffer: b.buffer as ArrayBuffer, at: b.byteOffset, end: b.byteOffset + n, endPosition: queued });
    }
    written += writeNextSpan(queue);
    for (let w = queue.peek(); w !== undefined && w.at === w.end; w = queue.peek()) queue.shift();
  }
  closeSync(fd);
  const s = (performance.now() - t0) / 1000;
  unlinkSync(path);
  return bytes / MB / s;
}

/** dd's own timing ("..., 0.25 s, 4.2 GB/s"), with LC_ALL=C so the line parses. */
function dd(args: string[]): number {
  const r = spawnSync('dd', args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`dd ${args.join(' ')}: ${r.stderr.trim()}`);
  const m = /copied, ([\d.]+(?:e-?\d+)?) s/.exec(r.stderr);
  if (!m) throw new Error(`dd: cannot parse "${r.stderr.trim()}"`);
  return Number(m[1]);
}

/** One dd run (bytes rounded down to whole MiB): bs=1M from /dev/zero, then conv=fdatasync, then read to /dev/null. */
export function ddRun(dir: string, bytes: number, warm = true): RawDiskRun {
  const path = join(dir, 'raw-dd.tmp');
  const count = Math.floor(bytes / BLOCK);
  const size = count * BLOCK;
  if (warm) warmPages(dir, size);
  const w = dd(['if=/dev/zero', `of=${path}`, 'bs=1M', `count=${count}`]);
  const r = dd([`if=${path}`, 'of=/dev/null', 'bs=1M']);
  unlinkSync(path);
  if (warm) warmPages(dir, size);
  const ws = dd(['if=/dev/zero', `of=${path}`, 'bs=1M', `count=${count}`, 'conv=fdatasync']);
  unlinkSync(path);
  return { writeMBps: size / MB / w, writeFdatasyncMBps: size / MB / ws, readMBps: size / MB / r };
}

/** True when coreutils dd can be run. */
export function haveDd(): boolean {
  const r = spawnSync('dd', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}
