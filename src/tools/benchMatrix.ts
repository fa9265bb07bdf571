// The knob matrix of `kseg bench`: `compression=none,lz4,zstd batch-size=16KiB,1MiB record-size=100,1024
// flush=never,1000 partitions=1,4 linger=0,5` → one cell per combination.

import { CODEC_NAMES, type CodecName } from '../format/attributes.js';
import { KsegError } from '../format/errors.js';
import { formatSize, parseDuration, parseSize } from './units.js';

export interface BenchCell {
  compression: CodecName;
  batchSize: number;
  recordSize: number;
  /** flush.messages; null = never (Kafka's default). */
  flushMessages: number | null;
  partitions: number;
  lingerMs: number;
}

export type BenchMatrix = { [K in keyof BenchCell]: BenchCell[K][] };

export const DEFAULT_MATRIX: BenchMatrix = {
  compression: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
  batchSize: [16 * 1024, 256 * 1024, 1024 * 1024],
  recordSize: [1024],
  flushMessages: [null],
  partitions: [1],
  lingerMs: [5],
};

/** Small enough for a first run on a 2-core machine in well under a minute. */
export const QUICK_MATRIX: BenchMatrix = {
  compression: ['none', 'lz4', 'zstd'],
  batchSize: [16 * 1024, 1024 * 1024],
  recordSize: [1024],
  flushMessages: [null],
  partitions: [1],
  lingerMs: [5],
};

const KEYS: Record<string, keyof BenchCell> = {
  compression: 'compression',
  'compression-type': 'compression',
  'batch-size': 'batchSize',
  'record-size': 'recordSize',
  flush: 'flushMessages',
  'flush-messages': 'flushMessages',
  partitions: 'partitions',
  linger: 'lingerMs',
  'linger-ms': 'lingerMs',
};

/** Parses `key=v1,v2 key2=...` (whitespace separated); unspecified keys keep `base`'s values. */
export function parseMatrix(text: string, base: BenchMatrix = DEFAULT_MATRIX): BenchMatrix {
  const m: BenchMatrix = { ...base };
  for (const part of text.trim().split(/\s+/).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new KsegError(`matrix entry '${part}' is not key=value[,value...]`);
    const name = part.slice(0, eq);
    const key = KEYS[name];
    if (!key) throw new KsegError(`unknown matrix key '${name}' (expected ${Object.keys(KEYS).join(', ')})`);
    const values = part.slice(eq + 1).split(',').filter(Boolean);
    if (values.length === 0) throw new KsegError(`matrix key '${name}' has no values`);
    try {
      switch (key) {
        case 'compression':
          for (const v of values) if (!CODEC_NAMES.includes(v as CodecName)) throw new KsegError(`unknown compression '${v}' (expected ${CODEC_NAMES.join('|')})`);
          m.compression = values as CodecName[];
          break;
        case 'flushMessages':
          m.flushMessages = values.map((v) => (v === 'never' ? null : positiveInt(v, name)));
          break;
        case 'lingerMs':
          m.lingerMs = values.map((v) => parseDuration(v));
          break;
        case 'partitions':
          m.partitions = values.map((v) => positiveInt(v, name));
          break;
        case 'recordSize':
          m.recordSize = values.map((v) => parseSize(v));
          // 0-byte records would make bytes-per-cell / record size infinite records.
          for (const [i, v] of m.recordSize.entries()) if (v < 1) throw new KsegError(`'${values[i]}' is not a record size of at least 1 byte`);
          break;
        default:
          m[key] = values.map((v) => parseSize(v));
      }
      // `batch-size=16KiB,16384` or `compression=lz4,lz4` would give two cells with one id.
      (m as Record<string, unknown[]>)[key] = [...new Set<unknown>(m[key])];
    } catch (err) {
      throw new KsegError(`matrix key '${name}': ${(err as Error).message}`);
    }
  }
  return m;
}

function positiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new KsegError(`'${v}' is not a positive integer for ${name}`);
  return n;
}

export function cells(m: BenchMatrix): BenchCell[] {
  const out: BenchCell[] = [];
  for (const compression of m.compression)
    for (const batchSize of m.batchSize)
      for (const recordSize of m.recordSize)
        for (const flushMessages of m.flushMessages)
          for (const partitions of m.partitions) for (const lingerMs of m.lingerMs) out.push({ compression, batchSize, recordSize, flushMessages, partitions, lingerMs });
  return out;
}

/** A stable id for a cell, used to match cells between runs (the regression gate). */
export function cellId(c: BenchCell): string {
  return `compression=${c.compression} batch-size=${formatSize(c.batchSize)} record-size=${formatSize(c.recordSize)} flush=${c.flushMessages ?? 'never'} partitions=${c.partitions} linger=${c.lingerMs}`;
}
