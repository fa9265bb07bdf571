// `kseg dump`: commander wiring and rendering over tools/dump.ts.
import { Command, Option } from 'commander';
import { dumpFile, dumpFiles, fileErrorEvent, fileKind, type DumpEvent, type DumpOptions, type PayloadDecoderName } from '../tools/dump.js';
import { baseOffsetFromName } from '../storage/logFileReader.js';
import { ParallelTextDump, type ParallelDumpConfig } from './dumpTextParallel.js';
import { VALUE_DECODERS, type ValueDecoderName } from '../tools/valueDecoder.js';
import { arg, parseIntArg, UsageError } from './args.js';
import { parseTime } from '../tools/units.js';
import { DumpTextRenderer } from './dumpText.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE } from './exitCodes.js';
import { LineWriter } from './output.js';
import { RecordLineBytes } from './recordLineBytes.js';

export interface DumpCliOptions {
  files?: string;
  json?: boolean;
  deepIteration?: boolean;
  printDataLog?: boolean;
  skipRecordMetadata?: boolean;
  verifyIndexOnly?: boolean;
  indexSanityCheck?: boolean;
  keyDecoder?: ValueDecoderName;
  valueDecoder?: ValueDecoderName;
  offsetsDecoder?: boolean;
  transactionLogDecoder?: boolean;
  clusterMetadataDecoder?: boolean;
  maxBytes?: number;
  maxMessageSize: number;
  maxDecompressedBytes: number;
  fromOffset?: number;
  toOffset?: number;
  fromTime?: number;
  toTime?: number;
  key?: string;
  batchesOnly?: boolean;
  jobs?: number;
}

export function registerDump(program: Command): void {
  program
    .command('dump')
    .description('Print Kafka log files (.log, .index, .timeindex, .txnindex, .snapshot, KRaft .checkpoint, checkpoints) like kafka-dump-log')
    .argument('[paths...]', 'files or partition directories to dump')
    .option('--files <list>', 'comma-separated list of files (kafka-dump-log style)')
    .option('--json', 'JSON Lines: one object per batch, record, index entry and problem')
    .option('--deep-iteration', 'iterate records, not only batches')
    .option('--print-data-log', 'print keys, values and header values (implies --deep-iteration)')
    .option('--skip-record-metadata', 'print record contents without their metadata; skips control records')
    .option('--verify-index-only', 'check .index/.timeindex against the log without printing entries')
    .option('--index-sanity-check', 'run the index sanity check only (and report zero-filled tails it would miss)')
    .addOption(new Option('--key-decoder <decoder>', 'how to print keys (implies --print-data-log)').choices(VALUE_DECODERS as string[]))
    .addOption(new Option('--value-decoder <decoder>', 'how to print values and header values (implies --print-data-log)').choices(VALUE_DECODERS as string[]))
    .option('--offsets-decoder', 'decode __consumer_offsets records as JSON')
    .option('--transaction-log-decoder', 'decode __transaction_state records')
    .option('--cluster-metadata-decoder', 'decode KRaft __cluster_metadata records as JSON')
    .option('--max-bytes <n>', 'only read batches within the first N bytes of each log', parseIntArg)
    .option('--max-message-size <n>', 'accepted for compatibility: kseg reads batches of any size whole', parseIntArg, 5 * 1024 * 1024)
    .option('--max-decompressed-bytes <n>', 'per-batch decompression limit (bomb guard)', parseIntArg, 64 * 1024 * 1024)
    .option('--from-offset <n>', 'start at this offset (seeks with the offset index)', parseIntArg)
    .option('--to-offset <n>', 'stop after this offset', parseIntArg)
    .option('--from-time <ts>', 'records at or after this time (epoch ms or ISO-8601; seeks with the time index)', arg(parseTime))
    .option('--to-time <ts>', 'records at or before this time (epoch ms or ISO-8601)', arg(parseTime))
    .option('--key <key>', 'only records with this key (UTF-8)')
    .option('--batches-only', 'print batch lines only')
    .option('--jobs <n>', 'worker threads besides the main one for the text dump of large logs (default: cores - 1; 0 = none)', parseIntArg)
    .action((paths: string[], opts: DumpCliOptions) => {
      process.exitCode = runDump(paths, opts);
    });
}

const READ_BYTES = 1024 * 1024;
const OUTPUT_BYTES = 256 * 1024;

/** For tests: parallel text dumps of small files in small ranges, and where the output goes. */
export interface DumpInternals extends Pick<ParallelDumpConfig, 'minBytes' | 'rangeBytes' | 'atTurnBytes'> {
  /** stdout's file descriptor (default 1). */
  fd?: number;
  /** Receives the stderr lines (default: process.stderr). */
  stderr?: (line: string) => void;
}

export function runDump(args: string[], c: DumpCliOptions, internal: DumpInternals = {}): number {
  const paths = [...args, ...(c.files ? c.files.split(',').filter((f) => f.length > 0) : [])];
  if (paths.length === 0) throw new UsageError('Missing required argument "[files]"');
  const payloadDecoder: PayloadDecoderName | undefined = c.offsetsDecoder ? 'offsets' : c.transactionLogDecoder ? 'transaction-log' : c.clusterMetadataDecoder ? 'cluster-metadata' : undefined;
  const opts: DumpOptions = {
    deepIteration: c.deepIteration,
    printDataLog: c.printDataLog || c.keyDecoder !== undefined || c.valueDecoder !== undefined || payloadDecoder !== undefined,
    skipRecordMetadata: c.skipRecordMetadata,
    verifyIndexOnly: c.verifyIndexOnly,
    indexSanityCheck: c.indexSanityCheck,
    keyDecoder: c.keyDecoder,
    valueDecoder: c.valueDecoder,
    payloadDecoder,
    maxBytes: c.maxBytes,
    maxMessageSize: c.maxMessageSize,
    maxDecompressedBytes: c.maxDecompressedBytes,
    fromOffset: c.fromOffset,
    toOffset: c.toOffset,
    fromTime: c.fromTime,
    toTime: c.toTime,
    key: c.key,
    batchesOnly: c.batchesOnly,
  };
  // The read buffer and the output buffer share one ArrayBuffer: values are copied with copyWithin.
  const arena = new ArrayBuffer(READ_BYTES + OUTPUT_BYTES);
  const out = new LineWriter(internal.fd ?? 1, OUTPUT_BYTES, undefined, Buffer.from(arena, READ_BYTES, OUTPUT_BYTES));
  opts.readBuffer = Buffer.from(arena, 0, READ_BYTES);
  const text = new DumpTextRenderer(!!c.skipRecordMetadata);
  let problems = 0;
  let ioErrors = 0;
  const handle = (ev: DumpEvent) => {
    if (ev.type === 'problem') {
      if (ev.check === 'io') ioErrors++;
      else problems++;
    }
    if (c.json) out.line(JSON.stringify(ev));
    else {
      const line = text.line(ev);
      if (line !== null) out.line(line);
    }
  };
  // Text output of v2 data records with the string decoder goes straight to bytes (same lines), and
  // large logs are rendered on several cores (same output again).
  let parallel: ParallelTextDump | null = null;
  const fast = (d: ValueDecoderName | undefined): d is 'string' | 'none' | undefined => d === undefined || d === 'string' || d === 'none';
  if (!c.json && !payloadDecoder && fast(c.keyDecoder) && fast(c.valueDecoder)) {
    const lineOpts = { printData: !!opts.printDataLog, skipMetadata: !!c.skipRecordMetadata, key: c.keyDecoder ?? 'string', value: c.valueDecoder ?? 'string' } as const;
    const lines = new RecordLineBytes(out, lineOpts);
    parallel = new ParallelTextDump({ opts: { ...opts, readBuffer: undefined }, skipMetadata: lineOpts.skipMetadata, key: lineOpts.key, value: lineOpts.value }, { jobs: c.jobs, minBytes: internal.minBytes, rangeBytes: internal.rangeBytes, atTurnBytes: internal.atTurnBytes });
    opts.recordSink = lines;
  }
  try {
    for (const file of dumpFiles(paths)) {
      if (parallel && fileKind(file) === 'log' && parallel.eligible(file)) {
        handle({ type: 'file', file, kind: 'log', baseOffset: baseOffsetFromName(file) });
        const before = text.problems.length;
        try {
          parallel.dumpLog(file, out, text);
        } catch (err) {
          handle(fileErrorEvent(file, err));
        }
        for (const p of text.problems.slice(before)) if (p.check !== 'io') problems++;
      } else for (const ev of dumpFile(file, opts)) handle(ev);
    }
  } finally {
    parallel?.close();
  }
  out.flush();
  const stderr = internal.stderr ?? ((l: string) => process.stderr.write(l + '\n'));
  if (!c.json) for (const l of text.stderrLines()) stderr(l);
  return ioErrors > 0 ? EXIT_USAGE : problems > 0 ? EXIT_PROBLEMS : EXIT_OK;
}
