// kseg recover's rules beyond cutting bad bytes: --dry-run plans exactly what the real run does and
// changes nothing; a live kseg writer's lock is respected; the quarantine stays outside the log dir;
// the leader-epoch checkpoint, recovery-point / high-watermark checkpoints, producer snapshots and
// .txnindex follow the new log end like Kafka's LogLoader; segments after a cut are kept whole.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecordBatch, ControlRecordType, controlKey, endTxnMarkerValue, KsegError } from '../../src/format/index.js';
import { decodeTransactionIndex, encodeAbortedTxn, logConfig, PartitionLog, readLeaderEpochCheckpoint, readOffsetCheckpoint, writeLeaderEpochCheckpoint, writeOffsetCheckpoint } from '../../src/storage/index.js';
import { Quarantine } from '../../src/tools/quarantine.js';
import { recover } from '../../src/tools/recover.js';
import { verify } from '../../src/tools/verify.js';
import { REPO_ROOT } from '../helpers/kafkaPython.js';
import { buildClean, copyLogDir, hashTree, INDEX_INTERVAL, modelBatches, PART, readManifest, readTree, scratchDir, sha256, T0, type CleanPartition } from './support.js';

const KSEG = join(REPO_ROOT, 'bin/kseg.js');
const kseg = (args: string[]) => spawnSync(KSEG, args, { encoding: 'utf8', timeout: 30_000 });

let root = '';
let clean: CleanPartition;
let n = 0;
const fresh = () => copyLogDir(clean, join(root, `case-${++n}`));

/** Flips a bit in the CRC field of the batch that starts at `offset` (v2). Returns its segment index and position. */
function damageAt(partDir: string, offset: number): { s: number; position: number } {
  for (let s = 0; s < clean.segments.length; s++) {
    const b = clean.segments[s].batches.find((x) => x.offsetField === offset);
    if (b) {
      const f = join(partDir, clean.segments[s].name);
      const buf = readFileSync(f);
      buf[b.position + 18] ^= 0x10;
      writeFileSync(f, buf);
      return { s, position: b.position };
    }
  }
  throw new Error(`no batch starts at ${offset}`);
}

const allBatches = () => clean.segments.flatMap((s) => s.batches);

beforeAll(async () => {
  root = scratchDir('kseg-rules-');
  clean = await buildClean({ magic: 2, codec: 'none' }, join(root, 'clean'));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('recover --dry-run', () => {
  it('changes nothing, creates no quarantine, and lists exactly the actions the real run takes', () => {
    const { logDir, partDir } = fresh();
    // A cut in segment 1, a corrupt snapshot that survives the cut, a damaged index in segment 0.
    const cutBatch = clean.segments[1].batches[2];
    damageAt(partDir, cutBatch.offsetField);
    const snap = join(partDir, `${clean.segments[1].name.slice(0, 20)}.snapshot`);
    const sb = readFileSync(snap);
    sb[sb.length - 1] ^= 1;
    writeFileSync(snap, sb);
    const idx = join(partDir, clean.segments[0].name.replace('.log', '.index'));
    const ib = readFileSync(idx);
    ib.writeInt32BE(ib.readInt32BE(4) + 1, 4);
    writeFileSync(idx, ib);

    const q = join(root, `q-${n}`);
    const before = hashTree(logDir);
    const dry = recover(logDir, { dryRun: true, quarantineDir: q, indexIntervalBytes: INDEX_INTERVAL });
    expect(dry.dryRun).toBe(true);
    expect(dry.quarantine).toBeNull();
    expect(hashTree(logDir)).toEqual(before);
    expect(existsSync(q)).toBe(false);
    const kinds = new Set(dry.actions.map((a) => a.action));
    expect(kinds).toEqual(new Set(['truncate', 'move-aside', 'rebuild-index', 'rewrite']));
    expect(dry.actions.some((a) => a.action === 'move-aside' && a.file === snap && /corrupt producer snapshot/.test(a.reason))).toBe(true);

    // The CLI's dry run says "would ..." for each action and prints the same plan as JSON.
    const cli = kseg(['recover', '--dry-run', '--json', '--quarantine-dir', q, '--index-interval-bytes', String(INDEX_INTERVAL), logDir]);
    expect(cli.status).toBe(0);
    expect(JSON.parse(cli.stdout).actions).toEqual(dry.actions);
    const text = kseg(['recover', '--dry-run', '--quarantine-dir', q, '--index-interval-bytes', String(INDEX_INTERVAL), logDir]);
    expect(text.stdout.split('\n').filter((l) => l.startsWith('would ')).length).toBe(dry.actions.length);
    expect(hashTree(logDir)).toEqual(before);
    expect(existsSync(q)).toBe(false);

    const real = recover(logDir, { quarantineDir: q, indexIntervalBytes: INDEX_INTERVAL });
    expect(real.dryRun).toBe(false);
    expect(real.actions).toEqual(dry.actions);
    expect(real.partitions).toEqual(dry.partitions);
    expect(real.quarantine).not.toBeNull();
    expect(verify([logDir]).ok).toBe(true);
  });

  it('on a clean log dir: no actions, no quarantine', () => {
    const { logDir } = fresh();
    const before = hashTree(logDir);
    const r = recover(logDir, { quarantineDir: join(root, 'q-clean') });
    expect(r.actions).toEqual([]);
    expect(r.quarantine).toBeNull();
    expect(existsSync(join(root, 'q-clean'))).toBe(false);
    expect(hashTree(logDir)).toEqual(before);
  });
});

describe('recover and the log dir lock', () => {
  /** A child process that takes the kseg lock on `logDir` (the lock records its pid) and sleeps. */
  function holdLock(logDir: string): Promise<ChildProcess> {
    const mod = pathToFileURL(join(REPO_ROOT, 'dist/src/storage/dirLock.js')).href;
    const code = `import(${JSON.stringify(mod)}).then((m) => { m.lockLogDir(process.argv[1]); process.stdout.write('locked\\n'); setInterval(() => {}, 1000); })`;
    const child = spawn(process.execPath, ['-e', code, logDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('locked')) resolve(child);
      });
      child.on('exit', (code) => reject(new Error(`lock holder exited ${code}: ${err}`)));
    });
  }
  const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

  it('refuses (library and CLI) while a live kseg writer holds it, and leaves the dir untouched', async () => {
    const { logDir, partDir } = fresh();
    damageAt(partDir, clean.segments[0].batches[3].offsetField);
    const child = await holdLock(logDir);
    try {
      const lockText = readFileSync(join(logDir, '.lock'), 'utf8');
      expect(lockText).toContain(`pid=${child.pid}`);
      const before = hashTree(logDir);
      const q = join(root, `q-lock-${n}`);
      for (const target of [logDir, partDir]) {
        expect(() => recover(target, { quarantineDir: q })).toThrow(KsegError);
        expect(() => recover(target, { quarantineDir: q })).toThrow(/locked by a running kseg writer; nothing was changed/);
      }
      const cli = kseg(['recover', '--quarantine-dir', q, logDir]);
      expect(cli.status).toBe(2);
      expect(cli.stderr.trim().split('\n')).toHaveLength(1);
      expect(cli.stderr).toMatch(/^kseg: .*locked/);
      expect(cli.stderr).not.toMatch(/\n\s+at /);
      expect(hashTree(logDir)).toEqual(before);
      expect(existsSync(q)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
    // A SIGKILLed writer leaves a stale lock (dead pid): recover goes ahead.
    const r = recover(logDir, { quarantineDir: join(root, `q-after-${n}`), indexIntervalBytes: INDEX_INTERVAL });
    expect(r.actions.some((a) => a.action === 'truncate')).toBe(true);
    expect(verify([logDir]).ok).toBe(true);
  });
});

describe('the quarantine dir', () => {
  it('must be outside the log dir: inside paths are refused before anything changes', () => {
    const { logDir, partDir } = fresh();
    damageAt(partDir, clean.segments[2].batches[1].offsetField);
    const before = hashTree(logDir);
    const inside = [logDir, join(logDir, 'quarantine'), join(partDir, 'q'), join(logDir, '..', basename(logDir), 'x', 'y')];
    for (const q of inside) {
      for (const target of [logDir, partDir]) expect(() => recover(target, { quarantineDir: q }), q).toThrow(/is inside the log dir/);
    }
    const cli = kseg(['recover', '--quarantine-dir', join(logDir, 'q'), logDir]);
    expect(cli.status).toBe(2);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toMatch(/^kseg: quarantine dir .* is inside the log dir/);
    expect(hashTree(logDir)).toEqual(before);
    // A sibling whose name merely starts with the log dir's name is outside.
    const r = recover(logDir, { quarantineDir: `${logDir}-quarantine`, indexIntervalBytes: INDEX_INTERVAL });
    expect(r.quarantine!.startsWith(`${logDir}-quarantine/`)).toBe(true);
  });

  it('a path that reaches the log dir through a symlink is inside too', () => {
    const { logDir, partDir } = fresh();
    damageAt(partDir, clean.segments[2].batches[1].offsetField);
    const before = hashTree(logDir);
    const link = join(root, `link-${n}`);
    symlinkSync(logDir, link);
    expect(() => recover(logDir, { quarantineDir: join(link, 'q') })).toThrow(/is inside the log dir/);
    expect(() => recover(link, { quarantineDir: join(logDir, 'q') })).toThrow(/is inside the log dir/);
    expect(hashTree(logDir)).toEqual(before);
    expect(existsSync(join(logDir, 'q'))).toBe(false);
  });

  it('defaults to <log dir>.kseg-quarantine beside the log dir, one run dir per run with a manifest', () => {
    const { logDir, partDir } = fresh();
    const { s, position } = damageAt(partDir, clean.segments[1].batches[0].offsetField);
    const r = recover(partDir, { indexIntervalBytes: INDEX_INTERVAL });
    expect(r.logDir).toBe(logDir);
    expect(r.quarantine!.startsWith(`${logDir}.kseg-quarantine/`)).toBe(true);
    const m = readManifest(r.quarantine!);
    expect(m.logDir).toBe(logDir);
    const cut = m.entries.find((e) => !e.wholeFile)!;
    expect(cut).toMatchObject({ source: `${PART}/${clean.segments[s].name}`, position, length: clean.segments[s].bytes.length - position });
    expect(cut.reason).toMatch(/Found invalid messages in log segment .* at byte offset/);
    rmSync(`${logDir}.kseg-quarantine`, { recursive: true });
  });

  it('two runs started in the same millisecond keep separate run dirs and manifests', () => {
    const { logDir, partDir } = fresh();
    const at = new Date(T0);
    const qRoot = join(root, `q-same-ms-${n}`);
    const a = new Quarantine(logDir, qRoot, at);
    const b = new Quarantine(logDir, qRoot, at);
    a.keepFile(join(partDir, 'partition.metadata'), 'first run');
    b.keepFile(join(partDir, 'leader-epoch-checkpoint'), 'second run');
    expect(a.runDir).not.toBe(b.runDir);
    expect(readManifest(a.runDir).entries.map((e) => e.reason)).toEqual(['first run']);
    expect(readManifest(b.runDir).entries.map((e) => e.reason)).toEqual(['second run']);
  });
});

describe('state that follows the new log end', () => {
  const epochs = () => readLeaderEpochCheckpoint(join(clean.partDir, 'leader-epoch-checkpoint'));

  it('the clean partition has several leader epochs to trim', () => {
    expect(epochs().length).toBeGreaterThanOrEqual(4);
    expect(epochs()[0]).toEqual({ epoch: 0, startOffset: 0 });
  });

  it('leader-epoch-checkpoint keeps only epochs starting below the new end (Kafka truncateFromEnd)', () => {
    const all = epochs();
    // Cut exactly where epoch 2 starts: epochs 2 and 3 go (start >= end), 0 and 1 stay.
    const e2 = all.find((e) => e.epoch === 2)!;
    let { logDir, partDir } = fresh();
    damageAt(partDir, e2.startOffset);
    let r = recover(logDir, { quarantineDir: join(root, `q-e-${n}`) });
    expect(r.partitions[0].logEndOffset).toBe(e2.startOffset);
    expect(readLeaderEpochCheckpoint(join(partDir, 'leader-epoch-checkpoint'))).toEqual(all.filter((e) => e.epoch < 2));
    expect(verify([logDir]).ok).toBe(true);
    // Cut one batch after epoch 2 starts: epoch 2 stays.
    const after = allBatches().find((b) => b.offsetField > e2.startOffset)!;
    ({ logDir, partDir } = fresh());
    damageAt(partDir, after.offsetField);
    r = recover(logDir, { quarantineDir: join(root, `q-e-${n}`) });
    expect(readLeaderEpochCheckpoint(join(partDir, 'leader-epoch-checkpoint'))).toEqual(all.filter((e) => e.epoch <= 2));
    // Cut to an empty log: no epoch is left.
    ({ logDir, partDir } = fresh());
    damageAt(partDir, 0);
    r = recover(logDir, { quarantineDir: join(root, `q-e-${n}`) });
    expect(r.partitions[0].logEndOffset).toBe(0);
    expect(readLeaderEpochCheckpoint(join(partDir, 'leader-epoch-checkpoint'))).toEqual([]);
    expect(verify([logDir]).ok).toBe(true);
  });

  it('with nothing cut, an epoch starting exactly at the log end stays; one past the end goes', () => {
    const all = epochs();
    const last = all[all.length - 1];
    let { logDir, partDir } = fresh();
    // A leader that has not appended yet: epoch starting at the log end (as kraft-3.8.0-b's foo-0).
    const atEnd = [...all, { epoch: last.epoch + 1, startOffset: clean.logEnd }];
    writeLeaderEpochCheckpoint(join(partDir, 'leader-epoch-checkpoint'), atEnd);
    expect(verify([logDir]).ok).toBe(true);
    expect(recover(logDir, { quarantineDir: join(root, `q-le-${n}`) }).actions).toEqual([]);
    expect(readLeaderEpochCheckpoint(join(partDir, 'leader-epoch-checkpoint'))).toEqual(atEnd);
    // Past the end: verify flags it, recover removes it (and keeps the old file).
    ({ logDir, partDir } = fresh());
    writeLeaderEpochCheckpoint(join(partDir, 'leader-epoch-checkpoint'), [...all, { epoch: last.epoch + 1, startOffset: clean.logEnd + 5 }]);
    const v = verify([logDir]);
    expect(v.problems).toContainEqual(expect.objectContaining({ check: 'leader-epoch', severity: 'error', offset: clean.logEnd + 5 }));
    const r = recover(logDir, { quarantineDir: join(root, `q-le-${n}`) });
    expect(r.actions).toEqual([expect.objectContaining({ action: 'rewrite', file: join(partDir, 'leader-epoch-checkpoint') })]);
    expect(readLeaderEpochCheckpoint(join(partDir, 'leader-epoch-checkpoint'))).toEqual(all);
    expect(verify([logDir]).ok).toBe(true);
  });

  it('recovery-point and replication checkpoints are lowered to the new end; others and lower ones stay', () => {
    const { logDir, partDir } = fresh();
    const other = [
      { topic: 'other', partition: 3, offset: 7000 },
      { topic: 't', partition: 1, offset: 999 }, // no t-1 dir here: not this recovery's business
    ];
    writeOffsetCheckpoint(join(logDir, 'recovery-point-offset-checkpoint'), [{ topic: 't', partition: 0, offset: clean.logEnd }, ...other]);
    writeOffsetCheckpoint(join(logDir, 'replication-offset-checkpoint'), [{ topic: 't', partition: 0, offset: 3 }, ...other]);
    const logStart = readFileSync(join(logDir, 'log-start-offset-checkpoint'));
    const cut = clean.segments[1].batches[3];
    damageAt(partDir, cut.offsetField);
    const r = recover(logDir, { quarantineDir: join(root, `q-cp-${n}`) });
    const end = r.partitions[0].logEndOffset;
    expect(end).toBe(cut.offsetField);
    expect(readOffsetCheckpoint(join(logDir, 'recovery-point-offset-checkpoint'))).toEqual([{ topic: 't', partition: 0, offset: end }, ...other]);
    expect(readOffsetCheckpoint(join(logDir, 'replication-offset-checkpoint'))).toEqual([{ topic: 't', partition: 0, offset: 3 }, ...other]);
    expect(readFileSync(join(logDir, 'log-start-offset-checkpoint')).equals(logStart)).toBe(true);
    // The old checkpoint is in the quarantine, whole.
    const m = readManifest(r.quarantine!);
    expect(m.entries.find((e) => e.source === 'recovery-point-offset-checkpoint')).toMatchObject({ wholeFile: true });
    expect(m.entries.some((e) => e.source === 'replication-offset-checkpoint')).toBe(false);
  });

  it('producer snapshots past the new end are moved aside, the others stay byte-identical', () => {
    const { logDir, partDir } = fresh();
    const cut = clean.segments[1].batches[1];
    damageAt(partDir, cut.offsetField);
    const snapsBefore = readdirSync(partDir).filter((f) => f.endsWith('.snapshot'));
    const r = recover(logDir, { quarantineDir: join(root, `q-snap-${n}`) });
    const end = r.partitions[0].logEndOffset;
    const stale = snapsBefore.filter((f) => Number(f.slice(0, 20)) > end);
    expect(stale.length).toBeGreaterThanOrEqual(2);
    for (const f of snapsBefore) {
      if (stale.includes(f)) {
        expect(existsSync(join(partDir, f))).toBe(false);
        expect(r.actions).toContainEqual(expect.objectContaining({ action: 'move-aside', file: join(partDir, f) }));
      } else expect(readFileSync(join(partDir, f)).equals(readFileSync(join(clean.partDir, f)))).toBe(true);
    }
    const m = readManifest(r.quarantine!);
    for (const f of stale) {
      const e = m.entries.find((x) => x.source === `${PART}/${f}`)!;
      expect(e.wholeFile).toBe(true);
      expect(readFileSync(join(r.quarantine!, e.stored)).equals(readFileSync(join(clean.partDir, f)))).toBe(true);
    }
  });

  it('segments after the cut are moved aside whole: .log, .index, .timeindex and .txnindex', () => {
    const { logDir, partDir } = fresh();
    damageAt(partDir, clean.segments[1].batches[2].offsetField);
    const r = recover(logDir, { quarantineDir: join(root, `q-seg-${n}`), indexIntervalBytes: INDEX_INTERVAL });
    const m = readManifest(r.quarantine!);
    const moved = clean.segments.slice(2).flatMap((seg) => [...clean.files.keys()].filter((f) => f.startsWith(`${PART}/${seg.name.slice(0, 20)}`) && !f.endsWith('.snapshot')));
    expect(new Set(moved.map((f) => f.slice(f.indexOf('.'))))).toEqual(new Set(['.log', '.index', '.timeindex', '.txnindex']));
    {
      for (const f of moved) {
        expect(existsSync(join(logDir, f))).toBe(false);
        const e = m.entries.find((x) => x.source === f)!;
        expect(e, f).toBeDefined();
        expect(e.wholeFile).toBe(true);
        expect(e.reason).toMatch(/segment after the truncation point .*Kafka deletes it/);
        const stored = readFileSync(join(r.quarantine!, e.stored));
        expect(stored.equals(clean.files.get(f)!)).toBe(true);
        expect(sha256(stored)).toBe(e.sha256);
      }
    }
  });

  /** A partition with aborted transactions between idempotent batches (4 per segment; `roll`: two segments). */
  async function abortedTxnLog(roll = false): Promise<{ partDir: string; txnPath: (base: number) => string; bases: number[] }> {
    const logDir = join(root, `txn-${++n}`);
    const log = PartitionLog.open(logDir, 'tx', 0, logConfig({ indexIntervalBytes: INDEX_INTERVAL }), { topicId: 'AAAAAAAAAAAAAAAAAAAAAA', now: () => T0 });
    let seq = 0;
    let txnSeq = 0;
    const rec = (i: number) => [{ timestamp: T0 + i, key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`) }];
    for (let i = 0; i < (roll ? 8 : 4); i++) {
      if (roll && i === 4) log.roll();
      log.append(buildRecordBatch([...rec(10 * i), ...rec(10 * i + 1)], { producerId: 7, producerEpoch: 0, baseSequence: seq }));
      seq += 2;
      log.append(buildRecordBatch(rec(10 * i + 2), { producerId: 9, producerEpoch: 0, baseSequence: txnSeq++, isTransactional: true }));
      log.append(buildRecordBatch([{ timestamp: T0 + 10 * i + 3, key: controlKey(ControlRecordType.ABORT), value: endTxnMarkerValue(1) }], { producerId: 9, producerEpoch: 0, isTransactional: true, isControl: true }));
    }
    await log.close();
    const partDir = join(logDir, 'tx-0');
    const bases = readdirSync(partDir).filter((f) => f.endsWith('.log')).map((f) => Number(f.slice(0, 20))).sort((a, b) => a - b);
    return { partDir, txnPath: (base) => join(partDir, `${String(base).padStart(20, '0')}.txnindex`), bases };
  }

  it('.txnindex entries past the new end are dropped, earlier ones kept byte for byte', async () => {
    const { partDir, txnPath: txnOf } = await abortedTxnLog();
    const txnPath = txnOf(0);
    const original = readFileSync(txnPath);
    const entries = decodeTransactionIndex(original);
    expect(entries).toHaveLength(4);
    // Cut at the third ABORT marker: the first two aborted transactions end before it.
    const segBytes = readFileSync(join(partDir, '00000000000000000000.log'));
    const marker = modelBatches(segBytes).find((b) => b.offsetField === entries[2].lastOffset)!;
    segBytes[marker.position + 20] ^= 0x01;
    writeFileSync(join(partDir, '00000000000000000000.log'), segBytes);
    const r = recover(partDir, { quarantineDir: join(root, `q-txn-${n}`) });
    expect(r.partitions[0].logEndOffset).toBe(entries[2].lastOffset);
    expect(r.actions).toContainEqual(expect.objectContaining({ action: 'rewrite', file: txnPath }));
    expect(readFileSync(txnPath).equals(Buffer.concat(entries.slice(0, 2).map(encodeAbortedTxn)))).toBe(true);
    expect(readFileSync(txnPath).equals(original.subarray(0, 68))).toBe(true);
    const m = readManifest(r.quarantine!);
    const kept = m.entries.find((e) => e.source === 'tx-0/00000000000000000000.txnindex')!;
    expect(readFileSync(join(r.quarantine!, kept.stored)).equals(original)).toBe(true);
    expect(verify([partDir]).ok).toBe(true);
    expect(recover(partDir, { quarantineDir: join(root, `q-txn2-${n}`) }).actions).toEqual([]);
  });

  it('.txnindex entries a crash left out (or damage put in): verify names them, recover rebuilds them from the ABORT markers', async () => {
    const { partDir, txnPath: txnOf } = await abortedTxnLog();
    const txnPath = txnOf(0);
    const original = readFileSync(txnPath);
    expect(decodeTransactionIndex(original)).toHaveLength(4);
    const recoverOnce = () => recover(partDir, { quarantineDir: join(root, `q-txn-rebuild-${++n}`) });
    const lastAbort = decodeTransactionIndex(original)[3];
    // a crash between the last ABORT marker's append and its index entry: verify names the marker
    writeFileSync(txnPath, original.subarray(0, 3 * 34));
    const v = verify([partDir]);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([expect.objectContaining({ file: txnPath, check: 'txn-index', offset: lastAbort.lastOffset, severity: 'error', message: expect.stringMatching(/ABORT marker at offset \d+ \(producer 9, transaction from offset \d+\) has no entry/) })]);
    let r = recoverOnce();
    expect(r.actions).toEqual([expect.objectContaining({ action: 'rewrite', file: txnPath, reason: expect.stringMatching(/1 aborted transaction\(s\) missing/) })]);
    expect(readFileSync(txnPath).equals(original)).toBe(true);
    const m = readManifest(r.quarantine!);
    expect(readFileSync(join(r.quarantine!, m.entries.find((e) => e.source === 'tx-0/00000000000000000000.txnindex')!.stored)).equals(original.subarray(0, 3 * 34))).toBe(true);
    expect(recoverOnce().actions).toEqual([]);
    // the file gone altogether
    rmSync(txnPath);
    recoverOnce();
    expect(readFileSync(txnPath).equals(original)).toBe(true);
    // an entry no ABORT marker closes
    const bogus = encodeAbortedTxn({ version: 0, producerId: 42, firstOffset: 1, lastOffset: 2, lastStableOffset: 1 });
    writeFileSync(txnPath, Buffer.concat([original, bogus]));
    expect(verify([partDir]).problems).toEqual([expect.objectContaining({ file: txnPath, position: 4 * 34, check: 'txn-index', offset: 2, message: expect.stringMatching(/not closed by an ABORT marker/) })]);
    r = recoverOnce();
    expect(r.actions).toEqual([expect.objectContaining({ action: 'rewrite', file: txnPath, reason: expect.stringMatching(/1 not closed by an ABORT marker/) })]);
    expect(readFileSync(txnPath).equals(original)).toBe(true);
    expect(verify([partDir]).ok).toBe(true);
  });

  it('with the producer state at the log start unknown (no snapshot there), the .txnindex is only trimmed', async () => {
    const { partDir, txnPath, bases } = await abortedTxnLog(true);
    expect(bases).toHaveLength(2);
    // retention took the first segment, and the snapshot at the new start is gone too
    for (const f of readdirSync(partDir)) if (f.startsWith('00000000000000000000.') || f === `${String(bases[1]).padStart(20, '0')}.snapshot`) rmSync(join(partDir, f));
    const original = readFileSync(txnPath(bases[1]));
    expect(decodeTransactionIndex(original)).toHaveLength(4);
    // an entry missing: not reported, not rebuilt (the transaction's first offset could predate the log start)
    writeFileSync(txnPath(bases[1]), original.subarray(0, 3 * 34));
    expect(verify([partDir]).problems.filter((p) => p.check === 'txn-index')).toEqual([]);
    expect(recover(partDir, { quarantineDir: join(root, `q-txn-unknown-${++n}`) }).actions).toEqual([]);
    // a cut still drops the entries past the new end
    const entries = decodeTransactionIndex(original);
    const logPath = join(partDir, `${String(bases[1]).padStart(20, '0')}.log`);
    const segBytes = readFileSync(logPath);
    const marker = modelBatches(segBytes).find((b) => b.offsetField === entries[1].lastOffset)!;
    segBytes[marker.position + 20] ^= 0x01;
    writeFileSync(logPath, segBytes);
    const r = recover(partDir, { quarantineDir: join(root, `q-txn-unknown-${++n}`) });
    expect(r.actions).toContainEqual(expect.objectContaining({ action: 'rewrite', file: txnPath(bases[1]), reason: expect.stringMatching(/past the new log end/) }));
    expect(readFileSync(txnPath(bases[1])).equals(original.subarray(0, 34))).toBe(true);
  });

  it('a whole partition set: recovering the log dir handles every partition dir in it', () => {
    const { logDir, partDir } = fresh();
    // A second partition (a copy of t-0 renamed t-1) damaged differently.
    const p1 = join(logDir, 't-1');
    mkdirSync(p1);
    for (const [f, b] of readTree(partDir)) writeFileSync(join(p1, f), b);
    writeOffsetCheckpoint(join(logDir, 'recovery-point-offset-checkpoint'), [
      { topic: 't', partition: 0, offset: clean.logEnd },
      { topic: 't', partition: 1, offset: clean.logEnd },
    ]);
    const c0 = clean.segments[0].batches[4];
    const c1 = clean.segments[2].batches[1];
    damageAt(partDir, c0.offsetField);
    damageAt(p1, c1.offsetField);
    const r = recover(logDir, { quarantineDir: join(root, `q-two-${n}`) });
    expect(r.partitions.map((p) => [basename(p.dir), p.logEndOffset])).toEqual([
      ['t-0', c0.offsetField],
      ['t-1', c1.offsetField],
    ]);
    expect(readOffsetCheckpoint(join(logDir, 'recovery-point-offset-checkpoint'))).toEqual([
      { topic: 't', partition: 0, offset: c0.offsetField },
      { topic: 't', partition: 1, offset: c1.offsetField },
    ]);
    expect(verify([logDir]).ok).toBe(true);
  });
});
