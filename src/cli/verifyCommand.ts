// `kseg verify` and `kseg recover`: commander wiring and rendering over tools/verify.ts and tools/recover.ts.
import type { Command } from 'commander';
import { recover } from '../tools/recover.js';
import type { VerifyProblem } from '../tools/verify.js';
import { verifyParallel } from '../tools/verifyParallel.js';
import { parseIntArg } from './args.js';
import { EXIT_OK, EXIT_PROBLEMS } from './exitCodes.js';

function problemLine(p: VerifyProblem): string {
  const where = [p.position !== null ? `position ${p.position}` : null, p.offset !== null ? `offset ${p.offset}` : null].filter(Boolean).join(', ');
  const ef = p.expected !== undefined || p.found !== undefined ? ` (expected ${p.expected ?? '?'}, found ${p.found ?? '?'})` : '';
  return `${p.severity.toUpperCase()} ${p.file}${where ? ` [${where}]` : ''} ${p.check}: ${p.message}${ef}`;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('Check segment files, partition directories or whole log dirs: framing, CRCs, offsets, indexes, state files (read-only)')
    .argument('<paths...>', 'files, partition dirs or log dirs')
    .option('--deep', 'also decompress every batch: record counts, offset deltas, max timestamps, inner CRCs')
    .option('--max-decompressed-bytes <n>', 'per-batch decompression limit (bomb guard)', parseIntArg, 64 * 1024 * 1024)
    .option('--json', 'print one JSON object {ok, problems, stats, partitions}')
    .option('--quiet', 'print problems only, no summary')
    .option('--jobs <n>', 'worker threads checking segments in parallel (default: one per core)', parseIntArg)
    .action(async (paths: string[], o: { deep?: boolean; json?: boolean; quiet?: boolean; maxDecompressedBytes: number; jobs?: number }) => {
      const r = await verifyParallel(paths, { deep: o.deep, maxDecompressedBytes: o.maxDecompressedBytes, jobs: o.jobs });
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else {
        const lines: string[] = [];
        if (!o.quiet)
          for (const p of r.partitions)
            lines.push(`${p.dir}: ${p.segments} segments, ${p.batches} batches, ${p.records} records, ${p.bytes} bytes, log end offset ${p.logEndOffset}, ${p.errors} errors, ${p.warnings} warnings`);
        for (const p of r.problems) if (!o.quiet || p.severity !== 'info') lines.push(problemLine(p));
        const errors = r.problems.filter((p) => p.severity === 'error').length;
        const warnings = r.problems.filter((p) => p.severity === 'warning').length;
        if (!o.quiet)
          lines.push(`${r.ok ? 'OK' : 'PROBLEMS'}: ${r.stats.partitions} partitions, ${r.stats.segments} segments, ${r.stats.batches} batches, ${r.stats.records} records, ${r.stats.bytes} bytes checked${o.deep ? ' (deep)' : ''}; ${errors} errors, ${warnings} warnings`);
        process.stdout.write(lines.join('\n') + '\n');
      }
      process.exitCode = r.ok ? EXIT_OK : EXIT_PROBLEMS;
    });

  program
    .command('recover')
    .description('Repair a partition dir or log dir like a broker does after a crash, keeping every cut byte in a quarantine dir')
    .argument('<path>', 'partition dir or log dir')
    .option('--dry-run', 'print the plan, change nothing')
    .option('--quarantine-dir <dir>', 'where cut bytes and replaced files go (default: <log dir>.kseg-quarantine beside the log dir)')
    .option('--index-interval-bytes <n>', 'index.interval.bytes for rebuilt indexes', parseIntArg, 4096)
    .option('--json', 'print the result as JSON')
    .action((path: string, o: { dryRun?: boolean; quarantineDir?: string; indexIntervalBytes: number; json?: boolean }) => {
      const r = recover(path, { dryRun: o.dryRun, quarantineDir: o.quarantineDir, indexIntervalBytes: o.indexIntervalBytes });
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else {
        const lines: string[] = [];
        for (const a of r.actions) {
          const what = a.action === 'truncate' ? `truncate ${a.file} at byte ${a.position} (cut ${a.length} bytes)` : a.action === 'move-aside' ? `move aside ${a.file} (${a.length} bytes)` : a.action === 'rebuild-index' ? `rebuild ${a.file} (${a.entries} entries)` : `rewrite ${a.file}`;
          lines.push(`${r.dryRun ? 'would ' : ''}${what}: ${a.reason}`);
        }
        for (const p of r.partitions) lines.push(`${p.dir}: log end offset ${p.logEndOffset}`);
        if (r.actions.length === 0) lines.push('Nothing to recover: every segment is valid.');
        else if (r.quarantine) lines.push(`Kept everything cut or replaced in ${r.quarantine} (manifest.json lists it).`);
        process.stdout.write(lines.join('\n') + '\n');
      }
      process.exitCode = EXIT_OK;
    });
}
