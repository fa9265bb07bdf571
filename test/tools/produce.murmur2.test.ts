// Kafka's default partitioner hash: Utils.murmur2 vectors from Kafka's UtilsTest, and random keys
// against kafka-python's independent murmur2 (kafka.partitioner.default) when it is installed.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../../src/tools/murmur2.js';
import { rng } from '../../src/tools/payload.js';
import { kafkaPythonStatus, PYTHON } from '../helpers/kafkaPython.js';

const kp = kafkaPythonStatus();
if (!kp.available) console.warn(`[skip] murmur2 vs kafka-python: ${kp.reason}`);

describe('murmur2', () => {
  it("matches Kafka's UtilsTest vectors", () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [s, h] of vectors) expect(murmur2(Buffer.from(s)), s).toBe(h);
  });

  it('partitionForKey is toPositive(murmur2) % n, always in range', () => {
    expect(partitionForKey(Buffer.from('21'), 1000)).toBe((-973932308 & 0x7fffffff) % 1000);
    const r = rng(7);
    for (let i = 0; i < 500; i++) {
      const key = Buffer.from(Array.from({ length: i % 40 }, () => Math.floor(r() * 256)));
      const n = 1 + (i % 17);
      const p = partitionForKey(key, n);
      expect(p >= 0 && p < n).toBe(true);
    }
  });

  it.skipIf(!kp.available)('agrees with kafka-python on random keys of every length and byte value', () => {
    const r = rng(42);
    const keys = Array.from({ length: 300 }, (_, i) => Buffer.from(Array.from({ length: i % 67 }, () => Math.floor(r() * 256))));
    const script = 'import sys,json\nfrom kafka.partitioner.default import murmur2\nprint(json.dumps([murmur2(bytes.fromhex(h)) for h in json.load(sys.stdin)]))';
    const out = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(keys.map((k) => k.toString('hex'))), encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    const theirs = (JSON.parse(out.stdout) as number[]).map((u) => u | 0); // kafka-python returns it unsigned
    expect(keys.map((k) => murmur2(k))).toEqual(theirs);
  });
});
