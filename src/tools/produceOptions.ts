// Options of `kseg produce`, with Kafka's names and defaults where Kafka has them.
import { availableParallelism } from 'node:os';
import type { CodecName } from '../format/attributes.js';

export interface ProduceOptions {
  logDir: string;
  topic: string;
  partitions: number;
  /** Stop after this many records (or after durationMs, whichever is set). */
  numRecords?: number;
  durationMs?: number;
  recordSize?: number;
  payloadFile?: string;
  payloadDelimiter: string;
  payloadMonotonic: boolean;
  /** Fraction (0..1) of generated payload that is repetitive text rather than random bytes. */
  compressibility: number;
  keySize?: number;
  keyRange?: number;
  headers: number;
  /** records/s; -1 = unlimited. */
  throughput: number;
  batchSize: number;
  lingerMs: number;
  compressionType: CodecName;
  compressionLevel?: number;
  flushMessages?: number;
  flushMs?: number;
  segmentBytes: number;
  segmentMs?: number;
  indexIntervalBytes: number;
  segmentIndexBytes?: number;
  idempotent: boolean;
  transactional: boolean;
  transactionDurationMs: number;
  abortRatio: number;
  warmupRecords: number;
  workers: number;
  /**
   * Batches are written by a thread of their own while the next are built (tools/writeBehind.ts).
   * produceOptions() sets the default: when batch.size is at least WRITE_BEHIND_MIN_BATCH_BYTES.
   */
  writeBehind?: boolean;
  /**
   * Batches are compressed by a thread of their own while the next are built (tools/compressBehind.ts);
   * only with writeBehind and a codec. produceOptions() sets the default: when every worker can have
   * two cores (its producing thread then mostly waits for its compressor).
   */
  compressBehind?: boolean;
  reportingIntervalMs: number;
  seed: number;
}

/**
 * Below this batch.size the hand-off to the writer thread (some µs per batch) costs more than the
 * write it takes off the producing thread, so batches are written where they are built.
 */
export const WRITE_BEHIND_MIN_BATCH_BYTES = 256 * 1024;

export const PRODUCE_DEFAULTS: Omit<ProduceOptions, 'logDir'> = {
  topic: 'kseg-perf',
  partitions: 1,
  payloadDelimiter: '\n',
  payloadMonotonic: false,
  compressibility: 0.5,
  headers: 0,
  throughput: -1,
  batchSize: 16384,
  lingerMs: 5,
  compressionType: 'none',
  segmentBytes: 1024 * 1024 * 1024,
  indexIntervalBytes: 4096,
  idempotent: false,
  transactional: false,
  transactionDurationMs: 3000,
  abortRatio: 0,
  warmupRecords: 0,
  workers: 1,
  reportingIntervalMs: 5000,
  seed: 0,
};

export function produceOptions(o: Partial<ProduceOptions> & { logDir: string }): ProduceOptions {
  const opts = { ...PRODUCE_DEFAULTS } as ProduceOptions;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (opts as unknown as Record<string, unknown>)[k] = v;
  opts.writeBehind ??= opts.batchSize >= WRITE_BEHIND_MIN_BATCH_BYTES;
  opts.compressBehind ??= 2 * opts.workers <= availableParallelism();
  if (!opts.writeBehind || opts.compressionType === 'none') opts.compressBehind = false;
  return opts;
}
