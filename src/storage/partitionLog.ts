// A partition's log (Kafka's UnifiedLog + LocalLog, minus replication): the directory of segments,
// offset assignment, roll, flush policy, producer state, leader-epoch checkpoint and
// partition.metadata. One writer per partition; appends are sequential.

import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CorruptRecordError, KsegError, RecordBatch, writeInt64 } from '../format/index.js';
import { writeFileAtomic } from './atomicWrite.js';
import { readLeaderEpochCheckpoint, writeLeaderEpochCheckpoint, type EpochEntry } from './checkpointFile.js';
import { INDEX_SUFFIX, LOG_SUFFIX, offsetFileName, parseOffsetFileName, partitionDirName, SNAPSHOT_SUFFIX } from './fileNames.js';
import { FlushPolicy } from './flushPolicy.js';
import type { LogConfig } from './logConfig.js';
import { LogFileReader } from './logFileReader.js';
import { objectArray } from './objectArray.js';
import { LogSegment } from './logSegment.js';
import { synchronousLogWriter, type LogWriter } from './logWriter.js';
import { OffsetIndex } from './offsetIndex.js';
import { decodeProducerSnapshot } from './producerSnapshot.js';
import { batchProducerInfo, ProducerState } from './producerState.js';

export interface PartitionLogStats {
  /** Batches and bytes appended by this writer. */
  batches: number;
  bytes: number;
  records: number;
  fsyncs: number;
  rolls: number;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** True when the flush policy fsynced the log after this append. */
  flushed: boolean;
  /** The log writer's sequence number for the write (see LogWriter.completed). */
  writeSeq: number;
}

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const PARTITION_METADATA = 'partition.metadata';

export class PartitionLog {
  readonly dir: string;
  private readonly segments: LogSegment[] = [];
  readonly producerState = new ProducerState();
  private readonly flushPolicy: FlushPolicy;
  private epochs: EpochEntry[] = objectArray();
  nextOffset = 0;
  logStartOffset = 0;
  readonly stats: PartitionLogStats = { batches: 0, bytes: 0, records: 0, fsyncs: 0, rolls: 0 };
  private pendingFlushes: Promise<void>[] = [];
  private flushError: Error | null = null;
  private closed = false;

  private constructor(
    private readonly logDir: string,
    readonly topic: string,
    readonly partition: number,
    readonly config: LogConfig,
    readonly leaderEpoch: number,
    private readonly now: () => number,
    private readonly writer: LogWriter,
  ) {
    this.dir = join(logDir, partitionDirName(topic, partition));
    this.flushPolicy = new FlushPolicy(config.flushMessages, config.flushMs, now());
  }

  /**
   * Opens (or creates) `<logDir>/<topic>-<partition>`. An existing log is continued after its last
   * offset; a log whose last segment ends in invalid bytes is refused (run `kseg recover` first) so
   * nothing is appended after garbage.
   */
  static open(
    logDir: string,
    topic: string,
    partition: number,
    config: LogConfig,
    opts: { leaderEpoch?: number; topicId?: string; now?: () => number; writer?: LogWriter } = {},
  ): PartitionLog {
    const log = new PartitionLog(logDir, topic, partition, config, opts.leaderEpoch ?? 0, opts.now ?? Date.now, opts.writer ?? synchronousLogWriter);
    log.load(opts.topicId);
    return log;
  }

  private load(topicId?: string): void {
    ensurePartitionMetadata(this.logDir, this.topic, this.partition, topicId);
    const epochFile = join(this.dir, LEADER_EPOCH_CHECKPOINT);
    if (existsSync(epochFile)) this.epochs = readLeaderEpochCheckpoint(epochFile);
    const bases = readdirSync(this.dir)
      .map((f) => parseOffsetFileName(f, LOG_SUFFIX))
      .filter((o): o is number => o !== null)
      .sort((a, b) => a - b);
    const now = this.now();
    if (bases.length === 0) {
      this.segments.push(new LogSegment(this.dir, 0, this.config, now, this.writer));
      return;
    }
    this.logStartOffset = bases[0];
    const lastBase = bases[bases.length - 1];
    // Find the next offset: scan the active segment from its last index entry, read-only and checking
    // CRCs, so a log that is refused is left exactly as it was (no index regrown or trimmed).
    const lastLogPath = join(this.dir, offsetFileName(lastBase, LOG_SUFFIX));
    const indexPath = join(this.dir, offsetFileName(lastBase, INDEX_SUFFIX));
    let from = 0;
    if (existsSync(indexPath)) {
      const index = new OffsetIndex(indexPath, lastBase, 0, false);
      if (index.entries > 0) from = index.entry(index.entries - 1).position;
      index.close(false);
    }
    const reader = new LogFileReader(lastLogPath, { startPosition: from });
    let next = lastBase;
    let bad: { position: number; remainingBytes: number; message: string } | null = null;
    for (const b of reader) {
      if (!b.isValid()) {
        bad = { position: b.position, remainingBytes: reader.fileSize - b.position, message: `batch CRC ${b.checksum} does not match its bytes (${b.computeChecksum()})` };
        break;
      }
      next = b.lastOffset + 1;
    }
    const end = reader.end;
    if (!bad && end && end.reason !== 'end') bad = end;
    if (bad) {
      throw new CorruptRecordError(`${lastLogPath} ends with ${bad.remainingBytes} invalid bytes at position ${bad.position} (${bad.message}); run kseg recover before appending`, bad.position);
    }
    const last = new LogSegment(this.dir, lastBase, this.config, now, this.writer);
    this.nextOffset = next;
    // Producer state from the latest snapshot, if any (written at roll and close), then, like
    // Kafka's LogLoader, the batches after it: a log that was not closed (a crash, SIGKILL) has
    // appends the snapshot does not know, such as a transaction still open.
    const snaps = readdirSync(this.dir)
      .map((f) => parseOffsetFileName(f, SNAPSHOT_SUFFIX))
      .filter((o): o is number => o !== null && o <= next)
      .sort((a, b) => a - b);
    const snapshotOffset = snaps.length > 0 ? snaps[snaps.length - 1] : this.logStartOffset;
    if (snaps.length > 0) this.producerState.load(decodeProducerSnapshot(readFileSync(join(this.dir, offsetFileName(snapshotOffset, SNAPSHOT_SUFFIX)))));
    if (snapshotOffset < next) this.replayProducers(bases, snapshotOffset);
    this.segments.push(last);
  }

  /** Replays the producer information of the batches from `from` on into the producer state. */
  private replayProducers(bases: readonly number[], from: number): void {
    for (let i = 0; i < bases.length; i++) {
      if (i + 1 < bases.length && bases[i + 1] <= from) continue; // wholly before `from`
      for (const b of new LogFileReader(join(this.dir, offsetFileName(bases[i], LOG_SUFFIX)))) {
        if (b.lastOffset < from || !(b instanceof RecordBatch) || b.producerId < 0) continue;
        this.producerState.update(batchProducerInfo(b, b.baseOffset, b.lastOffset));
      }
    }
  }

  get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /**
   * Appends one record batch v2, assigning offsets from nextOffset (the base offset field is outside
   * the CRC, so the broker rewrites it in place: so do we). Returns the assigned offsets.
   */
  append(batch: Buffer): AppendResult {
    if (this.closed) throw new KsegError('append to a closed log');
    if (this.flushError) throw this.flushError;
    const view = new RecordBatch(batch, 0);
    const baseOffset = this.nextOffset;
    writeInt64(batch, 0, baseOffset);
    const lastOffset = baseOffset + view.lastOffsetDelta;
    const maxTimestamp = view.maxTimestamp;
    const count = view.recordCount;
    const now = this.now();
    if (this.activeSegment.shouldRoll(batch.length, maxTimestamp, lastOffset, now)) this.roll(now);
    const seg = this.activeSegment;
    if (view.partitionLeaderEpoch >= 0) this.assignEpoch(view.partitionLeaderEpoch, baseOffset);
    // Everything needed from the batch is read before it is appended: a write-behind writer may
    // take its buffer (transfer it to its thread).
    const producer = view.producerId >= 0 ? batchProducerInfo(view, baseOffset, lastOffset) : null;
    const size = batch.length;
    const writeSeq = seg.append(batch, lastOffset, maxTimestamp);
    this.nextOffset = lastOffset + 1;
    if (producer !== null) {
      const aborted = this.producerState.update(producer);
      if (aborted) seg.txnIndex.append(aborted);
    }
    this.stats.batches++;
    this.stats.bytes += size;
    this.stats.records += count;
    let flushed = false;
    if (!this.flushPolicy.never && this.flushPolicy.onAppend(count, now)) {
      this.flush();
      flushed = true;
    }
    return { baseOffset, lastOffset, flushed, writeSeq };
  }

  /**
   * The active segment's index entries reach its files. A broker's mmap'd indexes are in the page
   * cache at once; here entries are written in batches, so a writer calls this every few ms (the
   * producer: every slice) to keep what other processes see, and what a crash leaves, current.
   */
  writeIndexEntries(): void {
    this.activeSegment.writeIndexEntries();
  }

  /** For flush.ms with no appends: call periodically. */
  maybeTimedFlush(): boolean {
    if (this.flushPolicy.never || !this.flushPolicy.due(this.now())) return false;
    this.flush();
    return true;
  }

  private assignEpoch(epoch: number, startOffset: number): void {
    const last = this.epochs[this.epochs.length - 1];
    if (last && last.epoch >= epoch) return;
    this.epochs.push({ epoch, startOffset });
    writeLeaderEpochCheckpoint(join(this.dir, LEADER_EPOCH_CHECKPOINT), this.epochs);
  }

  /** Rolls to a new segment at nextOffset (UnifiedLog.roll). */
  roll(now = this.now()): void {
    const old = this.activeSegment;
    this.producerState.writeSnapshot(join(this.dir, offsetFileName(this.nextOffset, SNAPSHOT_SUFFIX)));
    this.pendingFlushes.push(
      new Promise((resolve) =>
        old.onBecomeInactive((n, err) => {
          this.stats.fsyncs += n;
          if (err) this.flushError = err;
          resolve();
        }),
      ),
    );
    this.segments.push(new LogSegment(this.dir, this.nextOffset, this.config, now, this.writer));
    this.stats.rolls++;
  }

  /** fsync the active segment and its indexes (older segments were flushed at roll). */
  flush(): void {
    this.stats.fsyncs += this.activeSegment.flush();
    this.flushPolicy.flushed(this.now());
  }

  /** Clean close: final index entries, trimmed indexes, producer snapshot, pending flushes awaited. */
  async close(opts: { flush?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Final index entries first, so the flush below makes them durable with the log.
    this.activeSegment.finishIndexes();
    const flush = opts.flush ?? true;
    if (flush) this.flush();
    this.activeSegment.close();
    this.producerState.writeSnapshot(join(this.dir, offsetFileName(this.nextOffset, SNAPSHOT_SUFFIX)), flush);
    await Promise.all(this.pendingFlushes);
    if (this.flushError) throw this.flushError;
  }
}

/** The topic id recorded in the partition.metadata of any partition of `topic` in `logDir`, or null. */
export function existingTopicId(logDir: string, topic: string): string | null {
  if (!existsSync(logDir)) return null;
  for (const name of readdirSync(logDir)) {
    if (!name.startsWith(`${topic}-`) || !/^\d+$/.test(name.slice(topic.length + 1))) continue;
    const file = join(logDir, name, PARTITION_METADATA);
    if (!existsSync(file)) continue;
    const m = /^topic_id: (\S+)$/m.exec(readFileSync(file, 'utf8'));
    if (m) return m[1];
  }
  return null;
}

/**
 * Creates `<topic>-<partition>/partition.metadata` if missing. All partitions of a topic share one
 * topic id, as on a broker: an explicit id, else the one another partition of the topic has, else new.
 */
export function ensurePartitionMetadata(logDir: string, topic: string, partition: number, topicId?: string): void {
  const dir = join(logDir, partitionDirName(topic, partition));
  mkdirSync(dir, { recursive: true });
  const metadata = join(dir, PARTITION_METADATA);
  if (!existsSync(metadata)) writeFileAtomic(metadata, `version: 0\ntopic_id: ${topicId ?? existingTopicId(logDir, topic) ?? newTopicId()}`, false);
}

/** A random topic id as Kafka prints it: URL-safe base64 of 16 bytes, no padding. */
export function newTopicId(): string {
  return randomBytes(16).toString('base64url');
}
