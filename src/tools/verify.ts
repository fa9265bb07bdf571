// kseg verify: checks files, partition directories and whole log dirs, read-only, in one pass per
// segment with constant memory: framing, CRCs, magic/attributes, offsets within and across segments,
// the offset and time indexes (merge-walked against the batches, accepting what real brokers write,
// including entries for multi-batch appends), preallocated zero tails, .txnindex, producer snapshots,
// leader-epoch and offset checkpoints.

import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Codec, CompressionError, CorruptRecordError, KsegError, LegacyRecordBatch, RecordBatch, TimestampType, UnsupportedFormatError, type Batch } from '../format/index.js';
import {
  INDEX_SUFFIX,
  LOG_SUFFIX,
  LogFileReader,
  newReadBuffer,
  OffsetIndex,
  offsetFileName,
  parseOffsetFileName,
  parsePartitionDirName,
  readLeaderEpochCheckpoint,
  readOffsetCheckpoint,
  SNAPSHOT_SUFFIX,
  TIME_INDEX_SUFFIX,
  TimeIndex,
  TXN_INDEX_SUFFIX,
  decodeProducerSnapshot,
  decodeTransactionIndex,
  LEADER_EPOCH_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  LOG_START_OFFSET_CHECKPOINT,
  batchProducerInfo,
  diffAbortedTxns,
  producerStateAtLogStart,
  type AbortedTxn,
  type BatchProducerInfo,
} from '../storage/index.js';
import type { PartitionSummary, Severity, VerifyOptions, VerifyProblem, VerifyResult, VerifyStats } from './verifyTypes.js';

export * from './verifyTypes.js';

class Collector {
  readonly problems: VerifyProblem[] = [];
  readonly stats: VerifyStats = { partitions: 0, segments: 0, batches: 0, records: 0, bytes: 0, files: 0 };
  add(file: string, position: number | null, offset: number | null, check: string, message: string, severity: Severity = 'error', expected?: string | number, found?: string | number): void {
    const p: VerifyProblem = { file, position, offset, check, message, severity };
    if (expected !== undefined) p.expected = expected;
    if (found !== undefined) p.found = found;
    this.problems.push(p);
  }
}

export interface SegmentResult {
  nextOffset: number;
  firstOffset: number | null;
  /** Position and last offset of the first batch (for cross-segment checks). */
  firstPosition: number;
  firstLastOffset: number;
  batches: number;
  records: number;
  bytes: number;
  /** (epoch, first offset) of each batch where the partition leader epoch changes (v2). */
  epochStarts: { epoch: number; offset: number }[];
  /** Transactional batches and their markers, in order: what the partition's .txnindex check replays. */
  txnBatches: BatchProducerInfo[];
}

/**
 * Checks between a segment and the one before it (`prevNextOffset` = where that one ended): kept apart
 * from verifySegment so segments can be verified independently, in parallel.
 */
export function crossSegmentChecks(logPath: string, r: SegmentResult, prevNextOffset: number | null, c: Collector): void {
  if (prevNextOffset === null) return;
  const base = parseOffsetFileName(basename(logPath), LOG_SUFFIX);
  if (base !== null && base < prevNextOffset) {
    c.add(logPath, null, base, 'segment-overlap', `segment base offset ${base} overlaps the previous segment, which ends at offset ${prevNextOffset - 1}`, 'error', `>= ${prevNextOffset}`, base);
  }
  if (r.firstOffset !== null && r.firstOffset <= prevNextOffset - 1) {
    c.add(logPath, r.firstPosition, r.firstOffset, 'offset-order', `batch offsets ${r.firstOffset}..${r.firstLastOffset} do not follow the previous offset ${prevNextOffset - 1}`, 'error', `> ${prevNextOffset - 1}`, r.firstOffset);
  }
}

/** Verifies one `.log` segment and its indexes, on its own (see crossSegmentChecks). */
export function verifySegment(logPath: string, c: Collector, opts: VerifyOptions, ctx: { isActive: boolean }): SegmentResult {
  const name = basename(logPath);
  const base = parseOffsetFileName(name, LOG_SUFFIX);
  const dir = dirname(logPath);
  const result: SegmentResult = { nextOffset: base ?? 0, firstOffset: null, firstPosition: 0, firstLastOffset: -1, batches: 0, records: 0, bytes: 0, epochStarts: [], txnBatches: [] };
  if (base === null) c.add(logPath, null, null, 'file-name', `${name} is not named by a 20-digit base offset`, 'warning');
  const baseOffset = base ?? 0;
  // Indexes, merge-walked against the batches.
  const idx = openIndex(join(dir, offsetFileName(baseOffset, INDEX_SUFFIX)), baseOffset, 'offset', c, ctx.isActive) as OffsetIndex | null;
  const tidx = openIndex(join(dir, offsetFileName(baseOffset, TIME_INDEX_SUFFIX)), baseOffset, 'time', c, ctx.isActive) as TimeIndex | null;
  if (!idx && existsSync(logPath) && statSync(logPath).size > 0) c.add(logPath, null, null, 'offset-index', `no ${offsetFileName(baseOffset, INDEX_SUFFIX)} beside the segment (Kafka rebuilds it at startup)`, 'info');
  let ii = 0; // next offset-index entry
  let pendingIndex: { offset: number; position: number; slot: number } | null = null;
  let ti = 0;
  const idxPath = join(dir, offsetFileName(baseOffset, INDEX_SUFFIX));
  const tidxPath = join(dir, offsetFileName(baseOffset, TIME_INDEX_SUFFIX));
  let prevIdxOffset = -1;
  let maxTsSoFar = -1;
  let prevTimeEntry = -Infinity;
  let lastEpoch = -2;

  const reader = new LogFileReader(logPath, { fetchSize: opts.fetchSize, buffer: opts.readBuffer });
  const fileSize = reader.fileSize;
  let prevLast: number | null = null;
  for (const batch of reader) {
    result.batches++;
    result.bytes += batch.sizeInBytes;
    const pos = batch.position;
    const first = batch instanceof RecordBatch ? batch.baseOffset : batch.compression === 0 ? (batch as LegacyRecordBatch).offset : null;
    const last = batch.lastOffset;
    // Structure and checksum.
    let valid = true;
    try {
      batch.ensureValid();
    } catch (err) {
      valid = false;
      c.add(logPath, pos, last, 'crc', (err as Error).message, 'error', batch.checksum, batch.computeChecksum());
    }
    checkAttributes(batch, logPath, c);
    // Offsets.
    if (result.firstOffset === null) {
      result.firstOffset = first ?? last;
      result.firstPosition = pos;
      result.firstLastOffset = last;
      if (base !== null && (first ?? last) < base) c.add(logPath, pos, first ?? last, 'file-name', `first batch offset ${first ?? last} is below the segment's base offset ${base} (from its name)`, 'error', `>= ${base}`, first ?? last);
    }
    if (prevLast !== null && (first ?? last) <= prevLast) {
      c.add(logPath, pos, first ?? last, 'offset-order', `batch offsets ${first ?? '?'}..${last} do not follow the previous offset ${prevLast}`, 'error', `> ${prevLast}`, first ?? last);
    }
    if (first !== null && last < first) c.add(logPath, pos, last, 'offset-order', `lastOffset ${last} is below baseOffset ${first}`, 'error');
    if (last - baseOffset > 0x7fffffff) c.add(logPath, pos, last, 'offset-range', `offset ${last} cannot be stored relative to base ${baseOffset}`, 'error');
    prevLast = Math.max(prevLast ?? last, last);
    result.nextOffset = Math.max(result.nextOffset, last + 1);
    if (batch instanceof RecordBatch) {
      result.records += batch.recordCount;
      if (valid && batch.isTransactional && batch.producerId >= 0) result.txnBatches.push(batchProducerInfo(batch));
      const ple = batch.partitionLeaderEpoch;
      if (ple >= 0 && ple !== lastEpoch) {
        if (ple > lastEpoch) result.epochStarts.push({ epoch: ple, offset: batch.baseOffset });
        lastEpoch = Math.max(lastEpoch, ple);
      }
    } else if (batch.compression === 0 || !opts.deep) result.records += batch.compression === 0 ? 1 : 0;
    if (opts.deep && valid) deepCheck(batch, logPath, c, opts, result);
    // Offset index: an entry must sit at a batch start and name the last offset of that batch or of
    // a later batch in the same append (followers append fetched chunks as one).
    if (pendingIndex) {
      if (last === pendingIndex.offset) pendingIndex = null;
      else if (last > pendingIndex.offset) {
        c.add(idxPath, pendingIndex.slot * 8, pendingIndex.offset, 'offset-index', `index entry ${pendingIndex.slot} (offset ${pendingIndex.offset} → position ${pendingIndex.position}) does not match the batch there (no batch ends at that offset)`, 'error', pendingIndex.offset, last);
        pendingIndex = null;
      }
    }
    while (idx && ii < idx.entries) {
      const e = idx.entry(ii);
      if (e.position > pos) break;
      if (pendingIndex) {
        // The append an entry names ends before the next entry's append starts.
        c.add(idxPath, pendingIndex.slot * 8, pendingIndex.offset, 'offset-index', `index entry ${pendingIndex.slot} (offset ${pendingIndex.offset} → position ${pendingIndex.position}) does not match the batches there (none ends at that offset before index entry ${ii})`, 'error', pendingIndex.offset, last);
        pendingIndex = null;
      }
      if (e.offset <= prevIdxOffset) c.add(idxPath, ii * 8, e.offset, 'offset-index', `index entry ${ii} offset ${e.offset} does not increase (previous ${prevIdxOffset})`, 'error');
      prevIdxOffset = e.offset;
      if (e.position < pos) c.add(idxPath, ii * 8, e.offset, 'offset-index', `index entry ${ii} points at position ${e.position}, which is not a batch start`, 'error', 'a batch start', e.position);
      else if (e.offset < (first ?? last)) c.add(idxPath, ii * 8, e.offset, 'offset-index', `index entry ${ii} offset ${e.offset} is before the batch at its position (${first ?? last}..${last})`, 'error', `>= ${first ?? last}`, e.offset);
      else if (e.offset !== last) pendingIndex = { offset: e.offset, position: e.position, slot: ii };
      ii++;
    }
    // Time index: entries name (max timestamp so far, offset of the batch holding it).
    if (batch.maxTimestamp > maxTsSoFar) maxTsSoFar = batch.maxTimestamp;
    while (tidx && ti < tidx.entries) {
      const e = tidx.entry(ti);
      if (e.offset > last) break;
      if (e.timestamp <= prevTimeEntry) c.add(tidxPath, ti * 12, e.offset, 'time-index', `time index entry ${ti} timestamp ${e.timestamp} does not increase (previous ${prevTimeEntry})`, 'error');
      prevTimeEntry = e.timestamp;
      if (e.offset !== last) c.add(tidxPath, ti * 12, e.offset, 'time-index', `time index entry ${ti} offset ${e.offset} is not the last offset of a batch`, 'error', 'a batch last offset', e.offset);
      else if (e.timestamp !== batch.maxTimestamp || e.timestamp !== maxTsSoFar) {
        c.add(tidxPath, ti * 12, e.offset, 'time-index', `time index entry ${ti} timestamp ${e.timestamp} is not the max timestamp ${maxTsSoFar} up to offset ${e.offset}`, 'error', maxTsSoFar, e.timestamp);
      }
      ti++;
    }
  }
  const end = reader.end!;
  if (end.position < fileSize) {
    const sev: Severity = 'error';
    const what = end.reason === 'zeros' ? 'zero-filled tail' : end.reason === 'truncated' ? 'torn last batch' : end.reason === 'corrupt-size' ? 'corrupt size field' : end.reason === 'bad-magic' ? 'unknown magic byte' : 'trailing bytes';
    c.add(logPath, end.position, result.nextOffset, end.reason === 'corrupt-size' || end.reason === 'bad-magic' ? 'framing' : 'trailing-bytes', `${what}: ${fileSize - end.position} bytes after the last complete batch do not form a batch (${end.message})`, sev, 'end of file', fileSize - end.position);
  }
  if (pendingIndex) c.add(idxPath, pendingIndex.slot * 8, pendingIndex.offset, 'offset-index', `index entry ${pendingIndex.slot} names offset ${pendingIndex.offset}, past the last batch`, 'error');
  if (idx) for (; ii < idx.entries; ii++) c.add(idxPath, ii * 8, idx.entry(ii).offset, 'offset-index', `index entry ${ii} points past the end of the log (position ${idx.entry(ii).position} of ${end.position} valid bytes)`, 'error');
  if (tidx) for (; ti < tidx.entries; ti++) c.add(tidxPath, ti * 12, tidx.entry(ti).offset, 'time-index', `time index entry ${ti} names offset ${tidx.entry(ti).offset}, past the last batch`, 'error');
  idx?.close(false);
  tidx?.close(false);
  verifyTxnIndex(join(dir, offsetFileName(baseOffset, TXN_INDEX_SUFFIX)), baseOffset, result.nextOffset, c);
  return result;
}

function openIndex(path: string, base: number, kind: 'offset' | 'time', c: Collector, isActive: boolean): OffsetIndex | TimeIndex | null {
  if (!existsSync(path)) return null;
  c.stats.files++;
  const size = statSync(path).size;
  const entrySize = kind === 'offset' ? 8 : 12;
  const check = kind === 'offset' ? 'offset-index' : 'time-index';
  if (size % entrySize !== 0) c.add(path, size - (size % entrySize), null, check, `${size} bytes is not a multiple of the ${entrySize}-byte entry size`, 'error', 0, size % entrySize);
  const index = kind === 'offset' ? new OffsetIndex(path, base, 0, false) : new TimeIndex(path, base, 0, false);
  const used = index.entries * entrySize;
  const tail = size - (size % entrySize) - used;
  if (tail > 0) {
    // Entries are counted up to the first zero slot; non-zero bytes after it mean a zeroed or
    // corrupt entry followed by real ones, not preallocation.
    const nonZero = firstNonZero(path, used, used + tail);
    if (nonZero >= 0) c.add(path, used, null, check, `index entry ${index.entries} reads as empty (zero ${kind === 'offset' ? 'relative offset' : 'entry'}) but non-zero bytes follow at byte ${nonZero}: a zeroed or corrupt entry, not preallocation`, 'error', 'zeros to the end', `non-zero byte at ${nonZero}`);
    else c.add(path, used, null, 'preallocated-tail', `${tail} zero-filled bytes after ${index.entries} entries (preallocated; ${isActive ? 'normal for the active segment of a running or crashed broker' : 'Kafka trims indexes of inactive segments on roll'})`, isActive ? 'info' : 'warning');
  }
  return index;
}

/** Position of the first non-zero byte of `path` in [from, to), or -1 (read in 64 KiB chunks). */
function firstNonZero(path: string, from: number, to: number): number {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let pos = from; pos < to; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
      if (n === 0) break;
      for (let i = 0; i < n; i++) if (buf[i] !== 0) return pos + i;
      pos += n;
    }
    return -1;
  } finally {
    closeSync(fd);
  }
}

function checkAttributes(batch: Batch, file: string, c: Collector): void {
  const codec = batch.compression;
  if (codec > 4) c.add(file, batch.position, batch.lastOffset, 'attributes', `Unknown compression type id: ${codec}`, 'error', '0..4', codec);
  else if (codec === Codec.Zstd && batch.magic < 2) c.add(file, batch.position, batch.lastOffset, 'attributes', `ZStandard compression is not supported for magic ${batch.magic}`, 'error');
  if (batch.magic === 0 && batch.compression === Codec.Lz4) c.add(file, batch.position, batch.lastOffset, 'attributes', 'lz4 in a magic 0 message (written by pre-0.10 clients with the broken frame checksum)', 'info');
  if (batch instanceof RecordBatch) {
    if (batch.attributes & 0xff80) c.add(file, batch.position, batch.lastOffset, 'attributes', `unused attribute bits set (0x${batch.attributes.toString(16)})`, 'warning');
    if (batch.isControl && batch.recordCount !== 1) c.add(file, batch.position, batch.lastOffset, 'attributes', `control batch holds ${batch.recordCount} records (expected 1)`, 'warning');
  }
}

/** --deep: decompress, count records, check offsets deltas, max timestamp and legacy inner CRCs. */
function deepCheck(batch: Batch, file: string, c: Collector, opts: VerifyOptions, result: SegmentResult): void {
  try {
    let count = 0;
    let maxTs = -1;
    let lastOffset = -1;
    let prev = -1;
    for (const r of batch.records({ maxBytes: opts.maxDecompressedBytes })) {
      count++;
      if (r.offset <= prev) c.add(file, batch.position, r.offset, 'record-offsets', `record offset ${r.offset} does not increase within the batch (previous ${prev})`, 'error');
      prev = r.offset;
      lastOffset = r.offset;
      if (r.timestamp > maxTs) maxTs = r.timestamp;
    }
    if (batch instanceof RecordBatch) {
      if (count !== batch.recordCount) c.add(file, batch.position, batch.lastOffset, 'record-count', `batch declares ${batch.recordCount} records but holds ${count}`, 'error', batch.recordCount, count);
      if (count > 0 && lastOffset > batch.lastOffset) c.add(file, batch.position, lastOffset, 'last-offset-delta', `last record offset ${lastOffset} is past the batch's lastOffset ${batch.lastOffset}`, 'error', batch.lastOffset, lastOffset);
      if (count > 0 && batch.timestampType === TimestampType.CreateTime && maxTs !== batch.maxTimestamp) {
        c.add(file, batch.position, batch.lastOffset, 'max-timestamp', `batch maxTimestamp ${batch.maxTimestamp} is not the largest record timestamp ${maxTs}`, 'error', maxTs, batch.maxTimestamp);
      }
    } else {
      result.records += batch.compression === 0 ? 0 : count;
      if (batch.compression !== 0) {
        for (const inner of (batch as LegacyRecordBatch).innerEntries({ maxBytes: opts.maxDecompressedBytes })) {
          if (!inner.isValid()) c.add(file, batch.position, inner.offset, 'crc', `inner message at offset ${inner.offset} of the compressed wrapper fails its CRC`, 'error', inner.checksum, inner.computeChecksum());
        }
        if (lastOffset !== batch.lastOffset) c.add(file, batch.position, batch.lastOffset, 'last-offset-delta', `wrapper offset ${batch.lastOffset} is not its last inner offset ${lastOffset}`, 'error', lastOffset, batch.lastOffset);
      }
    }
  } catch (err) {
    if (!(err instanceof KsegError)) throw err;
    const check = err instanceof CompressionError ? 'decompress' : err instanceof UnsupportedFormatError ? 'attributes' : err instanceof CorruptRecordError ? 'record' : 'record';
    c.add(file, batch.position, batch.lastOffset, check, err.message, 'error');
  }
}

function verifyTxnIndex(path: string, base: number, nextOffset: number, c: Collector): void {
  if (!existsSync(path)) return;
  c.stats.files++;
  try {
    const entries = decodeTransactionIndex(readFileSync(path), path);
    entries.forEach((t, i) => {
      if (t.lastOffset < base) c.add(path, i * 34, t.lastOffset, 'txn-index', `Last offset of aborted transaction ${i} in index ${basename(path)} is less than start offset ${base}`, 'error');
      if (t.firstOffset > t.lastOffset) c.add(path, i * 34, t.firstOffset, 'txn-index', `aborted transaction ${i} starts at ${t.firstOffset} after its end ${t.lastOffset}`, 'error');
      if (t.lastOffset >= nextOffset) c.add(path, i * 34, t.lastOffset, 'txn-index', `aborted transaction ${i} ends at ${t.lastOffset}, past the segment's last offset ${nextOffset - 1}`, 'error');
    });
  } catch (err) {
    c.add(path, (err as CorruptRecordError).position ?? null, null, 'txn-index', (err as Error).message, 'error');
  }
}

/**
 * Each segment's .txnindex against the ABORT markers in it, the producer state replayed from the
 * log start (when it is known there, see producerStateAtLogStart): a marker without an entry means
 * read_committed consumers return the aborted records (a crash between the two writes leaves
 * that); an entry no marker closes hides committed ones.
 */
function checkAbortedTxns(dir: string, bases: number[], results: SegmentResult[], c: Collector): void {
  const paths = bases.map((b) => join(dir, offsetFileName(b, TXN_INDEX_SUFFIX)));
  if (results.every((r) => r.txnBatches.length === 0) && paths.every((p) => !existsSync(p) || statSync(p).size === 0)) return;
  const state = producerStateAtLogStart(dir, bases[0]);
  if (state === null) return;
  results.forEach((r, s) => {
    const aborted: AbortedTxn[] = [];
    for (const b of r.txnBatches) {
      const a = state.update(b);
      if (a) aborted.push(a);
    }
    const path = paths[s];
    let stored: AbortedTxn[] = [];
    try {
      if (existsSync(path)) stored = decodeTransactionIndex(readFileSync(path), path);
    } catch {
      return; // undecodable: reported by verifyTxnIndex
    }
    const { missing, extra } = diffAbortedTxns(stored, aborted);
    for (const a of missing) {
      c.add(path, null, a.lastOffset, 'txn-index', `the ABORT marker at offset ${a.lastOffset} (producer ${a.producerId}, transaction from offset ${a.firstOffset}) has no entry in ${basename(path)}: read_committed consumers would return its aborted records`, 'error', 'an entry', 'none');
    }
    for (const i of extra) {
      const t = stored[i];
      // (an entry past the segment's end is reported by verifyTxnIndex)
      if (t.lastOffset < r.nextOffset) c.add(path, i * 34, t.lastOffset, 'txn-index', `aborted transaction ${i} (producer ${t.producerId}, offsets ${t.firstOffset}..${t.lastOffset}) is not closed by an ABORT marker in the log`, 'error');
    }
  });
}

function verifySnapshot(path: string, logEnd: number, c: Collector): void {
  c.stats.files++;
  try {
    const entries = decodeProducerSnapshot(readFileSync(path));
    const at = parseOffsetFileName(basename(path), SNAPSHOT_SUFFIX);
    if (at !== null && at > logEnd) c.add(path, null, at, 'producer-snapshot', `snapshot at offset ${at} is past the log end offset ${logEnd}`, 'warning', `<= ${logEnd}`, at);
    for (const e of entries) if (at !== null && e.lastOffset >= at) c.add(path, null, e.lastOffset, 'producer-snapshot', `producer ${e.producerId} last offset ${e.lastOffset} is not below the snapshot offset ${at}`, 'error');
  } catch (err) {
    c.add(path, (err as CorruptRecordError).position ?? null, null, 'producer-snapshot', (err as Error).message, 'error');
  }
}

/** Verifies a partition directory: its segments in order, snapshots and leader-epoch checkpoint. */
/** Segment results computed elsewhere (worker threads), by log path, with their problems. */
export type PrecomputedSegments = Map<string, { result: SegmentResult; problems: VerifyProblem[]; files: number }>;

function segmentResult(logPath: string, c: Collector, opts: VerifyOptions, isActive: boolean, pre?: PrecomputedSegments): SegmentResult {
  const done = pre?.get(logPath);
  if (!done) return verifySegment(logPath, c, opts, { isActive });
  c.problems.push(...done.problems);
  c.stats.files += done.files;
  return done.result;
}

export function verifyPartition(dir: string, c: Collector, opts: VerifyOptions, pre?: PrecomputedSegments): PartitionSummary {
  c.stats.partitions++;
  const before = c.problems.length;
  const bases = readdirSync(dir)
    .map((f) => parseOffsetFileName(f, LOG_SUFFIX))
    .filter((o): o is number => o !== null)
    .sort((a, b) => a - b);
  const summary: PartitionSummary = { dir, segments: bases.length, batches: 0, records: 0, bytes: 0, logEndOffset: 0, errors: 0, warnings: 0 };
  let prevNext: number | null = null;
  const epochStarts: { epoch: number; offset: number }[] = [];
  const results: SegmentResult[] = [];
  bases.forEach((base, i) => {
    c.stats.segments++;
    c.stats.files++;
    const logPath = join(dir, offsetFileName(base, LOG_SUFFIX));
    const r = segmentResult(logPath, c, opts, i === bases.length - 1, pre);
    results.push(r);
    crossSegmentChecks(logPath, r, prevNext, c);
    summary.batches += r.batches;
    summary.records += r.records;
    summary.bytes += r.bytes;
    epochStarts.push(...r.epochStarts);
    prevNext = Math.max(prevNext ?? 0, r.nextOffset);
  });
  summary.logEndOffset = prevNext ?? 0;
  checkAbortedTxns(dir, bases, results, c);
  for (const f of readdirSync(dir)) if (f.endsWith(SNAPSHOT_SUFFIX)) verifySnapshot(join(dir, f), summary.logEndOffset, c);
  const epochFile = join(dir, LEADER_EPOCH_CHECKPOINT);
  if (existsSync(epochFile)) {
    c.stats.files++;
    try {
      const entries = readLeaderEpochCheckpoint(epochFile);
      entries.forEach((e, i) => {
        const prev = entries[i - 1];
        if (prev && (e.epoch <= prev.epoch || e.startOffset < prev.startOffset)) c.add(epochFile, null, e.startOffset, 'leader-epoch', `entry ${i} (epoch ${e.epoch} from ${e.startOffset}) does not follow (epoch ${prev.epoch} from ${prev.startOffset})`, 'error');
        if (e.startOffset > summary.logEndOffset) c.add(epochFile, null, e.startOffset, 'leader-epoch', `epoch ${e.epoch} starts at ${e.startOffset}, past the log end offset ${summary.logEndOffset}`, 'error', `<= ${summary.logEndOffset}`, e.startOffset);
      });
      // Every epoch seen in the batches must be in the checkpoint, starting where the log says.
      for (const s of epochStarts) {
        const e = entries.find((x) => x.epoch === s.epoch);
        if (!e) c.add(epochFile, null, s.offset, 'leader-epoch', `batches from offset ${s.offset} carry leader epoch ${s.epoch}, which the checkpoint lacks`, 'warning');
        else if (e.startOffset > s.offset) c.add(epochFile, null, s.offset, 'leader-epoch', `epoch ${s.epoch} starts at ${e.startOffset} in the checkpoint but at ${s.offset} in the log`, 'warning', s.offset, e.startOffset);
      }
    } catch (err) {
      c.add(epochFile, null, null, 'leader-epoch', (err as Error).message, 'error');
    }
  }
  c.stats.batches += summary.batches;
  c.stats.records += summary.records;
  c.stats.bytes += summary.bytes;
  for (const p of c.problems.slice(before)) {
    if (p.severity === 'error') summary.errors++;
    else if (p.severity === 'warning') summary.warnings++;
  }
  return summary;
}

export function isLogDir(path: string): boolean {
  return existsSync(join(path, 'meta.properties')) || existsSync(join(path, RECOVERY_POINT_CHECKPOINT)) || readdirSync(path).some((f) => parsePartitionDirName(f) !== null && statSync(join(path, f)).isDirectory() && readdirSync(join(path, f)).some((x) => x.endsWith(LOG_SUFFIX)));
}

function verifyLogDir(dir: string, c: Collector, opts: VerifyOptions, summaries: PartitionSummary[], pre?: PrecomputedSegments): void {
  const ends = new Map<string, number>();
  for (const name of readdirSync(dir).sort()) {
    const tp = parsePartitionDirName(name);
    const p = join(dir, name);
    if (!tp || !statSync(p).isDirectory()) continue;
    const s = verifyPartition(p, c, opts, pre);
    summaries.push(s);
    ends.set(`${tp.topic} ${tp.partition}`, s.logEndOffset);
  }
  for (const [file, rule] of [
    [RECOVERY_POINT_CHECKPOINT, 'recovery point'],
    [REPLICATION_OFFSET_CHECKPOINT, 'high watermark'],
    [LOG_START_OFFSET_CHECKPOINT, 'log start offset'],
  ] as const) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    c.stats.files++;
    try {
      for (const e of readOffsetCheckpoint(path)) {
        const end = ends.get(`${e.topic} ${e.partition}`);
        if (end !== undefined && e.offset > end) c.add(path, null, e.offset, 'checkpoint', `${rule} ${e.offset} of ${e.topic}-${e.partition} is past its log end offset ${end}`, 'error', `<= ${end}`, e.offset);
      }
    } catch (err) {
      c.add(path, null, null, 'checkpoint', (err as Error).message, 'error');
    }
  }
}

/** `opts` with a read buffer of its fetch size, unless it has one. */
export function withReadBuffer(opts: VerifyOptions): VerifyOptions {
  return opts.readBuffer ? opts : { ...opts, readBuffer: newReadBuffer(opts.fetchSize) };
}

/** Verifies each path (a segment or other file, a partition dir, or a log dir). Never throws on bad data. */
export function verify(paths: readonly string[], options: VerifyOptions = {}, pre?: PrecomputedSegments): VerifyResult {
  const opts = withReadBuffer(options);
  const c = new Collector();
  const summaries: PartitionSummary[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new KsegError(`cannot read ${path}: no such file or directory`);
    const st = statSync(path);
    if (st.isDirectory()) {
      const isPartition = readdirSync(path).some((f) => f.endsWith(LOG_SUFFIX)) || parsePartitionDirName(basename(path)) !== null;
      if (isPartition && !isLogDir(path)) summaries.push(verifyPartition(path, c, opts, pre));
      else if (isPartition && readdirSync(path).some((f) => f.endsWith(LOG_SUFFIX))) summaries.push(verifyPartition(path, c, opts, pre));
      else verifyLogDir(path, c, opts, summaries, pre);
      continue;
    }
    const name = basename(path);
    if (name.endsWith(LOG_SUFFIX)) {
      c.stats.segments++;
      c.stats.files++;
      const r = verifySegment(path, c, opts, { isActive: true });
      c.stats.batches += r.batches;
      c.stats.records += r.records;
      c.stats.bytes += r.bytes;
    } else if (name.endsWith(INDEX_SUFFIX) || name.endsWith(TIME_INDEX_SUFFIX) || name.endsWith(TXN_INDEX_SUFFIX)) {
      const log = join(dirname(path), name.split('.')[0] + LOG_SUFFIX);
      if (existsSync(log)) {
        c.stats.segments++;
        const r = verifySegment(log, c, opts, { isActive: true });
        c.stats.batches += r.batches;
      } else c.add(path, null, null, 'io', `cannot check ${name} without ${basename(log)}`, 'error');
    } else if (name.endsWith(SNAPSHOT_SUFFIX)) verifySnapshot(path, Infinity, c);
    else if (name === LEADER_EPOCH_CHECKPOINT) {
      try {
        readLeaderEpochCheckpoint(path);
      } catch (err) {
        c.add(path, null, null, 'leader-epoch', (err as Error).message, 'error');
      }
    } else if (name.endsWith('-offset-checkpoint')) {
      try {
        readOffsetCheckpoint(path);
      } catch (err) {
        c.add(path, null, null, 'checkpoint', (err as Error).message, 'error');
      }
    } else throw new KsegError(`don't know how to verify ${path}`);
  }
  return { ok: !c.problems.some((p) => p.severity !== 'info'), problems: c.problems, stats: c.stats, partitions: summaries };
}

export { Collector as VerifyCollector };
