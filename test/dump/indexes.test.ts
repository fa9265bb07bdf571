// `.index` / `.timeindex` dumps of the real KRaft broker files: entries equal the `file:` lines of the
// corpus oracle's .check.txt; --verify-index-only accepts what the broker wrote (kraft-3.8.0-b's
// indexes differ from a recovery recomputation and must not be flagged) and flags deliberately
// corrupted copies in Kafka's stderr format; --index-sanity-check prints Kafka's lines. Files are
// never modified (Kafka's dumpIndex trims an index whose length is not a multiple of 8), and
// zero-filled preallocated tails end the index like Kafka's "sparse file" rule.

import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps, copyDir, FIXTURES, kraftDir, ksegDump, pad20, parseCheck, requireCorpus, sha256, tempDir, CORPUS } from './helpers.js';

const haveCorpus = requireCorpus('index dump tests on the KRaft corpus');
afterAll(cleanupTemps);

const SAMPLES = [
  ['a', '__cluster_metadata-0'],
  ['a', 'foo-0'],
  ['b', '__cluster_metadata-0'],
  ['b', 'foo-0'],
] as const;

const idx = (dir: string) => join(dir, pad20(0) + '.index');
const tidx = (dir: string) => join(dir, pad20(0) + '.timeindex');
const check = (sample: string, tp: string) => parseCheck(readFileSync(join(CORPUS, `kraft-3.8.0-${sample}`, 'oracle-expected', tp, pad20(0) + '.check.txt'), 'utf8'));
const lines = (s: string) => s.split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1));

/** What Kafka's dumpIndex / dumpTimeIndex print for the entries. */
function expectedIndexOut(file: string, entries: [number, number][]): string[] {
  return entries.length === 0 ? [`Dumping ${file}`, `${file} is empty.`] : [`Dumping ${file}`, ...entries.map(([o, p]) => `offset: ${o} position: ${p}`)];
}
const expectedTimeIndexOut = (file: string, entries: [number, number][]) => [`Dumping ${file}`, ...entries.map(([t, o]) => `timestamp: ${t} offset: ${o}`)];

/** Rewrites 8-byte offset-index entries: [slot, relativeOffset, position]. */
function patchIndex(file: string, patches: [number, number, number][]): void {
  const b = readFileSync(file);
  for (const [slot, rel, pos] of patches) {
    b.writeInt32BE(rel, slot * 8);
    b.writeInt32BE(pos, slot * 8 + 4);
  }
  writeFileSync(file, b);
}
/** Rewrites 12-byte time-index entries: [slot, timestamp, relativeOffset]. */
function patchTimeIndex(file: string, patches: [number, number, number][]): void {
  const b = readFileSync(file);
  for (const [slot, ts, rel] of patches) {
    b.writeBigInt64BE(BigInt(ts), slot * 12);
    b.writeInt32BE(rel, slot * 12 + 8);
  }
  writeFileSync(file, b);
}

describe.skipIf(!haveCorpus)('index and time-index dumps of the real KRaft files', () => {
  it('the oracle lists the expected entries (sanity of the test data)', () => {
    expect(check('a', '__cluster_metadata-0').indexFile).toEqual([[57, 4154], [114, 8258]]);
    expect(check('b', '__cluster_metadata-0').indexFile).toEqual([[56, 4123]]);
    expect(check('b', '__cluster_metadata-0').timeIndexFile).toHaveLength(3);
    expect(check('a', 'foo-0').indexFile).toEqual([]);
  });

  for (const [sample, tp] of SAMPLES) {
    it(`kraft-3.8.0-${sample} ${tp}: .index and .timeindex entries equal the broker's files`, () => {
      const dir = kraftDir(sample, tp);
      const c = check(sample, tp);
      const r = ksegDump([idx(dir), tidx(dir)]);
      expect(r.stderr).toBe('');
      expect(lines(r.stdout)).toEqual([...expectedIndexOut(idx(dir), c.indexFile!), ...expectedTimeIndexOut(tidx(dir), c.timeIndexFile!)]);
      expect(r.status).toBe(0);
    });
  }

  it('--verify-index-only on all eight files: no mismatch (kraft-3.8.0-b differs from recovery but is what the broker wrote), exit 0', () => {
    const files = SAMPLES.flatMap(([s, tp]) => [idx(kraftDir(s, tp)), tidx(kraftDir(s, tp))]);
    const r = ksegDump(['--verify-index-only', '--files', files.join(',')]);
    // --verify-index-only prints no entries; an empty .index still says so (Kafka checks entries() first)
    expect(lines(r.stdout).filter((l) => !l.startsWith('Dumping ') && !l.endsWith(' is empty.'))).toEqual([]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // the same with the JSON output: no problem events at all
    const j = ksegDump(['--json', '--verify-index-only', ...files]);
    expect(j.stdout).not.toContain('"type":"problem"');
    expect(j.status).toBe(0);
  });

  it('kraft-3.8.0-b: the time-index entry appended at shutdown (ts of offset 80) is checked against the log, not against a recomputation', () => {
    const dir = kraftDir('b', '__cluster_metadata-0');
    expect(check('b', '__cluster_metadata-0').timeIndexFile![1]).toEqual([1725272048281, 80]);
    const r = ksegDump(['--json', '--verify-index-only', tidx(dir), idx(dir)]);
    expect(r.stdout).not.toContain('"type":"problem"');
    expect(r.status).toBe(0);
  });

  describe('a corrupted copy is flagged in Kafka\'s stderr format', () => {
    it('offset index: entry pointing mid-batch and entry with a wrong offset -> "Mismatches in :<absPath>" in descending order, exit 1', () => {
      const dir = copyDir(kraftDir('a', '__cluster_metadata-0'), join(tempDir(), '__cluster_metadata-0'));
      patchIndex(idx(dir), [
        [0, 57, 4154 + 36], // mid-batch: no batch starts there
        [1, 113, 8258], // the batch at 8258 ends at 114
      ]);
      for (const flags of [['--verify-index-only'], []]) {
        const r = ksegDump([...flags, idx(dir)]);
        expect(r.status).toBe(1);
        expect(lines(r.stderr)).toEqual([`Mismatches in :${resolve(idx(dir))}`, '  Index offset: 113, log offset: 114', '  Index offset: 57, log offset: -1']);
        if (flags.length === 0) expect(lines(r.stdout)).toEqual([`Dumping ${idx(dir)}`, 'offset: 57 position: 4190', 'offset: 113 position: 8258']);
        else expect(lines(r.stdout)).toEqual([`Dumping ${idx(dir)}`]);
      }
      // a relative path is reported absolute, like Kafka's file.getAbsolutePath()
      const rel = ksegDump(['--verify-index-only', '__cluster_metadata-0/../__cluster_metadata-0/' + pad20(0) + '.index'], { cwd: dirname(dir) });
      expect(lines(rel.stderr)[0]).toBe(`Mismatches in :${idx(dir)}`);
    });

    it('an entry written for a multi-batch append (chunk\'s last offset at the chunk\'s start) is accepted, not a mismatch (Kafka flaw #9)', () => {
      const dir = copyDir(kraftDir('a', '__cluster_metadata-0'), join(tempDir(), '__cluster_metadata-0'));
      // batches at 4154 (offset 57) and 4226 (58) appended together: the broker indexes 58 at 4154
      patchIndex(idx(dir), [[0, 58, 4154]]);
      const r = ksegDump(['--verify-index-only', idx(dir)]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });

    it('time index: wrong timestamp, an offset that is not a batch\'s last offset, and out-of-order timestamps', () => {
      const dir = copyDir(kraftDir('a', '__cluster_metadata-0'), join(tempDir(), '__cluster_metadata-0'));
      const [e0, e1, e2] = check('a', '__cluster_metadata-0').timeIndexFile!;
      expect([e0[1], e1[1], e2[1]]).toEqual([57, 114, 128]);
      patchTimeIndex(tidx(dir), [
        [0, e0[0] + 1, 57], // timestamp one off
        [1, e1[0], 1], // offset 1 is inside the batch 1..4
        [2, e0[0] - 5, 128], // earlier than entry 0 (and not the batch's timestamp)
      ]);
      const r = ksegDump(['--verify-index-only', tidx(dir)]);
      const abs = resolve(tidx(dir));
      expect(lines(r.stderr)).toEqual([
        `Found timestamp mismatch in :${abs}`,
        `  Index timestamp: ${e0[0] + 1}, log timestamp: ${e0[0]}`,
        `  Index timestamp: ${e0[0] - 5}, log timestamp: ${e2[0]}`,
        `Found out of order timestamp in :${abs}`,
        `  Index timestamp: ${e0[0] - 5}, Previously indexed timestamp: ${e1[0]}`,
        'The following indexed offsets are not found in the log.',
        'Indexed offset: 1, found log offset: 4',
      ]);
      expect(r.status).toBe(1);
    });
  });

  describe('--index-sanity-check', () => {
    it('prints "<file> passed sanity check." (and "<file> is empty." for an empty .index, as Kafka checks entries first), exit 0', () => {
      const files = SAMPLES.flatMap(([s, tp]) => [idx(kraftDir(s, tp)), tidx(kraftDir(s, tp))]);
      const r = ksegDump(['--index-sanity-check', ...files]);
      const expected = files.flatMap((f) => [`Dumping ${f}`, f.endsWith('.index') && statSync(f).size === 0 ? `${f} is empty.` : `${f} passed sanity check.`]);
      expect(lines(r.stdout)).toEqual(expected);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });

    it('an index whose length is not a multiple of 8 fails with Kafka\'s message, exit 1, and the file is left as it was', () => {
      const dir = copyDir(kraftDir('a', '__cluster_metadata-0'), join(tempDir(), '__cluster_metadata-0'));
      appendFileSync(idx(dir), Buffer.from([1, 2, 3]));
      appendFileSync(tidx(dir), Buffer.from([1, 2, 3, 4, 5]));
      const before = [sha256(idx(dir)), sha256(tidx(dir))];
      const r = ksegDump(['--index-sanity-check', idx(dir), tidx(dir)]);
      expect(r.stderr).toContain(`Index file ${resolve(idx(dir))} is corrupt, found 19 bytes which is neither positive nor a multiple of 8`);
      expect(r.stderr).toContain(`Time index file ${resolve(tidx(dir))} is corrupt, found 41 bytes which is neither positive nor a multiple of 12`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.status).toBe(1);
      // every other mode reads it without trimming it (Kafka's OffsetIndex.close() -> trimToValidSize())
      for (const flags of [[], ['--verify-index-only'], ['--json']]) ksegDump([...flags, idx(dir), tidx(dir)]);
      expect([sha256(idx(dir)), sha256(tidx(dir))]).toEqual(before);
      expect(statSync(idx(dir)).size).toBe(19);
    });

    it('an index whose last offset is below the segment base fails with Kafka\'s message', () => {
      const dir = copyDir(join(FIXTURES, 'v2-txn-0'), join(tempDir(), 'v2-txn-0'));
      const index = join(dir, pad20(100) + '.index');
      const b = Buffer.alloc(8);
      b.writeInt32BE(-1, 0); // relative offset -1 -> absolute 99
      writeFileSync(index, b);
      const r = ksegDump(['--index-sanity-check', index]);
      expect(r.stderr).toContain(`Corrupt index found, index file ${resolve(index)} has non-zero size but the last offset is 99 which is less than the base offset 100`);
      expect(r.status).toBe(1);
    });
  });

  describe('zero-filled preallocated tails end the index (Kafka: stop at the first entry i>0 whose offset == baseOffset)', () => {
    it('dump, verify and sanity check see only the real entries; nothing flagged; files untouched', () => {
      const dir = copyDir(kraftDir('a', '__cluster_metadata-0'), join(tempDir(), '__cluster_metadata-0'));
      appendFileSync(idx(dir), Buffer.alloc(8 * 100));
      appendFileSync(tidx(dir), Buffer.alloc(12 * 100));
      const before = [sha256(idx(dir)), sha256(tidx(dir))];
      const c = check('a', '__cluster_metadata-0');
      const r = ksegDump([idx(dir), tidx(dir)]);
      expect(lines(r.stdout)).toEqual([...expectedIndexOut(idx(dir), c.indexFile!), ...expectedTimeIndexOut(tidx(dir), c.timeIndexFile!)]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const v = ksegDump(['--verify-index-only', idx(dir), tidx(dir)]);
      expect(v.stderr).toBe('');
      expect(v.status).toBe(0);
      const s = ksegDump(['--index-sanity-check', idx(dir)]);
      expect(lines(s.stdout).slice(0, 2)).toEqual([`Dumping ${idx(dir)}`, `${idx(dir)} passed sanity check.`]);
      // kseg adds what the sanity check cannot see
      expect(s.stdout).toContain('zero-filled');
      expect(s.status).toBe(0);
      expect([sha256(idx(dir)), sha256(tidx(dir))]).toEqual(before);
    });
  });
});
