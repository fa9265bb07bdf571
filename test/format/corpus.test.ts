// Real broker-written segments (/work/shared/corpus, see its SOURCES.md): every segment that has
// oracle output decodes record-for-record equal to it (`<base>.jsonl`), every batch passes
// ensureValid(), and the per-batch summary lines of `<base>.check.txt` match field by field.
// The corpus lives beside the repository and is never copied into it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchScanner, LegacyRecordBatch, RecordBatch, type Batch } from '../../src/format/index.js';
import { REPO_ROOT } from '../helpers/kafkaPython.js';
import { readJsonl, type JsonlRecord } from '../dump/helpers.js';
import { b64 } from './support.js';

const CORPUS = path.resolve(REPO_ROOT, '../shared/corpus');

interface CorpusSegment {
  /** e.g. kraft-3.8.0-a/foo-0/00000000000000000000 */
  name: string;
  log: string;
  jsonl: string;
  check: string | null;
}

function findDirs(root: string, name: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (p === skip) continue;
      if (e.name === name) out.push(p);
      walk(p);
    }
  };
  walk(root);
  return out;
}

function listSegments(): { segments: CorpusSegment[]; problems: string[] } {
  const segments: CorpusSegment[] = [];
  const problems: string[] = [];
  for (const sample of fs.readdirSync(CORPUS, { withFileTypes: true })) {
    if (!sample.isDirectory()) continue;
    const sampleDir = path.join(CORPUS, sample.name);
    const expectedDir = path.join(sampleDir, 'oracle-expected');
    if (!fs.existsSync(expectedDir)) continue;
    for (const tp of fs.readdirSync(expectedDir)) {
      for (const f of fs.readdirSync(path.join(expectedDir, tp))) {
        if (!f.endsWith('.jsonl')) continue;
        const base = f.slice(0, -'.jsonl'.length);
        const dirs = findDirs(sampleDir, tp, expectedDir).filter((d) => fs.existsSync(path.join(d, `${base}.log`)));
        const name = `${sample.name}/${tp}/${base}`;
        if (dirs.length !== 1) {
          problems.push(`${name}: expected one ${tp}/${base}.log, found ${dirs.length}`);
          continue;
        }
        const check = path.join(expectedDir, tp, `${base}.check.txt`);
        segments.push({ name, log: path.join(dirs[0], `${base}.log`), jsonl: path.join(expectedDir, tp, f), check: fs.existsSync(check) ? check : null });
      }
    }
  }
  return { segments: segments.sort((a, b) => a.name.localeCompare(b.name)), problems };
}

const corpusPresent = fs.existsSync(CORPUS);
if (!corpusPresent) console.warn(`[skip] corpus tests: no corpus at ${CORPUS}`);
const { segments, problems } = corpusPresent ? listSegments() : { segments: [], problems: [] };


/** The fields a `.check.txt` batch line carries, computed by kseg, as the oracle prints them. */
function checkFields(b: Batch): Record<string, string> {
  const f: Record<string, string> = {
    pos: String(b.position),
    size: String(b.sizeInBytes),
    magic: String(b.magic),
    codec: b.compressionName,
    base: String(b.baseOffset),
    last: String(b.lastOffset),
    maxts: String(b.maxTimestamp),
    count: String(b.countRecords()),
    tstype: String(b.timestampType),
  };
  if (b instanceof RecordBatch) {
    f.pleo = String(b.partitionLeaderEpoch);
    f.pid = String(b.producerId);
    f.txn = b.isTransactional ? '1' : '0';
    f.ctrl = b.isControl ? '1' : '0';
  }
  return f;
}

function parseCheckLine(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tok of line.trim().split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) out[tok.slice(0, eq)] = tok.slice(eq + 1);
  }
  return out;
}

describe.skipIf(!corpusPresent)('broker-written corpus', () => {
  it('has segments with oracle output, each matched to exactly one .log', () => {
    expect(problems).toEqual([]);
    expect(segments.length).toBeGreaterThan(0);
  });

  for (const seg of segments) {
    it(`${seg.name} decodes like the oracle`, () => {
      const buf = fs.readFileSync(seg.log);
      const expected = readJsonl(seg.jsonl);

      const scanner = new BatchScanner(buf);
      const got: JsonlRecord[] = [];
      const fields: Record<string, string>[] = [];
      for (const b of scanner) {
        expect(() => b.ensureValid(), `batch at ${b.position}`).not.toThrow();
        expect(b.isValid()).toBe(true);
        fields.push(checkFields(b));
        const batchBase = b.baseOffset;
        let n = 0;
        for (const r of b.records()) {
          n++;
          got.push({
            offset: r.offset,
            timestamp: r.timestamp,
            key_b64: b64(r.key()),
            value_b64: b64(r.value()),
            headers: r.headers().map((h) => [h.key, b64(h.value)]),
            magic: b.magic,
            codec: b.compressionName,
            batch_base_offset: batchBase,
          });
        }
        expect(n, `records of batch at ${b.position}`).toBe(b.countRecords());
        if (b instanceof LegacyRecordBatch && b.compression === 0) expect(n).toBe(1);
      }
      expect(scanner.stopReason, scanner.stopMessage).toBe('end');
      expect(scanner.position).toBe(buf.length);
      expect(got.length).toBe(expected.length);
      // record by record, so a mismatch names its offset
      for (let i = 0; i < expected.length; i++) expect(got[i], `record #${i} (offset ${expected[i].offset})`).toEqual(expected[i]);

      if (seg.check) {
        const text = fs.readFileSync(seg.check, 'utf8');
        const lines = text.split('\n').filter((l) => l.startsWith('pos='));
        expect(lines.length).toBe(fields.length);
        lines.forEach((line, i) => {
          const want = parseCheckLine(line);
          const mine = fields[i];
          // every field the oracle printed must be one kseg computes, with the same value
          const picked = Object.fromEntries(Object.keys(want).map((k) => [k, mine[k]]));
          expect(picked, `check line ${i + 1}: ${line}`).toEqual(want);
        });
        const summary = /^OK .*: (\d+) bytes, (\d+) batches, (\d+) records$/m.exec(text);
        expect(summary, 'summary line').not.toBeNull();
        expect([Number(summary![1]), Number(summary![2]), Number(summary![3])]).toEqual([buf.length, fields.length, got.length]);
      }
    });
  }
});
