// The CI regression gate: compare a bench report with a baseline report cell by cell (matched by
// cell id) on the medians of produce and consume records/s; a cell regresses when it is slower by
// more than the allowed percentage. Noise within the threshold passes.

import { KsegError } from '../format/errors.js';
import type { BenchReport } from './bench.js';

export interface CellComparison {
  id: string;
  metric: 'produce.recordsPerSec' | 'consume.recordsPerSec';
  baseline: number;
  current: number;
  /** (current - baseline) / baseline × 100; negative = slower. */
  changePct: number;
  regressed: boolean;
}

export interface Comparison {
  maxRegressionPct: number;
  compared: CellComparison[];
  regressions: CellComparison[];
  /** Cells only in one of the two reports. */
  missingInBaseline: string[];
  missingInCurrent: string[];
}

export function validateReport(r: unknown, what: string): BenchReport {
  const o = r as BenchReport;
  if (!o || typeof o !== 'object' || !Array.isArray(o.results) || typeof o.version !== 'number') throw new KsegError(`${what} is not a kseg bench report (no results/version)`);
  for (const c of o.results) if (typeof c.id !== 'string' || typeof c.produce?.recordsPerSec !== 'number' || typeof c.consume?.recordsPerSec !== 'number') throw new KsegError(`${what} has a malformed result cell`);
  return o;
}

export function compareReports(current: BenchReport, baseline: BenchReport, maxRegressionPct: number): Comparison {
  if (!(maxRegressionPct >= 0)) throw new KsegError('--max-regression must be a percentage >= 0');
  const base = new Map(baseline.results.map((c) => [c.id, c]));
  const cur = new Map(current.results.map((c) => [c.id, c]));
  const compared: CellComparison[] = [];
  for (const c of current.results) {
    const b = base.get(c.id);
    if (!b) continue;
    for (const metric of ['produce.recordsPerSec', 'consume.recordsPerSec'] as const) {
      const side = metric.startsWith('produce') ? 'produce' : 'consume';
      const bv = b[side].recordsPerSec;
      const cv = c[side].recordsPerSec;
      const changePct = bv > 0 ? ((cv - bv) / bv) * 100 : 0;
      compared.push({ id: c.id, metric, baseline: bv, current: cv, changePct, regressed: changePct < -maxRegressionPct });
    }
  }
  return {
    maxRegressionPct,
    compared,
    regressions: compared.filter((x) => x.regressed),
    missingInBaseline: current.results.filter((c) => !base.has(c.id)).map((c) => c.id),
    missingInCurrent: baseline.results.filter((c) => !cur.has(c.id)).map((c) => c.id),
  };
}

/** GitHub Actions workflow commands for the regressions (and a summary notice). */
export function githubAnnotations(cmp: Comparison): string[] {
  // As @actions/core escapes them: messages %, CR, LF; property values (title=) also ':' and ','.
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escProp = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const lines = cmp.regressions.map(
    (r) => `::error title=${escProp(`kseg bench regression: ${r.metric}`)}::${esc(`${r.id}: ${r.current.toFixed(0)} vs ${r.baseline.toFixed(0)} records/s (${r.changePct.toFixed(1)}%, limit -${cmp.maxRegressionPct}%)`)}`,
  );
  lines.push(`::notice title=kseg bench::${esc(`${cmp.compared.length} comparisons, ${cmp.regressions.length} regressions beyond ${cmp.maxRegressionPct}%`)}`);
  return lines;
}
