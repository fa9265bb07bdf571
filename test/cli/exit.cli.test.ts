// The CLI exits once its work is done. Node 20 can deadlock at exit when a V8 helper thread's
// optimizing compile waits for a garbage collection that the main thread, itself waiting for that
// compile, never runs (nodejs/node#54918); bin/kseg.js starts node with
// --no-concurrent-recompilation so that cannot happen. Without it, 2-7% of short `kseg produce`
// runs on a 2-vCPU VM never exited.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, kseg, KSEG_BIN, REPO_ROOT, tempDir, waitFor } from '../storage/helpers.js';

afterAll(cleanupTempDirs);

const onLinux = process.platform === 'linux';

describe('kseg exits when its work is done', () => {
  it.skipIf(!onLinux)('runs node with --no-concurrent-recompilation (the launcher’s shebang)', async () => {
    const child = spawn(KSEG_BIN, ['produce', join(tempDir(), 'log'), '--record-size', '100', '--duration', '3s', '--json'], { cwd: REPO_ROOT, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    // env execs node in the same process: wait until /proc shows node's command line.
    const cmdline = () => {
      try {
        return readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      } catch {
        return [];
      }
    };
    expect(await waitFor(() => cmdline().some((a) => a.endsWith('kseg.js')) && !cmdline()[0].endsWith('env'), 5000)).toBe(true);
    const args = cmdline();
    child.kill('SIGINT');
    await exited;
    expect(args.slice(1, args.findIndex((a) => a.endsWith('kseg.js')))).toContain('--no-concurrent-recompilation');
  });

  it('80 short produce runs in a row all exit', () => {
    // Each run takes ~0.2 s; one that has not exited after 20 s is the exit deadlock.
    const base = tempDir();
    for (let i = 0; i < 80; i++) {
      const r = kseg(['produce', join(base, `log-${i}`), '--record-size', '100', '--num-records', '300', '--json'], { timeout: 20_000 });
      expect({ run: i, signal: r.signal, status: r.status }).toEqual({ run: i, signal: null, status: 0 });
    }
  }, 120_000);
});
