// Dumping `.index` and `.timeindex` files and checking them against the sibling `.log`, like
// kafka-dump-log — without its flaws: read-only (never trimmed), zero-filled preallocated tails end
// the index, entries are checked in one forward pass over the log (no quadratic time-index check;
// only an entry that points backwards or mid-batch costs a seek of its own), batches of any size are
// read whole, and entries written for multi-batch appends (the chunk's last offset at the chunk's
// start) are accepted as the broker writes them.

import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Batch } from '../format/index.js';
import { INDEX_SUFFIX, LOG_SUFFIX } from '../storage/fileNames.js';
import { LogFileReader } from '../storage/logFileReader.js';
import { OffsetIndex } from '../storage/offsetIndex.js';
import { TimeIndex } from '../storage/timeIndex.js';
import type { DumpOptions } from './dump.js';
import type { DumpEvent, ProblemEvent } from './dumpEvents.js';

function siblings(file: string): { base: number; log: string; index: string } {
  const name = basename(file);
  const stem = name.split('.')[0];
  return { base: Number(stem), log: join(dirname(file), stem + LOG_SUFFIX), index: join(dirname(file), stem + INDEX_SUFFIX) };
}

/** A follower appends at most a fetch response as one chunk: never look further for its last offset. */
const MAX_CHUNK = 64 * 1024 * 1024;

type Covering = { first: { lastOffset: number } | null; covering: Batch | null };

/** First batch starting at `position`, then forward until one covers `offset` (null if none). */
function batchCovering(log: string, position: number, offset: number): { first: { lastOffset: number } | null; covering: Batch | null } {
  const reader = new LogFileReader(log, { startPosition: position, fetchSize: 64 * 1024 });
  let first: { lastOffset: number } | null = null;
  // Leaving the loop early closes the reader (its iterator's finally).
  for (const b of reader) {
    if (!first) first = { lastOffset: b.lastOffset };
    if (b.lastOffset >= offset) return { first, covering: b };
    if (b.position - position > MAX_CHUNK) break;
  }
  return { first, covering: null };
}

/**
 * batchCovering() for entries in log order, answered from one sequential read of the log. A batch
 * it returns is valid until the next call.
 */
class LogCursor {
  private it: Iterator<Batch> | null = null;
  private current: Batch | null = null;
  /** Largest last offset of the batches already passed. */
  private passedLast = -1;

  constructor(private readonly log: string) {}

  private advance(): void {
    if (this.current !== null && this.current.lastOffset > this.passedLast) this.passedLast = this.current.lastOffset;
    this.it ??= new LogFileReader(this.log)[Symbol.iterator]();
    const r = this.it.next();
    this.current = r.done ? null : r.value;
  }

  /**
   * @param fromFloor the position is an index floor (time-index checks): a cursor already past it may
   *   go on from where it is, as long as no batch it passed could cover `offset`.
   */
  covering(position: number, offset: number, fromFloor = false): Covering {
    if (this.it === null) this.advance();
    const ahead = this.current !== null && this.current.position > position;
    if (ahead && fromFloor && this.passedLast < offset) position = this.current!.position;
    // Behind the cursor, mid-batch or past the end: Kafka's own seek-and-read at that position.
    else if (this.current === null || ahead) return batchCovering(this.log, position, offset);
    while (this.current !== null && this.current.position < position) this.advance();
    if (this.current === null || this.current.position !== position) return batchCovering(this.log, position, offset);
    const first = { lastOffset: this.current.lastOffset };
    while (this.current !== null && this.current.lastOffset < offset && this.current.position - position <= MAX_CHUNK) this.advance();
    return { first, covering: this.current !== null && this.current.lastOffset >= offset ? this.current : null };
  }

  close(): void {
    this.it?.return?.();
  }
}

function sanityProblem(file: string, message: string): ProblemEvent {
  return { type: 'problem', file, position: null, offset: null, check: 'index-sanity', message };
}

export function* dumpIndex(file: string, opts: DumpOptions): Generator<DumpEvent> {
  const { base, log } = siblings(file);
  const size = statSync(file).size;
  const index = new OffsetIndex(file, base, 0, false);
  let cursor: LogCursor | null = null;
  try {
    // Kafka's dumpIndex checks for an empty index before the sanity check.
    if (opts.indexSanityCheck && !(index.entries === 0 && size === 0)) {
      // OffsetIndex.sanityCheck (Kafka's messages), plus what it misses: a zero-filled tail is reported, not passed.
      if (index.entries > 0 && index.lastOffset() < base) yield sanityProblem(file, `Corrupt index found, index file ${resolve(file)} has non-zero size but the last offset is ${index.lastOffset()} which is less than the base offset ${base}`);
      else if (size % 8 !== 0) yield sanityProblem(file, `Index file ${resolve(file)} is corrupt, found ${size} bytes which is neither positive nor a multiple of 8`);
      else yield { type: 'note', file, text: `${file} passed sanity check.` };
      if (index.entries * 8 < size - (size % 8)) yield { type: 'note', file, text: `${file} has ${size - index.entries * 8} bytes of zero-filled (preallocated) entries after its ${index.entries} entries.` };
      return;
    }
    if (index.entries === 0) {
      yield { type: 'note', file, text: `${file} is empty.` };
      return;
    }
    const haveLog = existsSync(log);
    if (!haveLog) yield { type: 'problem', file, position: null, offset: null, check: 'io', message: `cannot check ${basename(file)}: ${log} is missing` };
    let prev = -1;
    cursor = haveLog ? new LogCursor(log) : null;
    for (let i = 0; i < index.entries; i++) {
      const e = index.entry(i);
      if (i > 0 && e.offset <= prev) {
        yield { type: 'problem', file, position: i * 8, offset: e.offset, check: 'index-mismatch', message: `index entry ${i} offset ${e.offset} is not above the previous entry's ${prev}`, expected: e.offset, found: prev };
      }
      prev = e.offset;
      if (cursor) {
        const { first, covering } = cursor.covering(e.position, e.offset);
        if (!first || !covering || covering.lastOffset !== e.offset) {
          const logOffset = first ? first.lastOffset : -1;
          yield { type: 'problem', file: resolve(file), position: e.position, offset: e.offset, check: 'index-mismatch', message: `Index offset: ${e.offset}, log offset: ${logOffset}`, expected: e.offset, found: logOffset };
        }
      }
      if (!opts.verifyIndexOnly) yield { type: 'indexEntry', offset: e.offset, position: e.position };
    }
  } finally {
    cursor?.close();
    index.close(false);
  }
}

export function* dumpTimeIndex(file: string, opts: DumpOptions): Generator<DumpEvent> {
  const { base, log, index: indexPath } = siblings(file);
  const size = statSync(file).size;
  const ti = new TimeIndex(file, base, 0, false);
  const index = existsSync(indexPath) ? new OffsetIndex(indexPath, base, 0, false) : null;
  let cursor: LogCursor | null = null;
  try {
    if (opts.indexSanityCheck) {
      const last = ti.lastEntry();
      // TimeIndex.sanityCheck, in Kafka's order and words.
      if (ti.entries > 0 && last.timestamp < ti.entry(0).timestamp) yield sanityProblem(file, `Corrupt time index found, time index file (${resolve(file)}) has non-zero size but the last timestamp is ${last.timestamp} which is less than the first timestamp ${ti.entry(0).timestamp}`);
      else if (ti.entries > 0 && last.offset < base) yield sanityProblem(file, `Corrupt time index found, time index file (${resolve(file)}) has non-zero size but the last offset is ${last.offset} which is less than the first offset ${base}`);
      else if (size % 12 !== 0) yield sanityProblem(file, `Time index file ${resolve(file)} is corrupt, found ${size} bytes which is neither positive nor a multiple of 12`);
      else yield { type: 'note', file, text: `${file} passed sanity check.` };
      return;
    }
    cursor = existsSync(log) ? new LogCursor(log) : null;
    let prevTs = -1;
    for (let i = 0; i < ti.entries; i++) {
      const e = ti.entry(i);
      if (cursor) {
        const position = index ? index.lookup(e.offset).position : 0;
        const { covering } = cursor.covering(position, e.offset, true);
        const abs = resolve(file);
        if (!covering || covering.lastOffset !== e.offset) {
          const found = covering ? covering.lastOffset : -1;
          yield { type: 'problem', file: abs, position: null, offset: e.offset, check: 'timeindex-offset-not-found', message: `Indexed offset: ${e.offset}, found log offset: ${found}`, expected: e.offset, found };
        } else {
          let maxTs = -1;
          for (const r of covering.records()) if (r.timestamp > maxTs) maxTs = r.timestamp;
          if (maxTs !== e.timestamp) yield { type: 'problem', file: abs, position: covering.position, offset: e.offset, check: 'timeindex-mismatch', message: `Index timestamp: ${e.timestamp}, log timestamp: ${maxTs}`, expected: e.timestamp, found: maxTs };
          if (prevTs >= e.timestamp) yield { type: 'problem', file: abs, position: null, offset: e.offset, check: 'timeindex-order', message: `Index timestamp: ${e.timestamp}, Previously indexed timestamp: ${prevTs}`, expected: e.timestamp, found: prevTs };
        }
      }
      if (!opts.verifyIndexOnly) yield { type: 'timeIndexEntry', timestamp: e.timestamp, offset: e.offset };
      prevTs = e.timestamp;
    }
  } finally {
    cursor?.close();
    ti.close(false);
    index?.close(false);
  }
}
