// Shared helpers for the `kseg dump` proof tests (test/dump/*): running the built CLI, locating the
// real corpus and its oracle files, and an independent "what Kafka sees" view of a segment built
// from kafka-python (Debian's python3-kafka through test/interop/kafka_python_oracle.py, plus a short
// inline script for the few legacy fields the oracle does not report). Never kseg's own decoder.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { kafkaPythonStatus, PYTHON, REPO_ROOT, runOracle, type OracleDecoded, type OracleDecodedBatch } from '../helpers/kafkaPython.js';
import { kafkaControlSuffix, recordSequence, type KafkaBatchFields, type KafkaRecordFields } from './kafkaLines.js';
import { DumpTextRenderer } from '../../src/cli/dumpText.js';
import type { ParallelTextDump } from '../../src/cli/dumpTextParallel.js';
import { LineWriter } from '../../src/cli/output.js';

export { REPO_ROOT };
export const KSEG_BIN = join(REPO_ROOT, 'bin/kseg.js');
export const CORPUS = process.env.KSEG_CORPUS ?? (existsSync('/work/shared/corpus') ? '/work/shared/corpus' : resolve(REPO_ROOT, '../shared/corpus'));
export const FIXTURES = join(REPO_ROOT, 'fixtures/logs');
export const corpusAvailable = existsSync(CORPUS);

export function requireCorpus(what: string): boolean {
  if (!corpusAvailable) console.warn(`[skip] ${what}: the real-broker corpus ${CORPUS} is absent`);
  return corpusAvailable;
}

export function requireKafkaPythonFor(what: string): boolean {
  const s = kafkaPythonStatus();
  if (!s.available) console.warn(`[skip] ${what}: ${s.reason}`);
  return s.available;
}

export interface KsegRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `node bin/kseg.js dump ...` (npm test builds dist/ first), from the repository root. */
export function ksegDump(args: readonly string[], opts: { cwd?: string; input?: string } = {}): KsegRun {
  for (let attempt = 0; ; attempt++) {
    const r: SpawnSyncReturns<string> = spawnSync(KSEG_BIN, ['dump', ...args], {
      encoding: 'utf8',
      cwd: opts.cwd ?? REPO_ROOT,
      maxBuffer: 256 * 1024 * 1024,
      timeout: 60_000,
    });
    if (r.error) throw r.error;
    // dist/ being rewritten by a concurrent `tsc` (shared working tree) shows up as a module-loading
    // error of the launcher; retry instead of reporting it as a dump failure.
    if (attempt < 5 && r.status === 2 && /^kseg: (The requested module|Unexpected end of input|Cannot find module|.*SyntaxError)/.test(r.stderr)) {
      spawnSync('sleep', ['2']);
      continue;
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
}

/** JSON Lines output of `kseg dump --json ...`. */
export function ksegDumpJson(args: readonly string[]): { status: number | null; events: Record<string, unknown>[]; stderr: string } {
  const r = ksegDump(['--json', ...args]);
  const events = r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: r.status, events, stderr: r.stderr };
}

export const pad20 = (n: number) => String(n).padStart(20, '0');

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** sha256 of every file under `dir` (relative name -> hash). */
export function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = sha256(p);
    }
  };
  walk(dir);
  return out;
}

const temps: string[] = [];
export function tempDir(prefix = 'kseg-dump-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
export function cleanupTemps(): void {
  while (temps.length > 0) rmSync(temps.pop()!, { recursive: true, force: true });
}

/** A writable copy of a (read-only) corpus partition dir. */
export function copyDir(src: string, dest: string): string {
  cpSync(src, dest, { recursive: true });
  // corpus files are read-only (r--r--r--): make the copies writable for the corruption tests
  for (const f of readdirSync(dest)) spawnSync('chmod', ['u+w', join(dest, f)]);
  spawnSync('chmod', ['u+w', dest]);
  return dest;
}

// ---- the corpus and its oracle output ---------------------------------------------------------

export interface CorpusSegment {
  /** e.g. kraft-3.8.0-a/foo-0/00000000000000000000 */
  name: string;
  log: string;
  jsonl: string;
  check: string;
}

function findDir(root: string, name: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === 'oracle-expected') continue;
      const p = join(dir, e.name);
      if (e.name === name) out.push(p);
      walk(p);
    }
  };
  walk(root);
  return out;
}

/** Every corpus segment that has oracle output (`oracle-expected/<tp>/<base>.{jsonl,check.txt}`). */
export function corpusSegments(): CorpusSegment[] {
  if (!corpusAvailable) return [];
  const out: CorpusSegment[] = [];
  for (const sample of readdirSync(CORPUS, { withFileTypes: true })) {
    if (!sample.isDirectory()) continue;
    const expected = join(CORPUS, sample.name, 'oracle-expected');
    if (!existsSync(expected)) continue;
    for (const tp of readdirSync(expected).sort()) {
      for (const f of readdirSync(join(expected, tp)).sort()) {
        if (!f.endsWith('.check.txt')) continue;
        const base = f.slice(0, -'.check.txt'.length);
        const dirs = findDir(join(CORPUS, sample.name), tp).filter((d) => existsSync(join(d, `${base}.log`)));
        if (dirs.length !== 1) throw new Error(`${sample.name}/${tp}/${base}: expected one .log, found ${dirs.length}`);
        out.push({ name: `${sample.name}/${tp}/${base}`, log: join(dirs[0], `${base}.log`), jsonl: join(expected, tp, `${base}.jsonl`), check: join(expected, tp, f) });
      }
    }
  }
  return out;
}

/** A partition dir of the KRaft samples, e.g. kraftDir('a', '__cluster_metadata-0'). */
export const kraftDir = (sample: 'a' | 'b', tp: string) => join(CORPUS, `kraft-3.8.0-${sample}`, 'kraft-combined-logs', tp);

/** One `pos=... size=... ...` line of a .check.txt. */
export type CheckBatch = Record<'pos' | 'size' | 'magic' | 'base' | 'last' | 'maxts' | 'count' | 'tstype', number> & { codec: string; pleo?: number; pid?: number; txn?: number; ctrl?: number };

export interface CheckFile {
  batches: CheckBatch[];
  /** `.index: ... file: [(offset, position), ...]`, null when absent. */
  indexFile: [number, number][] | null;
  /** `.timeindex: ... file: [(timestamp, offset), ...]`, null when absent. */
  timeIndexFile: [number, number][] | null;
}

export function parseCheck(text: string): CheckFile {
  const batches: CheckBatch[] = [];
  let indexFile: [number, number][] | null = null;
  let timeIndexFile: [number, number][] | null = null;
  let section: 'index' | 'timeindex' | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('pos=')) {
      const b: Record<string, number | string> = {};
      for (const kv of line.split(' ')) {
        const [k, v] = kv.split('=');
        b[k] = k === 'codec' ? v : Number(v);
      }
      batches.push(b as unknown as CheckBatch);
    } else if (line.startsWith('.index:')) section = 'index';
    else if (line.startsWith('.timeindex:')) section = 'timeindex';
    else if (line.trim().startsWith('file:') && section) {
      const pairs = [...line.matchAll(/\((-?\d+), (-?\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])] as [number, number]);
      if (section === 'index') indexFile = pairs;
      else timeIndexFile = pairs;
    }
  }
  return { batches, indexFile, timeIndexFile };
}

export interface JsonlRecord {
  offset: number;
  timestamp: number;
  key_b64: string | null;
  value_b64: string | null;
  headers: [string, string | null][];
  magic: number;
  codec: string;
  batch_base_offset: number;
}

export const readJsonl = (file: string): JsonlRecord[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as JsonlRecord);

// ---- kafka-python's view of a segment -----------------------------------------------------------

/** Per top-level batch: its size, and for legacy wrappers each inner message's stored CRC and validity. */
const LEGACY_EXTRAS_PY = `
import json, sys
from kafka.record.memory_records import MemoryRecords
from kafka.record.legacy_records import LegacyRecordBatch
from kafka.record.util import calc_crc32
result = []
for path in sys.argv[1:]:
    m = MemoryRecords(open(path, 'rb').read())
    out = []
    while True:
        b = m.next_batch()
        if b is None: break
        size = len(b._buffer)
        inner = None
        if isinstance(b, LegacyRecordBatch):
            valid = bool(b.validate_crc())
            if b.compression_type:
                list(b)  # decompresses into b._buffer
                inner = []
                for header, pos in b._read_all_headers():
                    length, crc = header[1], header[2]
                    inner.append([crc, calc_crc32(b._buffer[pos + 16: pos + 12 + length]) == crc])
            else:
                inner = [[b._crc, valid]]
        out.append({"size": size, "inner": inner})
    result.append(out)
print(json.dumps(result))
`;

type LegacyExtras = { size: number; inner: [number, boolean][] | null }[];
const extrasCache = new Map<string, LegacyExtras>();

/** Runs the extras script once for many files (one python start instead of one per file). */
export function prefetchLegacyExtras(files: readonly string[]): void {
  const todo = files.filter((f) => !extrasCache.has(f));
  if (todo.length === 0) return;
  const r = spawnSync(PYTHON, ['-c', LEGACY_EXTRAS_PY, ...todo], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kafka-python extras failed: ${r.stderr}`);
  (JSON.parse(r.stdout) as LegacyExtras[]).forEach((x, i) => extrasCache.set(todo[i], x));
}

export function legacyExtras(file: string): LegacyExtras {
  prefetchLegacyExtras([file]);
  return extrasCache.get(file)!;
}

export interface KafkaView {
  batches: { fields: KafkaBatchFields; records: KafkaRecordFields[] }[];
  /** Bytes after the last complete batch (`Found N invalid bytes at the end of ...`). */
  trailingBytes: number;
}

const tsTypeName = (magic: number, timestampTypeBit: number): KafkaBatchFields['timestampType'] =>
  magic === 0 ? 'NoTimestampType' : timestampTypeBit ? 'LogAppendTime' : 'CreateTime';

const buf = (b64: string | null): Buffer | null => (b64 === null ? null : Buffer.from(b64, 'base64'));

/** What kafka-dump-log reads from a segment, from kafka-python alone (oracle `decode` + the legacy extras). */
export async function kafkaPythonView(file: string): Promise<KafkaView> {
  const decoded = await runOracle<OracleDecoded>('decode', { hex: readFileSync(file).toString('hex') });
  const extras = legacyExtras(file);
  if (extras.length !== decoded.batches.length) throw new Error(`kafka-python saw ${decoded.batches.length} / ${extras.length} batches`);
  const view: KafkaView = { batches: [], trailingBytes: decoded.remainingBytes };
  let position = 0;
  decoded.batches.forEach((b: OracleDecodedBatch, i) => {
    const recs = decoded.records.filter((r) => r.batchIndex === i);
    const size = extras[i].size;
    let fields: KafkaBatchFields;
    let records: KafkaRecordFields[];
    if (b.magic >= 2) {
      if (b.length! + 12 !== size) throw new Error('kafka-python sizes disagree');
      const lastSequence = b.baseSequence === -1 ? -1 : recordSequence(b.baseSequence!, b.lastOffsetDelta!);
      fields = {
        magic: 2,
        baseOffset: b.baseOffset,
        lastOffset: b.baseOffset + b.lastOffsetDelta!,
        count: b.recordCount!,
        baseSequence: b.baseSequence!,
        lastSequence,
        producerId: b.producerId!,
        producerEpoch: b.producerEpoch!,
        partitionLeaderEpoch: b.partitionLeaderEpoch!,
        isTransactional: b.isTransactional!,
        isControl: b.isControl!,
        deleteHorizonMs: b.attributes & 0x40 ? b.firstTimestamp! : null,
        position,
        timestampType: tsTypeName(2, b.attributes & 0x08),
        maxTimestamp: b.maxTimestamp!,
        sizeInBytes: size,
        compression: b.codec,
        crc: b.crc >>> 0,
        isValid: b.crcValid,
      };
      records = recs.map((r) => {
        const key = buf(r.key);
        const value = buf(r.value);
        return {
          magic: 2,
          offset: r.offset,
          timestampType: fields.timestampType,
          timestamp: r.timestamp!,
          key,
          value,
          sequence: recordSequence(b.baseSequence!, r.offset - b.baseOffset),
          headerKeys: r.headers.map((h) => h[0]),
          control: b.isControl ? kafkaControlSuffix(key!, value!) : undefined,
        };
      });
    } else {
      const inner = extras[i].inner!;
      // AbstractLegacyRecordBatch: lastOffset() is the (wrapper) message's offset; maxTimestamp() its timestamp.
      fields = {
        magic: b.magic,
        baseOffset: b.baseOffset,
        lastOffset: b.baseOffset,
        count: 0,
        baseSequence: -1,
        lastSequence: -1,
        producerId: -1,
        producerEpoch: -1,
        partitionLeaderEpoch: -1,
        isTransactional: false,
        isControl: false,
        deleteHorizonMs: null,
        position,
        timestampType: tsTypeName(b.magic, b.attributes & 0x08),
        maxTimestamp: b.magic === 0 ? -1 : b.timestamp!,
        sizeInBytes: size,
        compression: b.codec,
        crc: b.crc >>> 0,
        isValid: b.crcValid,
      };
      if (inner.length !== recs.length) throw new Error('legacy inner count mismatch');
      records = recs.map((r, j) => ({
        magic: b.magic,
        offset: r.offset,
        timestampType: fields.timestampType,
        timestamp: r.timestamp ?? -1,
        key: buf(r.key),
        value: buf(r.value),
        sequence: -1,
        headerKeys: [],
        legacyCrc: inner[j][0] >>> 0,
        legacyIsValid: inner[j][1],
      }));
    }
    view.batches.push({ fields, records });
    position += size;
  });
  return view;
}

/** Same view for a corpus segment, from its oracle files (.check.txt / .jsonl) plus kafka-python for the fields they lack. */
export async function corpusView(seg: CorpusSegment): Promise<{ view: KafkaView; disagreements: string[] }> {
  const check = parseCheck(readFileSync(seg.check, 'utf8'));
  const jsonl = readJsonl(seg.jsonl);
  const kp = await kafkaPythonView(seg.log);
  const disagreements: string[] = [];
  if (kp.batches.length !== check.batches.length) disagreements.push(`batch count ${kp.batches.length} vs ${check.batches.length}`);
  const view: KafkaView = { batches: [], trailingBytes: kp.trailingBytes };
  check.batches.forEach((c, i) => {
    const k = kp.batches[i].fields;
    // The oracle files are the primary source; kafka-python must agree where both have a field.
    const pairs: [string, unknown, unknown][] = [
      ['position', c.pos, k.position],
      ['size', c.size, k.sizeInBytes],
      ['magic', c.magic, k.magic],
      ['codec', c.codec, k.compression],
      ['lastOffset', c.last, k.lastOffset],
      ['maxTimestamp', c.maxts, k.maxTimestamp],
    ];
    if (c.magic >= 2) pairs.push(['baseOffset', c.base, k.baseOffset], ['count', c.count, k.count], ['pleo', c.pleo, k.partitionLeaderEpoch], ['pid', c.pid, k.producerId], ['txn', c.txn === 1, k.isTransactional], ['ctrl', c.ctrl === 1, k.isControl]);
    for (const [what, a, b] of pairs) if (a !== b) disagreements.push(`${seg.name} batch ${i} ${what}: oracle ${String(a)} vs kafka-python ${String(b)}`);
    const fields: KafkaBatchFields = {
      ...k, // crc, isValid, baseSequence, lastSequence, producerEpoch, deleteHorizonMs: kafka-python only
      magic: c.magic,
      baseOffset: c.base,
      lastOffset: c.last,
      count: c.count,
      partitionLeaderEpoch: c.pleo ?? -1,
      producerId: c.pid ?? -1,
      isTransactional: c.txn === 1,
      isControl: c.ctrl === 1,
      position: c.pos,
      timestampType: tsTypeName(c.magic, c.tstype),
      maxTimestamp: c.maxts,
      sizeInBytes: c.size,
      compression: c.codec,
    };
    const recs = jsonl.filter((r) => r.batch_base_offset === c.base);
    const kr = kp.batches[i].records;
    if (recs.length !== kr.length) disagreements.push(`${seg.name} batch ${i}: ${recs.length} jsonl records vs ${kr.length}`);
    const records: KafkaRecordFields[] = recs.map((r, j) => {
      const key = buf(r.key_b64);
      const value = buf(r.value_b64);
      return {
        magic: r.magic,
        offset: r.offset,
        timestampType: fields.timestampType,
        timestamp: r.timestamp ?? -1,
        key,
        value,
        sequence: c.magic >= 2 ? recordSequence(fields.baseSequence, r.offset - c.base) : -1,
        headerKeys: r.headers.map((h) => h[0]),
        legacyCrc: kr[j]?.legacyCrc,
        legacyIsValid: kr[j]?.legacyIsValid,
        control: fields.isControl ? kafkaControlSuffix(key!, value!) : undefined,
      };
    });
    view.batches.push({ fields, records });
  });
  return { view, disagreements };
}

/** The control-record part of a view, or none. */
export const hasControl = (v: KafkaView) => v.batches.some((b) => b.fields.isControl);

export const fileName = basename;

/**
 * Dumps `file` with a parallel dumper again and again, into one output file, until `done()` or 20 s
 * (worker threads take a while to start), then closes the dumper. Returns the last round's output
 * (from its `Dumping` line, as a dump of that one file prints it) and its problems.
 */
export function dumpUntil(dumper: ParallelTextDump, file: string, done: () => boolean): { output: string; text: DumpTextRenderer } {
  const scratch = mkdtempSync(join(tmpdir(), 'kseg-dump-until-'));
  const path = join(scratch, 'out.txt');
  const fd = openSync(path, 'w');
  const out = new LineWriter(fd);
  let text = new DumpTextRenderer(false);
  try {
    const started = Date.now();
    do {
      text = new DumpTextRenderer(false);
      out.line(`Dumping ${file}`);
      dumper.dumpLog(file, out, text);
    } while (!done() && Date.now() - started < 20_000);
    out.flush();
  } finally {
    dumper.close();
    closeSync(fd);
  }
  const all = readFileSync(path, 'latin1');
  rmSync(scratch, { recursive: true, force: true });
  return { output: all.slice(all.lastIndexOf(`Dumping ${file}`)), text };
}
