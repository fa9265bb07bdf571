// Verify benchmark: shallow `verify()` (framing, CRC-32C of every batch, offsets, the offset and time
// indexes) over page-cached uncompressed data, against the raw page-cache read bandwidth of the same
// files measured in the same run.
//
// - Data: ~1 GiB (--quick: ~128 MiB) written by the library's produce(): 1 KiB records, no key,
//   uncompressed, batch.size 1 MiB (linger long enough that batches fill), one partition, Kafka's
//   default segment.bytes and index.interval.bytes. It was just written, so the page cache holds it.
// - Both measurements run in one child process (so its peak RSS is verify's, not produce's):
//   a warm-up read of every file verify reads (.log, .index, .timeindex), then `runs` rounds of
//   (raw read, verify). Raw read = fs.readSync of each file into one 1 MiB buffer, the same syscall
//   pattern verify's reader uses. Figures are medians; MB = 1e6 bytes of those files.
// - ratio = verify MB/s ÷ raw read MB/s (target >= 0.3). maxRssMiB = process.resourceUsage().maxRSS
//   of that child after everything (target: bounded, well under the data size; verify reads in
//   fetch-size chunks with constant memory).
// - floor = the same reads plus CRC-32C over every byte and nothing else: no single-threaded verify
//   can beat it. On the development VM page-cache reads run at ~20-24 GB/s and @node-rs/crc32's
//   crc32c at ~7.7 GB/s, so the floor's ratio is ~0.23 and verifyToFloor shows what verify adds.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { crc32cImplementation } from '../src/format/crc.js';
import { produce } from '../src/tools/produce.js';

export interface VerifyBenchOptions {
  /** ~128 MiB instead of ~1 GiB. */
  quick?: boolean;
  /** Bytes of record values to produce (overrides quick). */
  bytes?: number;
  /** Rounds of (raw read, verify); medians reported (default 3). */
  runs?: number;
  /** Parent of the temp log dir (default os.tmpdir()). */
  dir?: string;
  /** Keep the log dir. */
  keep?: boolean;
  /** Progress lines (default stderr). */
  log?: (line: string) => void;
}

export interface VerifyBenchResult {
  command: string;
  data: { logDir: string; valueBytes: number; records: number; recordSize: number; batchSize: number; files: number; bytesRead: number; logBytes: number; segments: number; batches: number; produceSeconds: number };
  raw: { readMBps: number; runsMBps: number[] };
  /** The CRC-32C implementation in use (src/format/crc.ts). */
  crc32c: string;
  /** The same reads plus CRC-32C over every byte, no parsing: what any verify must at least do. */
  floor: { readPlusCrc32cMBps: number; ratioToRaw: number };
  verify: { MBps: number; runsMBps: number[]; seconds: number; ok: boolean; problems: number; batchesPerSec: number };
  parallel: { MBps: number; runsMBps: number[]; seconds: number; ratioToRaw: number; jobs: number };
  /** kseg verify (parallel) MB/s ÷ raw page-cache read MB/s. */
  ratio: number;
  singleThreadRatio: number;
  /** verify MB/s ÷ floor MB/s (1 = verify costs no more than reading and checksumming). */
  verifyToFloor: number;
  maxRssMiB: number;
  targets: { ratio: number; maxRssMiB: number };
  pass: { ratio: boolean; maxRss: boolean };
  definitions: string[];
}

const MiB = 1024 * 1024;
const MB = 1e6;

/** A module of dist/src next to this compiled file (dist/bench/verify.js). */
function distModuleUrl(rel: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const js = resolve(here, '..', rel);
  if (!existsSync(js)) throw new Error(`${js} not found: run the compiled bench (npm run bench / node dist/bench/verify.js)`);
  return pathToFileURL(js).href;
}

// Runs in the child: warm-up read, then rounds of (raw read, verify); prints one JSON line.
const CHILD = `
const [verifyUrl, crcUrl, partDir, runsText, parallelUrl] = process.argv.slice(1);
const { verify } = await import(verifyUrl);
const { verifyParallel } = await import(parallelUrl);
const { crc32c } = await import(crcUrl);
const { openSync, readSync, closeSync, readdirSync, readFileSync } = await import('node:fs');
const { join } = await import('node:path');
const { performance } = await import('node:perf_hooks');
// partDir is a log dir: every partition's segments and indexes.
const files = readdirSync(partDir, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) => readdirSync(join(partDir, d.name)).filter((f) => /\\.(log|index|timeindex)$/.test(f)).sort().map((f) => join(partDir, d.name, f)));
const buf = Buffer.allocUnsafe(1024 * 1024);
function rawRead() {
  let total = 0;
  const t0 = performance.now();
  for (const f of files) {
    const fd = openSync(f, 'r');
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) total += n;
    closeSync(fd);
  }
  return { seconds: (performance.now() - t0) / 1000, bytes: total };
}
// The least work any checker does: the same reads plus CRC-32C over every byte (no parsing).
let sink = 0;
function readPlusCrc() {
  const t0 = performance.now();
  for (const f of files) {
    const fd = openSync(f, 'r');
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) sink ^= crc32c(buf, 0, n);
    closeSync(fd);
  }
  return (performance.now() - t0) / 1000;
}
rawRead(); // warm-up: every page in the cache, file metadata hot
const raw = [];
const floor = [];
const ver = [];
const par = [];
let last;
let lastPar;
for (let i = 0; i < Number(runsText); i++) {
  raw.push(rawRead());
  floor.push(readPlusCrc());
  const t0 = performance.now();
  last = verify([partDir]);
  ver.push((performance.now() - t0) / 1000);
  const t1 = performance.now();
  lastPar = await verifyParallel([partDir]);
  par.push((performance.now() - t1) / 1000);
}
process.stdout.write(JSON.stringify({
  files: files.length,
  raw,
  floorSeconds: floor,
  sink,
  verifySeconds: ver,
  parallelSeconds: par,
  ok: last.ok && lastPar.ok,
  problems: last.problems.filter((p) => p.severity !== 'info').length,
  stats: last.stats,
  // VmHWM resets at exec; getrusage's maxRSS keeps the forking parent's high-water mark.
  maxRssKiB: (() => { try { return Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]); } catch { return process.resourceUsage().maxRSS; } })(),
}) + '\\n');
`;

interface ChildResult {
  files: number;
  raw: { seconds: number; bytes: number }[];
  floorSeconds: number[];
  verifySeconds: number[];
  parallelSeconds: number[];
  ok: boolean;
  problems: number;
  stats: { segments: number; batches: number; bytes: number; files: number };
  maxRssKiB: number;
}

function runChild(partDir: string, runs: number): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, distModuleUrl('src/tools/verify.js'), distModuleUrl('src/format/crc.js'), partDir, String(runs), distModuleUrl('src/tools/verifyParallel.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`verify bench child exited ${code}: ${err.slice(0, 2000)}`));
      else resolvePromise(JSON.parse(out));
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function runVerifyBench(opts: VerifyBenchOptions = {}): Promise<VerifyBenchResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const recordSize = 1024;
  const batchSize = MiB;
  const valueBytes = opts.bytes ?? (opts.quick ? 128 : 1024) * MiB;
  const records = Math.max(1, Math.round(valueBytes / recordSize));
  const runs = opts.runs ?? 3;
  const root = mkdtempSync(join(opts.dir ?? os.tmpdir(), 'kseg-verify-bench-'));
  const logDir = join(root, 'logs');
  try {
    log(`verify bench: producing ${records} records of ${recordSize} B in ${batchSize / MiB} MiB batches into ${logDir}`);
    // A log dir of 4 partitions: `kseg verify` checks segments on every core (verifyParallel).
    const partitions = 4;
    const produced = await produce({ logDir, topic: 'bench', partitions, numRecords: records, recordSize, batchSize, lingerMs: 60_000, compressionType: 'none', workers: 1 });
    const partDir = logDir;
    const logFiles = readdirSync(logDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).flatMap((d) => readdirSync(join(logDir, d)).filter((f) => f.endsWith('.log')).map((f) => join(logDir, d, f)));
    const logBytes = logFiles.reduce((a, f) => a + statSync(f).size, 0);
    log(`verify bench: ${logBytes} bytes in ${logFiles.length} segments (${produced.batches} batches) in ${round(produced.seconds, 2)} s; measuring raw read and verify (${runs} rounds)`);
    const c = await runChild(partDir, runs);
    const bytesRead = c.raw[0].bytes;
    const rawRuns = c.raw.map((r) => r.bytes / MB / r.seconds);
    // verify's MB/s counts the same bytes the raw read reads (the .log files and both indexes).
    const verRuns = c.verifySeconds.map((s) => bytesRead / MB / s);
    const rawMBps = median(rawRuns);
    const verMBps = median(verRuns);
    const parRuns = c.parallelSeconds.map((s) => bytesRead / MB / s);
    const parMBps = median(parRuns);
    // What `kseg verify` does (segments on every core) is the figure held to the target.
    const ratio = parMBps / rawMBps;
    const floorMBps = median(c.floorSeconds.map((sec) => bytesRead / MB / sec));
    const maxRssMiB = c.maxRssKiB / 1024;
    const rssTarget = 256;
    const result: VerifyBenchResult = {
      command: `node dist/bench/verify.js${opts.quick ? ' --quick' : ''} (or npm run bench${opts.quick ? ' -- --quick' : ''})`,
      data: { logDir, valueBytes: produced.bytes, records: produced.records, recordSize, batchSize, files: c.files, bytesRead, logBytes, segments: logFiles.length, batches: c.stats.batches, produceSeconds: round(produced.seconds, 3) },
      crc32c: crc32cImplementation,
      raw: { readMBps: round(rawMBps), runsMBps: rawRuns.map((x) => round(x)) },
      verify: { MBps: round(verMBps), runsMBps: verRuns.map((x) => round(x)), seconds: round(median(c.verifySeconds), 4), ok: c.ok, problems: c.problems, batchesPerSec: Math.round(c.stats.batches / median(c.verifySeconds)) },
      parallel: { MBps: round(parMBps), runsMBps: parRuns.map((x) => round(x)), seconds: round(median(c.parallelSeconds), 4), ratioToRaw: round(ratio, 3), jobs: os.availableParallelism() },
      floor: { readPlusCrc32cMBps: round(floorMBps), ratioToRaw: round(floorMBps / rawMBps, 3) },
      ratio: round(ratio, 3),
      singleThreadRatio: round(verMBps / rawMBps, 3),
      verifyToFloor: round(verMBps / floorMBps, 3),
      maxRssMiB: round(maxRssMiB),
      targets: { ratio: 0.3, maxRssMiB: rssTarget },
      pass: { ratio: ratio >= 0.3 && c.ok, maxRss: maxRssMiB < rssTarget },
      definitions: [
        'MB = 1e6 bytes of the files verify reads (.log, .index, .timeindex); medians of the rounds',
        'raw: fs.readSync of each file into one 1 MiB buffer after a warm-up read (page cache), same process as verify',
        'verify: verify([logDir]) single-threaded, shallow: framing, CRC-32C of every batch, offsets, offset and time indexes',
        'parallel: verifyParallel([logDir]), what `kseg verify` runs: the same checks with segments spread over one worker thread per core; ratio = parallel MB/s / raw MB/s',
        'floor: the same reads plus crc32c() over every chunk, no parsing; floor.ratioToRaw bounds any single-threaded verify',
        'maxRssMiB: process.resourceUsage().maxRSS of the measuring child (not the producer)',
      ],
    };
    log(`verify bench: kseg verify (verifyParallel, up to ${result.parallel.jobs} threads from 2 GiB) ${result.parallel.MBps} MB/s, single-threaded ${result.verify.MBps} MB/s vs raw read ${result.raw.readMBps} MB/s → ratio ${result.ratio} (read+CRC floor ${result.floor.readPlusCrc32cMBps} MB/s with ${result.crc32c}, ratio ${result.floor.ratioToRaw}); max RSS ${result.maxRssMiB} MiB`);
    return result;
  } finally {
    if (!opts.keep) rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const bi = args.indexOf('--bytes');
  runVerifyBench({ quick: args.includes('--quick'), bytes: bi >= 0 ? Number(args[bi + 1]) : undefined, keep: args.includes('--keep') })
    .then((r) => process.stdout.write(`${JSON.stringify({ verify: r }, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
