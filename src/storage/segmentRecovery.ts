// Kafka's LogSegment.recover, as a pure scan: walk the batches of a `.log` header-first, validate
// each (size, CRC, offsets increasing and inside the segment's int32 range), and recompute the offset
// and time index entries the way recovery does (an entry when more than index.interval.bytes have
// passed since the last one: (batch.lastOffset, batch start); the time index gets the max timestamp
// so far when it grows; a final time entry at the end). Stops at the first invalid batch: everything
// from there on is what recovery would truncate.

import type { Batch } from '../format/index.js';
import type { IndexEntry } from './offsetIndex.js';
import type { TimestampOffset } from './timeIndex.js';
import { LogFileReader } from './logFileReader.js';

export interface SegmentScan {
  /** Bytes of valid batches from the start of the file. */
  validBytes: number;
  fileSize: number;
  batches: number;
  /** Next offset after the last valid batch (base offset if none). */
  nextOffset: number;
  maxTimestamp: number;
  offsetIndex: IndexEntry[];
  timeIndex: TimestampOffset[];
  /** Why the scan stopped before the end of the file, if it did. */
  invalid: { position: number; reason: string } | null;
}

export function recoverSegmentScan(logPath: string, baseOffset: number, indexIntervalBytes = 4096, startOffset = baseOffset, onBatch?: (b: Batch) => void): SegmentScan {
  const reader = new LogFileReader(logPath);
  const scan: SegmentScan = { validBytes: 0, fileSize: reader.fileSize, batches: 0, nextOffset: startOffset, maxTimestamp: -1, offsetIndex: [], timeIndex: [], invalid: null };
  let lastIndexEntry = 0;
  let maxTs = -1;
  let offsetOfMaxTs = -1;
  for (const batch of reader) {
    try {
      batch.ensureValid();
    } catch (err) {
      scan.invalid = { position: batch.position, reason: (err as Error).message };
      break; // leaving the loop closes the reader
    }
    const first = batch.magic >= 2 ? batch.baseOffset : batch.lastOffset; // legacy: shallow offset
    if (first < scan.nextOffset || batch.lastOffset < first || batch.lastOffset - baseOffset > 0x7fffffff || first < baseOffset) {
      scan.invalid = { position: batch.position, reason: `Invalid offset ${first}..${batch.lastOffset} after ${scan.nextOffset - 1} in a segment based at ${baseOffset}` };
      break; // leaving the loop closes the reader
    }
    if (batch.maxTimestamp > maxTs) {
      maxTs = batch.maxTimestamp;
      offsetOfMaxTs = batch.lastOffset;
    }
    if (scan.validBytes - lastIndexEntry > indexIntervalBytes) {
      scan.offsetIndex.push({ offset: batch.lastOffset, position: scan.validBytes });
      appendTime(scan.timeIndex, maxTs, offsetOfMaxTs);
      lastIndexEntry = scan.validBytes;
    }
    onBatch?.(batch);
    scan.validBytes += batch.sizeInBytes;
    scan.batches++;
    scan.nextOffset = batch.lastOffset + 1;
  }
  if (!scan.invalid && reader.end && reader.end.position < scan.fileSize) {
    scan.invalid = { position: reader.end.position, reason: reader.end.message || reader.end.reason };
  }
  // The entry a segment gets when it becomes inactive (roll/close).
  if (maxTs >= 0) appendTime(scan.timeIndex, maxTs, offsetOfMaxTs);
  scan.maxTimestamp = maxTs;
  return scan;
}

function appendTime(entries: TimestampOffset[], timestamp: number, offset: number): void {
  const last = entries[entries.length - 1];
  if (timestamp > (last ? last.timestamp : -1)) entries.push({ timestamp, offset });
}
