// Timing harness for the benches: warm up (so the JIT has settled on optimized code), calibrate how
// many passes fill one timed run, then time several runs and keep the median. The machine is noisy
// (±30% between runs is normal), so every result carries its spread across runs.

import { performance } from 'node:perf_hooks';

export interface MeasureOptions {
  /** Minimum warm-up time before timing, ms. */
  warmupMs: number;
  /** Minimum passes during warm-up (at least this many, whatever the time). */
  warmupPasses: number;
  /** Target duration of one timed run, ms (a run is always at least one pass). */
  runMs: number;
  /** Number of timed runs; the median is reported. */
  runs: number;
}

export interface Measurement {
  /** Median seconds per pass. */
  secondsPerPass: number;
  /** Passes per timed run (after calibration). */
  passesPerRun: number;
  runs: number;
  /** (slowest - fastest) / median of the per-run times, in percent. */
  spreadPct: number;
}

/** Anything the timed code returns lands here, so the JIT cannot drop the work that computed it. */
export let sink = 0;

function summarize(perPass: number[], passesPerRun: number): Measurement {
  const sorted = [...perPass].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    secondsPerPass: median,
    passesPerRun,
    runs: sorted.length,
    spreadPct: Math.round(((sorted[sorted.length - 1] - sorted[0]) / median) * 1000) / 10,
  };
}

/** Times `pass` (one unit of work; returns a number that depends on all of it). */
export function measure(pass: () => number, o: MeasureOptions): Measurement {
  let n = 0;
  const w0 = performance.now();
  while (n < o.warmupPasses || performance.now() - w0 < o.warmupMs) {
    sink ^= pass();
    n++;
  }
  const perPassMs = (performance.now() - w0) / n;
  const reps = Math.max(1, Math.round(o.runMs / perPassMs));
  const times: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) sink ^= pass();
    times.push((performance.now() - t0) / 1000 / reps);
  }
  return summarize(times, reps);
}

/** Same, for work that is asynchronous (kafkajs's decoder and encoder return promises). */
export async function measureAsync(pass: () => Promise<number>, o: MeasureOptions): Promise<Measurement> {
  let n = 0;
  const w0 = performance.now();
  while (n < o.warmupPasses || performance.now() - w0 < o.warmupMs) {
    sink ^= await pass();
    n++;
  }
  const perPassMs = (performance.now() - w0) / n;
  const reps = Math.max(1, Math.round(o.runMs / perPassMs));
  const times: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) sink ^= await pass();
    times.push((performance.now() - t0) / 1000 / reps);
  }
  return summarize(times, reps);
}

/** Rounds to `digits` significant-ish decimals for readable JSON. */
export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
