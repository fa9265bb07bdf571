// `--matrix` parsing: the issue's example, units, durations, bad input, and the cell ids the
// regression gate matches on.
import { describe, expect, it } from 'vitest';
import { KsegError } from '../../src/format/errors.js';
import { cellId, cells, DEFAULT_MATRIX, parseMatrix, QUICK_MATRIX } from '../../src/tools/benchMatrix.js';
import { formatSize, parseDuration, parseSize } from '../../src/tools/units.js';
import { kseg } from './helpers.js';

const ISSUE_EXAMPLE = 'compression=none,lz4,zstd batch-size=16KiB,1MiB record-size=100,1024 flush=never,1000 partitions=1,4';

describe('parseMatrix / cells / cellId', () => {
  it("parses the issue's example into 48 cells with distinct, stable ids", () => {
    const m = parseMatrix(ISSUE_EXAMPLE);
    expect(m).toEqual({
      compression: ['none', 'lz4', 'zstd'],
      batchSize: [16384, 1048576],
      recordSize: [100, 1024],
      flushMessages: [null, 1000],
      partitions: [1, 4],
      lingerMs: DEFAULT_MATRIX.lingerMs, // not given: the base's values
    });
    const list = cells(m);
    expect(list).toHaveLength(3 * 2 * 2 * 2 * 2);
    expect(list[0]).toEqual({ compression: 'none', batchSize: 16384, recordSize: 100, flushMessages: null, partitions: 1, lingerMs: 5 });
    expect(list[1]).toEqual({ ...list[0], partitions: 4 }); // the last key varies fastest
    expect(list.at(-1)).toEqual({ compression: 'zstd', batchSize: 1048576, recordSize: 1024, flushMessages: 1000, partitions: 4, lingerMs: 5 });
    expect(cellId(list[0])).toBe('compression=none batch-size=16KiB record-size=100 flush=never partitions=1 linger=5');
    expect(cellId(list.at(-1)!)).toBe('compression=zstd batch-size=1MiB record-size=1KiB flush=1000 partitions=4 linger=5');
    expect(new Set(list.map(cellId)).size).toBe(list.length);
    // An id is itself a one-cell --matrix spec that gives back the same cell.
    for (const c of list) expect(cells(parseMatrix(cellId(c)))).toEqual([c]);
    // The same knobs spelled differently give the same id (baselines match across spellings).
    expect(cellId(cells(parseMatrix('compression=none batch-size=16384 record-size=100 flush=never partitions=1 linger=5ms'))[0])).toBe(cellId(list[0]));
  });

  it('keeps the base matrix for keys not given, without modifying it', () => {
    const before = structuredClone(DEFAULT_MATRIX);
    expect(parseMatrix('compression=lz4')).toEqual({ ...DEFAULT_MATRIX, compression: ['lz4'] });
    expect(parseMatrix('batch-size=64k', QUICK_MATRIX)).toEqual({ ...QUICK_MATRIX, batchSize: [65536] });
    expect(parseMatrix('')).toEqual(DEFAULT_MATRIX);
    expect(parseMatrix('  compression=gzip\n\tbatch-size=1MiB  ')).toEqual({ ...DEFAULT_MATRIX, compression: ['gzip'], batchSize: [1 << 20] });
    expect(DEFAULT_MATRIX).toEqual(before);
    expect(cells(DEFAULT_MATRIX)).toHaveLength(15);
  });

  it('accepts the key aliases', () => {
    expect(parseMatrix('compression-type=snappy flush-messages=1 linger-ms=10', QUICK_MATRIX)).toEqual({ ...QUICK_MATRIX, compression: ['snappy'], flushMessages: [1], lingerMs: [10] });
  });

  it('reads sizes with binary and decimal units kept distinct', () => {
    expect(parseSize('16384')).toBe(16384);
    expect(parseSize('16KiB')).toBe(16 * 1024);
    expect(parseSize('1MiB')).toBe(1024 * 1024);
    expect(parseSize('64k')).toBe(64 * 1024);
    expect(parseSize('1.5GB')).toBe(1_500_000_000);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('2MB')).toBe(2_000_000);
    expect(parseSize('1kb')).toBe(1000);
    expect(parseSize('1 MiB')).toBe(1024 * 1024);
    expect(parseMatrix('batch-size=16KiB,1MiB,64k,1.5GB,1.5GiB').batchSize).toEqual([16384, 1048576, 65536, 1_500_000_000, 1_610_612_736]);
    // Ids print the largest exact binary unit, else plain bytes.
    expect([16384, 1048576, 1_610_612_736, 1_500_000_000, 1000, 100].map(formatSize)).toEqual(['16KiB', '1MiB', '1536MiB', '1500000000', '1000', '100']);
  });

  it('reads linger as a duration: bare numbers are milliseconds', () => {
    expect(parseMatrix('linger=0,5,500ms,1s,1.5s,2m').lingerMs).toEqual([0, 5, 500, 1000, 1500, 120_000]);
    expect(parseDuration('30s')).toBe(30_000);
    expect(cellId({ ...cells(QUICK_MATRIX)[0], lingerMs: 1500 })).toMatch(/ linger=1500$/);
  });

  it('drops repeated values, so no two cells share an id', () => {
    const m = parseMatrix('compression=lz4,lz4 batch-size=16KiB,16384,16k,1MiB flush=never,never');
    expect(m.compression).toEqual(['lz4']);
    expect(m.batchSize).toEqual([16384, 1 << 20]);
    expect(m.flushMessages).toEqual([null]);
  });

  const bad: [string, RegExp][] = [
    ['bogus=1', /^unknown matrix key 'bogus' \(expected compression, compression-type, batch-size, record-size, flush, flush-messages, partitions, linger, linger-ms\)$/],
    ['compression', /^matrix entry 'compression' is not key=value\[,value\.\.\.\]$/],
    ['=lz4', /^matrix entry '=lz4' is not key=value/],
    ['compression=', /^matrix key 'compression' has no values$/],
    ['batch-size=,', /^matrix key 'batch-size' has no values$/],
    ['compression=none,brotli', /^matrix key 'compression': unknown compression 'brotli' \(expected none\|gzip\|snappy\|lz4\|zstd\)$/],
    ['batch-size=16QB', /^matrix key 'batch-size': '16QB' is not a size \(e\.g\. 16384, 16KiB, 1MiB\)$/],
    ['batch-size=-1', /^matrix key 'batch-size': '-1' is not a size/],
    ['batch-size=99999999999GiB', /^matrix key 'batch-size': '99999999999GiB' is too large$/],
    ['record-size=0', /^matrix key 'record-size': '0' is not a record size of at least 1 byte$/],
    ['record-size=1KiB,0.2', /^matrix key 'record-size': '0.2' is not a record size of at least 1 byte$/],
    ['flush=0', /^matrix key 'flush': '0' is not a positive integer for flush$/],
    ['flush=sometimes', /^matrix key 'flush': 'sometimes' is not a positive integer for flush$/],
    ['flush=1.5', /not a positive integer for flush/],
    ['partitions=0', /^matrix key 'partitions': '0' is not a positive integer for partitions$/],
    ['partitions=two', /not a positive integer for partitions/],
    ['linger=5x', /^matrix key 'linger': '5x' is not a duration \(e\.g\. 500, 500ms, 30s, 2m\)$/],
    ['linger=-1', /^matrix key 'linger': '-1' is not a duration/],
  ];
  it.each(bad)('rejects %j with a clear KsegError', (spec, message) => {
    let err: unknown;
    try {
      parseMatrix(`compression=lz4 ${spec}`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KsegError);
    expect((err as Error).message).toMatch(message);
  });
});

describe('kseg bench --matrix (CLI)', () => {
  it('exits 2 with one stderr line on a bad matrix, before measuring anything', () => {
    for (const [spec, msg] of [
      ['bogus=1', "kseg: unknown matrix key 'bogus'"],
      ['record-size=0', "kseg: matrix key 'record-size': '0' is not a record size"],
    ]) {
      const r = kseg(['bench', '--matrix', spec, '--no-progress']);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0].startsWith(msg)).toBe(true);
    }
  });

  it('exits 2 with one stderr line on --repeat 0 (used to crash after the baselines)', () => {
    const r = kseg(['bench', '--matrix', 'compression=none batch-size=16KiB', '--repeat', '0', '--no-progress']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual(['kseg: --repeat must be at least 1 (got 0)']);
  });
});
