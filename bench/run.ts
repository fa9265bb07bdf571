// Bench entry point (`npm run bench`): runs every bench and prints one JSON object on stdout;
// progress goes to stderr. Flags: --quick (smaller, rougher run), --filter <substr> (case ids such
// as "none/100B"), --no-kafkajs (skip the kafkajs comparison), --no-dump (skip the dump bench),
// --no-verify (skip the verify bench), --no-storage (skip the storage bench).
//
// Each bench runs in a process of its own (this script with --section): an in-process bench leaves
// a large heap behind, and its collection competed with the next bench's measured child processes
// on this 2-core machine (the dump bench after the format bench in one process: 0.83 s, 19.5-19.9x
// kafka-python; on its own: 0.80-0.82 s, 20.2-20.3x).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runDumpBench } from './dump.js';
import { runFormatBench } from './format.js';
import { runStorageBench } from './storage.js';
import { runVerifyBench } from './verify.js';

type Section = 'format' | 'dump' | 'verify' | 'storage';

async function runHere(section: Section, args: string[]): Promise<unknown> {
  const quick = args.includes('--quick');
  const fi = args.indexOf('--filter');
  const filter = fi >= 0 ? args[fi + 1] : undefined;
  switch (section) {
    case 'format':
      return runFormatBench({ quick, filter, kafkajs: !args.includes('--no-kafkajs') });
    case 'dump':
      return runDumpBench({ quick });
    case 'verify':
      return runVerifyBench({ quick });
    case 'storage':
      return runStorageBench({ quick });
  }
}

/**
 * Runs one section in a fresh process (progress on this stderr); its result. With this process's
 * node flags: `npm run bench` passes --no-concurrent-recompilation (see bin/kseg.js).
 */
function runApart(section: Section, args: string[]): unknown {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--section', section, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`the ${section} bench failed (exit ${r.status ?? r.signal})`);
  return JSON.parse(r.stdout) as unknown;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const si = args.indexOf('--section');
  if (si >= 0) {
    const section = args[si + 1] as Section;
    process.stdout.write(JSON.stringify(await runHere(section, args)));
    return;
  }
  const format = runApart('format', args);
  const dump = args.includes('--no-dump') ? undefined : runApart('dump', args);
  const verify = args.includes('--no-verify') ? undefined : runApart('verify', args);
  const storage = args.includes('--no-storage') ? undefined : runApart('storage', args);
  process.stdout.write(`${JSON.stringify({ format, dump, verify, storage }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
