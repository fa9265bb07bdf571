// kseg dump: the events of a segment dump as plain objects (one per batch, record, problem), so the
// CLI only renders them (JSON Lines or kafka-dump-log text) and tests call this directly.

import { basename } from 'node:path';
import {
  CorruptRecordError,
  KsegError,
  RecordBatch,
  LegacyRecordBatch,
  readControlRecord,
  timestampTypeName,
  type Batch,
  type Record,
} from '../format/index.js';
import { baseOffsetFromName, LogFileReader } from '../storage/logFileReader.js';
import { valueDecoder, type ValueDecoderName } from './valueDecoder.js';

export interface DumpOptions {
  deepIteration?: boolean;
  printDataLog?: boolean;
  keyDecoder?: ValueDecoderName;
  valueDecoder?: ValueDecoderName;
  maxBytes?: number;
  /** Decompression limit per batch. */
  maxDecompressedBytes?: number;
}

export interface FileEvent {
  type: 'file';
  file: string;
  baseOffset: number | null;
}

export interface BatchEvent {
  type: 'batch';
  position: number;
  baseOffset: number;
  lastOffset: number;
  count: number | null;
  magic: number;
  size: number;
  crc: number;
  isValid: boolean;
  compressCodec: string;
  timestampType: string;
  maxTimestamp: number;
  // v2 only
  baseSequence?: number;
  lastSequence?: number;
  producerId?: number;
  producerEpoch?: number;
  partitionLeaderEpoch?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  deleteHorizonMs?: number | null;
  baseTimestamp?: number;
  lastOffsetDelta?: number;
  attributes?: number;
}

export interface RecordEvent {
  type: 'record';
  offset: number;
  position: number;
  timestamp: number;
  timestampType: string;
  keySize: number;
  valueSize: number;
  sequence: number;
  key?: string | null;
  value?: string | null;
  headers: { key: string; value?: string | null }[];
  /** Legacy messages carry their own CRC. */
  crc?: number;
  isValid?: boolean;
  control?: { type: string; typeId: number; version: number; coordinatorEpoch?: number };
}

export interface ProblemEvent {
  type: 'problem';
  file: string;
  position: number;
  offset: number | null;
  check: string;
  message: string;
}

export interface TrailingBytesEvent {
  type: 'trailing';
  file: string;
  position: number;
  bytes: number;
  reason: string;
}

export type DumpEvent = FileEvent | BatchEvent | RecordEvent | ProblemEvent | TrailingBytesEvent;

export function batchEvent(batch: Batch): BatchEvent {
  const ev: BatchEvent = {
    type: 'batch',
    position: batch.position,
    baseOffset: batch.magic === 2 ? batch.baseOffset : (batch as LegacyRecordBatch).offset,
    lastOffset: batch.lastOffset,
    count: batch.magic === 2 ? (batch as RecordBatch).recordCount : batch.compression === 0 ? 1 : null,
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

export function recordEvent(r: Record, opts: DumpOptions, decodeKey: ReturnType<typeof valueDecoder>, decodeValue: ReturnType<typeof valueDecoder>): RecordEvent {
  const ev: RecordEvent = {
    type: 'record',
    offset: r.offset,
    position: r.batchPosition,
    timestamp: r.timestamp,
    timestampType: timestampTypeName(r.timestampType),
    keySize: r.keyLength,
    valueSize: r.valueLength,
    sequence: r.sequence,
    headers: [],
  };
  if (r.magic < 2) {
    ev.crc = r.legacyCrc;
  }
  if (r.isControl) {
    const c = readControlRecord(r);
    ev.control = { type: c.typeName, typeId: c.type, version: c.version };
    if (c.coordinatorEpoch !== undefined) ev.control.coordinatorEpoch = c.coordinatorEpoch;
  }
  const print = opts.printDataLog;
  for (const h of r.headers()) {
    ev.headers.push(print ? { key: h.key, value: h.value === null ? null : decodeValue(h.value, 0, h.value.length) } : { key: h.key });
  }
  if (print) {
    ev.key = r.keyLength < 0 ? null : decodeKey(r.buf, r.keyOffset, r.keyOffset + r.keyLength);
    ev.value = r.valueLength < 0 ? null : decodeValue(r.buf, r.valueOffset, r.valueOffset + r.valueLength);
  }
  return ev;
}

/**
 * Dumps one `.log` file: a FileEvent, then per batch a BatchEvent (and RecordEvents with deep
 * iteration), ProblemEvents for anything invalid, and a TrailingBytesEvent for bytes after the last
 * batch. Never throws on bad data: corrupt framing becomes a problem and ends this file only.
 */
export function* dumpLogFile(file: string, opts: DumpOptions = {}): Generator<DumpEvent> {
  const deep = opts.deepIteration || opts.printDataLog;
  const decodeKey = valueDecoder(opts.keyDecoder ?? 'string');
  const decodeValue = valueDecoder(opts.valueDecoder ?? 'string');
  yield { type: 'file', file, baseOffset: baseOffsetFromName(basename(file)) };
  const reader = new LogFileReader(file, { maxBytes: opts.maxBytes });
  for (const batch of reader) {
    const ev = batchEvent(batch);
    yield ev;
    if (!ev.isValid) {
      yield problem(file, batch, 'crc', describeInvalid(batch));
    }
    if (!deep) continue;
    try {
      for (const r of batch.records({ maxBytes: opts.maxDecompressedBytes })) yield recordEvent(r, opts, decodeKey, decodeValue);
    } catch (err) {
      if (!(err instanceof KsegError)) throw err;
      yield problem(file, batch, err instanceof CorruptRecordError ? 'record' : 'decompress', err.message);
    }
  }
  const end = reader.end!;
  if (end.reason !== 'end' && end.reason !== 'limit' && end.remainingBytes > 0) {
    yield { type: 'trailing', file, position: end.position, bytes: end.remainingBytes, reason: end.reason };
    if (end.reason === 'corrupt-size' || end.reason === 'bad-magic') {
      yield { type: 'problem', file, position: end.position, offset: null, check: 'framing', message: end.message };
    }
  }
}

function problem(file: string, batch: Batch, check: string, message: string): ProblemEvent {
  return { type: 'problem', file, position: batch.position, offset: batch.lastOffset, check, message };
}

function describeInvalid(batch: Batch): string {
  try {
    batch.ensureValid();
    return 'invalid batch';
  } catch (err) {
    return (err as Error).message;
  }
}
