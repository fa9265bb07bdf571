// Reading a partition: segments by base offset, offset → position through the offset index (floor
// entry, then a scan), timestamp → offset through the time index, and batches streamed across
// segments in fetch-size chunks. Read-only: indexes are opened without preallocation.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Batch, Record } from '../format/index.js';
import { INDEX_SUFFIX, LOG_SUFFIX, offsetFileName, parseOffsetFileName, TIME_INDEX_SUFFIX } from './fileNames.js';
import { LogFileReader, newReadBuffer, type LogReadEnd } from './logFileReader.js';
import { OffsetIndex } from './offsetIndex.js';
import { TimeIndex } from './timeIndex.js';

export interface SegmentPosition {
  baseOffset: number;
  /** Byte position to start reading at (a batch start at or before the target). */
  position: number;
}

export class PartitionReader {
  readonly segments: number[];

  constructor(readonly dir: string) {
    this.segments = readdirSync(dir)
      .map((f) => parseOffsetFileName(f, LOG_SUFFIX))
      .filter((o): o is number => o !== null)
      .sort((a, b) => a - b);
  }

  logPath(base: number): string {
    return join(this.dir, offsetFileName(base, LOG_SUFFIX));
  }

  /** Index of the segment that may hold `offset` (floor by base offset). */
  private segmentIndexFor(offset: number): number {
    let i = this.segments.length - 1;
    while (i > 0 && this.segments[i] > offset) i--;
    return i;
  }

  /** Where to start reading for `offset`: the offset index's floor entry in the floor segment. */
  seekOffset(offset: number): SegmentPosition & { segment: number } {
    const segment = Math.max(0, this.segmentIndexFor(offset));
    const base = this.segments[segment];
    const indexPath = join(this.dir, offsetFileName(base, INDEX_SUFFIX));
    let position = 0;
    if (existsSync(indexPath)) {
      const index = new OffsetIndex(indexPath, base, 0, false);
      position = index.lookup(offset).position;
      index.close(false);
    }
    return { segment, baseOffset: base, position };
  }

  /**
   * The first offset whose timestamp is >= `timestamp` (Kafka's fetchOffsetByTimestamp), found via the
   * time indexes and a short scan; null when every record is older.
   */
  offsetForTimestamp(timestamp: number): number | null {
    for (let s = 0; s < this.segments.length; s++) {
      const base = this.segments[s];
      const timePath = join(this.dir, offsetFileName(base, TIME_INDEX_SUFFIX));
      let startOffset = base;
      if (existsSync(timePath)) {
        const ti = new TimeIndex(timePath, base, 0, false);
        // Skip segments whose largest indexed timestamp is older (the last entry is the segment max after roll/close).
        const last = ti.lastEntry();
        const isLastSegment = s === this.segments.length - 1;
        if (ti.entries > 0 && last.timestamp < timestamp && !isLastSegment) {
          ti.close(false);
          continue;
        }
        startOffset = ti.lookup(timestamp).offset;
        ti.close(false);
      }
      // Kafka's findOffsetByTimestamp: scan from the batch holding the entry's offset. The entry's
      // offset is the *last* offset of the batch that first reached its timestamp, so earlier records
      // of that batch may already be >= the target: they must not be skipped.
      const { position } = this.seekOffsetInSegment(s, startOffset);
      for (const batch of new LogFileReader(this.logPath(base), { startPosition: position })) {
        if (batch.maxTimestamp < timestamp) continue;
        for (const r of batch.records()) if (r.timestamp >= timestamp) return r.offset;
      }
    }
    return null;
  }

  private seekOffsetInSegment(segment: number, offset: number): { position: number } {
    const base = this.segments[segment];
    const indexPath = join(this.dir, offsetFileName(base, INDEX_SUFFIX));
    if (!existsSync(indexPath)) return { position: 0 };
    const index = new OffsetIndex(indexPath, base, 0, false);
    const position = index.lookup(offset).position;
    index.close(false);
    return { position };
  }

  /**
   * Batches holding offsets >= `fromOffset`, across segments, read in `fetchSize` chunks into reused
   * buffers. Batches wholly before fromOffset are skipped. `onEnd` reports how each segment ended.
   * `buffer` (of at least the fetch size) is read into instead of a new one: a reader of many
   * partitions passes the same one to each.
   */
  *batches(fromOffset = 0, fetchSize?: number, onEnd?: (file: string, end: LogReadEnd) => void, buffer?: Buffer): Generator<Batch> {
    if (this.segments.length === 0) return;
    const start = this.seekOffset(fromOffset);
    // One buffer for all segments: a new one per segment is fresh memory each time, whose first
    // touch cost more than reading small segments (4 MiB segments: consume at half speed).
    buffer ??= newReadBuffer(fetchSize);
    for (let s = start.segment; s < this.segments.length; s++) {
      const file = this.logPath(this.segments[s]);
      const reader = new LogFileReader(file, { buffer, startPosition: s === start.segment ? start.position : 0 });
      for (const batch of reader) if (batch.lastOffset >= fromOffset) yield batch;
      if (onEnd && reader.end) onEnd(file, reader.end);
    }
  }

  /** Records with offset >= fromOffset (reused Record objects; see record.ts). */
  *records(fromOffset = 0, fetchSize?: number): Generator<Record> {
    for (const batch of this.batches(fromOffset, fetchSize)) for (const r of batch.records()) if (r.offset >= fromOffset) yield r;
  }
}
