// Dump workers started before the dump command's modules load (src/cli/dumpWorkerPrestart.ts): only
// when the command line names a large log (a sparse file stands in for one), as many as --jobs says,
// and the parallel dump adopts them instead of starting its own.

import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDump } from '../../src/cli/dumpCommand.js';
import { ParallelTextDump } from '../../src/cli/dumpTextParallel.js';
import { PARALLEL_MIN_BYTES, prestartDumpWorkers, takePrestartedWorkers } from '../../src/cli/dumpWorkerPrestart.js';
import { dumpUntil, FIXTURES } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kseg-prestart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const large = join(dir, '00000000000000000000.log');
writeFileSync(large, '');
truncateSync(large, PARALLEL_MIN_BYTES); // sparse: only its size matters here
const small = join(FIXTURES, 'v2-none-0', '00000000000000000000.log');
const partition = join(dir, 'topic-0');
mkdirSync(partition);
writeFileSync(join(partition, '00000000000000000000.log'), '');
truncateSync(join(partition, '00000000000000000000.log'), PARALLEL_MIN_BYTES);

const argv = (...args: string[]) => ['node', 'kseg', 'dump', ...args];
const take = () => {
  const ws = takePrestartedWorkers(64);
  for (const w of ws) void w.worker.terminate();
  return ws.length;
};

describe('dump workers started early', () => {
  it('start only for a large log or a partition dir holding one, as many as --jobs says (default cores - 1)', () => {
    prestartDumpWorkers(argv('--deep-iteration', small));
    expect(take()).toBe(0);
    prestartDumpWorkers(argv('--jobs', '0', large));
    expect(take()).toBe(0);
    prestartDumpWorkers(argv('--jobs', '2', '--print-data-log', large));
    expect(take()).toBe(2);
    prestartDumpWorkers(argv(partition));
    expect(take()).toBe(Math.max(0, availableParallelism() - 1));
  });

  it('are adopted by the parallel dump, which prints what it prints with its own workers', () => {
    prestartDumpWorkers(argv('--jobs', '1', large));
    const dumper = new ParallelTextDump({ opts: { deepIteration: true, printDataLog: true }, skipMetadata: false, key: 'string', value: 'string' }, { jobs: 1, minBytes: 0, rangeBytes: 200 });
    const { output } = dumpUntil(dumper, small, () => dumper.stats.workers > 0);
    // the prestarted worker was taken (none left over) and rendered ranges
    expect(take()).toBe(0);
    expect(dumper.stats.workers).toBeGreaterThan(0);
    // the last round printed exactly what a one-thread dump prints
    const refPath = join(dir, 'ref.txt');
    const refFd = openSync(refPath, 'w');
    try {
      runDump([small], { deepIteration: true, printDataLog: true, jobs: 0, maxMessageSize: 5 << 20, maxDecompressedBytes: 64 << 20 }, { fd: refFd, stderr: () => {} });
    } finally {
      closeSync(refFd);
    }
    expect(output).toBe(readFileSync(refPath, 'latin1'));
  });
});
