// Seeded corruption campaign over partitions of every magic (0, 1, 2) and codec (none, gzip, snappy,
// lz4, and zstd for v2), each with 3-4 segments, real .index/.timeindex (small index.interval.bytes),
// .txnindex (v2), producer snapshots, a leader-epoch checkpoint (v2) and log-dir checkpoints.
//
// Every case damages one thing in a fresh copy, with an outcome stated in advance:
//   log damage    verify flags an error at the damaged batch's start (or where the tail begins);
//                 recover cuts the segment exactly there and moves later segments aside whole.
//   index damage  verify flags the index file (at the damaged entry when one entry is changed);
//                 recover rebuilds that segment's indexes by Kafka's rule and touches no .log.
//   snapshot      verify flags the snapshot; recover moves it aside (Kafka deletes a corrupt one).
//   uncovered     flips in bytes no CRC covers (offset fields, v2 partitionLeaderEpoch) may pass;
//                 only "nothing throws, nothing is lost, recover is idempotent" is asserted.
// And for every case: verify/dump leave every byte as it was; after recover, verify is ok; the
// quarantine manifest accounts for every cut or replaced byte (original = kept prefix + stored
// tail, sha256 and length right); a second recover has nothing to do; kafka-python reads every
// recovered .log with valid CRCs (checked once per distinct content at the end).
// The committed corrupt-* fixture twins get the same treatment at the end of the file.

import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recover } from '../../src/tools/recover.js';
import { verify, type VerifyResult } from '../../src/tools/verify.js';
import { dump } from '../../src/tools/dump.js';
import { readLeaderEpochCheckpoint, readOffsetCheckpoint } from '../../src/storage/index.js';
import { REPO_ROOT, requireKafkaPython } from '../helpers/kafkaPython.js';
import {
  buildClean,
  copyLogDir,
  decodeMany,
  hashTree,
  INDEX_INTERVAL,
  KINDS,
  kindName,
  modelBatches,
  modelIndexes,
  OracleCache,
  PART,
  readManifest,
  readTree,
  Rng,
  scratchDir,
  sha256,
  type CleanPartition,
  type Kind,
  type ModelBatch,
} from './support.js';

const kp = requireKafkaPython('verify campaign: kafka-python check of recovered .log files');

type Expect =
  | { what: 'log'; seg: number; cut: number }
  | { what: 'index'; seg: number; suffix: '.index' | '.timeindex'; position: number | null }
  | { what: 'snapshot'; file: string }
  | { what: 'uncovered' };

interface Case {
  label: string;
  mutate: (partDir: string) => void;
  expect: Expect;
}

type Family = { name: string; perKind: number; applies?: (k: Kind) => boolean; make: (c: CleanPartition, rng: Rng) => Case | null };

const segPath = (partDir: string, c: CleanPartition, s: number, suffix = '.log') => join(partDir, c.segments[s].name.replace(/\.log$/, suffix));

function flipBit(file: string, pos: number, bit: number): void {
  const b = readFileSync(file);
  b[pos] ^= 1 << bit;
  writeFileSync(file, b);
}

function pickBatch(c: CleanPartition, rng: Rng): { s: number; i: number; b: ModelBatch } {
  const s = rng.int(0, c.segments.length - 1);
  const i = rng.int(0, c.segments[s].batches.length - 1);
  return { s, i, b: c.segments[s].batches[i] };
}

/** A bit flip at byte `rel` of a batch (a position relative to the batch start). */
function batchFlip(c: CleanPartition, rng: Rng, label: string, range: (b: ModelBatch) => [number, number], expectFlag: boolean): Case {
  const { s, b } = pickBatch(c, rng);
  const [lo, hi] = range(b);
  const rel = rng.int(lo, hi);
  const bit = rng.int(0, 7);
  return {
    label: `${label} seg ${s} batch@${b.position} byte +${rel} bit ${bit}`,
    mutate: (d) => flipBit(segPath(d, c, s), b.position + rel, bit),
    expect: expectFlag ? { what: 'log', seg: s, cut: b.position } : { what: 'uncovered' },
  };
}

const FAMILIES: Family[] = [
  {
    // CRC-32C covers v2 bytes [21, end) (attributes on); CRC-32 covers legacy bytes [16, end) (magic on),
    // which includes an uncompressed v0/v1 message's key and value. A single-bit error is always caught.
    name: 'crc-covered bit flip',
    perKind: 24,
    make: (c, rng) => batchFlip(c, rng, 'covered flip', (b) => [c.kind.magic === 2 ? 21 : 16, b.size - 1], true),
  },
  {
    name: 'crc field bit flip',
    perKind: 16,
    make: (c, rng) => batchFlip(c, rng, 'crc flip', () => (c.kind.magic === 2 ? [17, 20] : [12, 15]), true),
  },
  {
    // Not CRC-covered, but any value other than 2 is a different (or unknown) format: caught.
    name: 'v2 magic byte flip',
    perKind: 6,
    applies: (k) => k.magic === 2,
    make: (c, rng) => batchFlip(c, rng, 'magic flip', () => [16, 16], true),
  },
  {
    name: 'size field',
    perKind: 16,
    make: (c, rng) => {
      const { s, b } = pickBatch(c, rng);
      const fileSize = c.segments[s].bytes.length;
      const remaining = fileSize - b.position - 12;
      const mode = rng.int(0, 2);
      // 0: past the end of the file; 1: below the 14-byte minimum (incl. negative); 2: another in-file
      // value (the CRC then covers other bytes, or the v2 size is below the 61-byte overhead).
      let size: number;
      if (mode === 0) size = remaining + rng.int(1, 2 ** 31 - 1 - remaining);
      else if (mode === 1) size = rng.pick([-1, -(2 ** 31), 0, 1, 13, rng.int(-1000, 13)]);
      else {
        do size = rng.int(14, remaining);
        while (size === b.size - 12);
      }
      return {
        label: `size ${['past end', 'below minimum', 'in file'][mode]} seg ${s} batch@${b.position} ${b.size - 12}→${size}`,
        mutate: (d) => {
          const f = segPath(d, c, s);
          const buf = readFileSync(f);
          buf.writeInt32BE(size, b.position + 8);
          writeFileSync(f, buf);
        },
        expect: { what: 'log', seg: s, cut: b.position },
      };
    },
  },
  {
    name: 'truncation mid-batch',
    perKind: 16,
    make: (c, rng) => {
      const { s, b } = pickBatch(c, rng);
      const at = b.position + rng.int(1, b.size - 1);
      return { label: `truncate seg ${s} at ${at} (batch@${b.position}+${b.size})`, mutate: (d) => truncateSync(segPath(d, c, s), at), expect: { what: 'log', seg: s, cut: b.position } };
    },
  },
  {
    name: 'zero or garbage tail',
    perKind: 16,
    make: (c, rng) => {
      const s = rng.int(0, c.segments.length - 1);
      const zero = rng.next() < 0.5;
      const len = rng.pick([1, 7, 16, 17, 61, rng.int(1, 3000), rng.int(1, 3000)]);
      const tail = zero ? Buffer.alloc(len) : rng.bytes(len);
      return {
        label: `${zero ? 'zero' : 'garbage'} tail of ${len} on seg ${s}`,
        mutate: (d) => appendFileSync(segPath(d, c, s), tail),
        expect: { what: 'log', seg: s, cut: c.segments[s].bytes.length },
      };
    },
  },
  {
    name: 'index entry damage',
    perKind: 16,
    make: (c, rng) => indexCase(c, rng),
  },
  {
    // Every byte of a snapshot is checked: version (0-1), CRC field (2-5), CRC-32C over [6, end).
    name: 'producer snapshot bit flip',
    perKind: 16,
    make: (c, rng) => {
      const snaps = readdirSync(c.partDir).filter((f) => f.endsWith('.snapshot')).sort();
      const name = rng.pick(snaps);
      const size = c.files.get(`${PART}/${name}`)!.length;
      const pos = rng.int(0, size - 1);
      const bit = rng.int(0, 7);
      return { label: `snapshot ${name} byte ${pos} bit ${bit}`, mutate: (d) => flipBit(join(d, name), pos, bit), expect: { what: 'snapshot', file: name } };
    },
  },
  {
    // v2 baseOffset (0-7) and partitionLeaderEpoch (12-15), legacy offset (0-7): no CRC covers them.
    name: 'uncovered bit flip',
    perKind: 8,
    make: (c, rng) => batchFlip(c, rng, 'uncovered flip', () => (c.kind.magic === 2 && rng.next() < 0.5 ? [12, 15] : [0, 7]), false),
  },
];

/** Damage to one segment's .index or .timeindex with a stated position. */
function indexCase(c: CleanPartition, rng: Rng): Case | null {
  const withIdx = c.segments.map((s, i) => ({ i, idx: c.files.get(`${PART}/${s.name.replace('.log', '.index')}`)!, tidx: c.files.get(`${PART}/${s.name.replace('.log', '.timeindex')}`)! })).filter((x) => x.idx.length >= 8);
  const { i: s, idx, tidx } = rng.pick(withIdx);
  const seg = c.segments[s];
  const n = idx.length / 8;
  const nt = tidx.length / 12;
  const modes = ['idx-cut', 'idx-pos-inside', 'idx-pos-past-end', 'idx-offset-past-end', 'idx-offset-before', ...(n >= 2 ? ['idx-swap'] : []), ...(n >= 3 ? ['idx-zero-entry'] : []), ...(nt >= 1 ? ['tidx-cut', 'tidx-ts', 'tidx-offset'] : []), ...(nt >= 2 ? ['tidx-swap'] : [])];
  const mode = rng.pick(modes);
  const k = rng.int(0, n - 1);
  const kt = rng.int(0, Math.max(0, nt - 1));
  const at = (pos: number) => seg.batches.findIndex((b) => b.position === pos);
  const entry = (slot: number) => ({ rel: idx.readInt32BE(slot * 8), pos: idx.readInt32BE(slot * 8 + 4) });
  const segEndRel = seg.batches[seg.batches.length - 1].lastOffset - seg.base;
  let data: Buffer;
  let suffix: '.index' | '.timeindex' = '.index';
  let position: number | null;
  switch (mode) {
    case 'idx-cut': {
      const len = idx.length - rng.int(1, 7);
      data = idx.subarray(0, len);
      position = len - (len % 8);
      break;
    }
    case 'idx-pos-inside': {
      const e = entry(k);
      const b = seg.batches[at(e.pos)];
      data = Buffer.from(idx);
      data.writeInt32BE(e.pos + rng.int(1, b.size - 1), k * 8 + 4);
      position = k * 8;
      break;
    }
    case 'idx-pos-past-end':
      data = Buffer.from(idx);
      data.writeInt32BE(seg.bytes.length + rng.int(0, 1000), k * 8 + 4);
      position = k * 8;
      break;
    case 'idx-offset-past-end':
      data = Buffer.from(idx);
      data.writeInt32BE(segEndRel + rng.int(1, 1000), k * 8);
      position = k * 8;
      break;
    case 'idx-offset-before': {
      // Below the first offset of the batch at the entry's position: the previous batch's last offset.
      const j = at(entry(k).pos);
      const rel = seg.batches[j - 1].lastOffset - seg.base;
      data = Buffer.from(idx);
      data.writeInt32BE(rel === 0 ? -1 : rel, k * 8); // relative offset 0 would read as a zero (preallocated) slot
      position = k * 8;
      break;
    }
    case 'idx-swap': {
      const a = rng.int(0, n - 2);
      data = Buffer.from(idx);
      idx.copy(data, a * 8, (a + 1) * 8, (a + 2) * 8);
      idx.copy(data, (a + 1) * 8, a * 8, (a + 1) * 8);
      position = (a + 1) * 8;
      break;
    }
    case 'idx-zero-entry': {
      const z = rng.int(1, n - 2); // real entries follow the zeroed one
      data = Buffer.from(idx);
      data.fill(0, z * 8, z * 8 + 8);
      position = z * 8;
      break;
    }
    case 'tidx-cut': {
      suffix = '.timeindex';
      const len = tidx.length - rng.int(1, 11);
      data = tidx.subarray(0, len);
      position = len - (len % 12);
      break;
    }
    case 'tidx-ts': {
      suffix = '.timeindex';
      data = Buffer.from(tidx);
      const ts = Number(tidx.readBigInt64BE(kt * 12));
      data.writeBigInt64BE(BigInt(ts + rng.pick([-3, -2, -1, 1, 2, 3])), kt * 12);
      position = kt * 12;
      break;
    }
    case 'tidx-offset': {
      suffix = '.timeindex';
      data = Buffer.from(tidx);
      const rel = tidx.readInt32BE(kt * 12 + 8);
      data.writeInt32BE(rel + rng.pick([-2, -1, 1, 2, 1000]), kt * 12 + 8);
      position = kt * 12;
      break;
    }
    default: {
      // tidx-swap
      suffix = '.timeindex';
      const a = rng.int(0, nt - 2);
      data = Buffer.from(tidx);
      tidx.copy(data, a * 12, (a + 1) * 12, (a + 2) * 12);
      tidx.copy(data, (a + 1) * 12, a * 12, (a + 1) * 12);
      position = (a + 1) * 12;
    }
  }
  const bytes = data;
  return { label: `${mode} seg ${s}`, mutate: (d) => writeFileSync(segPath(d, c, s, suffix), bytes), expect: { what: 'index', seg: s, suffix, position } };
}

// ---------------------------------------------------------------------------------------------

function problemsAt(v: VerifyResult, file: string): string {
  return JSON.stringify(v.problems.filter((p) => p.file === file).map((p) => [p.position, p.check, p.severity, p.message]));
}

interface CaseContext {
  n: number;
  clean: CleanPartition;
  caseDir: string;
  oracle: OracleCache;
}

function runCase(ctx: CaseContext, cs: Case): void {
  const { clean } = ctx;
  const { logDir, partDir } = copyLogDir(clean, join(ctx.caseDir, 'log'));
  const qRoot = join(ctx.caseDir, 'quarantine');
  cs.mutate(partDir);
  const damaged = readTree(logDir);
  const damagedHashes = hashTree(logDir);

  // Read-only tools: nothing throws, every byte stays.
  // Shallow verify of the log dir every time; --deep and the partition-dir form on alternate cases.
  const v = verify([logDir]);
  const runs = [v];
  if (ctx.n % 2 === 1) runs.push(verify([logDir], { deep: true }));
  else runs.push(verify([partDir]));
  let events = 0;
  for (const _ of dump([logDir, partDir], { deepIteration: true, printDataLog: true, indexSanityCheck: true })) events++;
  expect(events).toBeGreaterThan(0);
  expect(hashTree(logDir)).toEqual(damagedHashes);

  const e = cs.expect;
  if (e.what === 'log') {
    const file = segPath(partDir, clean, e.seg);
    for (const r of runs) {
      expect(r.ok, 'verify flags it').toBe(false);
      expect(r.problems.some((p) => p.file === file && p.position === e.cut && p.severity === 'error'), `an error at ${file}:${e.cut}; got ${problemsAt(r, file)}`).toBe(true);
    }
  } else if (e.what === 'index') {
    const file = segPath(partDir, clean, e.seg, e.suffix);
    expect(v.ok, 'verify flags it').toBe(false);
    expect(v.problems.some((p) => p.file === file && p.severity !== 'info' && (e.position === null || p.position === e.position)), `a problem at ${file}:${e.position}; got ${problemsAt(v, file)}`).toBe(true);
  } else if (e.what === 'snapshot') {
    const file = join(partDir, e.file);
    expect(v.ok).toBe(false);
    expect(v.problems.some((p) => p.file === file && p.check === 'producer-snapshot' && p.severity === 'error'), `a snapshot problem; got ${problemsAt(v, file)}`).toBe(true);
  }

  // Recover, then everything checks out.
  const r = recover(logDir, { quarantineDir: qRoot, indexIntervalBytes: INDEX_INTERVAL });
  const after = verify([logDir]);
  if (e.what !== 'uncovered') {
    expect(after.problems.filter((p) => p.severity !== 'info'), 'verify after recover').toEqual([]);
    expect(after.ok).toBe(true);
    expect(r.actions.length).toBeGreaterThan(0);
  } else {
    // What may remain is what no recovery rule repairs: a flipped partitionLeaderEpoch the epoch
    // checkpoint lacks, or a flipped base offset that breaks the order across segments.
    const left = after.problems.filter((p) => p.severity !== 'info' && !['leader-epoch', 'segment-overlap', 'offset-order'].includes(p.check));
    expect(left, 'verify after recover').toEqual([]);
  }
  const now = readTree(logDir);
  checkQuarantine(damaged, now, r.quarantine);

  const end = r.partitions[0].logEndOffset;
  if (e.what === 'log') {
    const s = e.seg;
    const kept = clean.segments[s].bytes.subarray(0, e.cut);
    // The kept prefix is the original's valid prefix; earlier segments untouched; later ones gone.
    expect(now.get(`${PART}/${clean.segments[s].name}`)!.equals(kept), 'kept prefix').toBe(true);
    for (let j = 0; j < s; j++) expect(now.get(`${PART}/${clean.segments[j].name}`)!.equals(clean.segments[j].bytes)).toBe(true);
    for (let j = s + 1; j < clean.segments.length; j++) {
      const prefix = clean.segments[j].name.slice(0, 20);
      expect([...now.keys()].filter((f) => f.startsWith(`${PART}/${prefix}`) && !f.endsWith('.snapshot'))).toEqual([]);
    }
    const keptBatches = clean.segments[s].batches.filter((b) => b.position < e.cut);
    const expectedEnd = keptBatches.length ? keptBatches[keptBatches.length - 1].lastOffset + 1 : clean.segments[s].base;
    expect(end).toBe(expectedEnd);
    expect(r.actions.some((a) => a.action === 'truncate' && a.file === segPath(partDir, clean, s) && a.position === e.cut)).toBe(true);
    // Rebuilt indexes: Kafka's recovery rule over the kept batches.
    const m = modelIndexes(keptBatches, clean.segments[s].base);
    expect(now.get(`${PART}/${clean.segments[s].name.replace('.log', '.index')}`)!.equals(m.index), 'rebuilt .index').toBe(true);
    expect(now.get(`${PART}/${clean.segments[s].name.replace('.log', '.timeindex')}`)!.equals(m.timeIndex), 'rebuilt .timeindex').toBe(true);
    checkStateFiles(clean, logDir, end);
  } else if (e.what !== 'uncovered') {
    expect(r.actions.filter((a) => a.action === 'truncate' || (a.action === 'move-aside' && a.file.endsWith('.log'))), 'no .log cut or moved').toEqual([]);
  }
  if (e.what === 'index') {
    // No .log touched; this segment's indexes rebuilt by the recovery rule, nothing else changed.
    for (const seg of clean.segments) expect(now.get(`${PART}/${seg.name}`)!.equals(seg.bytes)).toBe(true);
    const seg = clean.segments[e.seg];
    const m = modelIndexes(seg.batches, seg.base);
    expect(now.get(`${PART}/${seg.name.replace('.log', '.index')}`)!.equals(m.index)).toBe(true);
    expect(now.get(`${PART}/${seg.name.replace('.log', '.timeindex')}`)!.equals(m.timeIndex)).toBe(true);
    expect(new Set(r.actions.map((a) => a.file))).toEqual(new Set([segPath(partDir, clean, e.seg, '.index'), segPath(partDir, clean, e.seg, '.timeindex')]));
    expect(end).toBe(clean.logEnd);
  }
  if (e.what === 'snapshot') {
    expect(r.actions.map((a) => [a.action, a.file])).toEqual([['move-aside', join(partDir, e.file)]]);
    expect(now.has(`${PART}/${e.file}`)).toBe(false);
    for (const [f, b] of clean.files) if (f !== `${PART}/${e.file}`) expect(now.get(f)?.equals(b), f).toBe(true);
  }

  // Idempotent: a second run finds nothing to do and changes nothing.
  const before2 = hashTree(logDir);
  const r2 = recover(logDir, { quarantineDir: join(ctx.caseDir, 'quarantine2'), indexIntervalBytes: INDEX_INTERVAL });
  expect(r2.actions, 'second recover').toEqual([]);
  expect(r2.quarantine).toBeNull();
  expect(hashTree(logDir)).toEqual(before2);

  for (const [f, b] of now) if (f.endsWith('.log') && b.length > 0) ctx.oracle.add(b);
}

/** Every file that changed or vanished is accounted for in the manifest, byte for byte. */
function checkQuarantine(before: Map<string, Buffer>, now: Map<string, Buffer>, runDir: string | null): void {
  const changed = [...before].filter(([f, b]) => !now.get(f)?.equals(b)).map(([f]) => f);
  if (changed.length === 0) {
    // Nothing cut or replaced (files may still have been rewritten to the same bytes).
    if (runDir === null) return;
  }
  expect(runDir, `quarantine for ${changed.join(', ')}`).not.toBeNull();
  const m = readManifest(runDir!);
  const bySource = new Map(m.entries.map((x) => [x.source, x]));
  for (const x of m.entries) {
    const stored = readFileSync(join(runDir!, x.stored));
    expect(stored.length).toBe(x.length);
    expect(sha256(stored)).toBe(x.sha256);
    const orig = before.get(x.source)!;
    expect(orig, `manifest source ${x.source} existed`).toBeDefined();
    if (x.wholeFile) expect(stored.equals(orig), `${x.source} kept whole`).toBe(true);
    else {
      expect(x.position + x.length).toBe(orig.length);
      expect(Buffer.concat([now.get(x.source)!, stored]).equals(orig), `${x.source} = kept prefix + quarantined tail`).toBe(true);
      expect(now.get(x.source)!.length).toBe(x.position);
    }
  }
  for (const f of changed) expect(bySource.has(f), `${f} changed or removed but is not in the manifest`).toBe(true);
}

/** Leader epochs, recovery point / high watermark and snapshots follow the new log end. */
function checkStateFiles(clean: CleanPartition, logDir: string, end: number): void {
  const partDir = join(logDir, PART);
  const epochFile = join(partDir, 'leader-epoch-checkpoint');
  if (clean.files.has(`${PART}/leader-epoch-checkpoint`)) {
    const original = readLeaderEpochCheckpoint(join(clean.partDir, 'leader-epoch-checkpoint'));
    expect(readLeaderEpochCheckpoint(epochFile)).toEqual(original.filter((x) => x.startOffset < end));
  }
  for (const name of ['recovery-point-offset-checkpoint', 'replication-offset-checkpoint']) {
    expect(readOffsetCheckpoint(join(logDir, name))).toEqual([{ topic: 't', partition: 0, offset: Math.min(clean.logEnd, end) }]);
  }
  const snaps = readdirSync(partDir).filter((f) => f.endsWith('.snapshot'));
  expect(snaps.every((f) => Number(f.slice(0, 20)) <= end)).toBe(true);
  for (const f of readdirSync(clean.partDir).filter((x) => x.endsWith('.snapshot') && Number(x.slice(0, 20)) <= end)) expect(existsSync(join(partDir, f)), f).toBe(true);
}

// ---------------------------------------------------------------------------------------------

describe('verify/recover seeded corruption campaign', () => {
  let root = '';
  const cleans = new Map<string, CleanPartition>();
  const oracle = new OracleCache();
  const tally = new Map<string, number>();
  let caseNo = 0;

  beforeAll(async () => {
    root = scratchDir('kseg-campaign-');
    for (const k of KINDS) cleans.set(kindName(k), await buildClean(k, join(root, 'clean')));
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the clean partitions verify ok (deep too) and match the hand-parsed model', () => {
    for (const c of cleans.values()) {
      expect(c.segments.length).toBeGreaterThanOrEqual(3);
      for (const deep of [false, true]) {
        const v = verify([c.logDir], { deep });
        expect(v.problems.filter((p) => p.severity !== 'info'), kindName(c.kind)).toEqual([]);
        expect(v.stats.segments).toBe(c.segments.length);
      }
      expect(recover(c.logDir, { dryRun: true, indexIntervalBytes: INDEX_INTERVAL }).actions).toEqual([]);
      for (const s of c.segments) {
        expect(modelBatches(s.bytes).length).toBeGreaterThan(0);
        expect(c.files.get(`${PART}/${s.name.replace('.log', '.index')}`)!.length, 'every segment but a short last one has index entries').toBeGreaterThanOrEqual(s === c.segments[c.segments.length - 1] ? 0 : 8);
      }
    }
  });

  for (const kind of KINDS) {
    for (const fam of FAMILIES) {
      if (fam.applies && !fam.applies(kind)) continue;
      it(`${kindName(kind)}: ${fam.name} × ${fam.perKind}`, () => {
        const c = cleans.get(kindName(kind))!;
        const seedBase = (KINDS.indexOf(kind) + 1) * 1_000_003 + FAMILIES.indexOf(fam) * 10_007;
        for (let n = 0; n < fam.perKind; n++) {
          const rng = new Rng(seedBase + n);
          const cs = fam.make(c, rng);
          if (!cs) continue;
          const caseDir = join(root, 'cases', `${++caseNo}`);
          try {
            runCase({ n, clean: c, caseDir, oracle }, cs);
          } catch (err) {
            (err as Error).message = `[${kindName(kind)} seed ${seedBase + n}: ${cs.label}] ${(err as Error).message}`;
            throw err;
          }
          rmSync(caseDir, { recursive: true, force: true });
          tally.set(fam.name, (tally.get(fam.name) ?? 0) + 1);
        }
      });
    }
  }

  it('ran hundreds of seeded cases per corruption kind', () => {
    const perFamily = Object.fromEntries(tally);
    console.log(`[campaign] cases per kind: ${JSON.stringify(perFamily)}; distinct recovered .log contents: ${oracle.size}`);
    for (const f of FAMILIES) if (!f.applies) expect(tally.get(f.name), f.name).toBeGreaterThanOrEqual(f.perKind * KINDS.length);
    const total = [...tally.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(1500);
  });

  it.skipIf(!kp.available)('kafka-python reads every recovered .log: decode succeeds, CRCs valid, same batches', async () => {
    expect(oracle.size).toBeGreaterThan(50);
    const failures = await oracle.checkAll((bytes, d) => {
      const model = modelBatches(bytes);
      if (d.remainingBytes !== 0) return `${bytes.length} bytes: ${d.remainingBytes} bytes left over`;
      if (d.batches.length !== model.length) return `${bytes.length} bytes: ${d.batches.length} batches, expected ${model.length}`;
      const bad = d.batches.findIndex((b, i) => !b.crcValid || b.baseOffset !== model[i].offsetField);
      return bad >= 0 ? `${bytes.length} bytes: batch ${bad} ${JSON.stringify(d.batches[bad])}` : null;
    });
    expect(failures).toEqual([]);
  }, 120_000);
});

describe('the committed corrupted fixture twins (fixtures/logs/corrupt-*)', () => {
  const FIX = join(REPO_ROOT, 'fixtures/logs');
  const cleanBytes = readFileSync(join(FIX, 'v2-none-0', '00000000000000000000.log'));
  const second = 12 + cleanBytes.readInt32BE(8); // where the fixture generator damaged the second batch
  const lastBatch = modelBatches(cleanBytes).pop()!.position;
  const twins: [string, number, string][] = [
    ['corrupt-crc-0', second, 'crc'],
    ['corrupt-size-0', second, 'framing'],
    ['corrupt-torn-0', lastBatch, 'trailing-bytes'],
    ['corrupt-zerotail-0', cleanBytes.length, 'trailing-bytes'],
  ];
  let tmp = '';
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it.each(twins)('%s: flagged at byte %i, recovered to the clean twin\'s prefix, read by kafka-python', async (name, cut, check) => {
    tmp ||= scratchDir('kseg-twins-');
    const logDir = join(tmp, name);
    mkdirSync(logDir);
    const partDir = join(logDir, name);
    cpSync(join(FIX, name), partDir, { recursive: true });
    const file = join(partDir, '00000000000000000000.log');
    const damaged = readFileSync(file);
    const v = verify([partDir]);
    expect(v.ok).toBe(false);
    expect(v.problems).toContainEqual(expect.objectContaining({ file, position: cut, check, severity: 'error' }));
    const r = recover(partDir, { quarantineDir: join(tmp, `${name}.q`) });
    expect(r.actions[0]).toMatchObject({ action: 'truncate', file, position: cut, length: damaged.length - cut });
    const kept = readFileSync(file);
    expect(kept.equals(cleanBytes.subarray(0, cut))).toBe(true);
    const m = readManifest(r.quarantine!);
    const tail = readFileSync(join(r.quarantine!, m.entries.find((e) => !e.wholeFile)!.stored));
    expect(Buffer.concat([kept, tail]).equals(damaged)).toBe(true);
    expect(verify([partDir]).ok).toBe(true);
    expect(recover(partDir, { quarantineDir: join(tmp, `${name}.q2`) }).actions).toEqual([]);
    if (kp.available) {
      const [d] = await decodeMany([kept]);
      expect('error' in d ? d.error : d.batches.every((b) => b.crcValid) && d.remainingBytes === 0).toBe(true);
    }
  });
});
