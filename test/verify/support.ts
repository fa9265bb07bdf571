// Shared helpers for the verify/recover proof tests: deterministic partitions of every magic and
// codec with real .index/.timeindex/.txnindex, producer snapshots, a leader-epoch checkpoint and
// log-dir checkpoints; an independent byte-level model of their batches (parsed here, not by the
// classes under test); directory hashing; the quarantine manifest; and a de-duplicating kafka-python
// oracle reader.

import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  buildLegacyBatch,
  buildRecordBatch,
  Codec,
  codecId,
  ControlRecordType,
  controlKey,
  endTxnMarkerValue,
  type CodecName,
  type RecordInput,
} from '../../src/format/index.js';
import { LogSegment, logConfig, PartitionLog, writeOffsetCheckpoint, encodeProducerSnapshot } from '../../src/storage/index.js';
import { REPO_ROOT, runPython, type OracleDecoded } from '../helpers/kafkaPython.js';

export const T0 = 1_700_000_000_000;
export const TOPIC = 't';
export const PART = 't-0';
/** index.interval.bytes of the generated partitions (small, so every segment has several entries). */
export const INDEX_INTERVAL = 120;

export interface Kind {
  magic: 0 | 1 | 2;
  codec: CodecName;
}

export const KINDS: Kind[] = [
  ...(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const).map((codec) => ({ magic: 2 as const, codec })),
  ...(['none', 'gzip', 'snappy', 'lz4'] as const).map((codec) => ({ magic: 1 as const, codec })),
  ...(['none', 'gzip', 'snappy', 'lz4'] as const).map((codec) => ({ magic: 0 as const, codec })),
];

export const kindName = (k: Kind) => `v${k.magic}-${k.codec}`;
export const pad20 = (n: number) => String(n).padStart(20, '0');

/** A fresh dir on tmpfs when there is one (recover fsyncs a lot), else under os.tmpdir(). */
export function scratchDir(prefix: string): string {
  const shm = '/dev/shm';
  let root = tmpdir();
  try {
    if (existsSync(shm) && statSync(shm).isDirectory()) {
      const probe = mkdtempSync(join(shm, 'kseg-probe-'));
      rmSync(probe, { recursive: true });
      root = shm;
    }
  } catch {
    root = tmpdir();
  }
  return mkdtempSync(join(root, prefix));
}

// ---------------------------------------------------------------------------------------------
// Deterministic PRNG (mulberry32) for seeded corruptions.

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.next() * a.length)];
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
}

// ---------------------------------------------------------------------------------------------
// Independent model of a .log file: shallow batches as the broker's FileLogInputStream sees them.

export interface ModelBatch {
  position: number;
  size: number;
  /** The int64 offset field at byte 0 (v2: base offset; legacy: the message offset, the last one for wrappers). */
  offsetField: number;
  lastOffset: number;
  maxTimestamp: number;
}

/** Parses a clean segment by hand: offset int64 @0, size int32 @8, magic @16, v2 lastOffsetDelta @23, maxTimestamp @35. */
export function modelBatches(bytes: Buffer): ModelBatch[] {
  const out: ModelBatch[] = [];
  let p = 0;
  while (p < bytes.length) {
    if (bytes.length - p < 17) throw new Error(`model: ${bytes.length - p} stray bytes at ${p}`);
    const size = 12 + bytes.readInt32BE(p + 8);
    const magic = bytes[p + 16];
    const offset = Number(bytes.readBigInt64BE(p));
    let lastOffset = offset;
    let maxTimestamp = -1;
    if (magic === 2) {
      lastOffset = offset + bytes.readInt32BE(p + 23);
      maxTimestamp = Number(bytes.readBigInt64BE(p + 35));
    } else if (magic === 1) maxTimestamp = Number(bytes.readBigInt64BE(p + 18));
    out.push({ position: p, size, offsetField: offset, lastOffset, maxTimestamp });
    p += size;
  }
  if (p !== bytes.length) throw new Error('model: last batch runs past the end');
  return out;
}

/** Kafka's LogSegment.recover index rule over whole batches (strict >, (lastOffset, position); time: max ts so far). */
export function modelIndexes(batches: readonly ModelBatch[], base: number, interval = INDEX_INTERVAL): { index: Buffer; timeIndex: Buffer } {
  const idx: Buffer[] = [];
  const tidx: Buffer[] = [];
  let lastTs = -1;
  const timeEntry = (ts: number, off: number) => {
    if (ts > lastTs) {
      const b = Buffer.alloc(12);
      b.writeBigInt64BE(BigInt(ts), 0);
      b.writeInt32BE(off - base, 8);
      tidx.push(b);
      lastTs = ts;
    }
  };
  let valid = 0;
  let lastEntry = 0;
  let maxTs = -1;
  let offOfMax = -1;
  for (const b of batches) {
    if (b.maxTimestamp > maxTs) {
      maxTs = b.maxTimestamp;
      offOfMax = b.lastOffset;
    }
    if (valid - lastEntry > interval) {
      const e = Buffer.alloc(8);
      e.writeInt32BE(b.lastOffset - base, 0);
      e.writeInt32BE(valid, 4);
      idx.push(e);
      timeEntry(maxTs, offOfMax);
      lastEntry = valid;
    }
    valid += b.size;
  }
  if (maxTs >= 0) timeEntry(maxTs, offOfMax);
  return { index: Buffer.concat(idx), timeIndex: Buffer.concat(tidx) };
}

// ---------------------------------------------------------------------------------------------
// Clean partitions.

export interface SegmentInfo {
  base: number;
  name: string; // 20-digit base + '.log'
  bytes: Buffer;
  batches: ModelBatch[];
}

export interface CleanPartition {
  kind: Kind;
  /** The log dir (holds the checkpoints and PART). */
  logDir: string;
  partDir: string;
  segments: SegmentInfo[];
  logEnd: number;
  /** Every file of the log dir, relative path → bytes. */
  files: Map<string, Buffer>;
}

function recordsFor(i: number, n: number, firstRecord: number, withHeaders: boolean): RecordInput[] {
  const out: RecordInput[] = [];
  for (let r = 0; r < n; r++) {
    const id = firstRecord + r;
    out.push({
      timestamp: T0 + id * 10,
      key: id % 6 === 5 ? null : Buffer.from(`key-${id}`),
      value: id % 9 === 8 ? null : Buffer.from(`{"id":${id},"batch":${i},"event":"page_view","path":"/item/${id % 13}","ok":true,"pad":"${'x'.repeat(id % 17)}"}`),
      headers: withHeaders && id % 2 === 0 ? [{ key: 'trace', value: Buffer.from(`t${id}`) }] : [],
    });
  }
  return out;
}

const BATCHES = 18;
const recordCount = (i: number) => 1 + ((i * 7) % 5);

function writeLogDirFiles(logDir: string, logEnd: number): void {
  writeFileSync(join(logDir, 'meta.properties'), 'cluster.id=AAAAAAAAAAAAAAAAAAAAAA\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAQ\nnode.id=1\nversion=1\n');
  writeOffsetCheckpoint(join(logDir, 'recovery-point-offset-checkpoint'), [{ topic: TOPIC, partition: 0, offset: logEnd }]);
  writeOffsetCheckpoint(join(logDir, 'replication-offset-checkpoint'), [{ topic: TOPIC, partition: 0, offset: logEnd }]);
  writeOffsetCheckpoint(join(logDir, 'log-start-offset-checkpoint'), []);
}

/** v2: through PartitionLog (real rolls, indexes, snapshots, epochs, an aborted txn per 6 batches). */
async function buildV2(codec: CodecName, logDir: string): Promise<void> {
  const c = codecId(codec);
  const batches: Buffer[] = [];
  let rec = 0;
  let seq1 = 0;
  let seq2 = 0;
  for (let i = 0; i < BATCHES; i++) {
    const epoch = Math.floor(i / 5);
    if (i % 6 === 4) {
      // ABORT marker of producer 2000's transaction (the batch before): a .txnindex entry.
      batches.push(buildRecordBatch([{ timestamp: T0 + rec * 10, key: controlKey(ControlRecordType.ABORT), value: endTxnMarkerValue(5) }], { producerId: 2000, producerEpoch: 0, baseSequence: -1, isTransactional: true, isControl: true, partitionLeaderEpoch: epoch }));
      rec++;
      continue;
    }
    const n = recordCount(i);
    const txn = i % 6 === 3;
    batches.push(
      buildRecordBatch(recordsFor(i, n, rec, true), {
        codec: c,
        producerId: txn ? 2000 : 1000,
        producerEpoch: 0,
        baseSequence: txn ? seq2 : seq1,
        isTransactional: txn,
        partitionLeaderEpoch: epoch,
      }),
    );
    if (txn) seq2 += n;
    else seq1 += n;
    rec += n;
  }
  const total = batches.reduce((a, b) => a + b.length, 0);
  const config = logConfig({ segmentBytes: Math.ceil(total / 3) + 1, indexIntervalBytes: INDEX_INTERVAL, segmentIndexBytes: 4096 });
  const log = PartitionLog.open(logDir, TOPIC, 0, config, { topicId: 'AAAAAAAAAAAAAAAAAAAAAA', now: () => T0 });
  for (const b of batches) log.append(b);
  await log.close();
  writeLogDirFiles(logDir, log.nextOffset);
}

/** v0/v1: LogSegment appends (multi-message appends for uncompressed data, as a broker stores a produce request). */
function buildLegacy(magic: 0 | 1, codec: CodecName, logDir: string): void {
  const partDir = join(logDir, PART);
  mkdirSync(partDir, { recursive: true });
  writeFileSync(join(partDir, 'partition.metadata'), 'version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAA');
  const c = codecId(codec);
  const config = logConfig({ indexIntervalBytes: INDEX_INTERVAL, segmentIndexBytes: 4096 });
  let offset = 0;
  let rec = 0;
  const perSegment = BATCHES / 3;
  const snapshot = encodeProducerSnapshot([]);
  for (let s = 0; s < 3; s++) {
    if (s > 0) writeFileSync(join(partDir, `${pad20(offset)}.snapshot`), snapshot); // written at roll
    const seg = new LogSegment(partDir, offset, config, T0);
    for (let a = 0; a < perSegment; a++) {
      const i = s * perSegment + a;
      const n = recordCount(i);
      const recs = recordsFor(i, n, rec, false);
      const bytes = buildLegacyBatch(recs, { magic, codec: c, baseOffset: offset });
      const lastOffset = offset + n - 1;
      seg.append(bytes, lastOffset, magic === 0 ? -1 : recs[n - 1].timestamp);
      offset += n;
      rec += n;
    }
    seg.close();
  }
  writeFileSync(join(partDir, `${pad20(offset)}.snapshot`), snapshot); // written at close
  writeLogDirFiles(logDir, offset);
}

export function readTree(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p));
    }
  };
  walk(root);
  return out;
}

export function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

/** relative path → sha256 of every file under root. */
export function hashTree(root: string): Map<string, string> {
  return new Map([...readTree(root)].map(([k, v]) => [k, sha256(v)]));
}

export async function buildClean(kind: Kind, root: string): Promise<CleanPartition> {
  const logDir = join(root, kindName(kind));
  mkdirSync(logDir, { recursive: true });
  if (kind.magic === 2) await buildV2(kind.codec, logDir);
  else buildLegacy(kind.magic, kind.codec, logDir);
  const partDir = join(logDir, PART);
  const segments = readdirSync(partDir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(partDir, name));
      return { base: Number(name.slice(0, 20)), name, bytes, batches: modelBatches(bytes) };
    });
  const lastSeg = segments[segments.length - 1];
  const logEnd = lastSeg.batches.length ? lastSeg.batches[lastSeg.batches.length - 1].lastOffset + 1 : lastSeg.base;
  return { kind, logDir, partDir, segments, logEnd, files: readTree(logDir) };
}

/** A copy of a clean log dir to corrupt. */
export function copyLogDir(clean: CleanPartition, to: string): { logDir: string; partDir: string } {
  cpSync(clean.logDir, to, { recursive: true });
  return { logDir: to, partDir: join(to, PART) };
}

// ---------------------------------------------------------------------------------------------
// Quarantine manifest.

export type { ManifestEntry } from '../../src/tools/quarantine.js';
import type { ManifestEntry } from '../../src/tools/quarantine.js';

export function readManifest(runDir: string): { version: number; logDir: string; entries: ManifestEntry[] } {
  return JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
}

// ---------------------------------------------------------------------------------------------
// kafka-python oracle: the oracle's `decode` on every distinct .log content, in one process.

export const DECODE_MANY = join(REPO_ROOT, 'test/verify/kafka_python_decode_many.py');

/** Runs kafka_python_oracle.py's decode over many inputs (see kafka_python_decode_many.py). */
export async function decodeMany(inputs: readonly Buffer[]): Promise<(OracleDecoded | { error: string })[]> {
  const { code, stdout, stderr } = await runPython([DECODE_MANY], JSON.stringify(inputs.map((b) => b.toString('hex'))));
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    parsed = null;
  }
  if (code !== 0 || !Array.isArray(parsed)) throw new Error(`kafka_python_decode_many failed: exit ${code}: ${stdout.slice(0, 500)} ${stderr.slice(0, 2000)}`);
  return parsed;
}

export class OracleCache {
  private readonly seen = new Map<string, Buffer>();
  add(bytes: Buffer): void {
    const h = sha256(bytes);
    if (!this.seen.has(h)) this.seen.set(h, Buffer.from(bytes));
  }
  get size(): number {
    return this.seen.size;
  }
  /** Decodes every distinct content; returns the failures as messages. */
  async checkAll(check: (bytes: Buffer, decoded: OracleDecoded) => string | null): Promise<string[]> {
    const items = [...this.seen.values()];
    const results = await decodeMany(items);
    const failures: string[] = [];
    results.forEach((d, i) => {
      if ('error' in d) failures.push(`${items[i].length} bytes: ${d.error}`);
      else {
        const f = check(items[i], d);
        if (f) failures.push(f);
      }
    });
    if (results.length !== items.length) failures.push(`${results.length} results for ${items.length} inputs`);
    return failures;
  }
}

export const CODEC_IDS: Record<CodecName, Codec> = { none: Codec.None, gzip: Codec.Gzip, snappy: Codec.Snappy, lz4: Codec.Lz4, zstd: Codec.Zstd };
