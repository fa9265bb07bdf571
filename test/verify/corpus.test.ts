// The real broker-written corpus (/work/shared/corpus/*/<log dir>): verify finds nothing wrong
// (info-level notes allowed), with and without --deep, through the library and the CLI; recover on
// a copy changes no existing byte and keeps nothing in a quarantine (it only recreates the index
// files the corpus was copied without), and rebuilds Kafka's own index bytes. Skipped, with a
// message, when the corpus is absent.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recover, type RecoverAction } from '../../src/tools/recover.js';
import { verify } from '../../src/tools/verify.js';
import { REPO_ROOT } from '../helpers/kafkaPython.js';
import { hashTree, scratchDir } from './support.js';

const CORPUS = '/work/shared/corpus';

/** Dirs under the corpus that hold partition dirs (`<topic>-<n>/` with .log files), up to 4 levels down. */
function corpusLogDirs(): string[] {
  if (!existsSync(CORPUS)) return [];
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    const subdirs = readdirSync(d).filter((f) => f !== 'oracle-expected' && statSync(join(d, f)).isDirectory());
    if (subdirs.some((s) => /-\d+$/.test(s) && readdirSync(join(d, s)).some((f) => f.endsWith('.log')))) out.push(d);
    else if (depth < 4) for (const s of subdirs) walk(join(d, s), depth + 1);
  };
  walk(CORPUS, 0);
  return out.sort();
}

const dirs = corpusLogDirs();
if (dirs.length === 0) console.warn(`[skip] verify corpus tests: no log dirs under ${CORPUS}`);

describe.skipIf(dirs.length === 0)('the real corpus', () => {
  let tmp = '';
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('has log dirs from several brokers', () => {
    expect(dirs.length).toBeGreaterThanOrEqual(5);
  });

  for (const dir of dirs) {
    const name = dir.slice(CORPUS.length + 1);
    it(`${name}: verify is ok with and without --deep (info only)`, () => {
      for (const deep of [false, true]) {
        const r = verify([dir], { deep });
        expect(r.problems.filter((p) => p.severity !== 'info'), `deep=${deep}`).toEqual([]);
        expect(r.ok).toBe(true);
        expect(r.stats.batches).toBeGreaterThan(0);
        expect(r.partitions.length).toBeGreaterThan(0);
      }
    });

    it(`${name}: recover on a copy changes no byte (it only recreates index files the corpus lacks)`, () => {
      // Most corpus dirs were copied without their (preallocated, absent) .index/.timeindex files;
      // recover rebuilds a missing index like a broker's LogLoader does. Nothing else may happen.
      const isMissingIndex = (a: RecoverAction) => a.action === 'rebuild-index' && a.reason === 'index file missing' && !existsSync(a.file);
      const plan = recover(dir, { dryRun: true }).actions;
      expect(plan.filter((a) => !isMissingIndex(a))).toEqual([]);
      tmp ||= scratchDir('kseg-corpus-recover-');
      const copy = join(tmp, name.replace(/\//g, '__'));
      cpSync(dir, copy, { recursive: true });
      const before = hashTree(copy);
      const q = `${copy}.q`;
      const r = recover(copy, { quarantineDir: q });
      expect(r.actions.map((a) => relative(copy, a.file))).toEqual(plan.map((a) => relative(dir, a.file)));
      expect(r.quarantine).toBeNull();
      expect(existsSync(q)).toBe(false);
      const after = hashTree(copy);
      for (const [f, h] of before) expect(after.get(f), f).toBe(h);
      expect([...after.keys()].filter((f) => !before.has(f)).every((f) => /\.(index|timeindex)$/.test(f))).toBe(true);
      expect(verify([copy], { deep: true }).ok).toBe(true);
      // Now truly nothing to do.
      expect(recover(copy, { quarantineDir: q }).actions).toEqual([]);
      expect(hashTree(copy)).toEqual(after);
      if (plan.length === 0) console.log(`[corpus] ${name}: recover does nothing`);
    });
  }

  const kraftA = dirs.find((d) => d.includes('kraft-3.8.0-a'));
  it.skipIf(!kraftA)('indexes rebuilt by recover equal the ones Apache Kafka 3.8.0 wrote (kraft-3.8.0-a)', () => {
    tmp ||= scratchDir('kseg-corpus-recover-');
    const copy = join(tmp, 'kraft-a-reindex');
    cpSync(kraftA!, copy, { recursive: true });
    const indexes = hashTree(copy);
    const names = [...indexes.keys()].filter((f) => /\.(index|timeindex)$/.test(f));
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const f of names) rmSync(join(copy, f));
    const r = recover(copy, { quarantineDir: `${copy}.q` });
    expect(r.actions.map((a) => relative(copy, a.file)).sort()).toEqual(names.sort());
    expect(hashTree(copy)).toEqual(indexes);
  });

  it('the CLI agrees: kseg verify [--deep] over every corpus log dir exits 0', () => {
    for (const extra of [[], ['--deep']]) {
      const r = spawnSync(join(REPO_ROOT, 'bin/kseg.js'), ['verify', ...extra, ...dirs], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n').pop()).toMatch(/^OK: /);
    }
  });
});
