// kseg entry point: commander wiring, and the one place errors become exit codes. Anything thrown
// prints as one line on stderr (a stack only with --debug).
import { Command, CommanderError } from 'commander';
import { CompressionError, CorruptRecordError, UnsupportedFormatError } from '../format/errors.js';
import { UsageError } from './args.js';
import { registerDump } from './dumpCommand.js';
import { registerProduce } from './produceCommand.js';
import { registerConsume } from './consumeCommand.js';
import { registerVerify } from './verifyCommand.js';
import { registerBench } from './benchCommand.js';
import { EXIT_PROBLEMS, EXIT_USAGE } from './exitCodes.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('kseg')
    .description('Inspect, verify, repair and load-test Apache Kafka log directories')
    .version('0.1.0')
    .option('--debug', 'print stack traces for errors')
    // Usage errors stay one line (commander's `error: ...`); --help is there for more.
    .exitOverride();
  registerDump(program);
  registerProduce(program);
  registerConsume(program);
  registerVerify(program);
  registerBench(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
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
