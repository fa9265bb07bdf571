// kseg dump: turns files (or partition directories) into dump events — one per line kafka-dump-log
// would print, plus the problems it finds. Library function; the CLI only renders. Files are opened
// read-only; bad data becomes problem events, never an exception, and the next file is still dumped.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KsegError } from '../format/errors.js';
import { dumpLog } from './dumpLog.js';
import { dumpIndex, dumpTimeIndex } from './dumpIndexes.js';
import { dumpProducerSnapshot, dumpStateFile, dumpTxnIndex } from './dumpState.js';
import type { DumpEvent, FileKind, ProblemEvent } from './dumpEvents.js';
import type { ValueDecoderName } from './valueDecoder.js';
import type { Record as KafkaRecord } from '../format/record.js';
import type { RecordBatch } from '../format/recordBatch.js';

export * from './dumpEvents.js';
export { LogWalk, logHeader, newLogWalkState, trailingEvents, type LogWalkState } from './dumpLog.js';

export type { PayloadDecoderName } from './payloadDecoders.js';
import type { PayloadDecoderName } from './payloadDecoders.js';

/**
 * The text renderer's byte fast path: `write` renders a record of a deep iteration and returns
 * true, or returns false to get the record's event instead. The record view is only valid during
 * the call.
 */
export interface RecordSink {
  write(record: KafkaRecord, timestampType: string): boolean;
  /** Prints a v2 batch's line in place of its batch event (unfiltered walks); false to leave it to the event. */
  batch?(batch: RecordBatch, isValid: boolean, timestampType: string): boolean;
}

export interface DumpOptions {
  deepIteration?: boolean;
  printDataLog?: boolean;
  skipRecordMetadata?: boolean;
  keyDecoder?: ValueDecoderName;
  valueDecoder?: ValueDecoderName;
  /** Decode payloads of an internal topic (Kafka's --offsets-decoder etc.). */
  payloadDecoder?: PayloadDecoderName;
  verifyIndexOnly?: boolean;
  indexSanityCheck?: boolean;
  /** Only batches that fit within the first N bytes of each .log. */
  maxBytes?: number;
  /** Kafka's --max-message-size (kept for compatibility; kseg reads whole batches whatever their size). */
  maxMessageSize?: number;
  maxDecompressedBytes?: number;
  fromOffset?: number;
  toOffset?: number;
  fromTime?: number;
  toTime?: number;
  /** Only records whose key (decoded as UTF-8) equals this. */
  key?: string;
  /** Batch lines only, even with --print-data-log. */
  batchesOnly?: boolean;
  /** Takes the records of a deep iteration in place of their record events (see RecordSink). */
  recordSink?: RecordSink;
  /** Read logs into this buffer (e.g. one sharing an ArrayBuffer with the output, for copyWithin). */
  readBuffer?: Buffer;
}

const KIND_BY_SUFFIX: [RegExp, FileKind][] = [
  [/\.log$/, 'log'],
  [/\.checkpoint$/, 'snapshot-checkpoint'],
  [/\.index$/, 'index'],
  [/\.timeindex$/, 'timeindex'],
  [/\.txnindex$/, 'txnindex'],
  [/\.snapshot$/, 'producer-snapshot'],
  [/^leader-epoch-checkpoint$/, 'leader-epoch-checkpoint'],
  [/^partition\.metadata$/, 'partition-metadata'],
  [/-offset-checkpoint$/, 'offset-checkpoint'],
  [/^meta\.properties$/, 'meta-properties'],
  [/^quorum-state$/, 'quorum-state'],
];

export function fileKind(file: string): FileKind {
  const name = basename(file);
  for (const [re, kind] of KIND_BY_SUFFIX) if (re.test(name)) return kind;
  return 'unknown';
}

/** Sort order inside a partition dir: by base offset, then log before its indexes, then state files. */
const SUFFIX_ORDER = ['.log', '.index', '.timeindex', '.txnindex', '.snapshot', '.checkpoint'];

export function partitionDirFiles(dir: string): string[] {
  const files = readdirSync(dir).filter((f) => fileKind(f) !== 'unknown' && statSync(join(dir, f)).isFile());
  const key = (f: string) => {
    const m = /^(\d{20})/.exec(f);
    const suffix = SUFFIX_ORDER.findIndex((s) => f.endsWith(s));
    return [m ? Number(m[1]) : Infinity, suffix < 0 ? 99 : suffix, f] as const;
  };
  return files.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka[0] - kb[0] || ka[1] - kb[1] || (ka[2] < kb[2] ? -1 : 1);
  }).map((f) => join(dir, f));
}

/** The files a dump of `paths` covers: files as given, directories as their files in order. */
export function* dumpFiles(paths: readonly string[]): Generator<string> {
  for (const path of paths) {
    if (existsSync(path) && statSync(path).isDirectory()) yield* partitionDirFiles(path);
    else yield path;
  }
}

/** Dumps each path: files by kind, directories as their files in order. */
export function* dump(paths: readonly string[], opts: DumpOptions = {}): Generator<DumpEvent> {
  for (const file of dumpFiles(paths)) yield* dumpFile(file, opts);
}

/** The problem event for an exception while dumping `file` (I/O errors, or anything unexpected). */
export function fileErrorEvent(file: string, err: unknown): ProblemEvent {
  const io = (err as NodeJS.ErrnoException).code !== undefined;
  return { type: 'problem', file, position: null, offset: null, check: io ? 'io' : 'framing', message: err instanceof KsegError || io ? (err as Error).message : `unexpected error: ${(err as Error).message}` };
}

export function* dumpFile(file: string, opts: DumpOptions = {}): Generator<DumpEvent> {
  const kind = fileKind(file);
  const m = /^(\d{20})/.exec(basename(file));
  yield { type: 'file', file, kind, baseOffset: m ? Number(m[1]) : null };
  if (!existsSync(file) || !statSync(file).isFile()) {
    yield { type: 'problem', file, position: null, offset: null, check: 'io', message: `cannot read ${file}: no such file` };
    return;
  }
  try {
    switch (kind) {
      case 'log':
      case 'snapshot-checkpoint':
        yield* dumpLog(file, kind, opts);
        break;
      case 'index':
        yield* dumpIndex(file, opts);
        break;
      case 'timeindex':
        yield* dumpTimeIndex(file, opts);
        break;
      case 'txnindex':
        yield* dumpTxnIndex(file);
        break;
      case 'producer-snapshot':
        yield* dumpProducerSnapshot(file);
        break;
      case 'unknown':
        yield { type: 'note', file, text: `Ignoring unknown file ${file}` };
        break;
      default:
        yield* dumpStateFile(file, kind);
    }
  } catch (err) {
    // Anything unexpected about one file is reported against it; the next file is still dumped.
    yield fileErrorEvent(file, err);
  }
}


