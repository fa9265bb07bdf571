// Shared helper for tests that use Debian's kafka-python as an oracle, through
// test/interop/kafka_python_oracle.py. Detection is synchronous (one cached spawnSync) so that
// `describe.skipIf(!kafkaPython.available)` can use it at collection time.
//
//   import { kafkaPython, runOracle } from '../helpers/kafkaPython.js';
//   describe.skipIf(!kafkaPython.available)('...', () => { ... });
//
// Only /usr/bin/python3 is used: it is the interpreter that has python3-kafka and its codecs.

import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ORACLE_SCRIPT = path.join(REPO_ROOT, 'test/interop/kafka_python_oracle.py');

export interface KafkaPythonStatus {
  available: boolean;
  /** Why it is unavailable ('' when available). */
  reason: string;
  /** kafka.__version__ when available. */
  version: string;
}

let cached: KafkaPythonStatus | undefined;

/** Whether /usr/bin/python3 can import kafka (checked once per worker, ~100 ms). */
export function kafkaPythonStatus(): KafkaPythonStatus {
  if (cached) return cached;
  const r = spawnSync(PYTHON, ['-c', 'import kafka, kafka.codec, kafka.record; print(kafka.__version__)'], { encoding: 'utf8', timeout: 20_000 });
  if (r.error) {
    cached = { available: false, reason: `${PYTHON} cannot be run: ${r.error.message}`, version: '' };
  } else if (r.status !== 0) {
    const last = (r.stderr || '').trim().split('\n').pop() ?? '';
    cached = { available: false, reason: `${PYTHON} cannot import kafka (${last || `exit ${r.status}`})`, version: '' };
  } else {
    cached = { available: true, reason: '', version: r.stdout.trim() };
  }
  return cached;
}

/**
 * Status, and a console message when unavailable so a skip is never silent. Call it at the top of
 * a test file: `const kp = requireKafkaPython('interop tests');`.
 */
export function requireKafkaPython(what: string): KafkaPythonStatus {
  const s = kafkaPythonStatus();
  if (!s.available) console.warn(`[skip] ${what}: ${s.reason}`);
  return s;
}

/** Error reported by the oracle ({"error": ...} on stdout, exit 1). */
export class OracleError extends Error {
  override name = 'OracleError';
}

/** Runs Debian's python3 with `args` and `stdin`; resolves with the exit code and both outputs. */
export function runPython(args: readonly string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {}); // a crashed child is reported by 'close'
    child.stdin.end(stdin);
  });
}

/** Runs one oracle subcommand with JSON on stdin, resolves with its parsed JSON stdout. */
export async function runOracle<T = unknown>(command: 'build' | 'decode' | 'codecs', input?: unknown): Promise<T> {
  const { code, stdout: text, stderr } = await runPython([ORACLE_SCRIPT, command], input === undefined ? '' : JSON.stringify(input));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OracleError(`oracle ${command} exited ${code} with non-JSON output: ${text.slice(0, 500)} ${stderr.slice(0, 2000)}`);
  }
  if (code !== 0 || (parsed && typeof parsed === 'object' && 'error' in parsed && !Array.isArray(parsed))) {
    throw new OracleError(`oracle ${command} failed (exit ${code}): ${(parsed as { error?: string }).error ?? text.slice(0, 500)}`);
  }
  return parsed as T;
}

// ---- the oracle's JSON contract (see the docstring of kafka_python_oracle.py) ----

export interface OracleRecordSpec {
  /** Offset relative to the batch (default: index). */
  offset?: number;
  timestamp: number;
  key: string | null; // base64
  value: string | null; // base64
  headers?: [string, string | null][]; // [key, value base64 | null]
}

export interface OracleBatchSpec {
  magic: 0 | 1 | 2;
  codec: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  baseOffset?: number;
  timestampType?: 0 | 1;
  isTransactional?: boolean;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  records: OracleRecordSpec[];
}

export interface OracleBuilt {
  hex: string;
  codecWritten: string;
}

export interface OracleDecodedBatch {
  magic: number;
  crcValid: boolean;
  codec: string;
  timestampType: number;
  baseOffset: number;
  crc: number;
  attributes: number;
  // v2 only
  length?: number;
  partitionLeaderEpoch?: number;
  lastOffsetDelta?: number;
  firstTimestamp?: number;
  maxTimestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  recordCount?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  // legacy only
  timestamp?: number | null;
}

export interface OracleDecodedRecord {
  batchIndex: number;
  offset: number;
  timestamp: number | null;
  timestampType: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

export interface OracleDecoded {
  batches: OracleDecodedBatch[];
  records: OracleDecodedRecord[];
  remainingBytes: number;
}
