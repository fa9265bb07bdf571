// The regression gate on synthetic reports: regressions fail, noise within the threshold and
// improvements pass, cells on one side only are listed; GitHub annotation format and escaping.
import { describe, expect, it } from 'vitest';
import { KsegError } from '../../src/format/errors.js';
import { compareReports, githubAnnotations, validateReport } from '../../src/tools/benchCompare.js';
import { syntheticCell, syntheticReport } from './helpers.js';

const A = { compression: 'none' as const };
const B = { compression: 'lz4' as const };
const C = { compression: 'zstd' as const };

describe('compareReports', () => {
  const baseline = syntheticReport([syntheticCell({ ...A, produceRecs: 100_000, consumeRecs: 400_000 })]);
  const cmpWith = (produceRecs: number, consumeRecs: number, max = 10) => compareReports(syntheticReport([syntheticCell({ ...A, produceRecs, consumeRecs })]), baseline, max);

  it('fails a real regression (-30% with --max-regression 10)', () => {
    const cmp = cmpWith(70_000, 400_000);
    expect(cmp.compared).toHaveLength(2);
    expect(cmp.regressions).toEqual([
      { id: baseline.results[0].id, metric: 'produce.recordsPerSec', baseline: 100_000, current: 70_000, changePct: -30, regressed: true },
    ]);
    expect(cmp.compared.find((c) => c.metric === 'consume.recordsPerSec')).toMatchObject({ changePct: 0, regressed: false });
  });

  it('gates consume as well as produce', () => {
    const cmp = cmpWith(100_000, 200_000);
    expect(cmp.regressions.map((r) => [r.metric, r.changePct])).toEqual([['consume.recordsPerSec', -50]]);
  });

  it('passes noise within the threshold, the threshold itself, and improvements', () => {
    expect(cmpWith(95_000, 380_000).regressions).toEqual([]); // -5%
    expect(cmpWith(90_000, 360_000).regressions).toEqual([]); // exactly -10%: not *more* than 10
    const better = cmpWith(150_000, 800_000);
    expect(better.regressions).toEqual([]);
    expect(better.compared.map((c) => c.changePct)).toEqual([50, 100]);
    // --max-regression 0: any slowdown fails
    expect(cmpWith(99_999, 400_000, 0).regressions).toHaveLength(1);
    expect(cmpWith(100_000, 400_000, 0).regressions).toHaveLength(0);
  });

  it('lists cells missing on either side without failing on them', () => {
    const base = syntheticReport([syntheticCell(A), syntheticCell({ ...C, produceRecs: 1e9 })]);
    const cur = syntheticReport([syntheticCell(A), syntheticCell({ ...B, produceRecs: 1 })]);
    const cmp = compareReports(cur, base, 10);
    expect(cmp.compared.map((c) => c.id)).toEqual([cur.results[0].id, cur.results[0].id]);
    expect(cmp.regressions).toEqual([]);
    expect(cmp.missingInBaseline).toEqual([cur.results[1].id]);
    expect(cmp.missingInCurrent).toEqual([base.results[1].id]);
    expect(cmp.missingInBaseline[0]).toMatch(/^compression=lz4 /);
    expect(cmp.missingInCurrent[0]).toMatch(/^compression=zstd /);
  });

  it('does not divide by a zero baseline', () => {
    const zero = syntheticReport([syntheticCell({ ...A, produceRecs: 0, consumeRecs: 0 })]);
    const cmp = compareReports(syntheticReport([syntheticCell(A)]), zero, 10);
    expect(cmp.compared.map((c) => c.changePct)).toEqual([0, 0]);
    expect(cmp.regressions).toEqual([]);
  });

  it('rejects a negative or non-numeric threshold', () => {
    expect(() => cmpWith(1, 1, -1)).toThrow(KsegError);
    expect(() => cmpWith(1, 1, Number.NaN)).toThrow('--max-regression must be a percentage >= 0');
  });
});

describe('validateReport', () => {
  it('accepts a report and rejects things that are not one', () => {
    const ok = syntheticReport([syntheticCell(A)]);
    expect(validateReport(ok, 'x.json')).toBe(ok);
    expect(() => validateReport(null, 'x.json')).toThrow('x.json is not a kseg bench report (no results/version)');
    expect(() => validateReport([], 'x.json')).toThrow(KsegError);
    expect(() => validateReport({ results: [] }, 'x.json')).toThrow('no results/version');
    expect(() => validateReport({ version: 1, results: [{ id: 'a', produce: { recordsPerSec: 1 } }] }, 'x.json')).toThrow('x.json has a malformed result cell');
    expect(() => validateReport({ version: 1, results: [{ id: 'a', produce: { recordsPerSec: '1' }, consume: { recordsPerSec: 1 } }] }, 'x.json')).toThrow('malformed');
  });
});

describe('githubAnnotations', () => {
  it('prints one ::error per regression and a ::notice summary, % escaped', () => {
    const base = syntheticReport([syntheticCell({ ...A, produceRecs: 100_000, consumeRecs: 400_000 })]);
    const cmp = compareReports(syntheticReport([syntheticCell({ ...A, produceRecs: 70_000, consumeRecs: 100_000 })]), base, 10);
    const id = base.results[0].id;
    expect(githubAnnotations(cmp)).toEqual([
      `::error title=kseg bench regression%3A produce.recordsPerSec::${id}: 70000 vs 100000 records/s (-30.0%25, limit -10%25)`,
      `::error title=kseg bench regression%3A consume.recordsPerSec::${id}: 100000 vs 400000 records/s (-75.0%25, limit -10%25)`,
      '::notice title=kseg bench::2 comparisons, 2 regressions beyond 10%25',
    ]);
  });

  it('prints only the notice when nothing regressed', () => {
    const r = syntheticReport([syntheticCell(A)]);
    expect(githubAnnotations(compareReports(r, r, 5))).toEqual(['::notice title=kseg bench::2 comparisons, 0 regressions beyond 5%25']);
  });

  it('escapes %, CR and LF so each command stays on one line (% first, so %0A is not re-escaped)', () => {
    const id = 'odd 50% cell\r\nsecond line';
    const base = syntheticReport([syntheticCell({ ...A, id, produceRecs: 1000 })]);
    const lines = githubAnnotations(compareReports(syntheticReport([syntheticCell({ ...A, id, produceRecs: 500 })]), base, 12.5));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('::error title=kseg bench regression%3A produce.recordsPerSec::odd 50%25 cell%0D%0Asecond line: 500 vs 1000 records/s (-50.0%25, limit -12.5%25)');
    for (const l of lines) {
      expect(l).not.toMatch(/[\r\n]/);
      // `::command key=value,...::message`: the properties hold no raw ':' or ','
      expect(l).toMatch(/^::(error|notice) title=[^:,\r\n]*::[^\r\n]*$/);
    }
  });
});
