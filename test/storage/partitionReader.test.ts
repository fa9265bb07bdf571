// PartitionReader seeks, checked against brute force over every offset and every timestamp of a
// multi-segment log: offset seeks land on the first record >= the offset; time seeks on the first
// record whose timestamp is >= the target (timestamps non-decreasing, with many records sharing a
// millisecond as a real producer's do), including across segment boundaries.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../src/format/index.js';
import { logConfig, PartitionLog, PartitionReader } from '../../src/storage/index.js';
import { cleanupTempDirs, readBatches, segFile, segmentBases, tempDir } from './helpers.js';

afterAll(cleanupTempDirs);

const T0 = 1_700_000_000_000;
const N = 400;
const tsOf = (i: number) => T0 + Math.floor(i / 6) * 10; // 6 records per 10 ms step

let part: string;

beforeAll(async () => {
  const dir = tempDir();
  const log = PartitionLog.open(dir, 't', 0, logConfig({ segmentBytes: 2500, indexIntervalBytes: 150 }), {});
  const sizes = [1, 4, 2, 7, 3, 1, 5, 2, 6];
  for (let i = 0, k = 0; i < N; k++) {
    const n = Math.min(sizes[k % sizes.length], N - i);
    log.append(buildRecordBatch(Array.from({ length: n }, (_, j) => ({ timestamp: tsOf(i + j), key: null, value: Buffer.from(`value-${i + j}`.padEnd(30, '.')) })), { partitionLeaderEpoch: 0 }));
    i += n;
  }
  await log.close();
  part = join(dir, 't-0');
});

describe('PartitionReader', () => {
  it('the test log spans several segments, with index entries in each', () => {
    const bases = segmentBases(part);
    expect(bases.length).toBeGreaterThanOrEqual(5);
    // segment boundaries fall inside runs of equal timestamps (the interesting case for time seeks)
    expect(bases.slice(1).some((b) => tsOf(b) === tsOf(b - 1))).toBe(true);
  });

  it('offset seek: reading from every offset starts exactly there, in the right segment', () => {
    const reader = new PartitionReader(part);
    for (let off = 0; off < N; off++) {
      const seek = reader.seekOffset(off);
      expect(seek.baseOffset).toBeLessThanOrEqual(off);
      const { batches } = readBatches(segFile(part, seek.baseOffset, '.log'));
      const at = batches.find((b) => b.position === seek.position);
      expect(at, `position ${seek.position} is a batch start`).toBeDefined();
      expect(at!.baseOffset).toBeLessThanOrEqual(off);
      const offsets: number[] = [];
      for (const r of reader.records(off)) offsets.push(r.offset);
      expect(offsets.length).toBe(N - off);
      expect(offsets[0]).toBe(off);
    }
    expect([...reader.records(N)]).toEqual([]);
  });

  it('time seek: the first record whose timestamp is >= the target, for every target', () => {
    const reader = new PartitionReader(part);
    const maxTs = tsOf(N - 1);
    const mismatches: string[] = [];
    for (let target = T0 - 3; target <= maxTs + 3; target++) {
      let expected: number | null = null;
      for (let i = 0; i < N; i++) {
        if (tsOf(i) >= target) {
          expected = i;
          break;
        }
      }
      const got = reader.offsetForTimestamp(target);
      if (got !== expected) mismatches.push(`target T0+${target - T0}: expected ${expected}, got ${got}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});
