// `kseg produce`: commander wiring and rendering over tools/produce.ts.
import { Command, Option } from 'commander';
import { CODEC_NAMES } from '../format/attributes.js';
import { formatProduceSummary, formatWindow, produce, type ProduceOptions } from '../tools/produce.js';
import { parseDuration, parseSize } from '../tools/units.js';
import { arg, parseIntArg, parseNumberArg } from './args.js';
import { openDisplay } from './displays.js';
import { EXIT_OK } from './exitCodes.js';

interface ProduceCli extends Omit<ProduceOptions, 'logDir' | 'durationMs' | 'reportingIntervalMs' | 'transactionDurationMs'> {
  duration?: number;
  reportingInterval: number;
  transactionDurationMs: number;
  json?: boolean;
  progress: boolean;
}

export function registerProduce(program: Command): void {
  program
    .command('produce')
    .description('Generate producer load against a local Kafka log directory (kafka-producer-perf-test without a broker)')
    .argument('<log-dir>', 'log directory to write (created if missing)')
    .option('--topic <name>', 'topic to produce to', 'kseg-perf')
    .option('--partitions <n>', 'number of partitions', parseIntArg, 1)
    .option('--num-records <n>', 'number of records to produce', parseIntArg)
    .option('--duration <time>', 'produce for this long instead (e.g. 30s)', arg(parseDuration))
    .option('--record-size <bytes>', 'value size of generated records', arg(parseSize))
    .option('--payload-file <file>', 'read values from a UTF-8 file, split by --payload-delimiter')
    .option('--payload-delimiter <s>', 'delimiter for --payload-file', '\n')
    .option('--payload-monotonic', 'values are the record number as text', false)
    .option('--compressibility <0..1>', 'fraction of generated payload that is repetitive text (0 random, 1 text)', parseNumberArg, 0.5)
    .option('--key-size <bytes>', 'generate keys of this size', arg(parseSize))
    .option('--key-range <n>', 'keys are record index modulo n (KIP-1299); placement by murmur2 like Kafka', parseIntArg)
    .option('--headers <n>', 'headers per record', parseIntArg, 0)
    .option('--throughput <records/s>', 'throttle to this many records/s (-1 unlimited, fractional ok)', parseNumberArg, -1)
    .option('--batch-size <bytes>', 'batch.size', arg(parseSize), 16384)
    .option('--linger-ms <ms>', 'linger.ms', parseNumberArg, 5)
    .addOption(new Option('--compression-type <codec>', 'compression.type').choices(CODEC_NAMES as string[]).default('none'))
    .option('--compression-level <n>', 'compression level (gzip 1-9, lz4 1-17, zstd -131072..22)', parseIntArg)
    .option('--flush-messages <n>', 'flush.messages: fsync after this many records (default never)', parseIntArg)
    .option('--flush-ms <ms>', 'flush.ms: fsync when this long has passed since the last flush (default never)', parseIntArg)
    .option('--segment-bytes <bytes>', 'segment.bytes', arg(parseSize), 1024 * 1024 * 1024)
    .option('--segment-ms <ms>', 'segment.ms', parseIntArg)
    .option('--index-interval-bytes <bytes>', 'index.interval.bytes', arg(parseSize), 4096)
    .option('--idempotent', 'idempotent producer: producer id, epoch and sequences', false)
    .option('--transactional', 'transactional batches with COMMIT/ABORT markers', false)
    .option('--transaction-duration-ms <ms>', 'commit a transaction this often', parseIntArg, 3000)
    .option('--abort-ratio <0..1>', 'fraction of transactions aborted (writes .txnindex)', parseNumberArg, 0)
    .option('--warmup-records <n>', 'records excluded from the steady-state summary', parseIntArg, 0)
    .option('--workers <n>', 'worker threads (partitions are spread over them)', parseIntArg, 1)
    .option('--write-behind', 'write batches on a thread of their own while the next are built (default when --batch-size is 256KiB or more)')
    .option('--no-write-behind', 'write each batch on the thread that built it, as a broker request thread does')
    .option('--compress-behind', 'compress batches on a thread of their own while the next are built (with write-behind and a codec; default when every worker can have 2 cores)')
    .option('--no-compress-behind', 'compress each batch on the thread that built it, as a Kafka producer does')
    .option('--reporting-interval <ms>', 'interval between window lines', parseIntArg, 5000)
    .option('--seed <n>', 'seed for payloads, keys and aborts', parseIntArg, 0)
    .option('--json', 'print one JSON object with the config and results')
    .option('--no-progress', 'no live display: plain periodic lines only')
    .action(async (logDir: string, opts: ProduceCli) => {
      process.exitCode = await runProduce(logDir, opts);
    });
}

async function runProduce(logDir: string, c: ProduceCli): Promise<number> {
  const display = await openDisplay(c);
  if (c.warmupRecords > 0 && !c.json) process.stdout.write(`Warmup first ${c.warmupRecords} records. Steady state results will print after the complete test summary.\n`);
  let result;
  try {
    result = await produce(
      {
        ...c,
        logDir,
        durationMs: c.duration,
        reportingIntervalMs: c.reportingInterval,
      },
      (e) => {
        if (e.type === 'window') display.windowLine(formatWindow(e.window));
        else if (e.type === 'steady') display.windowLine('In steady state.');
        else {
          const p = e.progress;
          const secs = p.elapsedMs / 1000;
          display.update({
            title: `kseg produce → ${logDir} (${c.compressionType}, batch ${c.batchSize} B)`,
            elapsedMs: p.elapsedMs,
            records: p.records,
            target: p.target,
            durationMs: c.duration,
            recordsPerSec: secs > 0 ? p.records / secs : 0,
            mbPerSec: secs > 0 ? p.valueBytes / 1048576 / secs : 0,
            latencyMs: p.latencyMs,
            partitions: p.partitions,
            rolls: p.rolls,
          });
        }
      },
      { isolate: display.live },
    );
  } finally {
    await display.stop();
  }
  if (c.json) process.stdout.write(JSON.stringify(result) + '\n');
  else for (const line of formatProduceSummary(result)) process.stdout.write(line + '\n');
  return EXIT_OK;
}
