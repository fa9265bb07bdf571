// `kseg bench` end to end with tiny cells: the --out report against docs/bench-report.schema.json,
// the regression gate's exit codes and output, and a bad --baseline refused before running.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/tools/bench.js';
import { kseg, ROOT, syntheticCell, syntheticReport } from './helpers.js';
import { checkSchema } from './schemaCheck.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'docs/bench-report.schema.json'), 'utf8'));
const ID = 'compression=none batch-size=16KiB record-size=1KiB flush=never partitions=1 linger=5';
const work = mkdtempSync(join(tmpdir(), 'kseg-bench-cli-'));
const disk = join(work, 'disk'); // --dir: the disk under test, must be left empty
mkdirSync(disk);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bench = (...args: string[]) => kseg(['bench', '--matrix', 'compression=none batch-size=16KiB', '--bytes-per-cell', '2MiB', '--dir', disk, '--no-progress', ...args]);
const file = (name: string, report: unknown) => {
  const p = join(work, name);
  writeFileSync(p, typeof report === 'string' ? report : JSON.stringify(report));
  return p;
};

let first: ReturnType<typeof kseg>;
let a: BenchReport;
let tenTimes: string;
beforeAll(() => {
  first = bench('--out', join(work, 'a.json'));
  a = JSON.parse(readFileSync(join(work, 'a.json'), 'utf8'));
  // The same cell, ten times faster in the baseline: a -90% regression.
  const fast: BenchReport = structuredClone(a);
  for (const c of fast.results) {
    c.produce.recordsPerSec *= 10;
    c.consume.recordsPerSec *= 10;
  }
  tenTimes = file('ten-times.json', fast);
});

describe('kseg bench --out', () => {
  it('runs one cell, prints the table and writes a report matching docs/bench-report.schema.json', () => {
    expect(first.stderr).not.toMatch(/\n\s+at /);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^disk under .*: write [\d.]+ MiB\/s buffered, [\d.]+ MiB\/s with fdatasync, page-cache read [\d.]+ MiB\/s \(64MiB\)$/m);
    expect(first.stdout).toContain(`\n${ID} `);
    expect(checkSchema(a, schema)).toEqual([]);
    expect(a.results.map((c) => c.id)).toEqual([ID]);
    expect(a.options).toEqual({ bytesPerCell: 2 * 1024 * 1024, repeat: 3, compressibility: 0.5, seed: 0 });
    expect(a.baseline.disk.dir).toBe(disk);
    expect(a.baseline.codecs).toEqual([]); // only compression=none
    expect(Math.abs(Date.now() - Date.parse(a.createdAt))).toBeLessThan(10 * 60_000);
    const [c] = a.results;
    expect(c.records).toBe(2048);
    expect(c.produce.samples).toHaveLength(3);
    expect(c.produce.latencyMs.p50).toBeLessThanOrEqual(c.produce.latencyMs.p99);
    expect(c.produce.latencyMs.p99).toBeLessThanOrEqual(c.produce.latencyMs.max);
    // ratios against the baseline measured in the same run (flush=never: buffered write)
    expect(c.ratios.produceVsDiskWrite).toBeCloseTo(c.produce.mbPerSec / a.baseline.disk.writeMBps, 12);
    expect(c.ratios.consumeVsPageCacheRead).toBeCloseTo(c.consume.mbPerSec / a.baseline.disk.pageCacheReadMBps, 12);
    expect(c.ratios.produceVsCodec).toBeNull();
    expect(readdirSync(disk)).toEqual([]);
  });

  it('the schema checker itself catches missing, unexpected and mistyped fields', () => {
    const ok = syntheticReport([syntheticCell()]);
    expect(checkSchema(ok, schema)).toEqual([]);
    const bad = structuredClone(ok) as unknown as Record<string, any>;
    delete bad.baseline.disk.writeFdatasyncMBps;
    bad.results[0].produce.latencyMs.p999 = '3';
    bad.results[0].consume.extra = 1;
    bad.results[0].config.compression = 'brotli';
    bad.results[0].ratios.produceVsCodec = -1;
    bad.createdAt = 'yesterday';
    bad.version = 2;
    expect(checkSchema(bad, schema).sort()).toEqual(
      [
        "$.baseline.disk: missing required 'writeFdatasyncMBps'",
        '$.results[0].produce.latencyMs.p999: expected number, got "3"',
        "$.results[0].consume: unexpected property 'extra'",
        '$.results[0].config.compression: "brotli" is not one of ["none","gzip","snappy","lz4","zstd"]',
        '$.results[0].ratios.produceVsCodec: -1 < minimum 0',
        "$.createdAt: 'yesterday' is not an RFC 3339 date-time",
        '$.version: expected 1, got 2',
      ].sort(),
    );
  });
});

describe('kseg bench --baseline', () => {
  it('exits 1 and prints REGRESSION against a baseline ten times faster', () => {
    const r = bench('--baseline', tenTimes, '--max-regression', '10', '--repeat', '1');
    expect(r.status).toBe(1);
    // Consuming 2 MiB takes a few ms, so its rate can swing ~10x between runs; only the produce
    // figure (hundreds of ms of real writes) is sure to regress against a 10x faster baseline.
    expect(r.stdout).toContain(`compared 2 figures with ${tenTimes}: `);
    expect(r.stdout).toMatch(/: [12] regressions beyond 10%$/m);
    expect(r.stdout).toMatch(new RegExp(`^REGRESSION ${ID} produce\\.recordsPerSec: \\d+ vs \\d+ \\(-\\d+\\.\\d%\\)$`, 'm'));
    expect(r.stdout).not.toContain('::error');
  });

  it('exits 0 against its own report with a generous threshold', () => {
    const r = bench('--baseline', join(work, 'a.json'), '--max-regression', '90');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`compared 2 figures with ${join(work, 'a.json')}: 0 regressions beyond 90%`);
    expect(r.stdout).not.toContain('REGRESSION');
  });

  it('--format github prints workflow annotations', () => {
    const r = bench('--baseline', tenTimes, '--format', 'github', '--repeat', '1');
    expect(r.status).toBe(1);
    const lines = r.stdout.split('\n');
    const errors = lines.filter((l) => l.startsWith('::error '));
    expect(errors.length).toBeGreaterThanOrEqual(1); // produce; consume too unless its few-ms timing swung
    expect(errors[0]).toMatch(new RegExp(`^::error title=kseg bench regression%3A produce\\.recordsPerSec::${ID}: \\d+ vs \\d+ records/s \\(-\\d+\\.\\d%25, limit -10%25\\)$`));
    for (const e of errors.slice(1)) expect(e).toMatch(/^::error title=kseg bench regression%3A consume\.recordsPerSec::/);
    expect(lines).toContain(`::notice title=kseg bench::2 comparisons, ${errors.length} regressions beyond 10%25`);
  });

  it('--format json prints only the report (schema-valid), and still exits 1 on a regression', () => {
    const r = bench('--baseline', tenTimes, '--format', 'json', '--repeat', '1');
    expect(r.status).toBe(1);
    const out = r.stdout.trimEnd().split('\n');
    expect(out).toHaveLength(1);
    const report = JSON.parse(out[0]);
    expect(checkSchema(report, schema)).toEqual([]);
    expect(report.options.repeat).toBe(1);
  });

  it('lists cells found on one side only and does not fail on them', () => {
    const renamed: BenchReport = structuredClone(a);
    renamed.results[0].id = ID.replace('none', 'zstd');
    renamed.results[0].produce.recordsPerSec = 1e12; // would be a regression if it were compared
    const r = bench('--baseline', file('renamed.json', renamed), '--repeat', '1');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('compared 0 figures with');
    expect(r.stdout).toContain(`\nnot in the baseline: ${ID}\n`);
    expect(r.stdout).toContain(`\nnot in this run: ${ID.replace('none', 'zstd')}\n`);
  });

  it('exits 2 on a missing or malformed --baseline before running anything', () => {
    const cases: [string, RegExp][] = [
      [join(work, 'no-such.json'), /^kseg: cannot read --baseline .*no-such\.json: ENOENT/],
      [file('garbage.json', '{"version": 1, "results": ['), /^kseg: --baseline .*garbage\.json: .*JSON/],
      [file('empty.json', ''), /^kseg: --baseline .*empty\.json: /],
      [file('other.json', { hello: 'world' }), /^kseg: --baseline .*other\.json: .*other\.json is not a kseg bench report \(no results\/version\)$/],
      [file('bad-cell.json', { version: 1, results: [{ id: ID }] }), /has a malformed result cell$/],
    ];
    for (const [path, message] of cases) {
      const r = bench('--baseline', path, '--out', join(work, 'never.json'));
      expect(r.status, path).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toContain('measuring');
    }
    // nothing was measured or written
    expect(readdirSync(disk)).toEqual([]);
    expect(readdirSync(work)).not.toContain('never.json');
  });
});
