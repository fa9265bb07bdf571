// Sizes and durations as the produce/consume flags accept them (src/tools/units.ts).
import { describe, expect, it } from 'vitest';
import { formatSize, parseDuration, parseSize } from '../../src/tools/units.js';

describe('parseSize', () => {
  it('reads bytes, binary (KiB, k) and decimal (KB) multiples, case-insensitively', () => {
    const cases: [string, number][] = [
      ['16384', 16384],
      ['0', 0],
      ['16KiB', 16384],
      ['16kib', 16384],
      ['64k', 65536],
      ['64K', 65536],
      ['2KB', 2000],
      ['512b', 512],
      ['1MiB', 1048576],
      ['1m', 1048576],
      ['1MB', 1_000_000],
      ['1.5GB', 1_500_000_000],
      ['1GiB', 1073741824],
      ['2g', 2 * 1073741824],
      [' 4 KiB ', 4096],
      ['0.5KiB', 512],
    ];
    for (const [text, bytes] of cases) expect(parseSize(text), text).toBe(bytes);
  });

  it('rejects what is not a size with a RangeError naming the input', () => {
    for (const bad of ['', 'KiB', '-1', '1e3', '12 parsecs', '1TiB', '0x10', '1,024', '1 2']) {
      expect(() => parseSize(bad), bad).toThrow(RangeError);
    }
    expect(() => parseSize('foo')).toThrow(/'foo' is not a size/);
    expect(() => parseSize('99999999999GiB')).toThrow(/too large/);
  });
});

describe('parseDuration', () => {
  it('reads milliseconds by default and ms/s/m/min/h units', () => {
    const cases: [string, number][] = [
      ['500', 500],
      ['500ms', 500],
      ['30s', 30_000],
      ['1.5s', 1500],
      ['2m', 120_000],
      ['2min', 120_000],
      ['1h', 3_600_000],
      ['0', 0],
    ];
    for (const [text, ms] of cases) expect(parseDuration(text), text).toBe(ms);
  });

  it('rejects unknown units and non-numbers', () => {
    for (const bad of ['', '5d', 's', '-5s', 'soon', '1w']) expect(() => parseDuration(bad), bad).toThrow(RangeError);
  });
});

describe('formatSize', () => {
  it('uses the largest binary unit that divides exactly, and round-trips through parseSize', () => {
    expect(formatSize(16384)).toBe('16KiB');
    expect(formatSize(1048576)).toBe('1MiB');
    expect(formatSize(3 * 1024 ** 3)).toBe('3GiB');
    expect(formatSize(1000)).toBe('1000');
    expect(formatSize(1536)).toBe('1536');
    for (const n of [0, 1, 1023, 1024, 4096, 1536, 10485760, 1073741824, 5 * 1024 ** 3]) expect(parseSize(formatSize(n))).toBe(n);
  });
});
