// Dumping `.log` segments and KRaft `.checkpoint` snapshots: batch lines, record lines (deep
// iteration), problems (CRC, undecodable records, non-consecutive offsets, trailing bytes).
// Filters seek through the sibling indexes instead of scanning from byte 0.

import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CorruptRecordError, crc32, KsegError, LegacyRecordBatch, RecordBatch, readControlRecord, timestampTypeName, type Batch, type Record as KafkaRecord } from '../format/index.js';
import { INDEX_SUFFIX, offsetFileName, TIME_INDEX_SUFFIX } from '../storage/fileNames.js';
import { baseOffsetFromName, LogFileReader, type LogReadEnd } from '../storage/logFileReader.js';
import { OffsetIndex } from '../storage/offsetIndex.js';
import { TimeIndex } from '../storage/timeIndex.js';
import type { DumpOptions } from './dump.js';
import type { BatchEvent, DumpEvent, FileKind, HeaderEvent, ProblemEvent, RecordEvent } from './dumpEvents.js';
import { controlRecordData, payloadDecoder, type PayloadDecoder } from './payloadDecoders.js';
import { valueDecoder, type ValueDecoder } from './valueDecoder.js';

export function batchEvent(batch: Batch): BatchEvent {
  const ev: BatchEvent = {
    type: 'batch',
    position: batch.position,
    baseOffset: batch instanceof LegacyRecordBatch ? batch.offset : batch.baseOffset,
    lastOffset: batch.lastOffset,
    count: batch instanceof RecordBatch ? batch.recordCount : batch.compression === 0 ? 1 : null,
    magic: batch.magic,
    size: batch.sizeInBytes,
    crc: batch.checksum,
    isValid: batch.isValid(),
    compressCodec: batch.compressionName,
    timestampType: timestampTypeName(batch.timestampType),
    maxTimestamp: batch.maxTimestamp,
  };
  if (batch instanceof RecordBatch) {
    ev.baseSequence = batch.baseSequence;
    ev.lastSequence = batch.lastSequence;
    ev.producerId = batch.producerId;
    ev.producerEpoch = batch.producerEpoch;
    ev.partitionLeaderEpoch = batch.partitionLeaderEpoch;
    ev.isTransactional = batch.isTransactional;
    ev.isControl = batch.isControl;
    ev.deleteHorizonMs = batch.deleteHorizonMs;
    ev.baseTimestamp = batch.baseTimestamp;
    ev.lastOffsetDelta = batch.lastOffsetDelta;
    ev.attributes = batch.attributes;
  }
  return ev;
}

interface RecordContext {
  opts: DumpOptions;
  decodeKey: ValueDecoder;
  decodeValue: ValueDecoder;
  payload: PayloadDecoder | null;
  batchTimestampType: string;
}

export function recordEvent(r: KafkaRecord, ctx: RecordContext): RecordEvent {
  const ev: RecordEvent = {
    type: 'record',
    offset: r.offset,
    position: r.batchPosition,
    timestamp: r.timestamp,
    timestampType: ctx.batchTimestampType,
    keySize: r.keyLength,
    valueSize: r.valueLength,
    magic: r.magic,
  };
  if (r.magic >= 2) {
    ev.sequence = r.sequence;
    ev.headerKeys = r.headerCount === 0 ? [] : r.headerKeys();
  } else {
    ev.isValid = legacyRecordIsValid(r); // Kafka's LegacyRecord.isValid(): the message's own CRC
    ev.crc = r.legacyCrc;
  }
  if (r.isControl) {
    const c = readControlRecord(r);
    ev.control = { type: c.typeName, typeId: c.type, version: c.version };
    if (c.coordinatorEpoch !== undefined) ev.control.coordinatorEpoch = c.coordinatorEpoch;
    // Kafka always prints KRaft control records (LeaderChange, SnapshotHeader, ...) as JSON.
    if (c.type >= 2) {
      const data = controlRecordData(c.type, r.value());
      if (data !== undefined) ev.control.data = data;
    }
  }
  if (ctx.opts.printDataLog && !r.isControl) {
    if (ctx.payload) {
      const d = ctx.payload.record(r);
      if (d.key !== undefined) ev.decodedKey = d.key;
      if (d.value !== undefined) ev.decodedValue = d.value;
    } else {
      ev.key = r.keyLength < 0 ? null : (ctx.decodeKey(r.buf, r.keyOffset, r.keyOffset + r.keyLength) ?? undefined);
      ev.value = r.valueLength < 0 ? null : (ctx.decodeValue(r.buf, r.valueOffset, r.valueOffset + r.valueLength) ?? undefined);
      if (r.headerCount > 0) ev.headers = r.headers().map((h) => ({ key: h.key, value: h.value === null ? null : (ctx.decodeValue(h.value, 0, h.value.length) ?? null) }));
      else ev.headers = [];
    }
  }
  return ev;
}

/** A v0/v1 message (an uncompressed entry or a wrapper's inner message): stored CRC-32 matches its bytes. */
function legacyRecordIsValid(r: KafkaRecord): boolean {
  // offset(8) size(4) crc(4) magic(1) attributes(1) [timestamp(8)] keyLength(4) key ...
  const start = r.keyOffset - 4 - (r.magic === 0 ? 6 : 14) - 12;
  return start >= 0 && crc32(r.buf, start + 16, start + r.sizeInBytes) >>> 0 === r.legacyCrc >>> 0;
}

/** Where to start reading for the offset/time filters, via the sibling .index/.timeindex. */
function startPosition(file: string, base: number | null, opts: DumpOptions): number {
  if (base === null || (opts.fromOffset === undefined && opts.fromTime === undefined)) return 0;
  const dir = dirname(file);
  let target = opts.fromOffset ?? base;
  const timePath = join(dir, offsetFileName(base, TIME_INDEX_SUFFIX));
  if (opts.fromTime !== undefined && existsSync(timePath)) {
    const ti = new TimeIndex(timePath, base, 0, false);
    // Entries are (max timestamp so far, offset): the last entry at or before fromTime is safe.
    const entry = ti.lookup(opts.fromTime - 1);
    ti.close(false);
    target = Math.max(target, entry.offset);
  }
  const indexPath = join(dir, offsetFileName(base, INDEX_SUFFIX));
  if (!existsSync(indexPath)) return 0;
  const index = new OffsetIndex(indexPath, base, 0, false);
  const position = index.lookup(target).position;
  index.close(false);
  return position;
}

function problem(file: string, batch: Batch, check: ProblemEvent['check'], message: string, offset = batch.lastOffset): ProblemEvent {
  return { type: 'problem', file, position: batch.position, offset, check, message };
}

function invalidReason(batch: Batch): string {
  try {
    batch.ensureValid();
    return 'invalid batch';
  } catch (err) {
    return (err as Error).message;
  }
}

/** The line before a log's batches: `Log starting offset: N`, or a KRaft snapshot's header. */
export function logHeader(file: string, kind: FileKind): HeaderEvent | null {
  const name = basename(file);
  if (kind === 'log') {
    const base = baseOffsetFromName(name);
    return { type: 'header', text: `Log starting offset: ${base}`, baseOffset: base ?? undefined };
  }
  if (name === 'bootstrap.checkpoint') return { type: 'header', text: 'KRaft bootstrap snapshot' };
  const m = /^(\d{20})-(\d{10})\.checkpoint$/.exec(name);
  if (m) return { type: 'header', text: `Snapshot end offset: ${Number(m[1])}, epoch: ${Number(m[2])}`, snapshotEndOffset: Number(m[1]), snapshotEpoch: Number(m[2]) };
  return null;
}

/** Where a walk over batches stands: consecutive-offset checks carry over from one call to the next. */
export interface LogWalkState {
  /** Offset of the last record seen (null before the first). */
  prevOffset: number | null;
}

export const newLogWalkState = (): LogWalkState => ({ prevOffset: null });

/** What a walk over a log's batches needs besides the batches: decoders and filters from the options. */
export class LogWalk {
  readonly deep: boolean;
  readonly filtered: boolean;
  readonly ctx: RecordContext;
  private readonly keyFilter: Buffer | null;

  constructor(
    readonly file: string,
    readonly opts: DumpOptions,
  ) {
    const payload = opts.payloadDecoder ? payloadDecoder(opts.payloadDecoder) : null;
    const printData = !!(opts.printDataLog || payload);
    this.deep = (opts.deepIteration || printData) && !opts.batchesOnly;
    this.ctx = {
      opts: { ...opts, printDataLog: printData },
      decodeKey: valueDecoder(opts.keyDecoder ?? 'string'),
      decodeValue: valueDecoder(opts.valueDecoder ?? 'string'),
      payload,
      batchTimestampType: 'CreateTime',
    };
    this.filtered = opts.fromOffset !== undefined || opts.toOffset !== undefined || opts.fromTime !== undefined || opts.toTime !== undefined || opts.key !== undefined;
    this.keyFilter = opts.key === undefined ? null : Buffer.from(opts.key, 'utf8');
  }

  /** Batch lines, record lines and problems for `batches`, continuing from `state`. */
  *batches(batches: Iterable<Batch>, state: LogWalkState): Generator<DumpEvent> {
    const { file, opts, ctx, deep, filtered, keyFilter } = this;
    const sink = opts.recordSink;
    for (const batch of batches) {
      if (opts.fromOffset !== undefined && batch.lastOffset < opts.fromOffset) continue;
      if (opts.toOffset !== undefined && batch instanceof RecordBatch && batch.baseOffset > opts.toOffset) return;
      if (opts.toOffset !== undefined && batch instanceof LegacyRecordBatch && batch.compression === 0 && batch.offset > opts.toOffset) return;
      if (opts.fromTime !== undefined && batch.maxTimestamp < opts.fromTime && batch.magic > 0) continue;
      // The text fast path prints v2 batch lines itself (no event object, no template string).
      let ev: BatchEvent | null = null;
      let isValid: boolean;
      let pending = false;
      if (sink?.batch !== undefined && !filtered && batch instanceof RecordBatch) {
        isValid = batch.isValid();
        ctx.batchTimestampType = timestampTypeName(batch.timestampType);
        if (!sink.batch(batch, isValid, ctx.batchTimestampType)) yield batchEvent(batch);
      } else {
        ev = batchEvent(batch);
        isValid = ev.isValid;
        ctx.batchTimestampType = ev.timestampType;
        // With record filters, a valid batch is printed only once one of its records passes: a
        // batch line with nothing under it is noise (a --to-time walk goes on past the last match,
        // since timestamps need not grow).
        pending = deep && filtered && isValid;
        if (!pending) yield ev;
      }
      if (!isValid) yield problem(file, batch, 'crc', invalidReason(batch));
      if (!deep) continue;
      try {
        const records = batch.records({ maxBytes: opts.maxDecompressedBytes });
        if (sink !== undefined && !filtered) {
          // The text fast path: the sink renders the records; only those it leaves become events.
          let prev = state.prevOffset;
          const timestampType = ctx.batchTimestampType;
          const skipControl = !!opts.skipRecordMetadata;
          try {
            for (const r of records) {
              if (prev !== null && r.offset !== prev + 1) yield nonConsecutive(file, batch.position, prev, r.offset);
              prev = r.offset;
              if (skipControl && r.isControl) continue;
              if (!sink.write(r, timestampType)) yield recordEvent(r, ctx);
            }
          } finally {
            state.prevOffset = prev;
          }
          continue;
        }
        for (const r of records) {
          const prevOffset = state.prevOffset;
          if (!filtered && prevOffset !== null && r.offset !== prevOffset + 1) yield nonConsecutive(file, batch.position, prevOffset, r.offset);
          state.prevOffset = r.offset;
          if (filtered) {
            if (opts.fromOffset !== undefined && r.offset < opts.fromOffset) continue;
            if (opts.toOffset !== undefined && r.offset > opts.toOffset) continue;
            if (opts.fromTime !== undefined && r.timestamp < opts.fromTime) continue;
            if (opts.toTime !== undefined && r.timestamp > opts.toTime) continue;
            if (keyFilter && (r.keyLength !== keyFilter.length || !r.buf.subarray(r.keyOffset, r.keyOffset + r.keyLength).equals(keyFilter))) continue;
          }
          if (opts.skipRecordMetadata && r.isControl) continue;
          if (pending) {
            pending = false;
            yield ev!;
          }
          if (sink !== undefined && sink.write(r, ctx.batchTimestampType)) continue;
          yield recordEvent(r, ctx);
        }
      } catch (err) {
        if (!(err instanceof KsegError)) throw err;
        if (pending) yield ev!;
        yield problem(file, batch, err instanceof CorruptRecordError ? 'record' : 'decompress', err.message);
      }
    }
  }
}

/** Kafka's `N is followed by M` for a record whose offset does not follow the one before it. */
export function nonConsecutive(file: string, position: number, prev: number, offset: number): ProblemEvent {
  return { type: 'problem', file, position, offset, check: 'non-consecutive', message: `${prev} is followed by ${offset}`, expected: prev, found: offset };
}

/** What kafka-dump-log reports about the bytes after a log's last readable batch. */
export function* trailingEvents(file: string, end: LogReadEnd | null, opts: DumpOptions): Generator<DumpEvent> {
  // null when --to-offset stopped the walk early: the rest of the file was not read.
  if (!end || end.reason === 'end' || end.reason === 'limit' || end.remainingBytes <= 0 || opts.maxBytes !== undefined) return;
  const name = basename(file);
  yield { type: 'trailing', file, position: end.position, bytes: end.remainingBytes, reason: end.reason };
  const messages: Record<string, string> = {
    zeros: 'zero-filled tail (preallocated or torn write)',
    truncated: `torn last batch: ${end.message}`,
    'corrupt-size': end.message,
    'bad-magic': end.message,
  };
  yield { type: 'problem', file, position: end.position, offset: null, check: end.reason === 'corrupt-size' || end.reason === 'bad-magic' ? 'framing' : 'trailing', message: `${end.remainingBytes} invalid bytes at the end of ${name}: ${messages[end.reason] ?? end.message}` };
}

export function* dumpLog(file: string, kind: FileKind, opts: DumpOptions): Generator<DumpEvent> {
  const header = logHeader(file, kind);
  if (header) yield header;
  const base = header?.baseOffset ?? null;
  const reader = new LogFileReader(file, { maxBytes: opts.maxBytes, startPosition: startPosition(file, base, opts), buffer: opts.readBuffer });
  yield* new LogWalk(file, opts).batches(reader, newLogWalkState());
  yield* trailingEvents(file, reader.end, opts);
}
