// Shared generators and expectations for the format-layer tests (not a test file itself).
//
// A BatchSpec describes one batch the way a test means it; `buildSpec` writes it with kseg's
// builders, `expectedRecords` / `expectedBatchFields` say what any correct reader must return,
// and `decodeAll` reads a buffer back through BatchScanner into plain objects.

import fc from 'fast-check';
import { expect } from 'vitest';
import {
  BatchScanner,
  Codec,
  KsegError,
  LegacyRecordBatch,
  RecordBatch,
  TimestampType,
  buildLegacyBatch,
  buildRecordBatch,
  codecName,
  crc32,
  crc32c,
  type Batch,
  type CodecName,
  type RecordBatchOptions,
  type RecordInput,
  type Record as KRecord,
} from '../../src/format/index.js';

export const INT32_MAX = 2147483647;
export const CODECS: readonly CodecName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Every (magic, codec) Kafka allows on disk: zstd only with magic 2. */
export const MAGIC_CODEC_COMBOS: readonly { magic: 0 | 1 | 2; codec: CodecName }[] = ([0, 1, 2] as const).flatMap((magic) =>
  CODECS.filter((codec) => codec !== 'zstd' || magic === 2).map((codec) => ({ magic, codec })),
);

export interface HeaderSpec {
  key: string;
  value: Buffer | null;
}

export interface RecordSpec {
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: HeaderSpec[];
  offsetDelta: number;
}

export interface BatchSpec {
  magic: 0 | 1 | 2;
  codec: CodecName;
  baseOffset: number;
  timestampType: TimestampType.CreateTime | TimestampType.LogAppendTime;
  logAppendTime: number;
  // v2 only
  isTransactional: boolean;
  isControl: boolean;
  deleteHorizonMs: number | null;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  partitionLeaderEpoch: number;
  records: RecordSpec[];
}

// ---------------------------------------------------------------- generators

/** Deterministic filler: compressible or not, from a seed (fast even for 100+ KiB values). */
export function filler(length: number, seed: number, compressible: boolean): Buffer {
  const b = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    if (compressible) {
      b[i] = (i % 61) + 0x41 + (seed % 3);
    } else {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b[i] = x & 0xff;
    }
  }
  return b;
}

/** Keys/values: null, empty, small random, or occasionally large (crosses lz4/snappy block sizes). */
export const blobArb: fc.Arbitrary<Buffer | null> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)) },
  {
    weight: 1,
    arbitrary: fc
      .record({ length: fc.integer({ min: 100, max: 140_000 }), seed: fc.nat(), compressible: fc.boolean() })
      .map(({ length, seed, compressible }) => filler(length, seed, compressible)),
  },
);

const headerArb: fc.Arbitrary<HeaderSpec> = fc.record({
  key: fc.string({ unit: 'binary', maxLength: 12 }),
  value: fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)) },
  ),
});

/** Realistic epoch-millisecond timestamps, with -1 and far-away values now and then. */
export const timestampArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }) },
  { weight: 1, arbitrary: fc.constant(-1) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 42 }) },
);

/**
 * Record timestamps for v2, whose deltas are varlongs: also extreme ones, so deltas reach
 * ±(2^53 - 2), the edge of what a JS number holds exactly.
 */
const v2TimestampArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 12, arbitrary: timestampArb },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 52 - 1, -(2 ** 52 - 1), 2 ** 31, -(2 ** 31), 2 ** 31 - 1, -(2 ** 31) - 1) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 52 - 1), max: 2 ** 52 - 1 }) },
);

/** Base sequences, biased to just below Int.MAX so batches wrap to 0. */
const sequenceArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(-1) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1000 }) },
  { weight: 3, arbitrary: fc.integer({ min: INT32_MAX - 12, max: INT32_MAX }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: INT32_MAX }) },
);

export interface SpecConstraints {
  magic: 0 | 1 | 2;
  codec: CodecName;
  maxRecords?: number;
  /** Allow large (100+ KiB) values; default true. */
  bigValues?: boolean;
  /** Timestamps/varlongs beyond realistic ranges; default true. */
  extremeTimestamps?: boolean;
}

/** A random batch for one (magic, codec), with every attribute combination that magic allows. */
export function batchSpecArb(c: SpecConstraints): fc.Arbitrary<BatchSpec> {
  const { magic, codec } = c;
  const maxRecords = c.maxRecords ?? 8;
  const blob = c.bigValues === false ? blobArb.filter((b) => b === null || b.length < 1000) : blobArb;
  const ts = magic === 2 && c.extremeTimestamps !== false ? v2TimestampArb : timestampArb;
  const recordArb = fc.record({
    timestamp: ts,
    key: blob,
    value: blob,
    headers: magic === 2 ? fc.array(headerArb, { maxLength: 4 }) : fc.constant([] as HeaderSpec[]),
    gap: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 1000 }) }),
  });
  return fc
    .record({
      baseOffset: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 2 ** 52, max: 2 ** 52 + 2 ** 30 })),
      timestampType: magic === 0 ? fc.constant(TimestampType.CreateTime as const) : fc.constantFrom(TimestampType.CreateTime as const, TimestampType.LogAppendTime as const),
      logAppendTime: timestampArb.filter((t) => t >= 0),
      isTransactional: magic === 2 ? fc.boolean() : fc.constant(false),
      isControl: magic === 2 ? fc.boolean() : fc.constant(false),
      deleteHorizonMs: magic === 2 ? fc.option(fc.integer({ min: 0, max: 1_800_000_000_000 }), { nil: null }) : fc.constant(null),
      producerId: magic === 2 ? fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2 ** 53 - 1 })) : fc.constant(-1),
      producerEpoch: magic === 2 ? fc.integer({ min: -1, max: 32767 }) : fc.constant(-1),
      baseSequence: magic === 2 ? sequenceArb : fc.constant(-1),
      partitionLeaderEpoch: magic === 2 ? fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: INT32_MAX })) : fc.constant(-1),
      firstDelta: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 50 }) }),
      records: fc.array(recordArb, { minLength: 1, maxLength: maxRecords }),
    })
    .map(({ firstDelta, records: raw, ...rest }): BatchSpec => {
      let delta = firstDelta;
      const records: RecordSpec[] = raw.map((x, i) => {
        if (i > 0) delta += x.gap;
        return { timestamp: x.timestamp, key: x.key, value: x.value, headers: x.headers, offsetDelta: delta };
      });
      return { magic, codec, ...rest, records };
    });
}

// ---------------------------------------------------------------- building

export function recordInputs(spec: BatchSpec): RecordInput[] {
  return spec.records.map((r) => ({ timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers, offsetDelta: r.offsetDelta }));
}

const CODEC_IDS: Record<CodecName, Codec> = { none: Codec.None, gzip: Codec.Gzip, snappy: Codec.Snappy, lz4: Codec.Lz4, zstd: Codec.Zstd };
export const codecIdOf = (name: CodecName): Codec => CODEC_IDS[name];

/** RecordBatchBuilder options for a v2 spec (its codec unless `codec` is given). */
export function v2BatchOptions(spec: BatchSpec, codec: Codec = codecIdOf(spec.codec)): RecordBatchOptions {
  return {
    codec,
    baseOffset: spec.baseOffset,
    timestampType: spec.timestampType,
    logAppendTime: spec.logAppendTime,
    producerId: spec.producerId,
    producerEpoch: spec.producerEpoch,
    baseSequence: spec.baseSequence,
    isTransactional: spec.isTransactional,
    isControl: spec.isControl,
    partitionLeaderEpoch: spec.partitionLeaderEpoch,
    deleteHorizonMs: spec.deleteHorizonMs ?? undefined,
  };
}

/** Writes a spec with kseg's builders (one v2 batch, or one legacy wrapper / message per record). */
export function buildSpec(spec: BatchSpec): Buffer {
  const codec = codecIdOf(spec.codec);
  if (spec.magic === 2) return buildRecordBatch(recordInputs(spec), v2BatchOptions(spec, codec));
  return buildLegacyBatch(recordInputs(spec), {
    magic: spec.magic,
    codec,
    baseOffset: spec.baseOffset,
    timestampType: spec.timestampType,
    logAppendTime: spec.logAppendTime,
  });
}

// ---------------------------------------------------------------- expectations

/** A record as plain data: what every reader (kseg, kafka-python, the corpus oracle) must agree on. */
export interface PlainRecord {
  offset: number;
  timestamp: number;
  timestampType: number;
  key: string | null; // base64
  value: string | null; // base64
  headers: [string, string | null][];
  sequence: number;
  isControl: boolean;
}

export const b64 = (b: Uint8Array | null | undefined): string | null => (b == null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'));

/** Kafka's DefaultRecordBatch.incrementSequence, written independently of src/. */
export function expectedSequence(base: number, delta: number): number {
  if (base < 0) return -1;
  const s = base + delta; // exact: both < 2^32
  return s > INT32_MAX ? s - INT32_MAX - 1 : s;
}

export function expectedRecords(spec: BatchSpec): PlainRecord[] {
  const logAppend = spec.magic > 0 && spec.timestampType === TimestampType.LogAppendTime;
  return spec.records.map((r) => ({
    offset: spec.baseOffset + r.offsetDelta,
    timestamp: spec.magic === 0 ? -1 : logAppend ? spec.logAppendTime : r.timestamp,
    timestampType: spec.magic === 0 ? TimestampType.NoTimestamp : spec.timestampType,
    key: b64(r.key),
    value: b64(r.value),
    headers: r.headers.map((h) => [h.key, b64(h.value)] as [string, string | null]),
    sequence: spec.magic === 2 ? expectedSequence(spec.baseSequence, r.offsetDelta) : -1,
    isControl: spec.isControl,
  }));
}

/** Batch-level fields common to every magic (per shallow batch). */
export interface PlainBatch {
  magic: number;
  position: number;
  sizeInBytes: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  timestampType: number;
  compression: string;
  count: number;
  // v2 only
  partitionLeaderEpoch?: number;
  lastOffsetDelta?: number;
  baseTimestamp?: number;
  deleteHorizonMs?: number | null;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  lastSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
}

/** What the shallow batches of one spec must look like (size and position left out). */
export function expectedBatches(spec: BatchSpec): Omit<PlainBatch, 'sizeInBytes' | 'position'>[] {
  const recs = spec.records;
  const last = recs[recs.length - 1];
  // MemoryRecordsBuilder starts maxTimestamp at NO_TIMESTAMP (-1) and keeps the larger one
  const maxTs = Math.max(-1, ...recs.map((r) => r.timestamp));
  const logAppend = spec.timestampType === TimestampType.LogAppendTime;
  if (spec.magic === 2) {
    return [
      {
        magic: 2,
        baseOffset: spec.baseOffset,
        lastOffset: spec.baseOffset + last.offsetDelta,
        maxTimestamp: logAppend ? spec.logAppendTime : maxTs,
        timestampType: spec.timestampType,
        compression: spec.codec,
        count: recs.length,
        partitionLeaderEpoch: spec.partitionLeaderEpoch,
        lastOffsetDelta: last.offsetDelta,
        baseTimestamp: spec.deleteHorizonMs ?? recs[0].timestamp,
        deleteHorizonMs: spec.deleteHorizonMs,
        producerId: spec.producerId,
        producerEpoch: spec.producerEpoch,
        baseSequence: spec.baseSequence,
        lastSequence: expectedSequence(spec.baseSequence, last.offsetDelta),
        isTransactional: spec.isTransactional,
        isControl: spec.isControl,
      },
    ];
  }
  const tsType = spec.magic === 0 ? TimestampType.NoTimestamp : spec.timestampType;
  if (spec.codec === 'none') {
    return recs.map((r) => ({
      magic: spec.magic,
      baseOffset: spec.baseOffset + r.offsetDelta,
      lastOffset: spec.baseOffset + r.offsetDelta,
      maxTimestamp: spec.magic === 0 ? -1 : logAppend ? spec.logAppendTime : r.timestamp,
      timestampType: tsType,
      compression: 'none',
      count: 1,
    }));
  }
  return [
    {
      magic: spec.magic,
      baseOffset: spec.baseOffset + recs[0].offsetDelta,
      lastOffset: spec.baseOffset + last.offsetDelta,
      maxTimestamp: spec.magic === 0 ? -1 : logAppend ? spec.logAppendTime : maxTs,
      timestampType: tsType,
      compression: spec.codec,
      count: recs.length,
    },
  ];
}

// ---------------------------------------------------------------- decoding

/** Iterators hand out one reused Record: map each one while it is current. */
export function mapRecords<T>(it: Iterable<KRecord>, fn: (r: KRecord) => T): T[] {
  const out: T[] = [];
  for (const r of it) out.push(fn(r));
  return out;
}

export function plainBatch(b: Batch): PlainBatch {
  const out: PlainBatch = {
    magic: b.magic,
    position: b.position,
    sizeInBytes: b.sizeInBytes,
    baseOffset: b.baseOffset,
    lastOffset: b.lastOffset,
    maxTimestamp: b.maxTimestamp,
    timestampType: b.timestampType,
    compression: b.compressionName,
    count: b.countRecords(),
  };
  if (b instanceof RecordBatch) {
    Object.assign(out, {
      partitionLeaderEpoch: b.partitionLeaderEpoch,
      lastOffsetDelta: b.lastOffsetDelta,
      baseTimestamp: b.baseTimestamp,
      deleteHorizonMs: b.deleteHorizonMs,
      producerId: b.producerId,
      producerEpoch: b.producerEpoch,
      baseSequence: b.baseSequence,
      lastSequence: b.lastSequence,
      isTransactional: b.isTransactional,
      isControl: b.isControl,
    });
  }
  return out;
}

export function plainRecords(b: Batch): PlainRecord[] {
  const out: PlainRecord[] = [];
  for (const r of b.records()) {
    out.push({
      offset: r.offset,
      timestamp: r.timestamp,
      timestampType: r.timestampType,
      key: b64(r.key()),
      value: b64(r.value()),
      headers: r.headers().map((h) => [h.key, b64(h.value)] as [string, string | null]),
      sequence: r.sequence,
      isControl: r.isControl,
    });
  }
  return out;
}

export interface Decoded {
  batches: PlainBatch[];
  /** Records per shallow batch. */
  records: PlainRecord[][];
  stopReason: string | null;
  stopPosition: number;
}

/** Scans `buf` (file position of buf[0] = basePosition), validating and decoding every batch. */
export function decodeAll(buf: Buffer, basePosition = 0): Decoded {
  const scanner = new BatchScanner(buf, basePosition);
  const batches: PlainBatch[] = [];
  const records: PlainRecord[][] = [];
  for (const b of scanner) {
    b.ensureValid();
    expect(b.isValid()).toBe(true);
    expect(b.computeChecksum()).toBe(b.checksum);
    expect(b.bytes().length).toBe(b.sizeInBytes);
    batches.push(plainBatch(b));
    records.push(plainRecords(b));
  }
  return { batches, records, stopReason: scanner.stopReason, stopPosition: scanner.position };
}

// ---------------------------------------------------------------- corruption helpers

/** Recomputes the stored checksum of the batch/message at `start` (after a deliberate edit). */
export function fixChecksum(buf: Buffer, start = 0): void {
  const magic = buf[start + 16];
  const end = start + 12 + buf.readInt32BE(start + 8);
  if (magic === 2) buf.writeUInt32BE(crc32c(buf, start + 21, end), start + 17);
  else buf.writeUInt32BE(crc32(buf, start + 16, end), start + 12);
}

/** Runs fn, which must throw an instance of `cls` (itself a KsegError); returns the error. */
export function expectThrows<E extends KsegError>(fn: () => unknown, cls: new (...args: never[]) => E): E {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (caught === undefined) throw new Error(`expected ${cls.name}, but nothing was thrown`);
  if (!(caught instanceof cls)) {
    const e = caught as Error;
    throw new Error(`expected ${cls.name}, got ${e?.name}: ${e?.message}\n${e?.stack ?? ''}`);
  }
  expect(caught).toBeInstanceOf(KsegError);
  return caught;
}

/** Fully walks every batch and record (keys, values, headers); any failure must be a KsegError. */
export function walkEverything(buf: Buffer, basePosition = 0): { batches: number; records: number; error: KsegError | null } {
  let batches = 0;
  let records = 0;
  try {
    const scanner = new BatchScanner(buf, basePosition);
    for (const b of scanner) {
      batches++;
      b.ensureValid();
      void b.baseOffset;
      void b.lastOffset;
      b.countRecords();
      for (const r of b.records()) {
        records++;
        r.key();
        r.value();
        r.headers();
      }
      if (b instanceof LegacyRecordBatch && b.compression !== 0) b.innerEntries();
    }
  } catch (e) {
    if (e instanceof KsegError) return { batches, records, error: e };
    throw e;
  }
  return { batches, records, error: null };
}

export { codecName };

/** Reference XXH32 for inputs shorter than 16 bytes (all an lz4 frame descriptor ever is). */
export function xxh32Short(data: Uint8Array, seed = 0): number {
  const P1 = 2654435761, P2 = 2246822519, P3 = 3266489917, P4 = 668265263, P5 = 374761393;
  if (data.length >= 16) throw new Error('short inputs only');
  const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
  let h = (seed + P5 + data.length) >>> 0;
  let i = 0;
  for (; i + 4 <= data.length; i += 4) {
    const w = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    h = (h + Math.imul(w, P3)) >>> 0;
    h = Math.imul(rotl(h, 17), P4) >>> 0;
  }
  for (; i < data.length; i++) {
    h = (h + Math.imul(data[i], P5)) >>> 0;
    h = Math.imul(rotl(h, 11), P1) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, P3) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** The lz4 frame header checksum of a descriptor: the second byte of its XXH32. */
export const lz4HeaderChecksum = (descriptor: Uint8Array): number => (xxh32Short(descriptor) >>> 8) & 0xff;
