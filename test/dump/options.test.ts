// Every `kseg dump` option through the CLI (`node bin/kseg.js dump ...`): Kafka's options (--files,
// --deep-iteration, --print-data-log, --skip-record-metadata, --max-bytes, --max-message-size, the
// decoders) and kseg's (directory arguments, key/value decoders, offset/time/key filters that seek with
// the indexes, --batches-only, --json). Golden text for the Kafka options is in golden.test.ts and the
// index options in indexes.test.ts; here each option's own contract is checked.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../src/format/index.js';
import { logConfig, PartitionLog } from '../../src/storage/index.js';
import { kafkaPythonStatus, runOracle, type OracleDecoded } from '../helpers/kafkaPython.js';
import { cleanupTemps, copyDir, FIXTURES, ksegDump, ksegDumpJson, pad20, tempDir } from './helpers.js';

afterAll(cleanupTemps);

type Ev = Record<string, unknown>;
const ofType = (evs: Ev[], t: string) => evs.filter((e) => e.type === t);
const lines = (s: string) => s.split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1));
const V2 = 'fixtures/logs/v2-none-0/00000000000000000000.log';
const V2_GZIP = 'fixtures/logs/v2-gzip-0/00000000000000000000.log';

// A multi-segment partition made with the library: 3+ segments, index entries every ~1 KiB,
// 5 records per batch with keys k0..k6 and timestamps that are not monotonic inside a batch.
let part = '';
const BATCHES = 120;
const tsOf = (b: number, i: number) => 1_700_000_000_000 + b * 100 + (i % 2 === 0 ? i * 7 : -i * 3);
beforeAll(async () => {
  const logDir = tempDir();
  const log = PartitionLog.open(logDir, 'filters', 0, logConfig({ segmentBytes: 24 * 1024, indexIntervalBytes: 1024 }), { now: () => 1_700_000_000_000 });
  for (let b = 0; b < BATCHES; b++) {
    const records = Array.from({ length: 5 }, (_, i) => ({
      timestamp: tsOf(b, i),
      key: Buffer.from(`k${(b * 5 + i) % 7}`),
      value: Buffer.from(`value-${b}-${i}-`.padEnd(100, 'x')),
      headers: [{ key: 'h', value: Buffer.from(`hv${i}`) }],
    }));
    log.append(buildRecordBatch(records, { partitionLeaderEpoch: 0 }));
  }
  await log.close();
  part = log.dir;
});

const logsOf = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.log')).sort();

describe('file arguments', () => {
  it('--files a,b and positional paths dump in the order given (positional first); each file gets its Dumping line', () => {
    const a = V2;
    const b = 'fixtures/logs/v1-none-0/00000000000000000000.log';
    const c = 'fixtures/logs/v0-none-0/00000000000000000000.log';
    const r = ksegDump([c, '--files', `${b},${a}`]);
    expect(lines(r.stdout).filter((l) => l.startsWith('Dumping '))).toEqual([`Dumping ${c}`, `Dumping ${b}`, `Dumping ${a}`]);
    expect(r.status).toBe(0);
  });

  it('a partition directory dumps its files by base offset, log before its indexes, then the state files', () => {
    expect(logsOf(part).length).toBeGreaterThanOrEqual(3);
    const r = ksegDump([part]);
    const dumped = lines(r.stdout).filter((l) => l.startsWith('Dumping ')).map((l) => l.slice(`Dumping ${part}/`.length));
    const bases = logsOf(part).map((f) => f.slice(0, 20));
    const expected: string[] = [];
    const all = readdirSync(part);
    for (const base of [...new Set([...bases, ...all.filter((f) => /^\d{20}\.snapshot$/.test(f)).map((f) => f.slice(0, 20))])].sort()) {
      for (const suffix of ['.log', '.index', '.timeindex', '.txnindex', '.snapshot']) if (all.includes(base + suffix)) expected.push(base + suffix);
    }
    expected.push(...all.filter((f) => !/^\d{20}\./.test(f)).sort());
    expect(dumped).toEqual(expected);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('output modes', () => {
  it('no flags: batch lines only; --deep-iteration adds record metadata; --print-data-log adds key/payload', () => {
    const plain = lines(ksegDump([V2]).stdout);
    const deep = lines(ksegDump([V2, '--deep-iteration']).stdout);
    const data = lines(ksegDump([V2, '--print-data-log']).stdout);
    expect(plain.filter((l) => l.startsWith('|'))).toEqual([]);
    expect(deep.filter((l) => l.startsWith('|'))).toHaveLength(29);
    expect(deep.some((l) => / (key|payload): /.test(l))).toBe(false);
    expect(data.filter((l) => l.startsWith('|'))).toHaveLength(29);
    expect(data.filter((l) => / payload: /.test(l)).length).toBeGreaterThan(20);
    // every deep line is the prefix of its data line
    deep.forEach((l, i) => expect(data[i].startsWith(l)).toBe(true));
  });

  it('--skip-record-metadata --deep-iteration: one empty line per record (Kafka\'s println), control records skipped', () => {
    const r = ksegDump(['fixtures/logs/v2-txn-0/00000000000000000100.log', '--deep-iteration', '--skip-record-metadata']);
    const out = lines(r.stdout);
    // 5 data records, 2 control records (skipped)
    expect(out.filter((l) => l === '')).toHaveLength(5);
    expect(out.filter((l) => l.startsWith('baseOffset: '))).toHaveLength(4);
    expect(r.status).toBe(0);
  });

  it('--batches-only prints batch lines only, even with --print-data-log', () => {
    const r = ksegDump([V2, '--print-data-log', '--batches-only']);
    expect(lines(r.stdout)).toEqual(lines(ksegDump([V2]).stdout));
    const j = ksegDumpJson([V2, '--print-data-log', '--batches-only']);
    expect(ofType(j.events, 'record')).toEqual([]);
    expect(ofType(j.events, 'batch')).toHaveLength(4);
  });
});

describe('--max-message-size (Kafka\'s index-check slice; a larger batch makes Kafka throw NoSuchElementException)', () => {
  it('is accepted, and a batch larger than it is still dumped and index-checked', async () => {
    const logDir = tempDir();
    const log = PartitionLog.open(logDir, 'big', 0, logConfig({ indexIntervalBytes: 1 }), { now: () => 1_700_000_000_000 });
    log.append(buildRecordBatch([{ timestamp: 1_700_000_000_000, key: null, value: Buffer.alloc(10)}], {}));
    log.append(buildRecordBatch([{ timestamp: 1_700_000_000_001, key: null, value: Buffer.alloc(300_000, 7) }], {})); // 300 kB batch
    log.append(buildRecordBatch([{ timestamp: 1_700_000_000_002, key: null, value: Buffer.alloc(10) }], {}));
    await log.close();
    const seg = join(log.dir, pad20(0));
    const idx = ksegDumpJson([seg + '.index']);
    expect(ofType(idx.events, 'indexEntry').length).toBeGreaterThanOrEqual(1);
    const r = ksegDump(['--max-message-size', '1024', '--deep-iteration', seg + '.log', seg + '.index', seg + '.timeindex']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const batchLines = lines(r.stdout).filter((l) => l.startsWith('baseOffset: '));
    expect(batchLines).toHaveLength(3);
    expect(Number(/ size: (\d+)/.exec(batchLines[1])![1])).toBeGreaterThan(300_000);
    const v = ksegDump(['--max-message-size', '1024', '--verify-index-only', seg + '.index', seg + '.timeindex']);
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
    expect(ksegDump(['--max-message-size', 'lots', seg + '.log']).status).toBe(2);
  });
});

describe('key and value decoders', () => {
  const kp = kafkaPythonStatus();
  it.skipIf(!kp.available)('string / hex / base64 / json / none, for keys, values and header values (compared with kafka-python\'s bytes)', async () => {
    const decoded = await runOracle<OracleDecoded>('decode', { hex: readFileSync(V2_GZIP).toString('hex') });
    const recs = decoded.records;
    const asBuf = (b: string | null) => (b === null ? null : Buffer.from(b, 'base64'));
    const cases: [string, (b: Buffer) => string | undefined][] = [
      ['string', (b) => b.toString('utf8')],
      ['hex', (b) => b.toString('hex')],
      ['base64', (b) => b.toString('base64')],
      ['json', (b) => JSON.stringify(JSON.parse(b.toString('utf8')))],
      ['none', () => undefined],
    ];
    for (const [name, enc] of cases) {
      const j = ksegDumpJson([V2_GZIP, '--key-decoder', name, '--value-decoder', name]);
      expect(j.status, name).toBe(0);
      const got = ofType(j.events, 'record');
      expect(got).toHaveLength(recs.length);
      got.forEach((g, i) => {
        const key = asBuf(recs[i].key);
        const value = asBuf(recs[i].value);
        // json falls back to the raw text for keys that are not JSON ("key-3")
        const encKey = (b: Buffer) => (name === 'json' ? (() => { try { return enc(b); } catch { return b.toString('utf8'); } })() : enc(b));
        expect(g.key, `${name} key ${i}`).toEqual(key === null ? null : encKey(key));
        expect(g.value, `${name} value ${i}`).toEqual(value === null ? null : enc(value));
        expect(g.headers, `${name} headers ${i}`).toEqual(recs[i].headers.map(([k, v]) => ({ key: k, value: v === null ? null : (name === 'json' ? (() => { try { return enc(asBuf(v)!); } catch { return asBuf(v)!.toString('utf8'); } })() : (enc(asBuf(v)!) ?? null)) })));
      });
      if (name !== 'hex' && name !== 'none') continue;
      // text: a decoder implies --print-data-log; 'none' prints no key/payload
      const t = lines(ksegDump([V2_GZIP, '--value-decoder', name]).stdout).filter((l) => l.startsWith('|'));
      expect(t).toHaveLength(recs.length);
      if (name === 'none') expect(t.some((l) => / payload: /.test(l))).toBe(false);
      else {
        const i = recs.findIndex((r) => r.value !== null);
        expect(t[i].endsWith(` payload: ${enc(asBuf(recs[i].value)!)}`)).toBe(true);
      }
    }
    expect(ksegDump([V2, '--value-decoder', 'rot13']).status).toBe(2);
  });
});

describe('offset / time / key filters', () => {
  const full = () => ksegDumpJson(['--print-data-log', part]).events;
  const records = (evs: Ev[]) => ofType(evs, 'record') as (Ev & { offset: number; timestamp: number; key: string })[];
  const batches = (evs: Ev[]) => ofType(evs, 'batch') as (Ev & { baseOffset: number; lastOffset: number; maxTimestamp: number; position: number })[];

  it('--from-offset/--to-offset equal the full dump filtered (records exactly; batches overlapping the range)', () => {
    const all = full();
    const total = records(all).length;
    expect(total).toBe(BATCHES * 5);
    for (const [from, to] of [[0, 0], [3, 17], [101, 433], [250, undefined], [undefined, 12], [599, 599], [600, undefined]] as [number | undefined, number | undefined][]) {
      const args = ['--print-data-log', ...(from !== undefined ? ['--from-offset', String(from)] : []), ...(to !== undefined ? ['--to-offset', String(to)] : []), part];
      const got = ksegDumpJson(args);
      expect(got.status).toBe(0);
      const inRange = (o: number) => (from === undefined || o >= from) && (to === undefined || o <= to);
      expect(records(got.events), `${from}..${to}`).toEqual(records(all).filter((r) => inRange(r.offset)));
      expect(batches(got.events), `${from}..${to}`).toEqual(batches(all).filter((b) => (from === undefined || b.lastOffset >= from) && (to === undefined || b.baseOffset <= to)));
    }
  });

  it('--from-time/--to-time equal the full dump filtered (records exactly; the batches with a match, and only those)', () => {
    const all = full();
    const ts = records(all).map((r) => r.timestamp).sort((a, b) => a - b);
    const pick = (q: number) => ts[Math.floor(q * (ts.length - 1))];
    for (const [from, to] of [[pick(0.3), pick(0.6)], [pick(0.9), undefined], [undefined, pick(0.1)], [pick(0.5), pick(0.5)]] as [number | undefined, number | undefined][]) {
      const args = ['--print-data-log', ...(from !== undefined ? ['--from-time', String(from)] : []), ...(to !== undefined ? ['--to-time', String(to)] : []), part];
      const got = ksegDumpJson(args);
      const match = (t: number) => (from === undefined || t >= from) && (to === undefined || t <= to);
      const want = records(all).filter((r) => match(r.timestamp));
      expect(want.length).toBeGreaterThan(0);
      expect(records(got.events), `${from}..${to}`).toEqual(want);
      const withMatch = batches(all).filter((b) => want.some((r) => r.offset >= b.baseOffset && r.offset <= b.lastOffset));
      expect(batches(got.events), `${from}..${to}`).toEqual(withMatch);
    }
    // ISO-8601 is accepted too
    const iso = new Date(pick(0.5)).toISOString();
    expect(records(ksegDumpJson(['--from-time', iso, '--deep-iteration', part]).events)).toEqual(records(ksegDumpJson(['--from-time', String(pick(0.5)), '--deep-iteration', part]).events));
  });

  it('--key equals the full dump filtered by key; combines with offsets', () => {
    const all = records(full());
    const k3 = ksegDumpJson(['--print-data-log', '--key', 'k3', part]);
    expect(records(k3.events)).toEqual(all.filter((r) => r.key === 'k3'));
    const both = ksegDumpJson(['--print-data-log', '--key', 'k5', '--from-offset', '200', '--to-offset', '300', part]);
    expect(records(both.events)).toEqual(all.filter((r) => r.key === 'k5' && r.offset >= 200 && r.offset <= 300));
    const none = ksegDumpJson(['--print-data-log', '--key', 'nope', part]).events;
    expect(records(none)).toEqual([]);
    expect(batches(none)).toEqual([]);
    expect(batches(k3.events)).toEqual(batches(full()).filter((b) => records(k3.events).some((r) => r.offset >= b.baseOffset && r.offset <= b.lastOffset)));
  });

  it('--from-offset and --from-time seek with the indexes: bytes before the index entry are never read', () => {
    // Timing-free evidence: a copy whose last segment has a corrupt size field in its first batch.
    // A scan from byte 0 stops there (framing problem, exit 1); a seek past it reads on normally.
    const dir = copyDir(part, join(tempDir(), 'filters-0'));
    const last = logsOf(dir).at(-1)!;
    const lastPath = join(dir, last);
    const bytes = readFileSync(lastPath);
    bytes.writeInt32BE(5, 8); // batch length 5 < the minimum record overhead
    writeFileSync(lastPath, bytes);
    const base = Number(last.slice(0, 20));
    const scan = ksegDumpJson([lastPath]);
    expect(scan.status).toBe(1);
    expect(ofType(scan.events, 'problem')[0]).toMatchObject({ check: 'framing', position: 0 });

    const entries = ofType(ksegDumpJson([join(dir, pad20(base) + '.index')]).events, 'indexEntry') as { offset: number; position: number }[];
    expect(entries.length).toBeGreaterThanOrEqual(2);
    const target = entries[1].offset + 2;
    const seek = ksegDumpJson(['--from-offset', String(target), '--deep-iteration', lastPath]);
    expect(ofType(seek.events, 'problem')).toEqual([]);
    expect(seek.status).toBe(0);
    const first = batches(seek.events)[0];
    expect(first.position).toBeGreaterThan(0);
    expect(first.baseOffset).toBeLessThanOrEqual(target);
    expect(first.lastOffset).toBeGreaterThanOrEqual(target);
    expect((records(seek.events)[0] as { offset: number }).offset).toBe(target);

    const tentries = ofType(ksegDumpJson([join(dir, pad20(base) + '.timeindex')]).events, 'timeIndexEntry') as { timestamp: number; offset: number }[];
    expect(tentries.length).toBeGreaterThanOrEqual(2);
    const tseek = ksegDumpJson(['--from-time', String(tentries[1].timestamp + 1), '--deep-iteration', lastPath]);
    expect(ofType(tseek.events, 'problem')).toEqual([]);
    expect(batches(tseek.events)[0].position).toBeGreaterThan(0);

    // the whole partition dir with --from-offset in the last segment: earlier segments are untouched and fine
    const whole = ksegDumpJson(['--from-offset', String(target), part]);
    expect(batches(whole.events)[0].baseOffset).toBeLessThanOrEqual(target);
  });
});

describe('--json', () => {
  const camel = /^[a-z][a-zA-Z0-9]*$/;
  const BATCH_V2 = ['type', 'position', 'baseOffset', 'lastOffset', 'count', 'magic', 'size', 'crc', 'isValid', 'compressCodec', 'timestampType', 'maxTimestamp', 'baseSequence', 'lastSequence', 'producerId', 'producerEpoch', 'partitionLeaderEpoch', 'isTransactional', 'isControl', 'deleteHorizonMs', 'baseTimestamp', 'lastOffsetDelta', 'attributes'];
  const BATCH_LEGACY = BATCH_V2.slice(0, 12);

  it('one object per line, camelCase fields as documented in the README; header values included', () => {
    const j = ksegDumpJson(['--print-data-log', V2, 'fixtures/logs/v1-gzip-0/00000000000000000000.log', 'fixtures/logs/v2-txn-0']);
    expect(j.status).toBe(0);
    for (const e of j.events) for (const k of Object.keys(e)) expect(k, JSON.stringify(e)).toMatch(camel);
    const bs = ofType(j.events, 'batch');
    for (const b of bs) expect(Object.keys(b).sort()).toEqual((b.magic === 2 ? BATCH_V2 : BATCH_LEGACY).slice().sort());
    const rs = ofType(j.events, 'record') as Ev[];
    const v2 = rs.find((r) => r.magic === 2 && (r.headerKeys as string[]).length > 0)!;
    expect(Object.keys(v2).sort()).toEqual(['type', 'offset', 'position', 'timestamp', 'timestampType', 'keySize', 'valueSize', 'magic', 'sequence', 'headerKeys', 'key', 'value', 'headers'].sort());
    expect(v2.headers).toEqual([{ key: 'trace', value: expect.any(String) }, { key: 'empty', value: null }]);
    const legacy = rs.find((r) => r.magic === 1)!;
    expect(Object.keys(legacy).sort()).toEqual(['type', 'offset', 'position', 'timestamp', 'timestampType', 'keySize', 'valueSize', 'magic', 'isValid', 'crc', 'key', 'value', 'headers'].sort());
    const ctl = rs.filter((r) => r.control !== undefined);
    expect(ctl.map((r) => r.control)).toEqual([
      { type: 'COMMIT', typeId: 1, version: 0, coordinatorEpoch: 11 },
      { type: 'ABORT', typeId: 0, version: 0, coordinatorEpoch: 11 },
    ]);
    expect(ofType(j.events, 'file')[0]).toEqual({ type: 'file', file: V2, kind: 'log', baseOffset: 0 });
    expect(ofType(j.events, 'header')[0]).toEqual({ type: 'header', text: 'Log starting offset: 0', baseOffset: 0 });
  });

  it('problems and trailing bytes are JSON events too (and nothing on stderr)', () => {
    const j = ksegDumpJson(['fixtures/logs/corrupt-torn-0/00000000000000000000.log', 'fixtures/logs/corrupt-crc-0/00000000000000000000.log']);
    expect(j.status).toBe(1);
    expect(j.stderr).toBe('');
    expect(ofType(j.events, 'trailing')).toEqual([{ type: 'trailing', file: 'fixtures/logs/corrupt-torn-0/00000000000000000000.log', position: 2018, bytes: 239, reason: 'truncated' }]);
    const ps = ofType(j.events, 'problem');
    expect(ps.map((p) => [p.check, p.position])).toEqual([['trailing', 2018], ['crc', 145]]);
    for (const p of ps) expect(Object.keys(p).sort()).toEqual(['type', 'file', 'position', 'offset', 'check', 'message'].sort());
  });
});

void FIXTURES;
