// `kseg dump … | head`: when the reader goes away, the dump stops quietly with exit 0 and nothing on
// stderr, whichever thread's write meets the closed pipe (a worker thread's broken pipe stops the
// other threads and the main one exits, see dumpTextTurns.ts). Run in a child process, since the
// dump exits the process; the workers load dist/, so this runs the built code.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../src/format/recordBatchBuilder.js';
import { REPO_ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kseg-brokenpipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ~16 MB of batches (one batch written again and again, its base offset rewritten): far more text
// than a pipe holds, and long enough to dump that the worker thread is up and writing.
const file = join(dir, '00000000000000000000.log');
const records = Array.from({ length: 150 }, (_, i) => ({ timestamp: 1_700_000_000_000 + i, key: null, value: Buffer.alloc(100, 0x61 + (i % 26)) }));
const one = buildRecordBatch(records, { baseOffset: 0 });
const log = Buffer.alloc(one.length * 1024);
for (let b = 0; b < 1024; b++) {
  one.copy(log, b * one.length);
  log.writeBigInt64BE(BigInt(b * 150), b * one.length);
}
writeFileSync(file, log);

/** Runs runDump (built) with stdout to a pipe read slowly for a while, then closed. */
function dumpIntoClosedPipe(jobs: number): Promise<{ code: number | null; signal: string | null; stderr: string; stdoutBytes: number }> {
  const mod = pathToFileURL(join(REPO_ROOT, 'dist/src/cli/dumpCommand.js')).href;
  const script = `import(${JSON.stringify(mod)}).then((m) => { process.exitCode = m.runDump([${JSON.stringify(file)}], { deepIteration: true, printDataLog: true, jobs: ${jobs}, maxMessageSize: 5 << 20, maxDecompressedBytes: 64 << 20 }, { minBytes: 0, rangeBytes: 65536 }); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdoutBytes = 0;
  child.stderr.on('data', (d) => (stderr += d));
  // Read slowly (a chunk every 5 ms) while the worker starts and takes its turns, then leave: the
  // thread holding the turn then meets the closed pipe (over the runs, sometimes the worker).
  child.stdout.on('data', (d: Buffer) => {
    stdoutBytes += d.length;
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 5);
  });
  setTimeout(() => child.stdout.destroy(), 500);
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr, stdoutBytes })));
}

describe('kseg dump into a pipe that closes', () => {
  for (const jobs of [0, 1]) {
    it(`exits 0 with nothing on stderr (${jobs === 0 ? 'one thread' : 'ranges on a worker thread too'})`, async () => {
      for (let i = 0; i < 6; i++) {
        const r = await dumpIntoClosedPipe(jobs);
        expect(r.stdoutBytes).toBeGreaterThan(0);
        expect(r.stderr).toBe('');
        expect(r.signal).toBe(null);
        expect(r.code).toBe(0);
      }
    }, 60_000);
  }
});
