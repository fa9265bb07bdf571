// Shared helpers for the storage and load-tool proof tests: temp dirs, a recovery-style index
// recomputation (LogSegment.recover's walk), raw index/snapshot readers that do not go through the
// classes under test, and a listing+hash snapshot of a directory tree.

import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32c } from '../../src/format/crc.js';
import { RecordBatch } from '../../src/format/recordBatch.js';
import { LogFileReader } from '../../src/storage/logFileReader.js';
import { parseOffsetFileName } from '../../src/storage/fileNames.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const KSEG_BIN = join(REPO_ROOT, 'bin/kseg.js');

const created: string[] = [];

/** A fresh directory under os.tmpdir(); removed by cleanupTempDirs(). */
export function tempDir(prefix = 'kseg-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  created.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  while (created.length > 0) rmSync(created.pop()!, { recursive: true, force: true });
}

const pad = (n: number) => String(n).padStart(20, '0');
export const segFile = (dir: string, base: number, suffix: string) => join(dir, pad(base) + suffix);

/** Segment base offsets of a partition dir (from its .log files), ascending. */
export function segmentBases(partDir: string): number[] {
  return readdirSync(partDir)
    .map((f) => parseOffsetFileName(f, '.log'))
    .filter((o): o is number => o !== null)
    .sort((a, b) => a - b);
}

/** Partition dirs `<topic>-<n>` of a log dir, by partition number. */
export function partitionDirs(logDir: string, topic: string): { partition: number; dir: string }[] {
  return readdirSync(logDir)
    .map((n) => ({ n, m: new RegExp(`^${topic.replace(/[.]/g, '\\.')}-(\\d+)$`).exec(n) }))
    .filter((x) => x.m)
    .map((x) => ({ partition: Number(x.m![1]), dir: join(logDir, x.n) }))
    .sort((a, b) => a.partition - b.partition);
}

export interface BatchInfo {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  recordCount: number;
  attributes: number;
  codec: number;
  isControl: boolean;
  isTransactional: boolean;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastSequence: number;
  /** Stored CRC field (unsigned). */
  crc: number;
  crcValid: boolean;
  partitionLeaderEpoch: number;
  /** Control type (0 ABORT / 1 COMMIT) and coordinator epoch for control batches. */
  control?: { type: number; coordinatorEpoch: number };
}

export interface RecordInfo {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
  sequence: number;
}

/** Batch headers of a .log file (copied out), and how the file ended. */
export function readBatches(logPath: string): { batches: BatchInfo[]; end: NonNullable<LogFileReader['end']> } {
  const reader = new LogFileReader(logPath);
  const batches: BatchInfo[] = [];
  for (const b of reader) {
    const v = b as unknown as RecordBatch;
    let control: BatchInfo['control'];
    if (v.isControl) {
      for (const r of v.records()) {
        const k = r.key()!;
        const val = r.value();
        control = { type: k.readInt16BE(2), coordinatorEpoch: val && val.length >= 6 ? val.readInt32BE(2) : -1 };
      }
    }
    batches.push({
      position: b.position,
      size: b.sizeInBytes,
      baseOffset: b.baseOffset,
      lastOffset: b.lastOffset,
      maxTimestamp: b.maxTimestamp,
      recordCount: v.recordCount,
      attributes: v.attributes,
      codec: v.compression,
      isControl: v.isControl,
      isTransactional: v.isTransactional,
      producerId: v.producerId,
      producerEpoch: v.producerEpoch,
      baseSequence: v.baseSequence,
      lastSequence: v.lastSequence,
      crc: b.checksum,
      crcValid: b.isValid(),
      partitionLeaderEpoch: v.partitionLeaderEpoch,
      control,
    });
  }
  return { batches, end: reader.end! };
}

/** Every record of a .log file, copied out (keys/values as Buffers). */
export function readRecords(logPath: string): RecordInfo[] {
  const out: RecordInfo[] = [];
  for (const b of new LogFileReader(logPath)) {
    for (const r of b.records()) {
      out.push({
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key() && Buffer.from(r.key()!),
        value: r.value() && Buffer.from(r.value()!),
        headers: r.headers().map((h) => ({ key: h.key, value: h.value && Buffer.from(h.value) })),
        sequence: r.sequence,
      });
    }
  }
  return out;
}

export interface IndexEntries {
  offsets: { offset: number; position: number }[];
  times: { timestamp: number; offset: number }[];
}

/**
 * What LogSegment.recover() rebuilds for a .log file, plus the entry onBecomeInactiveSegment /
 * close appends: walk the batches; before counting a batch, if more than `indexIntervalBytes` bytes
 * (strict >) came since the last entry, index (batch.lastOffset, batch start) and
 * (max timestamp so far, its offset) when that timestamp is larger than the last time entry.
 */
export function recomputeIndexes(logPath: string, indexIntervalBytes: number, withCloseEntry = true): IndexEntries {
  const offsets: IndexEntries['offsets'] = [];
  const times: IndexEntries['times'] = [];
  let validBytes = 0;
  let lastIndexEntry = 0;
  let maxTs = -1;
  let offsetOfMaxTs = -1;
  const maybeAppendTime = (ts: number, off: number) => {
    const last = times.length > 0 ? times[times.length - 1].timestamp : -1;
    if (ts > last) times.push({ timestamp: ts, offset: off });
  };
  const { batches, end } = readBatches(logPath);
  if (end.reason !== 'end') throw new Error(`${logPath} does not end cleanly: ${end.reason} ${end.message}`);
  for (const b of batches) {
    if (!b.crcValid) throw new Error(`${logPath}: invalid CRC at ${b.position}`);
    if (b.maxTimestamp > maxTs) {
      maxTs = b.maxTimestamp;
      offsetOfMaxTs = b.lastOffset;
    }
    if (validBytes - lastIndexEntry > indexIntervalBytes) {
      offsets.push({ offset: b.lastOffset, position: validBytes });
      maybeAppendTime(maxTs, offsetOfMaxTs);
      lastIndexEntry = validBytes;
    }
    validBytes += b.size;
  }
  if (withCloseEntry && maxTs >= 0) maybeAppendTime(maxTs, offsetOfMaxTs);
  return { offsets, times };
}

/** Bytes up to the last non-zero byte, rounded up to whole entries: drops a preallocated zero tail. */
function withoutZeroTail(b: Buffer, entrySize: number): number {
  let n = b.length;
  while (n > 0 && b[n - 1] === 0) n--;
  return Math.min(b.length, Math.ceil(n / entrySize) * entrySize);
}

/**
 * Raw .index entries: every 8-byte slot of the file (a trimmed file has no zero slots), or with
 * `dropZeroTail` only those before the zero-filled preallocated tail (a live segment's index).
 */
export function readOffsetIndexFile(path: string, baseOffset: number, dropZeroTail = false): { offset: number; position: number }[] {
  const b = readFileSync(path);
  const len = dropZeroTail ? withoutZeroTail(b, 8) : b.length;
  const out = [];
  for (let p = 0; p + 8 <= len; p += 8) out.push({ offset: baseOffset + b.readInt32BE(p), position: b.readInt32BE(p + 4) });
  return out;
}

/** Raw .timeindex entries: every 12-byte slot (or those before a zero tail, see readOffsetIndexFile). */
export function readTimeIndexFile(path: string, baseOffset: number, dropZeroTail = false): { timestamp: number; offset: number }[] {
  const b = readFileSync(path);
  const len = dropZeroTail ? withoutZeroTail(b, 12) : b.length;
  const out = [];
  for (let p = 0; p + 12 <= len; p += 12) out.push({ timestamp: Number(b.readBigInt64BE(p)), offset: baseOffset + b.readInt32BE(p + 8) });
  return out;
}

export interface RawSnapshotEntry {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastOffset: number;
  offsetDelta: number;
  timestamp: number;
  coordinatorEpoch: number;
  currentTxnFirstOffset: number;
}

/** Parses a producer-state .snapshot independently of src/storage and checks its CRC-32C. */
export function readSnapshotRaw(path: string): { version: number; crcStored: number; crcComputed: number; entries: RawSnapshotEntry[] } {
  const b = readFileSync(path);
  const count = b.readInt32BE(6);
  const entries: RawSnapshotEntry[] = [];
  for (let i = 0, p = 10; i < count; i++, p += 46) {
    entries.push({
      producerId: Number(b.readBigInt64BE(p)),
      producerEpoch: b.readInt16BE(p + 8),
      lastSequence: b.readInt32BE(p + 10),
      lastOffset: Number(b.readBigInt64BE(p + 14)),
      offsetDelta: b.readInt32BE(p + 22),
      timestamp: Number(b.readBigInt64BE(p + 26)),
      coordinatorEpoch: b.readInt32BE(p + 34),
      currentTxnFirstOffset: Number(b.readBigInt64BE(p + 38)),
    });
  }
  if (b.length !== 10 + 46 * count) throw new Error(`${path}: ${b.length} bytes for ${count} entries`);
  return { version: b.readInt16BE(0), crcStored: b.readUInt32BE(2), crcComputed: crc32c(b, 6, b.length), entries };
}

/** Relative path → size, sha256 and mtime of every file under `dir` (directories listed too). */
export function treeSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (e.isDirectory()) {
        out[rel + '/'] = 'dir';
        walk(p);
      } else {
        const st = statSync(p);
        out[rel] = `${st.size} ${createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return out;
}

/** Runs the built CLI synchronously (npm test compiles first). */
export function kseg(args: string[], opts: { timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(KSEG_BIN, args, { encoding: 'utf8', cwd: REPO_ROOT, timeout: opts.timeout ?? 60_000 });
}

/** Runs the built CLI asynchronously (so several can run at once). */
export function ksegAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(KSEG_BIN, args, { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', rej);
    child.on('close', (status) => res({ status, stdout, stderr }));
  });
}

/** Polls `cond` every 20 ms until true or `timeoutMs` passes (returns whether it became true). */
export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}
