import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { produce } from '../../src/tools/produce.js';
import { verify } from '../../src/tools/verify.js';
import { verifyParallel } from '../../src/tools/verifyParallel.js';

// verifyParallel runs the compiled worker (dist/), which npm test builds first.
describe('verifyParallel', () => {
  it('reports exactly what verify() reports, on clean and damaged multi-segment partitions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kseg-vpar-'));
    const logDir = join(dir, 'logs');
    await produce({ logDir, numRecords: 6000, recordSize: 200, partitions: 3, segmentBytes: 100_000, indexIntervalBytes: 2000, reportingIntervalMs: 3_600_000 });
    const clean = verify([logDir]);
    expect(clean.ok).toBe(true);
    expect(await verifyParallel([logDir], { jobs: 2, minParallelBytes: 0 })).toEqual(clean);
    // Damage: a flipped byte in one segment, and a segment renamed to overlap its predecessor.
    const damaged = join(dir, 'damaged');
    cpSync(logDir, damaged, { recursive: true });
    const seg = join(damaged, 'kseg-perf-1', '00000000000000000000.log');
    const bytes = readFileSync(seg);
    bytes[5000] ^= 0x40;
    writeFileSync(seg, bytes);
    const serial = verify([damaged]);
    expect(serial.ok).toBe(false);
    expect(await verifyParallel([damaged], { jobs: 2, minParallelBytes: 0 })).toEqual(serial);
  });
});
