// One segment: `.log` + `.index` + `.timeindex` (+ `.txnindex`), as Kafka's LogSegment. Batches are
// appended at the end of the file; index entries follow LogSegment.append exactly: when more than
// `index.interval.bytes` have been appended since the last entry (strict >), the *current* append gets
// an entry (its last offset → its start position), and the time index gets (max timestamp so far,
// its offset) if that timestamp is new. Recomputing the indexes the way recovery does gives the same.

import { closeSync, fstatSync, fsyncSync, openSync, fsync, close } from 'node:fs';
import { join } from 'node:path';
import { INDEX_SUFFIX, LOG_SUFFIX, offsetFileName, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX } from './fileNames.js';
import { Fifo } from './fifo.js';
import type { LogConfig } from './logConfig.js';
import { synchronousLogWriter, type LogWriter } from './logWriter.js';
import { OffsetIndex } from './offsetIndex.js';
import { TimeIndex } from './timeIndex.js';
import { TransactionIndex } from './transactionIndex.js';

export class LogSegment {
  readonly logPath: string;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  readonly txnIndex: TransactionIndex;
  private fd: number;
  size: number;
  private bytesSinceLastIndexEntry = 0;
  maxTimestampSoFar = -1;
  offsetOfMaxTimestampSoFar = -1;
  /** Max timestamp of the first batch: what segment.ms is measured from (Kafka's rollingBasedTimestamp). */
  private rollingBasedTimestamp = -1;
  private readonly createdMs: number;
  /**
   * With a write-behind writer: for each append that added index entries, its write's sequence
   * number and the entry counts after it. Entries are written out only once the write they point
   * into is done (writeIndexEntries).
   */
  private readonly entryGates = new Fifo<{ seq: number; offsetEntries: number; timeEntries: number }>();

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
    readonly config: LogConfig,
    now: number,
    private readonly writer: LogWriter = synchronousLogWriter,
  ) {
    this.logPath = join(dir, offsetFileName(baseOffset, LOG_SUFFIX));
    this.fd = openSync(this.logPath, 'a');
    this.size = fstatSync(this.fd).size;
    this.offsetIndex = new OffsetIndex(join(dir, offsetFileName(baseOffset, INDEX_SUFFIX)), baseOffset, config.segmentIndexBytes);
    this.timeIndex = new TimeIndex(join(dir, offsetFileName(baseOffset, TIME_INDEX_SUFFIX)), baseOffset, config.segmentIndexBytes);
    this.txnIndex = new TransactionIndex(join(dir, offsetFileName(baseOffset, TXN_INDEX_SUFFIX)));
    const last = this.timeIndex.lastEntry();
    if (this.timeIndex.entries > 0) {
      this.maxTimestampSoFar = last.timestamp;
      this.offsetOfMaxTimestampSoFar = last.offset;
    }
    this.createdMs = now;
    if (!writer.synchronous) {
      this.offsetIndex.autoWrite = false;
      this.timeIndex.autoWrite = false;
    }
  }

  /** LogSegment.shouldRoll for an incoming batch. */
  shouldRoll(incomingBytes: number, maxTimestampInBatch: number, lastOffsetInBatch: number, now: number): boolean {
    const waited = this.rollingBasedTimestamp >= 0 ? maxTimestampInBatch - this.rollingBasedTimestamp : now - this.createdMs;
    return (
      this.size > this.config.segmentBytes - incomingBytes ||
      (this.size > 0 && waited > this.config.segmentMs) ||
      this.offsetIndex.isFull ||
      this.timeIndex.isFull ||
      lastOffsetInBatch - this.baseOffset > 0x7fffffff
    );
  }

  /** Appends one batch (its bytes, last offset and max timestamp); returns the writer's sequence number for it. */
  append(batch: Uint8Array, lastOffset: number, maxTimestamp: number): number {
    const physicalPosition = this.size;
    if (physicalPosition === 0) this.rollingBasedTimestamp = maxTimestamp;
    const size = batch.length; // (the writer may take the buffer: see LogWriter.append)
    const seq = this.writer.append(this.fd, batch, this.logPath, physicalPosition);
    this.size += size;
    if (maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = maxTimestamp;
      this.offsetOfMaxTimestampSoFar = lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > this.config.indexIntervalBytes) {
      this.offsetIndex.append(lastOffset, physicalPosition);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastIndexEntry = 0;
      if (!this.writer.synchronous) this.entryGates.push({ seq, offsetEntries: this.offsetIndex.entries, timeEntries: this.timeIndex.entries });
    }
    this.bytesSinceLastIndexEntry += size;
    return seq;
  }

  /**
   * Index entries appended since the last call reach the files (see offsetIndex.ts): all of them,
   * or with a write-behind writer those whose batches are written.
   */
  writeIndexEntries(): void {
    if (this.writer.synchronous) {
      this.offsetIndex.writePending();
      this.timeIndex.writePending();
      return;
    }
    const gates = this.entryGates;
    const done = this.writer.completed;
    let open: { offsetEntries: number; timeEntries: number } | undefined;
    for (let g = gates.peek(); g !== undefined && g.seq < done; g = gates.peek()) open = gates.shift();
    if (open === undefined) return;
    this.offsetIndex.writePending(open.offsetEntries);
    this.timeIndex.writePending(open.timeEntries);
  }

  /** Waits for this log's writes (and every earlier one) to be in the file. */
  private drain(): void {
    this.writer.drain();
    this.entryGates.clear();
  }

  /** fsync the log and its indexes; returns the number of fsync calls. */
  flush(): number {
    this.drain();
    fsyncSync(this.fd);
    this.offsetIndex.flush();
    this.timeIndex.flush();
    return 3 + this.txnIndex.flush();
  }

  /** Roll/close: the final time-index entry, then indexes trimmed to their entries (idempotent). */
  finishIndexes(): void {
    this.drain();
    if (this.maxTimestampSoFar >= 0) this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    this.offsetIndex.trimToValidSize();
    this.timeIndex.trimToValidSize();
  }

  /**
   * The segment stops being active (roll). Like Kafka's "flush-log" task, the old segment is
   * fsynced asynchronously; `onFlushed` gets the fsync count when done.
   */
  onBecomeInactive(onFlushed: (fsyncs: number, err?: Error) => void): void {
    this.finishIndexes();
    this.offsetIndex.close(false);
    this.timeIndex.close(false);
    this.txnIndex.close();
    const fd = this.fd;
    this.fd = -1;
    fsync(fd, (err) => close(fd, () => onFlushed(1, err ?? undefined)));
  }

  close(): void {
    this.finishIndexes(); // (drains: the writer is done with the fd before it is closed)
    this.offsetIndex.close(false);
    this.timeIndex.close(false);
    this.txnIndex.close();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
