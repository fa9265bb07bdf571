// `kseg verify` and `kseg recover` through bin/kseg.js: exit codes (0 clean, 1 problems, 2 usage or
// I/O), a single stderr line without a stack trace for errors, the documented --json shapes.

import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/kafkaPython.js';
import { buildClean, copyLogDir, hashTree, INDEX_INTERVAL, PART, scratchDir, type CleanPartition } from './support.js';

const KSEG = join(REPO_ROOT, 'bin/kseg.js');
const kseg = (...args: string[]) => spawnSync(KSEG, args, { encoding: 'utf8', timeout: 30_000 });
const STACK = /\n\s+at /;

let root = '';
let clean: CleanPartition;
let damaged: { logDir: string; partDir: string; file: string; position: number; offset: number };

beforeAll(async () => {
  root = scratchDir('kseg-verify-cli-');
  clean = await buildClean({ magic: 2, codec: 'lz4' }, join(root, 'clean'));
  const { logDir, partDir } = copyLogDir(clean, join(root, 'damaged'));
  const seg = clean.segments[1];
  const b = seg.batches[2];
  const file = join(partDir, seg.name);
  const bytes = readFileSync(file);
  bytes[b.position + 40] ^= 0x04; // inside the CRC-covered header (maxTimestamp)
  writeFileSync(file, bytes);
  damaged = { logDir, partDir, file, position: b.position, offset: b.lastOffset };
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

interface JsonProblem {
  file: string;
  position: number | null;
  offset: number | null;
  check: string;
  message: string;
  severity: string;
  expected?: unknown;
  found?: unknown;
}

function checkVerifyJson(stdout: string): { ok: boolean; problems: JsonProblem[]; stats: Record<string, number> } {
  const lines = stdout.trim().split('\n');
  expect(lines, 'one JSON object on one line').toHaveLength(1);
  const j = JSON.parse(lines[0]);
  expect(Object.keys(j).sort()).toEqual(['ok', 'partitions', 'problems', 'stats']);
  expect(typeof j.ok).toBe('boolean');
  for (const p of j.problems as JsonProblem[]) {
    expect(Object.keys(p).filter((k) => !['expected', 'found'].includes(k)).sort()).toEqual(['check', 'file', 'message', 'offset', 'position', 'severity']);
    expect(typeof p.file).toBe('string');
    expect(p.position === null || Number.isInteger(p.position)).toBe(true);
    expect(p.offset === null || Number.isInteger(p.offset)).toBe(true);
    expect(typeof p.check).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
    expect(['error', 'warning', 'info']).toContain(p.severity);
  }
  expect(Object.keys(j.stats).sort()).toEqual(['batches', 'bytes', 'files', 'partitions', 'records', 'segments']);
  for (const v of Object.values(j.stats)) expect(Number.isInteger(v)).toBe(true);
  return j;
}

describe('kseg verify', () => {
  it('exits 0 on a clean log dir, partition dir and single segment, with a summary and nothing on stderr', () => {
    for (const target of [clean.logDir, clean.partDir, join(clean.partDir, clean.segments[0].name)]) {
      for (const extra of [[], ['--deep']]) {
        const r = kseg('verify', ...extra, target);
        expect(r.stderr).toBe('');
        expect(r.status, `${target} ${extra}: ${r.stderr}`).toBe(0);
        expect(r.stdout.trim().split('\n').pop()).toMatch(/^OK: \d+ partitions, \d+ segments, \d+ batches, \d+ records, \d+ bytes checked( \(deep\))?; 0 errors, 0 warnings$/);
      }
    }
  });

  it('exits 1 when it finds problems, naming file, position and offset', () => {
    for (const target of [damaged.logDir, damaged.partDir, damaged.file]) {
      const r = kseg('verify', target);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`ERROR ${damaged.file} [position ${damaged.position}, offset ${damaged.offset}] crc: Record is corrupt`);
      expect(r.stdout.trim().split('\n').pop()).toMatch(/^PROBLEMS: .*; [1-9]\d* errors/);
    }
    const q = kseg('verify', '--quiet', damaged.logDir);
    expect(q.status).toBe(1);
    expect(q.stdout).not.toMatch(/^OK|^PROBLEMS/m);
  });

  it('exits 2 on a missing path or a file it cannot verify: one stderr line, no stack trace', () => {
    const missing = join(root, 'no-such-dir');
    for (const [args, msg] of [
      [[missing], `kseg: cannot read ${missing}: no such file or directory`],
      [[clean.logDir, missing], `kseg: cannot read ${missing}: no such file or directory`],
      [[join(clean.logDir, 'meta.properties')], `kseg: don't know how to verify ${join(clean.logDir, 'meta.properties')}`],
    ] as const) {
      const r = kseg('verify', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${msg}\n`);
    }
  });

  it('exits 2 on usage errors, with the error first and no stack trace', () => {
    for (const args of [[], ['--no-such-flag', clean.logDir], ['--max-decompressed-bytes', 'lots', clean.logDir]]) {
      const r = kseg('verify', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(/^(error|kseg): /);
      // commander adds its "(run with --help for usage)" hint as a second line.
      expect(lines.slice(1).every((l) => l === '(run with --help for usage)')).toBe(true);
      expect(r.stderr).not.toMatch(STACK);
    }
  });

  it('--json prints {ok, problems:[{file, position, offset, check, message, severity}], stats}', () => {
    const ok = kseg('verify', '--json', clean.logDir);
    expect(ok.status).toBe(0);
    const jo = checkVerifyJson(ok.stdout);
    expect(jo.ok).toBe(true);
    expect(jo.problems.filter((p) => p.severity !== 'info')).toEqual([]);
    expect(jo.stats.segments).toBe(clean.segments.length);
    expect(jo.stats.batches).toBe(clean.segments.reduce((a, s) => a + s.batches.length, 0));

    for (const extra of [[], ['--deep']]) {
      const bad = kseg('verify', '--json', ...extra, damaged.logDir);
      expect(bad.status, bad.stderr).toBe(1);
      expect(bad.stderr).toBe('');
      const jb = checkVerifyJson(bad.stdout);
      expect(jb.ok).toBe(false);
      expect(jb.problems).toContainEqual(expect.objectContaining({ file: damaged.file, position: damaged.position, offset: damaged.offset, check: 'crc', severity: 'error' }));
    }
  });
});

describe('kseg recover', () => {
  it('--json reports the actions and the quarantine; a second run has nothing to do; verify is then clean', () => {
    const { logDir } = copyLogDir(clean, join(root, 'recover-json'));
    // Same damage as `damaged`.
    const seg = clean.segments[1];
    const file = join(logDir, PART, seg.name);
    writeFileSync(file, readFileSync(damaged.file));
    const q = join(root, 'q-json');
    const r = kseg('recover', '--json', '--quarantine-dir', q, '--index-interval-bytes', String(INDEX_INTERVAL), logDir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual(['actions', 'dryRun', 'logDir', 'partitions', 'quarantine']);
    expect(j.dryRun).toBe(false);
    expect(j.logDir).toBe(logDir);
    expect(j.quarantine.startsWith(`${q}/`)).toBe(true);
    expect(j.partitions).toEqual([{ dir: join(logDir, PART), logEndOffset: seg.batches[1].lastOffset + 1, actions: expect.any(Array) }]);
    expect(j.actions[0]).toEqual({ action: 'truncate', file, position: damaged.position, length: seg.bytes.length - damaged.position, reason: expect.stringContaining('Found invalid messages in log segment') });
    for (const a of j.actions) expect(['truncate', 'move-aside', 'rebuild-index', 'rewrite']).toContain(a.action);
    expect(kseg('verify', logDir).status).toBe(0);

    const before = hashTree(logDir);
    const again = kseg('recover', '--json', '--quarantine-dir', q, logDir);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ dryRun: false, actions: [], quarantine: null });
    expect(hashTree(logDir)).toEqual(before);
  });

  it('prints one line per action and where it kept the cut bytes', () => {
    const { logDir } = copyLogDir(clean, join(root, 'recover-text'));
    writeFileSync(join(logDir, PART, clean.segments[1].name), readFileSync(damaged.file));
    const q = join(root, 'q-text');
    const r = kseg('recover', '--quarantine-dir', q, logDir);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`truncate ${join(logDir, PART, clean.segments[1].name)} at byte ${damaged.position} (cut ${clean.segments[1].bytes.length - damaged.position} bytes): ${lines[0].split(': ').slice(1).join(': ')}`);
    expect(lines.some((l) => /^move aside .*\.log \(\d+ bytes\): segment after the truncation point/.test(l))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^Kept everything cut or replaced in ${q}/.* \\(manifest.json lists it\\)\\.$`));
    const none = kseg('recover', '--quarantine-dir', q, logDir);
    expect(none.stdout).toContain('Nothing to recover: every segment is valid.');
  });

  it('exits 2 on a missing dir or a usage error: one stderr line (plus commander hint), no stack trace', () => {
    const missing = join(root, 'nothing-here');
    const r = kseg('recover', missing);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`kseg: ${missing} is not a partition or log directory\n`);
    const u = kseg('recover');
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/^error: missing required argument 'path'/);
    expect(u.stderr).not.toMatch(STACK);
  });
});
