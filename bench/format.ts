// Record-format benchmark: v2 batch encode/decode per codec, record size and batch size, CRC-32C
// throughput, and the same decode/encode done by kafkajs's record batch code for comparison.
//
// Definitions (also echoed in the JSON under meta.definitions):
// - decode = BatchScanner over a log buffer of batches; per batch ensureValid() (size + CRC-32C),
//   then iterate every record (decompressing first when compressed) and visit key and value:
//   sum keyLength + valueLength plus one byte of each, read through record.buf at its offsets.
// - encode = RecordBatchBuilder.reset + append of every record + build() (compression, header,
//   CRC-32C); the builder is reused across batches as a producer would.
// - records are an 8-byte key + a value of the named size (100 B / 1 KiB), no headers.
// - MB/s counts the *uncompressed* v2 batch bytes (61-byte header + record framing + key + value),
//   so codecs are comparable; MB = 1e6 bytes, GB = 1e9 bytes.

import * as os from 'node:os';
import { BatchScanner, Codec, CODEC_NAMES, crc32cImplementation, crc32cImplementations, RecordBatchBuilder, type CodecName } from '../src/format/index.js';
import { makeRecords, prng, type RecordSet } from './lib/data.js';
import { KAFKAJS_CODECS, KAFKAJS_VERSION, kafkajsDecodeLog, kafkajsEncodeBatch } from './lib/kafkajs.js';
import { measure, measureAsync, round, type Measurement, type MeasureOptions } from './lib/measure.js';

export interface FormatBenchOptions {
  /** Smaller pools, fewer and shorter runs (a smoke run: numbers are rougher). */
  quick?: boolean;
  /** Only cases whose id (e.g. "none/100B/16KiB", "crc32c/64MiB") contains this substring. */
  filter?: string;
  /** Include the kafkajs comparison (default true). */
  kafkajs?: boolean;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface Throughput {
  recordsPerSec: number;
  mbPerSec: number;
  /** (slowest - fastest) / median run, percent. */
  spreadPct: number;
}

export interface FormatCase {
  id: string;
  codec: CodecName;
  recordValueBytes: number;
  batchTarget: '16KiB' | '1MiB';
  recordsPerBatch: number;
  /** Uncompressed bytes of one batch. */
  batchBytes: number;
  /** Batches in the pool that one pass encodes/decodes. */
  batchesPerPass: number;
  /** Stored (compressed) bytes / uncompressed bytes. */
  compressionRatio: number;
  encode: Throughput;
  decode: Throughput;
  /** Uncompressed cases only: the same decode without ensureValid(), to show what the CRC costs. */
  decodeNoCrc?: Throughput;
  kafkajs?: {
    /** kafkajs's decoder as its consumer runs it: no CRC check. */
    decodeNoCrc: Throughput;
    /** kafkajs's decoder plus its own crc32C check: the same work as kseg's decode. */
    decode: Throughput;
    encode: Throughput;
    /** kseg records/s ÷ kafkajs records/s. */
    ratio: { decode: number; decodeVsNoCrc: number; encode: number };
  };
}

export interface FormatBenchResult {
  meta: Record<string, unknown>;
  /**
   * Per buffer size: the CRC-32C in use (src/format/crc.ts, the figures at the top) and every
   * implementation that loads here (byImplementation).
   */
  crc32c: Record<string, CrcFigure & { implementation: string; byImplementation: Record<string, CrcFigure> }>;
  cases: FormatCase[];
  targets: { name: string; case: string; value: number; target: number; met: boolean }[];
}

const KiB = 1024;
const MiB = 1024 * 1024;
const BATCH_TARGETS = [
  { name: '16KiB', bytes: 16 * KiB },
  { name: '1MiB', bytes: MiB },
] as const;
const VALUE_SIZES = [
  { name: '100B', bytes: 100 },
  { name: '1KiB', bytes: 1024 },
] as const;

function throughput(m: Measurement, recordsPerPass: number, bytesPerPass: number): Throughput {
  return {
    recordsPerSec: Math.round(recordsPerPass / m.secondsPerPass),
    mbPerSec: round(bytesPerPass / m.secondsPerPass / 1e6),
    spreadPct: m.spreadPct,
  };
}

/** How many records of this shape fit in one batch of about `target` uncompressed bytes. */
function recordsPerBatch(valueBytes: number, target: number): number {
  const probe = makeRecords(Math.ceil(target / valueBytes) + 1, valueBytes, 1);
  const b = new RecordBatchBuilder({}, target * 2);
  let n = 0;
  while (n < probe.keys.length) {
    b.append(probe.timestamps[n], probe.keys[n], probe.values[n]);
    if (b.sizeInBytes > target) break;
    n++;
  }
  return n;
}

/** Encodes the whole pool with kseg: one pass of the encode benchmark. */
function encodePass(builder: RecordBatchBuilder, opts: { codec: Codec }, set: RecordSet, perBatch: number, batches: number): number {
  const { keys, values, timestamps } = set;
  let bytes = 0;
  for (let b = 0, i = 0; b < batches; b++) {
    builder.reset(opts);
    for (const end = i + perBatch; i < end; i++) builder.append(timestamps[i], keys[i], values[i]);
    bytes += builder.build().length;
  }
  return bytes;
}

/** Decodes every batch of a log buffer with kseg: one pass of the decode benchmark. */
function decodePass(log: Buffer, checkCrc = true): number {
  const s = new BatchScanner(log);
  let sum = 0;
  for (let batch = s.next(); batch !== null; batch = s.next()) {
    if (checkCrc) batch.ensureValid();
    for (const r of batch.records()) {
      const buf = r.buf;
      sum += r.keyLength + r.valueLength + buf[r.keyOffset] + buf[r.valueOffset];
    }
  }
  if (s.stopReason !== 'end') throw new Error(`bench log did not scan cleanly: ${s.stopReason} ${s.stopMessage}`);
  return sum;
}

/** The concatenated batches of the pool, with consecutive offsets, as a log segment holds them. */
function buildLog(codec: Codec, set: RecordSet, perBatch: number, batches: number): Buffer {
  const parts: Buffer[] = [];
  const builder = new RecordBatchBuilder();
  for (let b = 0, i = 0; b < batches; b++) {
    builder.reset({ codec, baseOffset: b * perBatch });
    for (const end = i + perBatch; i < end; i++) builder.append(set.timestamps[i], set.keys[i], set.values[i]);
    parts.push(builder.build());
  }
  return Buffer.concat(parts);
}

interface CrcFigure {
  gbPerSec: number;
  spreadPct: number;
}

function benchCrc(size: number, o: MeasureOptions): FormatBenchResult['crc32c'][string] {
  const rnd = prng(7);
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) buf[i] = (rnd() * 256) | 0;
  const byImplementation: Record<string, CrcFigure> = {};
  for (const { name, crc32c } of crc32cImplementations()) {
    const m = measure(() => crc32c(buf, 0, size), o);
    byImplementation[name] = { gbPerSec: round(size / m.secondsPerPass / 1e9, 2), spreadPct: m.spreadPct };
  }
  return { implementation: crc32cImplementation, ...byImplementation[crc32cImplementation], byImplementation };
}

export async function runFormatBench(opts: FormatBenchOptions = {}): Promise<FormatBenchResult> {
  const quick = opts.quick ?? false;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const withKafkajs = opts.kafkajs ?? true;
  const filter = opts.filter;
  const mo: MeasureOptions = quick ? { warmupMs: 100, warmupPasses: 2, runMs: 60, runs: 3 } : { warmupMs: 400, warmupPasses: 3, runMs: 200, runs: 7 };
  const poolBytes = quick ? 1 * MiB : 4 * MiB;

  const crc: FormatBenchResult['crc32c'] = {};
  for (const [name, size] of [
    ['16KiB', 16 * KiB],
    ['64MiB', 64 * MiB],
  ] as const) {
    if (filter && !`crc32c/${name}`.includes(filter)) continue;
    crc[name] = benchCrc(size, mo);
    log(`crc32c ${name}: ${Object.entries(crc[name].byImplementation).map(([impl, f]) => `${impl} ${f.gbPerSec} GB/s`).join(', ')} (in use: ${crc32cImplementation})`);
  }

  const cases: FormatCase[] = [];
  for (const vs of VALUE_SIZES) {
    for (const bt of BATCH_TARGETS) {
      const perBatch = recordsPerBatch(vs.bytes, bt.bytes);
      const batches = Math.max(1, Math.round(poolBytes / bt.bytes));
      const set = makeRecords(perBatch * batches, vs.bytes);
      const records = perBatch * batches;
      const plainLog = buildLog(Codec.None, set, perBatch, batches);
      const logicalBytes = plainLog.length;
      const builder = new RecordBatchBuilder({}, bt.bytes + 4 * KiB);
      for (let codec = 0; codec < CODEC_NAMES.length; codec++) {
        const codecName = CODEC_NAMES[codec];
        const id = `${codecName}/${vs.name}/${bt.name}`;
        if (filter && !id.includes(filter)) continue;
        const logBuf = codec === Codec.None ? plainLog : buildLog(codec, set, perBatch, batches);
        const expected = decodePass(logBuf);
        const encOpts = { codec: codec as Codec };
        const enc = throughput(measure(() => encodePass(builder, encOpts, set, perBatch, batches), mo), records, logicalBytes);
        const dec = throughput(measure(() => decodePass(logBuf), mo), records, logicalBytes);
        const c: FormatCase = {
          id,
          codec: codecName,
          recordValueBytes: vs.bytes,
          batchTarget: bt.name,
          recordsPerBatch: perBatch,
          batchBytes: Math.round(logicalBytes / batches),
          batchesPerPass: batches,
          compressionRatio: round(logBuf.length / logicalBytes, 3),
          encode: enc,
          decode: dec,
        };
        if (codec === Codec.None) c.decodeNoCrc = throughput(measure(() => decodePass(logBuf, false), mo), records, logicalBytes);
        log(
          `${id}: encode ${(enc.recordsPerSec / 1e6).toFixed(2)}M rec/s ${enc.mbPerSec} MB/s, decode ${(dec.recordsPerSec / 1e6).toFixed(2)}M rec/s ${dec.mbPerSec} MB/s` +
            (c.decodeNoCrc ? ` (without CRC check ${(c.decodeNoCrc.recordsPerSec / 1e6).toFixed(2)}M rec/s)` : ''),
        );
        if (withKafkajs && (KAFKAJS_CODECS as readonly string[]).includes(codecName)) {
          // Same input bytes, same visit; check both decoders agree before timing them.
          const got = await kafkajsDecodeLog(logBuf, true);
          if (got !== expected) throw new Error(`${id}: kafkajs decode disagrees with kseg (${got} vs ${expected})`);
          const kEncodePass = async () => {
            let bytes = 0;
            for (let b = 0; b < batches; b++) bytes += (await kafkajsEncodeBatch(codec, set.keys, set.values, set.timestamps, b * perBatch, (b + 1) * perBatch)).length;
            return bytes;
          };
          // kafkajs's batches must be valid for kseg too (same format, same records).
          const kjsOne = await kafkajsEncodeBatch(codec, set.keys, set.values, set.timestamps, 0, perBatch);
          const s = new BatchScanner(kjsOne);
          const kb = s.next();
          if (!kb || !kb.isValid() || kb.countRecords() !== perBatch) throw new Error(`${id}: kafkajs encoded an invalid batch`);
          const kDecNoCrc = throughput(await measureAsync(() => kafkajsDecodeLog(logBuf, false), mo), records, logicalBytes);
          const kDec = throughput(await measureAsync(() => kafkajsDecodeLog(logBuf, true), mo), records, logicalBytes);
          const kEnc = throughput(await measureAsync(kEncodePass, mo), records, logicalBytes);
          c.kafkajs = {
            decodeNoCrc: kDecNoCrc,
            decode: kDec,
            encode: kEnc,
            ratio: {
              decode: round(dec.recordsPerSec / kDec.recordsPerSec, 2),
              decodeVsNoCrc: round(dec.recordsPerSec / kDecNoCrc.recordsPerSec, 2),
              encode: round(enc.recordsPerSec / kEnc.recordsPerSec, 2),
            },
          };
          log(`${id}: kafkajs decode ${(kDec.recordsPerSec / 1e6).toFixed(2)}M rec/s (no CRC ${(kDecNoCrc.recordsPerSec / 1e6).toFixed(2)}M), encode ${(kEnc.recordsPerSec / 1e6).toFixed(2)}M rec/s; ratio decode ${c.kafkajs.ratio.decode}x (${c.kafkajs.ratio.decodeVsNoCrc}x vs no CRC), encode ${c.kafkajs.ratio.encode}x`);
        }
        cases.push(c);
      }
    }
  }

  const targets: FormatBenchResult['targets'] = [];
  for (const c of cases) {
    if (c.codec !== 'none' || c.recordValueBytes !== 100) continue;
    targets.push({ name: 'decode records/s (100 B, uncompressed, CRC + visit)', case: c.id, value: c.decode.recordsPerSec, target: 15e6, met: c.decode.recordsPerSec >= 15e6 });
    targets.push({ name: 'encode records/s (100 B, uncompressed)', case: c.id, value: c.encode.recordsPerSec, target: 6e6, met: c.encode.recordsPerSec >= 6e6 });
    if (c.kafkajs) {
      targets.push({ name: 'decode vs kafkajs decoder + its CRC check', case: c.id, value: c.kafkajs.ratio.decode, target: 5, met: c.kafkajs.ratio.decode >= 5 });
      targets.push({ name: 'decode vs kafkajs decoder without CRC check', case: c.id, value: c.kafkajs.ratio.decodeVsNoCrc, target: 5, met: c.kafkajs.ratio.decodeVsNoCrc >= 5 });
      targets.push({ name: 'encode vs kafkajs', case: c.id, value: c.kafkajs.ratio.encode, target: 5, met: c.kafkajs.ratio.encode >= 5 });
    }
  }

  const cpus = os.cpus();
  return {
    meta: {
      bench: 'format',
      quick,
      node: process.version,
      v8: process.versions.v8,
      /** Node flags (`npm run bench`: --no-concurrent-recompilation, as the kseg launcher). */
      nodeFlags: process.execArgv,
      cpu: cpus[0]?.model ?? 'unknown',
      cpus: cpus.length,
      crc32c: crc32cImplementation,
      loadavg: os.loadavg().map((x) => round(x, 2)),
      date: new Date().toISOString(),
      measure: { ...mo, statistic: 'median of runs; spreadPct = (max - min) / median; this machine is noisy (±30%)' },
      poolBytesPerPass: poolBytes,
      kafkajs: withKafkajs ? { version: KAFKAJS_VERSION, codecs: KAFKAJS_CODECS, note: 'kafkajs has only none and gzip built in (snappy/lz4/zstd need plugins, not installed), so the comparison covers none and gzip only. Its consumer never checks batch CRCs: "decode" adds its own pure-JS crc32C so both sides do the same work; "decodeNoCrc" is its decoder as shipped.' } : false,
      definitions: {
        decode: 'BatchScanner over a log buffer; per batch ensureValid() (size + CRC-32C), then iterate every record (after decompression) and visit key and value: sum keyLength + valueLength + one byte of each via record.buf',
        encode: 'RecordBatchBuilder reset + append of every record + build() (compression, header, CRC-32C); one builder reused across batches',
        records: '8-byte key + value of recordValueBytes (text-like, moderately compressible), no headers, timestamps 1 ms apart',
        mbPerSec: 'uncompressed v2 batch bytes per second (header + framing + key + value), MB = 1e6 B',
        gbPerSec: 'GB = 1e9 B',
      },
    },
    crc32c: crc,
    cases,
    targets,
  };
}
