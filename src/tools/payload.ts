// Record payloads for load generation. Kafka's perf tool regenerates random A–Z bytes per record (a
// real cost, and a payload no codec can shrink); kseg draws views from a pool built once, mixing
// random bytes with repeated JSON-like text in the proportion `compressibility` (0 = random, 1 = text),
// so compression behaves like it does on real event data and generating a record allocates nothing.

import { readFileSync } from 'node:fs';
import { KsegError } from '../format/errors.js';

/** A small, seeded PRNG (mulberry32): runs are reproducible with --seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['"user":', '"event":"click"', '"page":"/checkout"', '"ts":', '"session":"', '"ok":true', '"items":[', '"price":', '"region":"eu-west-1"', '"agent":"Mozilla/5.0"', ',', '{', '}', ' '];

/** Pool of bytes with the given compressibility (fraction of text runs vs random bytes). */
export function buildPayloadPool(size: number, compressibility: number, random: () => number): Buffer {
  const pool = Buffer.allocUnsafe(size);
  let p = 0;
  while (p < size) {
    if (random() < compressibility) {
      const w = WORDS[Math.floor(random() * WORDS.length)];
      p += pool.write(w, p, 'latin1');
      if (random() < 0.3) p += pool.write(String(Math.floor(random() * 1000)), p, 'latin1');
    } else {
      const run = 8;
      for (let i = 0; i < run && p < size; i++) pool[p++] = Math.floor(random() * 256);
    }
  }
  return pool;
}

export interface PayloadSource {
  /** The value for record number `i` (a view; valid until the builder copies it). */
  value(i: number): Buffer;
  /** Average value size in bytes. */
  readonly averageSize: number;
}

/** Distinct values at most (a power of two: picking one is a mask). */
const VIEWS = 65536;

/**
 * Fixed-size values: consecutive slices of a pool, record after record. A batch smaller than the
 * pool never repeats bytes, so codecs find only the matches the pool's own text offers (values at
 * random offsets overlapped, handing zstd's long window repeats a real stream would not have).
 * And reading the pool in order is what a producer serializing values one after another does:
 * the hardware prefetcher follows it, where random offsets missed the cache value after value
 * (100 B records: 4.5M -> 8.5M records/s in the storage bench).
 */
export function poolPayloads(recordSize: number, compressibility: number, seed: number): PayloadSource {
  const random = rng(seed);
  const poolSize = Math.max(4 * 1024 * 1024, recordSize * 64);
  const pool = buildPayloadPool(poolSize + recordSize, compressibility, random);
  let count = 1;
  while (count * 2 <= Math.min(VIEWS, Math.floor(poolSize / recordSize))) count *= 2;
  // The views are made once, so picking a value is an array read (no Buffer object per record).
  const start = Math.floor(random() * recordSize);
  const views: Buffer[] = Array.from({ length: count }, (_, i) => pool.subarray(start + i * recordSize, start + (i + 1) * recordSize));
  return new ViewCycle(views, recordSize);
}

// The sources are classes, not object literals with closures: the engine's call `source.value(i)`
// then meets the same function in every engine of a process. A closure made per engine is a new
// call target each time, and V8 threw away the optimized producer loop when it met one ("wrong
// call target" in --trace-deopt, in the storage bench's later runs), then compiled it again.

/** Views made once, picked by record number: for each next record, the `stride`-th next view. */
class ViewCycle implements PayloadSource {
  private readonly mask: number;
  constructor(
    private readonly views: Buffer[],
    readonly averageSize: number,
    private readonly stride = 1,
  ) {
    this.mask = views.length - 1; // a power of two
  }

  value(i: number): Buffer {
    // imul: the low bits of i * stride exactly, without leaving int32 arithmetic.
    return this.views[Math.imul(i, this.stride) & this.mask];
  }
}

/** The record number (modulo `range` when > 0) as decimal text, left-padded with '0' to `width`. */
class DecimalPayloads implements PayloadSource {
  private readonly scratch: Buffer;
  /** Views of scratch[0, len) for every len, made once. */
  private readonly views: Buffer[];
  constructor(
    private readonly range: number,
    private readonly width: number,
    readonly averageSize: number,
  ) {
    const scratch = (this.scratch = Buffer.allocUnsafe(Math.max(24, width)));
    this.views = Array.from({ length: scratch.length + 1 }, (_, len) => scratch.subarray(0, len));
  }

  value(i: number): Buffer {
    return this.views[writeDecimal(this.scratch, this.range > 0 ? i % this.range : i, this.width)];
  }
}

/** --payload-file: records split by the delimiter, picked at random like Kafka's tool. */
export function filePayloads(path: string, delimiter: string, seed: number): PayloadSource {
  const text = readFileSync(path, 'utf8');
  const parts = text.split(delimiter).filter((s) => s.length > 0).map((s) => Buffer.from(s, 'utf8'));
  if (parts.length === 0) throw new KsegError(`File does not contain any payloads: ${path}`);
  const random = rng(seed);
  const picks = Array.from({ length: 4096 }, () => parts[Math.floor(random() * parts.length)]);
  return new ViewCycle(picks, parts.reduce((a, b) => a + b.length, 0) / parts.length);
}

/**
 * Writes the decimal digits of the non-negative integer `n`, left-padded with '0' to `width`, at the
 * start of `buf`; returns the length. (String(n).padStart(width, '0') without the string.)
 */
function writeDecimal(buf: Buffer, n: number, width: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  const len = Math.max(digits, width);
  buf.fill(0x30, 0, len - digits);
  for (let p = len - 1, x = n; p >= len - digits; p--, x = Math.floor(x / 10)) buf[p] = 0x30 + (x % 10);
  return len;
}

/** --payload-monotonic: the record number as text (Kafka: Long.toString(i)). */
export function monotonicPayloads(): PayloadSource {
  return new DecimalPayloads(0, 0, 7);
}

/** Keys: none, random bytes of keySize, or `i % keyRange` (KIP-1299) as text. */
export function keySource(keySize: number | undefined, keyRange: number | undefined, seed: number): PayloadSource | null {
  if (keyRange !== undefined) {
    const width = keySize ?? 0;
    return new DecimalPayloads(keyRange, width, Math.max(width, String(Math.max(0, keyRange - 1)).length));
  }
  if (keySize === undefined || keySize <= 0) return null;
  const pool = buildPayloadPool(64 * 1024 + keySize, 0, rng(seed ^ 0x5bd1e995));
  // Stride 7919 (odd) visits every one of the 65536 offsets before repeating: one view per offset.
  const views: Buffer[] = new Array(65536);
  for (let o = 0; o < views.length; o++) views[o] = pool.subarray(o, o + keySize);
  return new ViewCycle(views, keySize, 7919);
}
