// dump and verify never change their inputs: sha256 of every file (and the file list) before and after
// running them, through the library and the CLI, over the committed fixtures (clean and corrupted
// twins), the real corpus when present, and freshly damaged copies of generated partitions. (The
// campaign also checks this for every one of its cases.)

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dump } from '../../src/tools/dump.js';
import { verify } from '../../src/tools/verify.js';
import { filesUnder } from '../helpers/files.js';
import { REPO_ROOT } from '../helpers/kafkaPython.js';
import { buildClean, copyLogDir, hashTree, KINDS, kindName, PART, Rng, scratchDir } from './support.js';

const KSEG = join(REPO_ROOT, 'bin/kseg.js');
const kseg = (args: string[]) => spawnSync(KSEG, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
const FIXTURES = join(REPO_ROOT, 'fixtures/logs');
const CORPUS = '/work/shared/corpus';

/** Every read-only way in: verify (shallow/deep, per dir and per file) and dump (deep, data, index checks). */
function readEverything(dirs: string[]): void {
  for (const deep of [false, true]) verify(dirs, { deep });
  const dumpOpts = [{ deepIteration: true, printDataLog: true }, { verifyIndexOnly: true }, { indexSanityCheck: true }];
  for (const opts of dumpOpts) for (const _ of dump(dirs, opts));
  for (const d of dirs) {
    for (const f of filesUnder(d)) {
      for (const _ of dump([f], { deepIteration: true, printDataLog: true }));
      if (/\.(log|index|timeindex|txnindex|snapshot)$/.test(f)) verify([f]);
    }
  }
  // The CLI: exit codes 0/1 only (2 would mean it failed to read something).
  for (const args of [['verify', ...dirs], ['verify', '--deep', '--json', ...dirs], ['dump', '--deep-iteration', '--print-data-log', ...dirs], ['dump', '--json', '--verify-index-only', ...dirs]]) {
    const r = kseg(args);
    expect([0, 1], `${args.slice(0, 3).join(' ')}: ${r.stderr.slice(0, 500)}`).toContain(r.status);
  }
}

describe('dump and verify leave every input byte-identical', () => {
  let tmp = '';
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the committed fixtures (clean and corrupted twins)', () => {
    const dirs = readdirSync(FIXTURES)
      .filter((f) => statSync(join(FIXTURES, f)).isDirectory())
      .map((f) => join(FIXTURES, f));
    expect(dirs.length).toBeGreaterThanOrEqual(19);
    const before = hashTree(FIXTURES);
    readEverything(dirs);
    expect(hashTree(FIXTURES)).toEqual(before);
  });

  it.skipIf(!existsSync(CORPUS))('the real corpus', () => {
    const before = hashTree(CORPUS);
    const dirs = readdirSync(CORPUS)
      .filter((f) => statSync(join(CORPUS, f)).isDirectory())
      .map((f) => join(CORPUS, f));
    // Whole trees (oracle output included): partition dirs are found through their log dirs.
    const logDirs = dirs.flatMap((d) => filesUnder(d).filter((f) => f.endsWith('.log')).map((f) => join(f, '..', '..')));
    readEverything([...new Set(logDirs)]);
    expect(hashTree(CORPUS)).toEqual(before);
  });

  it('damaged copies of generated partitions of every magic and codec (with preallocated index tails)', async () => {
    tmp = scratchDir('kseg-readonly-');
    const rng = new Rng(4242);
    const dirs: string[] = [];
    for (const kind of KINDS) {
      const clean = await buildClean(kind, join(tmp, 'clean'));
      const { logDir, partDir } = copyLogDir(clean, join(tmp, kindName(kind)));
      const seg = clean.segments[rng.int(0, clean.segments.length - 1)];
      const f = join(partDir, seg.name);
      const b = seg.batches[rng.int(0, seg.batches.length - 1)];
      switch (rng.int(0, 3)) {
        case 0: {
          const bytes = readFileSync(f);
          bytes[b.position + rng.int(21, b.size - 1)] ^= 1 << rng.int(0, 7);
          writeFileSync(f, bytes);
          break;
        }
        case 1:
          truncateSync(f, b.position + rng.int(1, b.size - 1));
          break;
        case 2:
          appendFileSync(f, rng.bytes(rng.int(1, 500)));
          break;
        default:
          appendFileSync(join(partDir, seg.name.replace('.log', '.index')), Buffer.alloc(4096)); // a crashed broker's preallocation
      }
      dirs.push(logDir, join(logDir, PART));
    }
    const before = hashTree(tmp);
    readEverything(dirs);
    expect(hashTree(tmp)).toEqual(before);
  });
});
