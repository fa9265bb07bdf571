// kafka-dump-log's weaknesses (reference §1.6), each shown beaten by `kseg dump`:
//  #1 exit code: 1 when any problem is found (CRC, index mismatch, non-consecutive offsets, trailing
//     bytes, corrupt snapshot, bad legacy message CRC), 0 only when clean;
//  #2 a corrupt size field is reported with its byte position, the other files are still dumped, no
//     stack trace (Kafka: CorruptRecordException aborts the run);
//  #3 no false "-1 is followed by <base>" for segments whose base offset is not 0;
//  #5 files are never modified (sha256 before/after, every mode);
//  #6 batches larger than --max-message-size (options.test.ts) and #7/#9 index tails and multi-batch
//     appends (indexes.test.ts).

import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../src/format/index.js';
import { logConfig, PartitionLog } from '../../src/storage/index.js';
import { cleanupTemps, copyDir, corpusAvailable, FIXTURES, kraftDir, ksegDump, ksegDumpJson, pad20, tempDir, treeHashes } from './helpers.js';

afterAll(cleanupTemps);
const lines = (s: string) => s.split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1));
const fx = (dir: string, base = 0) => `fixtures/logs/${dir}/${pad20(base)}.log`;
const NO_STACK = /\n\s+at |Exception|Error:/;

function gapSegment(): string {
  const dir = tempDir();
  const file = join(dir, pad20(0) + '.log');
  const rec = (i: number) => ({ timestamp: 1_700_000_000_000 + i, key: null, value: Buffer.from(`v${i}`) });
  writeFileSync(file, Buffer.concat([buildRecordBatch([0, 1, 2, 3, 4].map(rec), { baseOffset: 0 }), buildRecordBatch([10, 11, 12].map(rec), { baseOffset: 10 })]));
  return file;
}

function flip(src: string, at: number): string {
  const dir = tempDir();
  const file = join(dir, src.split('/').pop()!);
  const b = readFileSync(src);
  b[at] ^= 0x01;
  writeFileSync(file, b);
  return file;
}

describe('#1 exit code reflects what was found', () => {
  it('0 for clean inputs of every kind', () => {
    const clean = ['v2-none-0', 'v1-gzip-0', 'v0-snappy-0', 'v2-zstd-0'].map((d) => fx(d));
    const r = ksegDump(['--deep-iteration', ...clean, 'fixtures/logs/v2-txn-0']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    ['a CRC mismatch', () => fx('corrupt-crc-0'), /crc: Record is corrupt \(stored crc = \d+, computed crc = \d+\)/],
    ['a torn tail (trailing bytes)', () => fx('corrupt-torn-0'), /trailing: 239 invalid bytes/],
    ['a zero-filled tail (trailing bytes)', () => fx('corrupt-zerotail-0'), /trailing: 4096 invalid bytes/],
    ['a corrupt size field', () => fx('corrupt-size-0'), /position 145.*framing/],
    ['a bad v1 message CRC', () => flip(join(FIXTURES, 'v1-none-0', pad20(0) + '.log'), 60), /crc: Record is corrupt/],
  ])('1 for %s, with a one-line report on stderr', (_what, file, message) => {
    const r = ksegDump(['--deep-iteration', file()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('1 for non-consecutive offsets, in Kafka\'s format ("Non-consecutive offsets in <absPath>" / "  4 is followed by 10")', () => {
    const file = gapSegment();
    const r = ksegDump(['--deep-iteration', file]);
    expect(lines(r.stderr)).toEqual([`Non-consecutive offsets in ${resolve(file)}`, '  4 is followed by 10']);
    expect(r.status).toBe(1);
    // batch-only mode does not iterate records, so it cannot see the gap (like Kafka)
    expect(ksegDump([file]).status).toBe(0);
  });

  it('1 for a corrupt producer snapshot, with Kafka\'s message', () => {
    if (!corpusAvailable) return void console.warn('[skip] corrupt snapshot: corpus absent');
    const snap = flip(join(kraftDir('a', 'foo-0'), pad20(1) + '.snapshot'), 20);
    const r = ksegDump([snap]);
    expect(r.stderr).toMatch(/Snapshot is corrupt \(CRC is no longer valid\)\. Stored crc: \d+\. Computed crc: \d+/);
    expect(r.status).toBe(1);
  });

  it('a legacy message with a bad CRC prints isvalid: false on its batch line and isValid: false on its record line (Kafka\'s LegacyRecord.isValid)', () => {
    const file = flip(join(FIXTURES, 'v1-none-0', pad20(0) + '.log'), 60);
    const out = lines(ksegDump(['--deep-iteration', file]).stdout);
    expect(out[2]).toMatch(/^offset: 0 position: 0 .* isvalid: false$/);
    expect(out[3]).toMatch(/^\| offset: 0 .* isValid: false crc: \d+$/);
    expect(out[5]).toMatch(/^\| offset: 1 .* isValid: true crc: \d+$/);
  });
});

describe('#2 a corrupt size field does not stop the run', () => {
  it('is reported with its byte position; the files after it are still dumped; no stack trace', () => {
    const r = ksegDump(['--files', [fx('corrupt-size-0'), fx('v2-none-0'), fx('corrupt-crc-0')].join(',')]);
    expect(r.status).toBe(1);
    const out = lines(r.stdout);
    expect(out.filter((l) => l.startsWith('Dumping '))).toHaveLength(3);
    // the first batch (before the corrupt one) is printed, then Kafka's trailing-bytes line
    expect(out.slice(0, 4)).toEqual([`Dumping ${fx('corrupt-size-0')}`, 'Log starting offset: 0', expect.stringMatching(/^baseOffset: 0 lastOffset: 0 .* position: 0 /), 'Found 2121 invalid bytes at the end of 00000000000000000000.log']);
    // and every batch of the next files
    expect(out.filter((l) => l.startsWith('baseOffset: '))).toHaveLength(1 + 4 + 4);
    expect(r.stderr).toContain(`kseg: ${fx('corrupt-size-0')} (position 145): framing: 2121 invalid bytes at the end of 00000000000000000000.log: Found record size 5 smaller than minimum record overhead (14)`);
    expect(r.stderr).not.toMatch(NO_STACK);
    const j = ksegDumpJson([fx('corrupt-size-0'), fx('v2-none-0')]);
    expect(j.events.find((e) => e.type === 'problem')).toMatchObject({ check: 'framing', position: 145 });
  });

  it('a size field pointing past the end of the file is a torn tail at that position, not a crash', () => {
    const dir = tempDir();
    const src = readFileSync(join(FIXTURES, 'v2-none-0', pad20(0) + '.log'));
    src.writeInt32BE(0x7ffffff0, 145 + 8);
    const file = join(dir, pad20(0) + '.log');
    writeFileSync(file, src);
    const r = ksegDump([file, fx('v2-none-0')]);
    expect(r.status).toBe(1);
    expect(lines(r.stdout)).toContain(`Found ${src.length - 145} invalid bytes at the end of 00000000000000000000.log`);
    expect(r.stderr).toMatch(/\(position 145\)/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});

describe('#3 no false "-1 is followed by <base>"', () => {
  it('fixtures/logs/v2-txn-0 (base offset 100) and every segment of a multi-segment partition', async () => {
    const r = ksegDump(['--deep-iteration', 'fixtures/logs/v2-txn-0']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const logDir = tempDir();
    const log = PartitionLog.open(logDir, 'seg', 0, logConfig({ segmentBytes: 4096 }), { now: () => 1_700_000_000_000 });
    for (let b = 0; b < 40; b++) log.append(buildRecordBatch([0, 1, 2].map((i) => ({ timestamp: 1_700_000_000_000 + b * 3 + i, key: null, value: Buffer.alloc(200, i) })), {}));
    await log.close();
    const m = ksegDump(['--deep-iteration', log.dir]);
    expect(lines(m.stdout).filter((l) => l.startsWith('Log starting offset: ')).length).toBeGreaterThanOrEqual(3);
    expect(m.stderr).toBe('');
    expect(m.status).toBe(0);
  });
});

describe('#5 files are never modified', () => {
  it('every mode over a copy of real and corrupt files leaves every byte (and size) as it was', () => {
    const root = tempDir();
    const dirs = [copyDir(join(FIXTURES, 'corrupt-zerotail-0'), join(root, 'zt-0')), copyDir(join(FIXTURES, 'corrupt-torn-0'), join(root, 'torn-0')), copyDir(join(FIXTURES, 'v2-txn-0'), join(root, 'txn-0'))];
    if (corpusAvailable) dirs.push(copyDir(kraftDir('b', '__cluster_metadata-0'), join(root, '__cluster_metadata-0')), copyDir(kraftDir('a', 'foo-0'), join(root, 'foo-0')));
    // an index whose length is not a multiple of 8, a time index with a zero tail, an odd-sized txnindex
    writeFileSync(join(root, 'txn-0', pad20(100) + '.index'), Buffer.from([0, 0, 0, 1, 0, 0, 1, 41, 9, 9, 9]));
    writeFileSync(join(root, 'txn-0', pad20(100) + '.timeindex'), Buffer.concat([Buffer.from([0, 0, 1, 139, 207, 231, 4, 20, 0, 0, 0, 2]), Buffer.alloc(48)]));
    writeFileSync(join(root, 'txn-0', pad20(100) + '.txnindex'), Buffer.alloc(37, 1));
    const before = treeHashes(root);
    for (const flags of [[], ['--deep-iteration'], ['--print-data-log'], ['--verify-index-only'], ['--index-sanity-check'], ['--json', '--print-data-log'], ['--from-offset', '3'], ['--max-bytes', '100']]) ksegDump([...flags, ...dirs]);
    expect(treeHashes(root)).toEqual(before);
  });
});
