// Ratio maths of runBench on a real (tiny) produce+consume, against a synthetic disk and codec
// baseline: the figures are far apart, so using the wrong one as the divisor cannot pass.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { median, runBench, type BenchProgress } from '../../src/tools/bench.js';
import type { BenchMatrix } from '../../src/tools/benchMatrix.js';
import { measureCodecs, measureDisk } from '../../src/tools/diskBaseline.js';

vi.mock('../../src/tools/diskBaseline.js', () => ({
  measureDisk: vi.fn((dir: string, bytes: number) => ({ dir, bytes, writeMBps: 2000, writeFdatasyncMBps: 50, pageCacheReadMBps: 8000 })),
  measureCodecs: vi.fn((codecs: string[]) => codecs.filter((c) => c !== 'none').map((codec) => ({ codec, compressMBps: 300, decompressMBps: 900, ratio: 0.5 }))),
}));

const MiB = 1024 * 1024;
const parent = mkdtempSync(join(tmpdir(), 'kseg-bench-test-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('runBench ratios', () => {
  it('divides by fdatasync write for cells with a flush policy, buffered write otherwise', async () => {
    // none|lz4 × flush=never|1000: four 1 MiB cells, two repeats each.
    const matrix: BenchMatrix = { compression: ['none', 'lz4'], batchSize: [16384], recordSize: [1024], flushMessages: [null, 1000], partitions: [1], lingerMs: [0] };
    const events: BenchProgress[] = [];
    const report = await runBench({ matrix, bytesPerCell: MiB, repeat: 2, dir: parent, compressibility: 0.5, seed: 1, onProgress: (e) => events.push(e) });

    expect(vi.mocked(measureDisk)).toHaveBeenCalledWith(parent, 64 * MiB);
    expect(vi.mocked(measureCodecs)).toHaveBeenCalledWith(['none', 'lz4'], MiB, 16384, 0.5, 1);
    expect(report.baseline.disk).toEqual({ dir: parent, bytes: 64 * MiB, writeMBps: 2000, writeFdatasyncMBps: 50, pageCacheReadMBps: 8000 });
    expect(report.baseline.codecs).toEqual([{ codec: 'lz4', compressMBps: 300, decompressMBps: 900, ratio: 0.5 }]);
    expect(events.map((e) => `${e.phase}:${e.index}`)).toEqual(['baseline:0', ...[0, 1, 2, 3].flatMap((i) => [`produce:${i}`, `consume:${i}`, `produce:${i}`, `consume:${i}`])]);
    expect(events.every((e) => e.total === 4)).toBe(true);

    expect(report.results.map((c) => c.id)).toEqual([
      'compression=none batch-size=16KiB record-size=1KiB flush=never partitions=1 linger=0',
      'compression=none batch-size=16KiB record-size=1KiB flush=1000 partitions=1 linger=0',
      'compression=lz4 batch-size=16KiB record-size=1KiB flush=never partitions=1 linger=0',
      'compression=lz4 batch-size=16KiB record-size=1KiB flush=1000 partitions=1 linger=0',
    ]);
    for (const c of report.results) {
      expect(c.records).toBe(1024); // 1 MiB / 1 KiB
      expect(c.repeats).toBe(2);
      expect(c.produce.samples).toHaveLength(2);
      expect(c.consume.samples).toHaveLength(2);
      expect(c.produce.mbPerSec).toBeGreaterThan(0);
      expect(c.consume.mbPerSec).toBeGreaterThan(0);
      // medians of two = their mean; MB/s follows records/s (fixed-size records)
      expect(c.produce.recordsPerSec).toBe((c.produce.samples[0] + c.produce.samples[1]) / 2);
      expect(c.consume.recordsPerSec).toBe(median(c.consume.samples));
      expect(c.produce.mbPerSec / ((c.produce.recordsPerSec * 1024) / MiB)).toBeCloseTo(1, 9);

      const diskWrite = c.config.flushMessages === null ? 2000 : 50;
      expect(c.ratios.produceVsDiskWrite).toBe(c.produce.mbPerSec / diskWrite);
      expect(c.ratios.consumeVsPageCacheRead).toBe(c.consume.mbPerSec / 8000);
      expect(c.ratios.produceVsCodec).toBe(c.config.compression === 'none' ? null : c.produce.mbPerSec / 300);
    }
    const [noneNever, noneFlush, lz4Never, lz4Flush] = report.results;
    expect(noneFlush.produce.fsyncs).toBeGreaterThan(noneNever.produce.fsyncs); // flush=1000 reached produce
    expect(lz4Flush.produce.fsyncs).toBeGreaterThan(lz4Never.produce.fsyncs);
    expect(lz4Never.produce.compressionRatio).toBeLessThan(1); // lz4 on a half-compressible payload
    expect(noneNever.produce.compressionRatio).toBe(1);
    // every temp log dir is gone
    expect(readdirSync(parent)).toEqual([]);
  });

  it('refuses an empty matrix, a repeat below 1 and zero-byte records before measuring', async () => {
    vi.mocked(measureDisk).mockClear();
    const m: BenchMatrix = { compression: ['none'], batchSize: [16384], recordSize: [1024], flushMessages: [null], partitions: [1], lingerMs: [0] };
    const base = { bytesPerCell: MiB, repeat: 1, dir: parent, compressibility: 0.5, seed: 0 };
    await expect(runBench({ ...base, matrix: { ...m, compression: [] } })).rejects.toThrow('the bench matrix is empty');
    await expect(runBench({ ...base, matrix: m, repeat: 0 })).rejects.toThrow('--repeat must be at least 1 (got 0)');
    await expect(runBench({ ...base, matrix: { ...m, recordSize: [0] } })).rejects.toThrow('record size must be at least 1 byte');
    expect(vi.mocked(measureDisk)).not.toHaveBeenCalled();
  });
});

describe('median', () => {
  it('takes the middle of odd lengths and the mean of the two middles of even lengths', () => {
    expect(median([7])).toBe(7);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([5, 100, 1, 4, 2])).toBe(4);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 20])).toBe(15);
    expect(median([-1, -3, 1e9, 2])).toBe(0.5);
    expect(median([])).toBeNaN();
  });

  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});
