// Where the batches of a `.log` are, from their headers alone: one 27-byte pread per v2 batch (base
// offset, length, magic, last offset delta) instead of reading every byte, for callers that only
// need to cut a log into ranges of whole batches. From the first header that is not a plain v2 one
// (a legacy batch, a zero-filled or torn tail, a corrupt size) it goes on with a LogFileReader, so
// where and why the log ends is exactly what a full read reports.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readInt32, readInt64 } from '../format/int64.js';
import { LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, RECORD_BATCH_OVERHEAD } from '../format/recordBatch.js';
import { LogFileReader, type LogReadEnd } from './logFileReader.js';

export interface BatchSpan {
  position: number;
  size: number;
  /** The batch's last offset as its header states it. */
  lastOffset: number;
}

const HEADER_BYTES = LAST_OFFSET_DELTA_OFFSET + 4;

/** Iterates the spans of a log; one span object is reused from batch to batch. */
export class BatchSpans implements Iterable<BatchSpan> {
  /** How the log ends (set once iteration is done), as LogFileReader reports it. */
  end: LogReadEnd | null = null;

  constructor(readonly path: string) {}

  *[Symbol.iterator](): Generator<BatchSpan> {
    const fd = openSync(this.path, 'r');
    const fileSize = fstatSync(fd).size;
    const header = Buffer.alloc(HEADER_BYTES);
    const span: BatchSpan = { position: 0, size: 0, lastOffset: 0 };
    let pos = 0;
    try {
      while (pos + HEADER_BYTES <= fileSize && readSync(fd, header, 0, HEADER_BYTES, pos) === HEADER_BYTES) {
        const size = LOG_OVERHEAD + readInt32(header, 8);
        if (header[MAGIC_OFFSET] !== 2 || size < RECORD_BATCH_OVERHEAD || pos + size > fileSize) break;
        span.position = pos;
        span.size = size;
        span.lastOffset = readInt64(header, 0) + readInt32(header, LAST_OFFSET_DELTA_OFFSET);
        yield span;
        pos += size;
      }
    } finally {
      closeSync(fd);
    }
    if (pos === fileSize) {
      this.end = { reason: 'end', position: pos, remainingBytes: 0, message: '' };
      return;
    }
    const reader = new LogFileReader(this.path, { startPosition: pos });
    for (const batch of reader) {
      span.position = batch.position;
      span.size = batch.sizeInBytes;
      span.lastOffset = batch.lastOffset;
      yield span;
    }
    this.end = reader.end;
  }
}
