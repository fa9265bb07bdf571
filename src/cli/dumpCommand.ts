// `kseg dump`: commander wiring and rendering over tools/dump.ts.
import type { Command } from 'commander';
import { Option } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { dumpLogFile, type DumpOptions } from '../tools/dump.js';
import { VALUE_DECODERS, type ValueDecoderName } from '../tools/valueDecoder.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE } from './exitCodes.js';
import { LineWriter } from './output.js';
import { parseIntArg, UsageError } from './args.js';

interface DumpCliOptions {
  files?: string;
  json?: boolean;
  deepIteration?: boolean;
  printDataLog?: boolean;
  keyDecoder: ValueDecoderName;
  valueDecoder: ValueDecoderName;
  maxBytes?: number;
  maxDecompressedBytes?: number;
}

export function registerDump(program: Command): void {
  program
    .command('dump')
    .description('Print the contents of Kafka segment files (.log)')
    .argument('[files...]', 'segment files to dump')
    .option('--files <list>', 'comma-separated list of files (kafka-dump-log style)')
    .option('--json', 'JSON Lines output: one object per batch, record and problem')
    .option('--deep-iteration', 'iterate records, not only batches')
    .option('--print-data-log', 'print keys, values and header values (implies --deep-iteration)')
    .addOption(new Option('--key-decoder <decoder>', 'how to print keys').choices(VALUE_DECODERS as string[]).default('string'))
    .addOption(new Option('--value-decoder <decoder>', 'how to print values and header values').choices(VALUE_DECODERS as string[]).default('string'))
    .option('--max-bytes <n>', 'only read batches within the first N bytes of each file', parseIntArg)
    .option('--max-decompressed-bytes <n>', 'per-batch decompression limit (bomb guard)', parseIntArg, 64 * 1024 * 1024)
    .action((files: string[], opts: DumpCliOptions) => {
      process.exitCode = runDump(files, opts);
    });
}

export function runDump(args: string[], opts: DumpCliOptions): number {
  const files = [...args, ...(opts.files ? opts.files.split(',').filter((f) => f.length > 0) : [])];
  if (files.length === 0) throw new UsageError('Missing required argument "[files]"');
  const dumpOpts: DumpOptions = {
    deepIteration: opts.deepIteration,
    printDataLog: opts.printDataLog,
    keyDecoder: opts.keyDecoder,
    valueDecoder: opts.valueDecoder,
    maxBytes: opts.maxBytes,
    maxDecompressedBytes: opts.maxDecompressedBytes,
  };
  const out = new LineWriter();
  let problems = 0;
  let ioErrors = 0;
  for (const file of files) {
    if (!existsSync(file) || !statSync(file).isFile()) {
      out.flush();
      process.stderr.write(`kseg dump: cannot read ${file}: no such file\n`);
      ioErrors++;
      continue;
    }
    if (!file.endsWith('.log')) {
      process.stderr.write(`Ignoring unknown file ${file}\n`);
      continue;
    }
    for (const ev of dumpLogFile(file, dumpOpts)) {
      if (ev.type === 'problem' || ev.type === 'trailing') problems++;
      if (opts.json) out.line(JSON.stringify(ev));
      else out.line(renderText(ev));
    }
  }
  out.flush();
  return ioErrors > 0 ? EXIT_USAGE : problems > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

// Minimal text rendering until the kafka-dump-log text parity work lands.
function renderText(ev: ReturnType<typeof dumpLogFile> extends Generator<infer E> ? E : never): string {
  switch (ev.type) {
    case 'file':
      return `Dumping ${ev.file}`;
    case 'problem':
      return `Problem at position ${ev.position}: ${ev.message}`;
    case 'trailing':
      return `Found ${ev.bytes} invalid bytes at the end of ${ev.file}`;
    default:
      return JSON.stringify(ev);
  }
}
