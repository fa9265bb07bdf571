// kseg recover: repairs a partition (or every partition of a log dir) the way a broker's
// LogSegment.recover / LogLoader does — truncate each damaged segment at its first invalid batch,
// rebuild its .index/.timeindex by Kafka's rule and its .txnindex, move later segments aside (Kafka
// deletes them), trim the leader-epoch checkpoint and offset checkpoints to the new log end — but
// keeps everything it cuts or replaces in a quarantine dir outside the log dir. The plan is computed
// first (that is --dry-run's output), then carried out; a second run finds nothing to do.

import { existsSync, fsyncSync, openSync, closeSync, ftruncateSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { KsegError } from '../format/errors.js';
import { RecordBatch, type Batch } from '../format/index.js';
import { writeInt64, writeInt32 } from '../format/int64.js';
import {
  abortedTxnKey,
  batchProducerInfo,
  diffAbortedTxns,
  encodeAbortedTxn,
  decodeTransactionIndex,
  decodeProducerSnapshot,
  producerStateAtLogStart,
  INDEX_SUFFIX,
  isLogDirLocked,
  LEADER_EPOCH_CHECKPOINT,
  LOG_SUFFIX,
  offsetFileName,
  parseOffsetFileName,
  parsePartitionDirName,
  readLeaderEpochCheckpoint,
  readOffsetCheckpoint,
  recoverSegmentScan,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  SNAPSHOT_SUFFIX,
  TIME_INDEX_SUFFIX,
  TXN_INDEX_SUFFIX,
  writeFileAtomic,
  writeLeaderEpochCheckpoint,
  writeOffsetCheckpoint,
  type AbortedTxn,
  type IndexEntry,
  type TimestampOffset,
} from '../storage/index.js';
import { defaultQuarantineRoot, Quarantine } from './quarantine.js';
import { VerifyCollector, verifySegment } from './verify.js';

export interface RecoverOptions {
  dryRun?: boolean;
  /** Root of the quarantine (default: `<log dir>.kseg-quarantine` beside the log dir). */
  quarantineDir?: string;
  /** index.interval.bytes used to rebuild indexes (Kafka's default 4096). */
  indexIntervalBytes?: number;
}

export type RecoverAction =
  | { action: 'truncate'; file: string; position: number; length: number; reason: string }
  | { action: 'move-aside'; file: string; length: number; reason: string }
  | { action: 'rebuild-index'; file: string; entries: number; reason: string }
  | { action: 'rewrite'; file: string; reason: string };

export interface PartitionRecovery {
  dir: string;
  logEndOffset: number;
  actions: RecoverAction[];
}

export interface RecoverResult {
  dryRun: boolean;
  logDir: string;
  partitions: PartitionRecovery[];
  actions: RecoverAction[];
  /** The quarantine run dir, when anything was kept. */
  quarantine: string | null;
}

interface PlannedPartition extends PartitionRecovery {
  /** Rewrites computed in the plan and carried out in execute. */
  /** Files to replace: the old one is quarantined, then `write` puts the new one in place (temp + rename). */
  writes: { file: string; write: () => void }[];
  truncations: { file: string; position: number; length: number; reason: string }[];
  moves: { file: string; reason: string }[];
}

function encodeOffsetIndex(entries: IndexEntry[], base: number): Buffer {
  const b = Buffer.alloc(entries.length * 8);
  entries.forEach((e, i) => {
    writeInt32(b, i * 8, e.offset - base);
    writeInt32(b, i * 8 + 4, e.position);
  });
  return b;
}

function encodeTimeIndex(entries: TimestampOffset[], base: number): Buffer {
  const b = Buffer.alloc(entries.length * 12);
  entries.forEach((e, i) => {
    writeInt64(b, i * 12, e.timestamp);
    writeInt32(b, i * 12 + 8, e.offset - base);
  });
  return b;
}

/** Does verify find problems in this segment's index files (then they are rebuilt)? */
function indexProblems(logPath: string, isActive: boolean): string | null {
  const c = new VerifyCollector();
  verifySegment(logPath, c, {}, { isActive });
  // Errors in either index, or a zero tail on an inactive segment's index (Kafka trims those on roll).
  const p = c.problems.find((x) => (x.severity === 'error' && (x.check === 'offset-index' || x.check === 'time-index')) || (x.severity === 'warning' && x.check === 'preallocated-tail'));
  return p ? p.message : null;
}

/** The .txnindex entries (null: missing or undecodable). */
function readTxnIndex(path: string): AbortedTxn[] | null {
  if (!existsSync(path)) return [];
  try {
    return decodeTransactionIndex(readFileSync(path), path);
  } catch {
    return null;
  }
}

/**
 * The segment's .txnindex rebuilt from the aborted transactions its ABORT markers close, if the
 * file holds other ones (a crash between a marker's append and its index entry, a cut, damage).
 * Entries that match keep their stored bytes (a broker's last stable offset may legitimately differ
 * from a replay's); the others are the replay's.
 */
function rebuiltTxnIndex(path: string, aborted: AbortedTxn[]): { data: Buffer; reason: string } | null {
  const stored = readTxnIndex(path);
  const byKey = new Map((stored ?? []).map((t) => [abortedTxnKey(t), t]));
  const entries = aborted.map((t) => byKey.get(abortedTxnKey(t)) ?? t);
  const diff = diffAbortedTxns(stored ?? [], aborted);
  const missing = diff.missing.length;
  const extra = stored === null ? 0 : diff.extra.length;
  if (stored !== null && missing === 0 && extra === 0 && stored.every((t, i) => abortedTxnKey(t) === abortedTxnKey(aborted[i]))) return null;
  const why = stored === null ? 'undecodable' : [missing > 0 ? `${missing} aborted transaction(s) missing` : '', extra > 0 ? `${extra} not closed by an ABORT marker in the log` : ''].filter((x) => x).join(', ') || 'out of order';
  return { data: Buffer.concat(entries.map(encodeAbortedTxn)), reason: `rebuilt from the ABORT markers in the log (${why})` };
}

/** With the producer state unknown: only the entries past the new log end go (`end` -1: all). */
function trimmedTxnIndex(path: string, end: number): { data: Buffer; reason: string } | null {
  if (!existsSync(path)) return null;
  const stored = readTxnIndex(path);
  // A segment cut to no batches keeps no aborted transactions.
  const kept = (stored ?? []).filter((t) => t.lastOffset < end);
  if (stored !== null && kept.length === stored.length) return null;
  return { data: Buffer.concat(kept.map(encodeAbortedTxn)), reason: `aborted transactions past the new log end ${end} removed` };
}

function planPartition(dir: string, opts: RecoverOptions): PlannedPartition {
  const interval = opts.indexIntervalBytes ?? 4096;
  const bases = readdirSync(dir)
    .map((f) => parseOffsetFileName(f, LOG_SUFFIX))
    .filter((o): o is number => o !== null)
    .sort((a, b) => a - b);
  const plan: PlannedPartition = { dir, logEndOffset: bases[0] ?? 0, actions: [], writes: [], truncations: [], moves: [] };
  // Producer state as the log replays, for the aborted transactions each segment's .txnindex must
  // hold (Kafka's LogSegment.recover rebuilds it the same way); null when the state at the log start
  // is unknown (older segments deleted and no snapshot at the start): the .txnindex is then only
  // trimmed to the new end.
  const producers = producerStateAtLogStart(dir, bases[0] ?? 0);
  let next: number | null = null;
  let cutAt = -1; // index of the first segment after a truncation
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i];
    const log = join(dir, offsetFileName(base, LOG_SUFFIX));
    if (cutAt >= 0) {
      for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) {
        const f = join(dir, offsetFileName(base, suffix));
        if (existsSync(f)) {
          const reason = `segment after the truncation point at offset ${plan.logEndOffset} (Kafka deletes it)`;
          plan.moves.push({ file: f, reason });
          plan.actions.push({ action: 'move-aside', file: f, length: statSync(f).size, reason });
        }
      }
      continue;
    }
    const aborted: AbortedTxn[] = [];
    const replay = (b: Batch) => {
      if (producers === null || !(b instanceof RecordBatch) || b.producerId < 0) return;
      const a = producers.update(batchProducerInfo(b));
      if (a) aborted.push(a);
    };
    const scan = recoverSegmentScan(log, base, interval, Math.max(base, next ?? base), replay);
    next = scan.nextOffset;
    plan.logEndOffset = scan.nextOffset;
    const idx = join(dir, offsetFileName(base, INDEX_SUFFIX));
    const tidx = join(dir, offsetFileName(base, TIME_INDEX_SUFFIX));
    let rebuildReason: string | null = null;
    if (scan.invalid) {
      const length = scan.fileSize - scan.validBytes;
      const reason = `Found invalid messages in log segment ${log} at byte offset ${scan.validBytes}: ${scan.invalid.reason}`;
      plan.truncations.push({ file: log, position: scan.validBytes, length, reason });
      plan.actions.push({ action: 'truncate', file: log, position: scan.validBytes, length, reason });
      rebuildReason = 'segment truncated';
      cutAt = i + 1;
    }
    const offsetEntries = encodeOffsetIndex(scan.offsetIndex, base);
    const timeEntries = encodeTimeIndex(scan.timeIndex, base);
    if (!rebuildReason) {
      if (!existsSync(idx) || !existsSync(tidx)) rebuildReason = 'index file missing';
      // Indexes equal to recovery's recomputation are fine as they are; only others need verify's
      // judgement (a broker's indexes may differ legitimately, e.g. after a restart), which reads
      // the segment a second time.
      else if (!readFileSync(idx).equals(offsetEntries) || !readFileSync(tidx).equals(timeEntries)) rebuildReason = indexProblems(log, i === bases.length - 1);
    }
    if (rebuildReason) {
      plan.writes.push({ file: idx, write: () => writeFileAtomic(idx, offsetEntries) }, { file: tidx, write: () => writeFileAtomic(tidx, timeEntries) });
      plan.actions.push({ action: 'rebuild-index', file: idx, entries: scan.offsetIndex.length, reason: rebuildReason }, { action: 'rebuild-index', file: tidx, entries: scan.timeIndex.length, reason: rebuildReason });
    }
    const txn = join(dir, offsetFileName(base, TXN_INDEX_SUFFIX));
    const txnPlan = producers !== null ? rebuiltTxnIndex(txn, aborted) : scan.invalid ? trimmedTxnIndex(txn, scan.batches > 0 ? scan.nextOffset : -1) : null;
    if (txnPlan) {
      plan.writes.push({ file: txn, write: () => writeFileAtomic(txn, txnPlan.data) });
      plan.actions.push({ action: 'rewrite', file: txn, reason: txnPlan.reason });
    }
  }
  const end = plan.logEndOffset;
  // Producer snapshots past the log end are stale (Kafka removes them on truncation); corrupt ones
  // are deleted by Kafka when it tries to load them (ProducerStateManager: CorruptSnapshotException).
  for (const f of readdirSync(dir)) {
    const at = parseOffsetFileName(f, SNAPSHOT_SUFFIX);
    if (at === null) continue;
    const file = join(dir, f);
    let reason: string | null = at > end ? `producer snapshot past the log end offset ${end}` : null;
    if (!reason) {
      try {
        decodeProducerSnapshot(readFileSync(file));
      } catch (err) {
        reason = `corrupt producer snapshot (${(err as Error).message}); Kafka deletes it on load`;
      }
    }
    if (reason) {
      plan.moves.push({ file, reason });
      plan.actions.push({ action: 'move-aside', file, length: statSync(file).size, reason });
    }
  }
  const epochFile = join(dir, LEADER_EPOCH_CHECKPOINT);
  if (existsSync(epochFile)) {
    try {
      const entries = readLeaderEpochCheckpoint(epochFile);
      // After a cut, LeaderEpochFileCache.truncateFromEnd: every entry starting at or after the new
      // end goes. With nothing cut, an epoch starting exactly at the log end is a leader's that has
      // not appended yet (verify accepts it), so only entries past the end go.
      const cut = plan.truncations.length > 0;
      const kept = entries.filter((e) => e.startOffset < end || (e.startOffset === end && !cut));
      if (kept.length !== entries.length) {
        plan.writes.push({ file: epochFile, write: () => writeLeaderEpochCheckpoint(epochFile, kept) });
        plan.actions.push({ action: 'rewrite', file: epochFile, reason: `leader epochs starting at or after the log end offset ${end} removed` });
      }
    } catch (err) {
      plan.actions.push({ action: 'rewrite', file: epochFile, reason: `unreadable (${(err as Error).message}); left as is` });
    }
  }
  return plan;
}

/** Offset checkpoints in the log dir that point past a partition's new log end. */
function planCheckpoints(logDir: string, plans: PlannedPartition[]): { file: string; write: () => void; reason: string }[] {
  const ends = new Map<string, number>();
  for (const p of plans) {
    const tp = parsePartitionDirName(basename(p.dir));
    if (tp) ends.set(`${tp.topic} ${tp.partition}`, p.logEndOffset);
  }
  const out: { file: string; write: () => void; reason: string }[] = [];
  for (const name of [RECOVERY_POINT_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT]) {
    const file = join(logDir, name);
    if (!existsSync(file)) continue;
    let entries;
    try {
      entries = readOffsetCheckpoint(file);
    } catch {
      continue;
    }
    let changed = false;
    for (const e of entries) {
      const end = ends.get(`${e.topic} ${e.partition}`);
      if (end !== undefined && e.offset > end) {
        e.offset = end;
        changed = true;
      }
    }
    const fixed = entries;
    if (changed) out.push({ file, write: () => writeOffsetCheckpoint(file, fixed), reason: "offsets past a partition's new log end lowered to it" });
  }
  return out;
}

function partitionDirsOf(path: string): { logDir: string; dirs: string[] } {
  const abs = resolve(path);
  const hasLogs = readdirSync(abs).some((f) => f.endsWith(LOG_SUFFIX));
  if (hasLogs) return { logDir: dirname(abs), dirs: [abs] };
  const dirs = readdirSync(abs)
    .filter((f) => parsePartitionDirName(f) !== null && statSync(join(abs, f)).isDirectory())
    .sort()
    .map((f) => join(abs, f));
  return { logDir: abs, dirs };
}

export function recover(path: string, opts: RecoverOptions = {}): RecoverResult {
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new KsegError(`${path} is not a partition or log directory`);
  const { logDir, dirs } = partitionDirsOf(path);
  if (isLogDirLocked(logDir)) throw new KsegError(`${logDir} is locked by a running kseg writer; nothing was changed`);
  const plans = dirs.map((d) => planPartition(d, opts));
  const checkpointWrites = planCheckpoints(logDir, plans);
  const actions = [...plans.flatMap((p) => p.actions), ...checkpointWrites.map((w) => ({ action: 'rewrite' as const, file: w.file, reason: w.reason }))];
  const result: RecoverResult = { dryRun: !!opts.dryRun, logDir, partitions: plans.map((p) => ({ dir: p.dir, logEndOffset: p.logEndOffset, actions: p.actions })), actions, quarantine: null };
  if (opts.dryRun || actions.length === 0) return result;

  const q = new Quarantine(logDir, opts.quarantineDir ?? defaultQuarantineRoot(logDir));
  for (const p of plans) {
    // 1. Cut bytes: quarantine (fsynced, in the manifest) first, then truncate the original.
    for (const t of p.truncations) {
      q.keepRange(t.file, t.position, t.length, t.reason);
      const fd = openSync(t.file, 'r+');
      try {
        ftruncateSync(fd, t.position);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    // 2. Later segments and stale snapshots: kept whole, then removed from the log dir.
    for (const m of p.moves) {
      q.keepFile(m.file, m.reason);
      unlinkSync(m.file);
    }
    // 3. Rebuilt indexes and rewritten state files: the old file is kept, the new one renamed in.
    for (const w of p.writes) {
      if (existsSync(w.file)) q.keepFile(w.file, 'replaced by kseg recover');
      w.write();
    }
  }
  for (const w of checkpointWrites) {
    q.keepFile(w.file, 'replaced by kseg recover');
    w.write();
  }
  result.quarantine = q.used ? q.runDir : null;
  return result;
}
