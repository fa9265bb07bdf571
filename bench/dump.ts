// Dump benchmark: `kseg dump --deep-iteration --print-data-log FILE > /dev/null` on a large segment,
// as a user runs it (child process, the built CLI), against kafka-python decoding the same bytes.
//
// - The segment (~1 GiB; --quick 128 MiB) holds 100-byte text-like values (no key), in ~16 KiB
//   uncompressed v2 batches (the producer's default batch.size), built with kseg's RecordBatchBuilder.
//   A few distinct batches are built once and written again and again with their baseOffset
//   rewritten (the base offset is outside the CRC), so offsets are consecutive and every batch valid.
// - kseg: wall time of the child process -> records/s and MB/s of segment, the median of 3 runs (as
//   a user runs it: large logs are rendered by the main thread and cores - 1 workers; once more
//   with --jobs 0 for one thread, and (info) with the file named three times, as a three-segment
//   partition is dumped); peak RSS (the largest of the runs) from
//   `/usr/bin/time -v` ("Maximum resident set size") when present, else by polling VmHWM in
//   /proc/<pid>/status. The page cache holds the file (it was just written): this measures the tool,
//   not the disk.
// - kafka-python (Debian's python3-kafka, /usr/bin/python3): MemoryRecords over the first
//   `pythonCapBytes` (default 32 MiB) of the same file, validate_crc() per batch and every record's
//   offset/timestamp/key/value/headers read, the median of 3 runs; records/s is scaled from that
//   slice. The ratio is kseg records/s / kafka-python records/s (kseg also formats and writes every
//   line), and ksegDecodeOnly gives the like-for-like figure: kseg's decoder in-process on the same
//   slice.
// - Targets: >= 1M records/s, >= 20x kafka-python, peak RSS < 200 MiB (constant memory: RSS must not
//   grow with the file).

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RecordBatchBuilder } from '../src/format/recordBatchBuilder.js';
import { writeInt64 } from '../src/format/int64.js';
import { LogFileReader } from '../src/storage/logFileReader.js';
import { BASE_TIMESTAMP, makeRecords } from './lib/data.js';

export interface DumpBenchOptions {
  /** 128 MiB instead of 1 GiB. */
  quick?: boolean;
  /** Segment size in bytes (overrides quick). */
  bytes?: number;
  /** Value size per record (default 100). */
  recordSize?: number;
  /** kafka-python decodes at most this many bytes of the file (default 32 MiB). */
  pythonCapBytes?: number;
  /** Timed runs of the kseg dump and of kafka-python's decode; their medians are compared (default 3). */
  runs?: number;
  /** Skip the kafka-python comparison. */
  noPython?: boolean;
  /** Directory for the segment (default a fresh dir under os.tmpdir(), removed afterwards). */
  dir?: string;
  /** Keep the segment file. */
  keep?: boolean;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

export interface DumpBenchResult {
  command: string;
  segment: { bytes: number; batches: number; records: number; recordsPerBatch: number; valueSize: number; buildSeconds: number };
  /** The dump as a user runs it (the main thread and cores - 1 workers): the median run; peak RSS of all. */
  kseg: ChildFigures & { runsSeconds: number[] };
  /** (info) The same with --jobs 0 (one thread, one run), and its ratio to kafka-python. */
  ksegOneThread: ChildFigures & { ratio: number | null };
  /** (info) `kseg dump ... FILE FILE FILE`: start-up and warm-up paid once over three segments' worth. */
  ksegThreeSegments: { seconds: number; recordsPerSec: number; peakRssMiB: number | null; exitCode: number | null; ratio: number | null };
  kafkaPython: { bytes: number; records: number; seconds: number; recordsPerSec: number; version: string } | { skipped: string };
  /** kseg records/s (the CLI, formatting and writing every line) ÷ kafka-python records/s (decode only). */
  ratio: number | null;
  /**
   * Like for like: kseg's decoder in-process over the same slice kafka-python decoded (CRC check per
   * batch, every record's offset/timestamp/key/value/headers read, nothing printed), best of 3.
   */
  ksegDecodeOnly: { bytes: number; records: number; seconds: number; recordsPerSec: number; ratioToKafkaPython: number | null };
  targets: { recordsPerSec: number; ratio: number; peakRssMiB: number };
  pass: { recordsPerSec: boolean; ratio: boolean | null; peakRss: boolean | null };
}

interface ChildFigures {
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  peakRssMiB: number | null;
  rssSource: string;
  exitCode: number | null;
  stderr: string;
}

const MiB = 1024 * 1024;
const PYTHON = '/usr/bin/python3';

/** The repository root (the directory holding bin/kseg.js), from bench/ or dist/bench/. */
function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(d, 'bin/kseg.js'))) return d;
    d = resolve(d, '..');
  }
  throw new Error('cannot find bin/kseg.js above ' + fileURLToPath(import.meta.url));
}

/** Writes a segment of ~`bytes` bytes; returns its shape. */
function buildSegment(file: string, bytes: number, valueSize: number): { bytes: number; batches: number; records: number; recordsPerBatch: number } {
  const BATCH_BYTES = 16 * 1024;
  const perRecord = valueSize + 8; // value + record framing (length, attributes, deltas, lengths, headers count)
  const recordsPerBatch = Math.max(1, Math.floor((BATCH_BYTES - 61) / perRecord));
  const DISTINCT = 16;
  const data = makeRecords(recordsPerBatch * DISTINCT, valueSize, 7);
  const templates: Buffer[] = [];
  const builder = new RecordBatchBuilder({}, BATCH_BYTES * 2);
  for (let t = 0; t < DISTINCT; t++) {
    builder.reset({ baseOffset: 0, partitionLeaderEpoch: 0 });
    for (let i = 0; i < recordsPerBatch; i++) builder.append(BASE_TIMESTAMP + t * recordsPerBatch + i, null, data.values[t * recordsPerBatch + i]);
    templates.push(Buffer.from(builder.build()));
  }
  const chunk = Buffer.allocUnsafe(4 * MiB + BATCH_BYTES * 2);
  const fd = openSync(file, 'w');
  let written = 0;
  let batches = 0;
  let offset = 0;
  let used = 0;
  try {
    while (written + used < bytes) {
      const t = templates[batches % DISTINCT];
      t.copy(chunk, used);
      writeInt64(chunk, used, offset);
      used += t.length;
      offset += recordsPerBatch;
      batches++;
      if (used >= 4 * MiB) {
        writeSync(fd, chunk, 0, used);
        written += used;
        used = 0;
      }
    }
    if (used > 0) writeSync(fd, chunk, 0, used);
    written += used;
  } finally {
    closeSync(fd);
  }
  return { bytes: written, batches, records: offset, recordsPerBatch };
}

interface ChildRun {
  seconds: number;
  exitCode: number | null;
  peakRssKiB: number | null;
  rssSource: string;
  stderr: string;
}

/** Runs argv with stdout to /dev/null; peak RSS from /usr/bin/time -v or /proc polling. */
function runChild(argv: string[]): Promise<ChildRun> {
  const useTime = existsSync('/usr/bin/time');
  const cmd = useTime ? '/usr/bin/time' : argv[0];
  const args = useTime ? ['-v', ...argv] : argv.slice(1);
  const devnull = openSync('/dev/null', 'w');
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', devnull, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 1 << 20) stderr += d.toString('utf8');
    });
    let hwm: number | null = null;
    const poll = useTime
      ? null
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) hwm = Math.max(hwm ?? 0, Number(m[1]));
          } catch {
            /* exited */
          }
        }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (poll) clearInterval(poll);
      closeSync(devnull);
      let peak = hwm;
      let source = useTime ? '/usr/bin/time -v' : '/proc/<pid>/status VmHWM (polled every 20 ms)';
      let exitCode = code;
      if (useTime) {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
        peak = m ? Number(m[1]) : null;
        const st = /Exit status: (\d+)/.exec(stderr);
        if (st) exitCode = Number(st[1]);
        stderr = stderr.replace(/\tCommand being timed:[\s\S]*$/, '');
        if (!m) source = 'unavailable';
      }
      resolvePromise({ seconds, exitCode, peakRssKiB: peak, rssSource: source, stderr });
    });
  });
}

const PY_DECODE = `
import json, sys, time
import kafka
from kafka.record.memory_records import MemoryRecords
path, cap = sys.argv[1], int(sys.argv[2])
with open(path, 'rb') as f:
    data = f.read(cap)
t0 = time.perf_counter()
m = MemoryRecords(data)
n = 0
while True:
    b = m.next_batch()
    if b is None:
        break
    if not b.validate_crc():
        raise SystemExit('bad crc')
    for r in b:
        r.offset; r.timestamp; r.key; r.value; r.headers
        n += 1
t = time.perf_counter() - t0
print(json.dumps({"records": n, "seconds": t, "bytes": m.valid_bytes(), "version": kafka.__version__}))
`;

/** The run of median duration (the lower middle one for an even count). */
function medianRun<T extends { seconds: number }>(runs: readonly T[]): T {
  return [...runs].sort((a, b) => a.seconds - b.seconds)[(runs.length - 1) >> 1];
}

/** kafka-python's decode of the first `cap` bytes, `runs` times: the median run. */
function kafkaPythonDecode(file: string, cap: number, runs: number): DumpBenchResult['kafkaPython'] {
  if (!existsSync(PYTHON)) return { skipped: `${PYTHON} not found` };
  const results: { records: number; seconds: number; bytes: number; version: string }[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(PYTHON, ['-c', PY_DECODE, file, String(cap)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) return { skipped: `kafka-python failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}` };
    results.push(JSON.parse(r.stdout) as { records: number; seconds: number; bytes: number; version: string });
  }
  const o = medianRun(results);
  return { bytes: o.bytes, records: o.records, seconds: round(o.seconds, 3), recordsPerSec: Math.round(o.records / o.seconds), version: o.version };
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function ksegDecode(file: string, cap: number): { bytes: number; records: number; seconds: number } {
  let best = Infinity;
  let records = 0;
  let bytes = 0;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    let n = 0;
    let sink = 0;
    const reader = new LogFileReader(file, { maxBytes: cap });
    for (const b of reader) {
      if (!b.isValid()) throw new Error(`bad CRC at ${b.position}`);
      for (const r of b.records()) {
        sink += r.offset + r.timestamp + (r.key()?.length ?? 0) + (r.value()?.length ?? 0) + r.headers().length;
        n++;
      }
    }
    const s = (performance.now() - t0) / 1000;
    if (sink === -1) throw new Error('unreachable');
    if (s < best) best = s;
    records = n;
    bytes = reader.end?.position ?? cap;
  }
  return { bytes, records, seconds: best };
}

export async function runDumpBench(opts: DumpBenchOptions = {}): Promise<DumpBenchResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`[dump] ${l}\n`));
  const bytes = opts.bytes ?? (opts.quick ? 128 * MiB : 1024 * MiB);
  const valueSize = opts.recordSize ?? 100;
  const root = repoRoot();
  const dir = opts.dir ?? mkdtempSync(join(os.tmpdir(), 'kseg-dump-bench-'));
  const file = join(dir, '00000000000000000000.log');
  try {
    log(`building ${round(bytes / MiB)} MiB segment of ${valueSize} B records in ${file}`);
    const b0 = performance.now();
    const seg = buildSegment(file, bytes, valueSize);
    const buildSeconds = round((performance.now() - b0) / 1000, 2);
    const argv = [process.execPath, join(root, 'bin/kseg.js'), 'dump', '--deep-iteration', '--print-data-log', file];
    const command = `node bin/kseg.js dump --deep-iteration --print-data-log ${file} > /dev/null`;
    log(`${seg.records} records in ${seg.batches} batches; running: ${command}`);
    const summarize = (run: ChildRun) => ({
      seconds: round(run.seconds, 3),
      recordsPerSec: Math.round(seg.records / run.seconds),
      mbPerSec: round(seg.bytes / 1e6 / run.seconds),
      peakRssMiB: run.peakRssKiB === null ? null : round(run.peakRssKiB / 1024),
      rssSource: run.rssSource,
      exitCode: run.exitCode,
      stderr: run.stderr.trim().slice(0, 2000),
    });
    // The figure is the median of `runs` runs (this VM's noise is several percent run to run); peak
    // RSS the largest of them.
    const runs = Math.max(1, opts.runs ?? 3);
    const ksegRuns: ChildRun[] = [];
    for (let r = 0; r < runs; r++) {
      ksegRuns.push(await runChild(argv));
      log(`kseg run ${r + 1}: ${round(ksegRuns[r].seconds, 3)} s`);
    }
    const median = medianRun(ksegRuns);
    const peaks = ksegRuns.map((r) => r.peakRssKiB).filter((k): k is number => k !== null);
    const kseg = {
      ...summarize({ ...median, exitCode: ksegRuns.find((r) => r.exitCode !== 0)?.exitCode ?? median.exitCode, peakRssKiB: peaks.length > 0 ? Math.max(...peaks) : null }),
      runsSeconds: ksegRuns.map((r) => round(r.seconds, 3)),
    };
    log(`kseg: ${kseg.recordsPerSec} records/s (median of ${runs}), ${kseg.mbPerSec} MB/s, peak RSS ${kseg.peakRssMiB} MiB, exit ${kseg.exitCode}`);
    // The same dump on one thread (--jobs 0): what the record path alone does.
    const oneThread = summarize(await runChild([...argv.slice(0, 3), '--jobs', '0', ...argv.slice(3)]));
    log(`kseg --jobs 0: ${oneThread.recordsPerSec} records/s, peak RSS ${oneThread.peakRssMiB} MiB`);
    // The segment three times in one run, as a partition of three segments is dumped: start-up and
    // JIT warm-up (~0.3-0.4 s of the single run) are paid once.
    const three = await runChild([...argv, file, file]);
    const threeSegments = { seconds: round(three.seconds, 3), recordsPerSec: Math.round((3 * seg.records) / three.seconds), peakRssMiB: three.peakRssKiB === null ? null : round(three.peakRssKiB / 1024), exitCode: three.exitCode };
    log(`kseg, the segment 3 times in one run: ${threeSegments.recordsPerSec} records/s`);
    const cap = Math.min(opts.pythonCapBytes ?? 32 * MiB, seg.bytes);
    const kafkaPython = opts.noPython ? { skipped: 'disabled (--no-python)' } : kafkaPythonDecode(file, cap, runs);
    const ratio = 'recordsPerSec' in kafkaPython ? round(kseg.recordsPerSec / kafkaPython.recordsPerSec) : null;
    if ('recordsPerSec' in kafkaPython) log(`kafka-python: ${kafkaPython.recordsPerSec} records/s on the first ${round(kafkaPython.bytes / MiB)} MiB -> kseg is ${ratio}x`);
    else log(`kafka-python skipped: ${kafkaPython.skipped}`);
    const dec = ksegDecode(file, cap);
    const decRate = Math.round(dec.records / dec.seconds);
    const ksegDecodeOnly = { bytes: dec.bytes, records: dec.records, seconds: round(dec.seconds, 3), recordsPerSec: decRate, ratioToKafkaPython: 'recordsPerSec' in kafkaPython ? round(decRate / kafkaPython.recordsPerSec) : null };
    log(`kseg decode only (in-process, same slice): ${decRate} records/s${ksegDecodeOnly.ratioToKafkaPython !== null ? ` = ${ksegDecodeOnly.ratioToKafkaPython}x kafka-python` : ''}`);
    const targets = { recordsPerSec: 1_000_000, ratio: 20, peakRssMiB: 200 };
    return {
      command,
      segment: { ...seg, valueSize, buildSeconds },
      kseg,
      ksegOneThread: { ...oneThread, ratio: 'recordsPerSec' in kafkaPython ? round(oneThread.recordsPerSec / kafkaPython.recordsPerSec) : null },
      ksegThreeSegments: { ...threeSegments, ratio: 'recordsPerSec' in kafkaPython ? round(threeSegments.recordsPerSec / kafkaPython.recordsPerSec) : null },
      kafkaPython,
      ratio,
      ksegDecodeOnly,
      targets,
      pass: {
        recordsPerSec: kseg.recordsPerSec >= targets.recordsPerSec && kseg.exitCode === 0,
        ratio: ratio === null ? null : ratio >= targets.ratio,
        peakRss: kseg.peakRssMiB === null ? null : kseg.peakRssMiB < targets.peakRssMiB,
      },
    };
  } finally {
    if (!opts.keep && !opts.dir) rmSync(dir, { recursive: true, force: true });
    else if (!opts.keep) rmSync(file, { force: true });
  }
}

// `node dist/bench/dump.js [--quick] [--bytes N] [--no-python] [--keep]`: this bench alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const bi = args.indexOf('--bytes');
  runDumpBench({ quick: args.includes('--quick'), bytes: bi >= 0 ? Number(args[bi + 1]) : undefined, noPython: args.includes('--no-python'), keep: args.includes('--keep') })
    .then((r) => process.stdout.write(`${JSON.stringify({ dump: r }, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
