import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32c } from '../../src/format/crc.js';

describe('crc32c', () => {
  it('has the CRC-32C check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with @node-rs/crc32 on any bytes, lengths and sub-ranges', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const buf = Buffer.from(bytes);
        const start = buf.length ? a % buf.length : 0;
        const end = start + (buf.length - start ? b % (buf.length - start + 1) : 0);
        expect(crc32c(buf, start, end)).toBe(nodeRsCrc32c(buf.subarray(start, end)) >>> 0);
      }),
      { numRuns: 500 },
    );
  });

  it('crc32 (IEEE) has its check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});
