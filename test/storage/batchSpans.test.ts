// BatchSpans (header-only batch positions) against a full LogFileReader read: the same batches, the
// same last offsets, the same end, on every fixture (their corrupt twins included), the corpus,
// legacy batches mid-file and tails a header hop cannot trust.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../src/format/recordBatchBuilder.js';
import { BatchSpans } from '../../src/storage/batchSpans.js';
import { LogFileReader } from '../../src/storage/logFileReader.js';
import { CORPUS, corpusAvailable, FIXTURES } from '../dump/helpers.js';
import { filesUnder } from '../helpers/files.js';

const logsUnder = (root: string) => filesUnder(root).filter((f) => f.endsWith('.log'));

const dir = mkdtempSync(join(tmpdir(), 'kseg-spans-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSameAsReader(file: string): void {
  const reader = new LogFileReader(file);
  const want = [...reader].map((b) => ({ position: b.position, size: b.sizeInBytes, lastOffset: b.lastOffset }));
  const spans = new BatchSpans(file);
  const got = Array.from(spans, (s) => ({ ...s })); // one span object is reused: copy each as it comes
  expect(got).toEqual(want);
  expect(spans.end).toEqual(reader.end);
}

describe('BatchSpans', () => {
  it('finds what a full read finds in every fixture and corpus log', () => {
    const files = [...logsUnder(FIXTURES), ...(corpusAvailable ? logsUnder(CORPUS) : [])];
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expectSameAsReader(f);
  });

  it('goes on through legacy batches, short batches and any tail', () => {
    const v2 = (base: number) => buildRecordBatch([{ timestamp: 1, key: null, value: Buffer.from('x') }], { baseOffset: base });
    const legacy = readFileSync(join(FIXTURES, 'v1-none-0', '00000000000000000000.log'));
    const tails: [string, Buffer][] = [
      ['zeros', Buffer.alloc(4096)],
      ['torn', v2(9).subarray(0, 40)],
      ['short header', Buffer.from([0, 0, 0])],
      ['corrupt size', Buffer.from([0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 5, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
      ['none', Buffer.alloc(0)],
    ];
    for (const [name, tail] of tails) {
      const file = join(dir, `${name}.log`);
      writeFileSync(file, Buffer.concat([v2(0), v2(1), legacy, v2(100), tail]));
      expectSameAsReader(file);
    }
  });
});
