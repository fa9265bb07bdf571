// Latency bookkeeping for the load tools: an HDR histogram in microseconds (hdr-histogram-js), plus
// the running window Kafka's perf tool prints every reporting interval.

import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

export function newHistogram(): Histogram {
  // 1 µs .. 1 hour at 3 significant digits; plain JS (no WASM start-up cost).
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(s: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(s, 'packed', false);
  const h = newHistogram();
  h.add(decoded);
  return h;
}

/** Latencies below this many µs are counted in a plain array by LatencyRecorder (8 ms). */
export const LATENCY_BINS = 8192;

/**
 * Per-record latency recording cheap enough for the produce hot path. HDR's recordValue costs
 * ~40-100 ns (log2, pow, bounds, min/max per call); here a value below LATENCY_BINS µs is one
 * array increment, and `drain()` folds the counts into the histograms with recordValueWithCount,
 * which HDR defines as `count` recordValue calls: the histograms end up exactly as if every value
 * had been recorded one by one. Larger values are recorded directly. Drain before reading the
 * histograms.
 */
export class LatencyRecorder {
  private readonly bins = new Uint32Array(LATENCY_BINS);
  private lo = LATENCY_BINS;
  private hi = -1;
  private targets: Histogram[];

  constructor(...targets: Histogram[]) {
    this.targets = targets;
  }

  /** Drains, then records into these histograms from now on. */
  setTargets(...targets: Histogram[]): void {
    this.drain();
    this.targets = targets;
  }

  /** One latency in whole µs (a non-negative integer). */
  record(us: number): void {
    if (us < LATENCY_BINS) {
      this.bins[us]++;
      if (us < this.lo) this.lo = us;
      if (us > this.hi) this.hi = us;
    } else {
      for (let t = 0; t < this.targets.length; t++) this.targets[t].recordValue(us);
    }
  }

  /** Folds the counted values into the histograms. */
  drain(): void {
    const bins = this.bins;
    const targets = this.targets;
    for (let v = this.lo; v <= this.hi; v++) {
      const c = bins[v];
      if (c === 0) continue;
      bins[v] = 0;
      for (let t = 0; t < targets.length; t++) targets[t].recordValueWithCount(v, c);
    }
    this.lo = LATENCY_BINS;
    this.hi = -1;
  }
}

export interface LatencySummaryMs {
  avg: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
}

export function summarize(h: Histogram): LatencySummaryMs {
  const ms = (us: number) => us / 1000;
  if (h.totalCount === 0) return { avg: 0, max: 0, p50: 0, p95: 0, p99: 0, p999: 0 };
  return {
    avg: ms(h.mean),
    max: ms(h.maxValue),
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
  };
}

/** Counts for one reporting window (what Kafka's window line shows). */
export class Window {
  records = 0;
  bytes = 0;
  latencySumUs = 0;
  latencyMaxUs = 0;
  startMs: number;
  constructor(now: number) {
    this.startMs = now;
  }
  reset(now: number): void {
    this.records = 0;
    this.bytes = 0;
    this.latencySumUs = 0;
    this.latencyMaxUs = 0;
    this.startMs = now;
  }
}
