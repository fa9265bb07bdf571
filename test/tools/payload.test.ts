// The produce payload pool: values are consecutive slices of a seeded pool, so a batch smaller than
// the pool never repeats bytes (codecs see only the pool's own redundancy), and compressibility
// moves the codecs' ratio the way it says.

import { describe, expect, it } from 'vitest';
import { Codec } from '../../src/format/attributes.js';
import { compress } from '../../src/format/codecs/compression.js';
import { keySource, monotonicPayloads, poolPayloads } from '../../src/tools/payload.js';

describe('poolPayloads', () => {
  it('gives values of the record size, the same for the same seed, different for another', () => {
    const a = poolPayloads(100, 0.5, 7);
    const b = poolPayloads(100, 0.5, 7);
    const c = poolPayloads(100, 0.5, 8);
    expect(a.averageSize).toBe(100);
    for (const i of [0, 1, 999, 123_456]) {
      expect(a.value(i).length).toBe(100);
      expect(a.value(i).equals(b.value(i))).toBe(true);
    }
    expect(a.value(0).equals(c.value(0))).toBe(false);
  });

  it('lays values out back to back: a 1 MiB batch of 1 KiB records holds no value, nor any byte range, twice', () => {
    const p = poolPayloads(1024, 0.5, 1);
    const first = p.value(0);
    for (let i = 1; i < 1024; i++) {
      const v = p.value(i);
      // the next slice of the same pool: starts right where the one before ended
      expect(v.buffer).toBe(first.buffer);
      expect(v.byteOffset).toBe(first.byteOffset + i * 1024);
    }
    // and the values cycle only after the pool: 4 MiB / 1 KiB = 4096 distinct values
    expect(p.value(4096).byteOffset).toBe(first.byteOffset);
    expect(p.value(4095).byteOffset).not.toBe(first.byteOffset);
  });

  it('compressibility moves the ratio: random bytes do not shrink, text shrinks a lot', () => {
    const ratio = (c: number) => {
      const p = poolPayloads(1024, c, 3);
      const batch = Buffer.concat(Array.from({ length: 512 }, (_, i) => p.value(i)));
      return compress(Codec.Lz4, batch).length / batch.length;
    };
    const [r0, r5, r1] = [ratio(0), ratio(0.5), ratio(1)];
    expect(r0).toBeGreaterThan(0.99);
    expect(r5).toBeLessThan(r0 - 0.1);
    expect(r1).toBeLessThan(r5 - 0.1);
  });
});

describe('payload and key sources', () => {
  it('share one value function per kind, so every engine of a process calls the same target', () => {
    // A closure per source made V8 deoptimize the producer loop of each later engine ("wrong call target").
    expect(poolPayloads(100, 0.5, 1).value).toBe(poolPayloads(1024, 0, 2).value);
    expect(monotonicPayloads().value).toBe(monotonicPayloads().value);
    expect(keySource(8, undefined, 1)!.value).toBe(keySource(16, undefined, 2)!.value);
    expect(keySource(undefined, 10, 1)!.value).toBe(keySource(4, 100, 2)!.value);
  });

  it('keys: i % keyRange as decimal text padded to keySize; random keys of keySize', () => {
    const k = keySource(4, 100, 0)!;
    expect([0, 7, 99, 100, 1234].map((i) => k.value(i).toString('latin1'))).toEqual(['0000', '0007', '0099', '0000', '0034']);
    expect(keySource(undefined, 1000, 0)!.value(123456).toString('latin1')).toBe('456');
    expect(keySource(12, undefined, 3)!.value(5).length).toBe(12);
    expect(keySource(undefined, undefined, 3)).toBeNull();
    expect(monotonicPayloads().value(42).toString('latin1')).toBe('42');
  });
});
