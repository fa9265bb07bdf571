// The write-behind writer (src/tools/writeBehind.ts): appends reach each file in order and byte for
// byte, whether they were built in its buffers (handed over without a copy) or elsewhere (copied);
// completion counts and times are consistent; a failed write is thrown, with its file, by the next
// call, and nothing appended after it is written.

import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { WriteBehind } from '../../src/tools/writeBehind.js';
import { cleanupTempDirs, tempDir } from '../storage/helpers.js';

afterAll(cleanupTempDirs);

/** Deterministic bytes: `n` of them, from `seed`. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('WriteBehind', () => {
  it('writes every append in order, byte for byte: its own buffers (no copy) and foreign ones (copied), two files interleaved', () => {
    const dir = tempDir('kseg-wb-');
    const paths = [join(dir, 'a.log'), join(dir, 'b.log')];
    const fds = paths.map((p) => openSync(p, 'a'));
    const expected: Buffer[][] = [[], []];
    // A small in-flight bound, so the producer waits for buffers to come back again and again.
    const w = new WriteBehind({ maxInFlightBytes: 256 * 1024, pollMs: 0 });
    const seqs: number[] = [];
    const sizes = [0, 0];
    const before = performance.now();
    for (let i = 0; i < 300; i++) {
      const f = i % 3 === 0 ? 1 : 0;
      const n = 1 + ((i * 7919) % 150_000);
      const data = bytes(n, i);
      expected[f].push(data);
      const position = sizes[f];
      sizes[f] += n;
      if (i % 2 === 0) {
        // Built in a buffer of the writer's, at an offset, like a batch view of a builder's buffer.
        const buf = w.acquire(n + 100);
        data.copy(buf, 37);
        seqs.push(w.append(fds[f], buf.subarray(37, 37 + n), paths[f], position));
        expect(buf.length, 'the buffer went to the writer thread').toBe(0);
      } else {
        seqs.push(w.append(fds[f], data, paths[f], position));
        expect(data.length, 'a foreign buffer is copied, not taken').toBe(n);
      }
    }
    expect(seqs).toEqual(seqs.map((_, i) => i));
    w.drain();
    const after = performance.now();
    expect(w.completed).toBe(300);
    // Completion times are on this thread's clock, in order.
    let last = before;
    for (const s of seqs.slice(-100)) {
      const t = w.doneAtMs(s);
      expect(t).toBeGreaterThanOrEqual(last - 0.01);
      expect(t).toBeLessThanOrEqual(after + 0.01);
      last = t;
    }
    w.close();
    fds.forEach((fd) => closeSync(fd));
    paths.forEach((p, f) => expect(readFileSync(p).equals(Buffer.concat(expected[f])), p).toBe(true));
  });

  it('one file, appends of 1 B to 300 KB queued deep: writes carried across them (writeSpan.ts) keep every byte in order', () => {
    const dir = tempDir('kseg-wb-');
    const path = join(dir, 'one.log');
    const fd = openSync(path, 'a');
    const w = new WriteBehind({ maxInFlightBytes: 4 * 1024 * 1024, pollMs: 0 });
    const expected: Buffer[] = [];
    let position = 0;
    for (let i = 0; i < 200; i++) {
      const n = i % 10 === 0 ? 1 : 1 + ((i * 104729) % 300_000);
      const data = bytes(n, 1000 + i);
      expected.push(data);
      const buf = w.acquire(n + 100);
      data.copy(buf, 37);
      w.append(fd, buf.subarray(37, 37 + n), path, position);
      position += n;
    }
    w.close();
    closeSync(fd);
    expect(readFileSync(path).equals(Buffer.concat(expected))).toBe(true);
  });

  it('a failed write is thrown with its file by the next call, and nothing after it is written', () => {
    if (!existsSync('/dev/full')) return void console.log('skipped: no /dev/full on this system');
    const dir = tempDir('kseg-wb-');
    const good = join(dir, 'good.log');
    const goodFd = openSync(good, 'a');
    const fullFd = openSync('/dev/full', 'w');
    const w = new WriteBehind({ pollMs: 0 });
    w.append(goodFd, bytes(1000, 1), good, 0);
    w.append(fullFd, bytes(1000, 2), '/dev/full', 0);
    w.append(goodFd, bytes(1000, 3), good, 1000); // after the failure: skipped
    expect(() => w.drain()).toThrow(/write to \/dev\/full failed: ENOSPC/);
    expect(() => w.append(goodFd, bytes(10, 4), good, 2000)).toThrow(/ENOSPC/);
    expect(readFileSync(good).equals(bytes(1000, 1))).toBe(true);
    expect(() => w.close()).toThrow(/ENOSPC/);
    closeSync(goodFd);
    closeSync(fullFd);
  });

  it('ready() resolves once the thread runs, and again at once; the thread does not keep the process alive', async () => {
    const w = new WriteBehind({ pollMs: 0 });
    await w.ready();
    await w.ready();
    // The process-exit check: a child that makes a writer and never closes it still ends.
    const { spawnSync } = await import('node:child_process');
    const url = new URL('../../dist/src/tools/writeBehind.js', import.meta.url).href;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const { WriteBehind } = await import(${JSON.stringify(url)}); const w = new WriteBehind(); await w.ready(); console.log('ran');`], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout.trim(), r.stderr).toBe('ran');
    expect(r.status).toBe(0);
    w.close();
  });

  it('release() returns an outgrown buffer for reuse; append after close is refused', () => {
    const w = new WriteBehind({ pollMs: 0 });
    const a = w.acquire(1000);
    w.release(a);
    expect(w.acquire(500)).toBe(a);
    w.close();
    expect(() => w.append(1, Buffer.alloc(1), 'x', 0)).toThrow(/stopped/);
  });
});
