// Bench entry point (`npm run bench`): runs every bench and prints one JSON object on stdout;
// progress goes to stderr. Flags: --quick (smaller, rougher run), --filter <substr> (case ids such
// as "none/100B"), --no-kafkajs (skip the kafkajs comparison), --no-dump (skip the dump bench),
// --no-verify (skip the verify bench), --no-storage (skip the storage bench).
import { runDumpBench } from './dump.js';
import { runFormatBench } from './format.js';
import { runStorageBench } from './storage.js';
import { runVerifyBench } from './verify.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const fi = args.indexOf('--filter');
  const filter = fi >= 0 ? args[fi + 1] : undefined;
  const kafkajs = !args.includes('--no-kafkajs');
  const format = await runFormatBench({ quick, filter, kafkajs });
  const dump = args.includes('--no-dump') ? undefined : await runDumpBench({ quick });
  const verify = args.includes('--no-verify') ? undefined : await runVerifyBench({ quick });
  const storage = args.includes('--no-storage') ? undefined : await runStorageBench({ quick });
  process.stdout.write(`${JSON.stringify({ format, dump, verify, storage }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
