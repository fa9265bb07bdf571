// Deterministic record data for the benches. Values are text-like (words from a small vocabulary
// plus numbers), so codecs see realistic, moderately compressible payloads rather than zeros
// (which flatter them) or random bytes (which they cannot compress at all). Keys and values are
// views into one preallocated slab: generating them is done before timing and allocates no copies.

/** mulberry32: a tiny seeded PRNG, so every run benches the same bytes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'order user event click view cart item price total status created updated payment shipped ' +
  'delivered region eu us apac session device mobile desktop browser chrome firefox safari id ' +
  'amount currency eur usd count page home search product checkout true false null ok error'
).split(' ');

export interface RecordSet {
  keys: Buffer[];
  values: Buffer[];
  timestamps: number[];
}

export const KEY_SIZE = 8;
export const BASE_TIMESTAMP = 1_700_000_000_000;

/** `n` records with an 8-byte key and a `valueSize`-byte value, 1 ms apart. */
export function makeRecords(n: number, valueSize: number, seed = 42): RecordSet {
  const rnd = prng(seed);
  const slab = Buffer.allocUnsafe(n * (KEY_SIZE + valueSize));
  const keys: Buffer[] = new Array(n);
  const values: Buffer[] = new Array(n);
  const timestamps: number[] = new Array(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    slab.write(String(i % 100_000_000).padStart(KEY_SIZE, '0'), p, 'latin1');
    keys[i] = slab.subarray(p, p + KEY_SIZE);
    p += KEY_SIZE;
    const vStart = p;
    const vEnd = p + valueSize;
    while (p < vEnd) {
      const w = rnd() < 0.2 ? String(Math.floor(rnd() * 100000)) : WORDS[Math.floor(rnd() * WORDS.length)];
      const len = Math.min(w.length, vEnd - p);
      slab.write(w, p, len, 'latin1');
      p += len;
      if (p < vEnd) slab[p++] = 0x20;
    }
    values[i] = slab.subarray(vStart, vEnd);
    timestamps[i] = BASE_TIMESTAMP + i;
  }
  return { keys, values, timestamps };
}
