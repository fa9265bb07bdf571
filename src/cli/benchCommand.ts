// `kseg bench`: commander wiring and rendering over tools/bench.ts (matrix run), benchCompare.ts
// (the regression gate) and benchReport.ts (table, HTML).
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../storage/atomicWrite.js';
import { runBench, type BenchReport } from '../tools/bench.js';
import { compareReports, githubAnnotations, validateReport } from '../tools/benchCompare.js';
import { DEFAULT_MATRIX, parseMatrix, QUICK_MATRIX } from '../tools/benchMatrix.js';
import { benchHtml, benchTable } from '../tools/benchReport.js';
import { parseSize } from '../tools/units.js';
import { arg, parseIntArg, parseNumberArg, UsageError } from './args.js';
import { openDisplay } from './displays.js';
import { EXIT_OK, EXIT_PROBLEMS } from './exitCodes.js';

interface BenchCli {
  matrix?: string;
  quick?: boolean;
  repeat?: number;
  bytesPerCell?: number;
  dir?: string;
  out?: string;
  html?: string;
  baseline?: string;
  maxRegression: number;
  format: 'text' | 'github' | 'json';
  compressibility: number;
  seed: number;
  progress: boolean;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('Run produce+consume over a matrix of knobs beside the disk\'s own limits; gate CI on regressions')
    .option('--matrix <spec>', 'e.g. "compression=none,lz4,zstd batch-size=16KiB,1MiB record-size=100,1024 flush=never,1000 partitions=1,4 linger=0,5"')
    .option('--quick', 'a small matrix that finishes in well under a minute')
    .option('--repeat <n>', 'runs per cell; medians are reported and compared', parseIntArg)
    .option('--bytes-per-cell <size>', 'payload bytes produced per cell (e.g. 256MiB)', arg(parseSize))
    .option('--dir <dir>', 'where temp log dirs go: the disk under test (default: the OS temp dir)')
    .option('--out <file.json>', 'write the machine-readable results')
    .option('--html <file.html>', 'write a self-contained report with charts')
    .option('--baseline <old.json>', 'compare with an earlier --out file, cell by cell')
    .option('--max-regression <pct>', 'fail (exit 1) when a cell is slower than the baseline by more than this', parseNumberArg, 10)
    .option('--format <format>', 'text | github (workflow annotations) | json (the report on stdout)', 'text')
    .option('--compressibility <0..1>', 'payload compressibility', parseNumberArg, 0.5)
    .option('--seed <n>', 'payload seed', parseIntArg, 0)
    .option('--no-progress', 'no live display')
    .action(async (o: BenchCli) => {
      process.exitCode = await runBenchCommand(o);
    });
}

async function runBenchCommand(o: BenchCli): Promise<number> {
  if (!['text', 'github', 'json'].includes(o.format)) throw new UsageError(`--format must be text, github or json (got '${o.format}')`);
  // Read the baseline first: a bad path is a usage error before minutes of benchmarking.
  let baseline: BenchReport | undefined;
  if (o.baseline) {
    let text: string;
    try {
      text = readFileSync(o.baseline, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --baseline ${o.baseline}: ${(err as Error).message}`);
    }
    try {
      baseline = validateReport(JSON.parse(text), o.baseline);
    } catch (err) {
      throw new UsageError(`--baseline ${o.baseline}: ${(err as Error).message}`);
    }
  }
  const base = o.quick ? QUICK_MATRIX : DEFAULT_MATRIX;
  const matrix = o.matrix ? parseMatrix(o.matrix, base) : base;
  const display = await openDisplay({ progress: o.progress, json: o.format === 'json' });
  const started = Date.now();
  let report: BenchReport;
  try {
    report = await runBench({
      matrix,
      bytesPerCell: o.bytesPerCell ?? (o.quick ? 128 * 1024 * 1024 : 256 * 1024 * 1024),
      repeat: o.repeat ?? (o.quick ? 1 : 3),
      dir: o.dir,
      compressibility: o.compressibility,
      seed: o.seed,
      onProgress: (e) => {
        if (e.phase === 'baseline') display.windowLine('measuring the disk and codec baselines...');
        else if (e.phase === 'produce') display.windowLine(`[${e.index + 1}/${e.total}] ${e.cell ? Object.entries(e.cell).map(([k, v]) => `${k}=${v ?? 'never'}`).join(' ') : ''}`);
        display.update({ title: 'kseg bench', elapsedMs: Date.now() - started, records: e.index, target: e.total, recordsPerSec: e.recordsPerSec ?? 0, mbPerSec: 0, partitions: [] });
      },
    });
  } finally {
    await display.stop();
  }
  if (o.out) writeFileAtomic(o.out, JSON.stringify(report, null, 2) + '\n', false);
  if (o.html) writeFileAtomic(o.html, await benchHtml(report), false);
  const out: string[] = [];
  if (o.format === 'json') out.push(JSON.stringify(report));
  else out.push(...benchTable(report));
  let code = EXIT_OK;
  if (baseline) {
    const cmp = compareReports(report, baseline, o.maxRegression);
    if (o.format === 'github') out.push(...githubAnnotations(cmp));
    if (o.format !== 'json') {
      out.push('', `compared ${cmp.compared.length} figures with ${o.baseline}: ${cmp.regressions.length} regressions beyond ${o.maxRegression}%`);
      for (const r of cmp.regressions) out.push(`REGRESSION ${r.id} ${r.metric}: ${r.current.toFixed(0)} vs ${r.baseline.toFixed(0)} (${r.changePct.toFixed(1)}%)`);
      if (cmp.missingInBaseline.length) out.push(`not in the baseline: ${cmp.missingInBaseline.join('; ')}`);
      if (cmp.missingInCurrent.length) out.push(`not in this run: ${cmp.missingInCurrent.join('; ')}`);
    }
    if (cmp.regressions.length > 0) code = EXIT_PROBLEMS;
  }
  process.stdout.write(out.join('\n') + '\n');
  return code;
}
