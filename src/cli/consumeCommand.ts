// `kseg consume`: commander wiring and rendering over tools/consume.ts.
import type { Command } from 'commander';
import { consume, CONSUMER_DETAILED_HEADER, CONSUMER_HEADER, formatConsumerDetailedRow, formatConsumerRow } from '../tools/consume.js';
import { parseDuration, parseSize, parseTime } from '../tools/units.js';
import { arg, parseIntArg, parseIntList } from './args.js';
import { plainDisplay } from './progressMode.js';
import { EXIT_OK } from './exitCodes.js';

interface ConsumeCli {
  topic?: string;
  partitions?: number[];
  fromOffset?: number;
  fromTime?: string;
  messages?: number;
  fetchSize: number;
  checkCrcs: boolean;
  workers: number;
  reportingInterval: number;
  showDetailedStats?: boolean;
  hideHeader?: boolean;
  json?: boolean;
  progress: boolean;
}

export function registerConsume(program: Command): void {
  program
    .command('consume')
    .description('Read a local Kafka log directory as a consumer would (kafka-consumer-perf-test without a broker)')
    .argument('<log-dir>', 'log directory to read')
    .option('--topic <name>', 'topic to read (default: all topics)')
    .option('--partitions <list>', 'comma-separated partition numbers (default: all)', parseIntList)
    .option('--from-offset <n>', 'start at this offset (seeks with the offset index)', parseIntArg)
    .option('--from-time <ts>', 'start at the first record at or after this time (epoch ms or ISO-8601; seeks with the time index)')
    .option('--messages <n>', 'stop after this many records', parseIntArg)
    .option('--fetch-size <bytes>', 'bytes read per partition read', arg(parseSize), 1048576)
    .option('--no-check-crcs', 'skip batch CRC checks (Kafka\'s consumer perf tool always skips them)')
    .option('--workers <n>', 'worker threads (partitions are spread over them)', parseIntArg, 1)
    .option('--reporting-interval <ms>', 'interval between detailed rows', arg(parseDuration), 5000)
    .option('--show-detailed-stats', 'print a row per reporting interval')
    .option('--hide-header', 'do not print the header line')
    .option('--json', 'print one JSON object with the results')
    .option('--no-progress', 'accepted for symmetry with produce: consume prints plain rows only')
    .action(async (logDir: string, c: ConsumeCli) => {
      process.exitCode = await runConsume(logDir, c);
    });
}

async function runConsume(logDir: string, c: ConsumeCli): Promise<number> {
  const fromTime = c.fromTime === undefined ? undefined : arg(parseTime)(c.fromTime);
  // Reading runs synchronously on this thread (or in workers that report only at the end), so a
  // live display would never repaint: print Kafka's rows as they come.
  const display = plainDisplay(!c.json);
  if (!c.json && !c.hideHeader) display.windowLine(c.showDetailedStats ? CONSUMER_DETAILED_HEADER : CONSUMER_HEADER);
  let result;
  try {
    result = await consume({ logDir, topic: c.topic, partitions: c.partitions, fromOffset: c.fromOffset, fromTime, messages: c.messages, fetchSize: c.fetchSize, checkCrcs: c.checkCrcs, workers: c.workers, reportingIntervalMs: c.reportingInterval }, (e) => {
      if (c.showDetailedStats && !c.json) display.windowLine(formatConsumerDetailedRow(Date.now(), 0, e.window, e.counts));
    });
  } finally {
    await display.stop();
  }
  if (c.json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    if (!c.showDetailedStats) process.stdout.write(formatConsumerRow(result) + '\n');
    process.stdout.write(`kseg: ${result.records} records in ${result.batches} batches from ${result.partitions} partitions, CRC checks ${result.checkCrcs ? `on (${result.crcChecked} batches verified)` : 'off'}\n`);
  }
  return EXIT_OK;
}
