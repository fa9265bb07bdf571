// kseg entry point: commander wiring, and the one place errors become exit codes. Anything thrown
// prints as one line on stderr (a stack only with --debug).
import { Command, CommanderError } from 'commander';
import { CompressionError, CorruptRecordError, UnsupportedFormatError } from '../format/errors.js';
import { UsageError } from './args.js';
import { EXIT_PROBLEMS, EXIT_USAGE } from './exitCodes.js';

type Register = (program: Command) => void;

// Each command's module (and what it pulls in: codecs, histograms, ink...) loads only when that
// command runs: `kseg dump` of a small file should not pay for loading `kseg bench`.
const COMMANDS: Record<string, () => Promise<Register>> = {
  dump: async () => (await import('./dumpCommand.js')).registerDump,
  produce: async () => (await import('./produceCommand.js')).registerProduce,
  consume: async () => (await import('./consumeCommand.js')).registerConsume,
  verify: async () => (await import('./verifyCommand.js')).registerVerify,
  bench: async () => (await import('./benchCommand.js')).registerBench,
};

/** The command line's subcommand, if it names one (otherwise every command is registered, for help). */
function commandOf(argv: readonly string[]): string | undefined {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first !== undefined && first in COMMANDS ? first : undefined;
}

export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('kseg')
    .description('Inspect, verify, repair and load-test Apache Kafka log directories')
    .version('0.1.0')
    .option('--debug', 'print stack traces for errors')
    // Usage errors stay one line (commander's `error: ...`); --help is there for more.
    .exitOverride();
  const only = commandOf(argv);
  // A large log's dump workers start while the dump's modules load (see dumpWorkerPrestart.ts).
  if (only === 'dump') (await import('./dumpWorkerPrestart.js')).prestartDumpWorkers(argv);
  for (const name of Object.keys(COMMANDS)) {
    if (only === undefined || only === name) (await COMMANDS[name]())(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram(argv);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message; help/version exit 0.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    const e = err as Error & { code?: string };
    if (debug) process.stderr.write(`${e.stack ?? e}\n`);
    else process.stderr.write(`kseg: ${e.message}\n`);
    // Errors about bad bytes are problems in the data; everything else (bad options, a locked or
    // missing dir, I/O) is a usage or I/O error.
    const dataError = err instanceof CorruptRecordError || err instanceof CompressionError || err instanceof UnsupportedFormatError;
    process.exitCode = dataError && !(err instanceof UsageError) ? EXIT_PROBLEMS : EXIT_USAGE;
  }
}
