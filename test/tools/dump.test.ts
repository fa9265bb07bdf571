import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dumpFile, type DumpEvent, type RecordEvent, type BatchEvent } from '../../src/tools/dump.js';

const seg = (dir: string, base = 0) => `fixtures/logs/${dir}/${String(base).padStart(20, '0')}.log`;
const events = (file: string, opts = {}) => [...dumpFile(file, opts)];
const of = <T extends DumpEvent['type']>(evs: DumpEvent[], t: T) => evs.filter((e) => e.type === t) as Extract<DumpEvent, { type: T }>[];

describe('dumpFile', () => {
  it('emits every v2 header field and records with key, value and header values', () => {
    const evs = events(seg('v2-none-0'), { printDataLog: true });
    const batches = of(evs, 'batch') as BatchEvent[];
    expect(batches.map((b) => [b.position, b.baseOffset, b.lastOffset, b.count])).toEqual([
      [0, 0, 0, 1],
      [batches[1].position, 1, 5, 5],
      [batches[2].position, 6, 25, 20],
      [batches[3].position, 26, 28, 3],
    ]);
    expect(batches.every((b) => b.isValid && b.magic === 2 && b.compressCodec === 'none' && b.producerId === -1)).toBe(true);
    const recs = of(evs, 'record') as RecordEvent[];
    expect(recs).toHaveLength(29);
    expect(recs[0]).toMatchObject({ offset: 0, key: 'key-0', headers: [{ key: 'trace', value: 't0' }, { key: 'empty', value: null }] });
    expect(recs[4].key).toBeNull(); // every 5th record has a null key
    expect(recs[6].value).toBeNull();
    expect(of(evs, 'problem')).toEqual([]);
  });

  it('decodes values with hex / base64 / none decoders', () => {
    const hex = of(events(seg('v2-gzip-0'), { printDataLog: true, valueDecoder: 'hex', keyDecoder: 'base64' }), 'record')[0];
    expect(hex.value).toBe(Buffer.from('{"id":0,"event":"page_view","path":"/item/0","ok":true}').toString('hex'));
    expect(hex.key).toBe(Buffer.from('key-0').toString('base64'));
    const none = of(events(seg('v2-gzip-0'), { printDataLog: true, valueDecoder: 'none' }), 'record')[0];
    expect(none.value).toBeUndefined();
  });

  it('without --print-data-log gives header keys but no data', () => {
    const r = of(events(seg('v2-lz4-0'), { deepIteration: true }), 'record')[0];
    expect(r.key).toBeUndefined();
    expect(r.headers).toBeUndefined();
    expect(r.headerKeys).toEqual(['trace', 'empty']);
  });

  it('decodes control records and legacy wrappers', () => {
    const txn = of(events(seg('v2-txn-0', 100), { deepIteration: true }), 'record');
    expect(txn.filter((r) => r.control).map((r) => [r.offset, r.control!.type, r.control!.coordinatorEpoch])).toEqual([
      [103, 'COMMIT', 11],
      [106, 'ABORT', 11],
    ]);
    const v1 = events(seg('v1-gzip-logappend-0'), { deepIteration: true });
    expect(of(v1, 'record').map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(of(v1, 'record').every((r) => r.timestamp === 1_700_000_999_000 && r.timestampType === 'LogAppendTime')).toBe(true);
    expect(of(events(seg('v0-snappy-0'), { deepIteration: true }), 'record').map((r) => r.timestampType)).toContain('NoTimestampType');
  });

  it('reports a CRC mismatch at the damaged batch and keeps going', () => {
    const evs = events(seg('corrupt-crc-0'), { deepIteration: true });
    const bad = of(evs, 'batch').filter((b) => !b.isValid);
    expect(bad).toHaveLength(1);
    expect(of(evs, 'problem')).toEqual([expect.objectContaining({ check: 'crc', position: bad[0].position })]);
    expect(of(evs, 'batch')).toHaveLength(4);
  });

  it('reports corrupt size fields, torn tails and zero tails with their positions, without throwing', () => {
    const size = events(seg('corrupt-size-0'));
    expect(of(size, 'trailing')[0]).toMatchObject({ reason: 'corrupt-size' });
    expect(of(size, 'problem')[0].message).toMatch(/record size 5 smaller than minimum/);
    const torn = events(seg('corrupt-torn-0'));
    expect(of(torn, 'batch')).toHaveLength(3);
    expect(of(torn, 'trailing')[0]).toMatchObject({ reason: 'truncated' });
    const zero = events(seg('corrupt-zerotail-0'));
    expect(of(zero, 'trailing')[0]).toMatchObject({ reason: 'zeros', bytes: 4096 });
  });

  it('honours --max-bytes without reporting the rest as trailing garbage', () => {
    const all = of(events(seg('v2-none-0')), 'batch');
    const first2 = events(seg('v2-none-0'), { maxBytes: all[2].position });
    expect(of(first2, 'batch')).toHaveLength(2);
    expect(of(first2, 'trailing')).toEqual([]);
  });

  it('never modifies the file', () => {
    const file = seg('corrupt-size-0');
    const before = createHash('sha256').update(readFileSync(file)).digest('hex');
    events(file, { printDataLog: true });
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before);
  });
});
