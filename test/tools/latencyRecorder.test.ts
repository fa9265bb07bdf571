// LatencyRecorder must leave the histograms exactly as per-record recordValue calls would.
import { describe, expect, it } from 'vitest';
import { LATENCY_BINS, LatencyRecorder, newHistogram, summarize, type Histogram } from '../../src/tools/latency.js';
import { rng } from '../../src/tools/payload.js';

function same(a: Histogram, b: Histogram): void {
  expect(a.totalCount).toBe(b.totalCount);
  expect(a.minNonZeroValue).toBe(b.minNonZeroValue);
  expect(a.maxValue).toBe(b.maxValue);
  expect(a.mean).toBe(b.mean);
  expect(summarize(a)).toEqual(summarize(b));
  for (const p of [1, 10, 50, 90, 99, 99.9, 99.99, 100]) expect(a.getValueAtPercentile(p)).toBe(b.getValueAtPercentile(p));
}

describe('LatencyRecorder', () => {
  it('gives the same histograms as recordValue per value, small and large values, across drains', () => {
    const random = rng(7);
    const direct = newHistogram();
    const viaRecorder = newHistogram();
    const rec = new LatencyRecorder(viaRecorder);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5000; i++) {
        const r = random();
        // mostly small (the array path), some around the boundary, some large (direct path)
        const us = r < 0.8 ? 1 + Math.floor(random() * 300) : r < 0.9 ? LATENCY_BINS - 5 + Math.floor(random() * 10) : 1 + Math.floor(random() * 5_000_000);
        direct.recordValue(us);
        rec.record(us);
      }
      rec.drain();
      same(viaRecorder, direct);
    }
  });

  it('setTargets drains first: earlier values go to the old targets only', () => {
    const all = newHistogram();
    const steady = newHistogram();
    const rec = new LatencyRecorder(all);
    rec.record(5);
    rec.record(50_000);
    rec.setTargets(all, steady);
    rec.record(7);
    rec.record(70_000);
    rec.drain();
    expect(all.totalCount).toBe(4);
    expect(steady.totalCount).toBe(2);
    expect(steady.minNonZeroValue).toBe(7);
  });
});
