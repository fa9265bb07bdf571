// The text dump's fast paths print exactly what the event path prints: record lines encoded straight
// to bytes (src/cli/recordLineBytes.ts, with the UTF-8 check per output buffer in output.ts) and
// large logs rendered in ranges on worker threads (src/cli/dumpTextParallel.ts). The reference is
// dump()'s events rendered one by one through DumpTextRenderer (recordLine for every record), itself
// checked against Kafka's format strings by golden.test.ts.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Codec, crc32c, TimestampType } from '../../src/format/index.js';
import { buildRecordBatch, type RecordInput } from '../../src/format/recordBatchBuilder.js';
import { runDump, type DumpCliOptions, type DumpInternals } from '../../src/cli/dumpCommand.js';
import { DumpTextRenderer } from '../../src/cli/dumpText.js';
import { LineWriter } from '../../src/cli/output.js';
import { ParallelTextDump } from '../../src/cli/dumpTextParallel.js';
import { dump, type DumpOptions } from '../../src/tools/dump.js';
import { filesUnder } from '../helpers/files.js';
import { CORPUS, corpusAvailable, dumpUntil, FIXTURES } from './helpers.js';

const logFilesUnder = (root: string) => filesUnder(root).filter((f) => f.endsWith('.log'));

const dir = mkdtempSync(join(tmpdir(), 'kseg-fastpath-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T_BASE = 1_700_000_000_000;
const BASE_CLI: DumpCliOptions = { deepIteration: true, maxMessageSize: 5 << 20, maxDecompressedBytes: 64 << 20 };

/** What the event path prints: stdout bytes and stderr lines. */
function reference(files: string[], c: DumpCliOptions): { out: Buffer; err: string[] } {
  const opts: DumpOptions = {
    deepIteration: c.deepIteration,
    printDataLog: c.printDataLog || c.keyDecoder !== undefined || c.valueDecoder !== undefined,
    skipRecordMetadata: c.skipRecordMetadata,
    keyDecoder: c.keyDecoder,
    valueDecoder: c.valueDecoder,
    maxDecompressedBytes: c.maxDecompressedBytes,
  };
  const text = new DumpTextRenderer(!!c.skipRecordMetadata);
  const lines: string[] = [];
  for (const ev of dump(files, opts)) {
    const line = text.line(ev);
    if (line !== null) lines.push(line + '\n');
  }
  return { out: Buffer.from(lines.join(''), 'utf8'), err: text.stderrLines() };
}

let runs = 0;
/** What `kseg dump` prints (in-process, stdout to a file). */
function ksegDump(files: string[], c: DumpCliOptions, internal: DumpInternals = {}): { out: Buffer; err: string[]; status: number } {
  const path = join(dir, `out-${runs++}.txt`);
  const fd = openSync(path, 'w');
  const err: string[] = [];
  let status: number;
  try {
    status = runDump(files, c, { ...internal, fd, stderr: (l) => err.push(l) });
  } finally {
    closeSync(fd);
  }
  const out = readFileSync(path);
  rmSync(path);
  return { out, err, status };
}

function expectSame(files: string[], c: DumpCliOptions, internal: DumpInternals = {}): void {
  const want = reference(files, c);
  const got = ksegDump(files, c, internal);
  // Compare as text first for a readable diff, then byte for byte.
  expect(got.out.toString('latin1')).toBe(want.out.toString('latin1'));
  expect(got.err).toEqual(want.err);
}

const OPTION_SETS: [string, DumpCliOptions][] = [
  ['--deep-iteration', { ...BASE_CLI }],
  ['--print-data-log', { ...BASE_CLI, printDataLog: true }],
  ['--print-data-log --skip-record-metadata', { ...BASE_CLI, printDataLog: true, skipRecordMetadata: true }],
  ['--key-decoder none', { ...BASE_CLI, keyDecoder: 'none' }],
  ['--value-decoder none --skip-record-metadata', { ...BASE_CLI, valueDecoder: 'none', skipRecordMetadata: true }],
];

describe('text dump fast paths print what the event path prints', () => {
  const fixtures = logFilesUnder(FIXTURES);
  const corpus = corpusAvailable ? logFilesUnder(CORPUS) : [];
  if (!corpusAvailable) console.warn(`[skip] corpus part of the fast-path comparison: ${CORPUS} is absent`);

  it('has logs to compare (fixtures include corrupt twins; corpus every broker version)', () => {
    expect(fixtures.length).toBeGreaterThan(10);
    expect(fixtures.some((f) => f.includes('corrupt'))).toBe(true);
  });

  for (const [name, c] of OPTION_SETS) {
    it(`fixtures and corpus, ${name}: one thread`, () => {
      expectSame([...fixtures, ...corpus], { ...c, jobs: 0 });
    });
    it(`fixtures and corpus, ${name}: ranges of a few batches on worker threads`, () => {
      expectSame([...fixtures, ...corpus], { ...c, jobs: 2 }, { minBytes: 0, rangeBytes: 1500 });
      // and batches over 2000 bytes in ranges of their own, rendered only at their turn
      expectSame([...fixtures, ...corpus], { ...c, jobs: 2 }, { minBytes: 0, rangeBytes: 1500, atTurnBytes: 2000 });
    });
  }

  // Random segments: offsets with gaps and across digit-count boundaries, timestamps that step,
  // repeat, go backwards, cross a power of ten and fall outside the fast range; keys and values
  // with invalid UTF-8, multi-byte characters and control characters; headers; compression;
  // batches with a delete horizon.
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.string({ maxLength: 30 }).map((s) => new TextEncoder().encode(s)),
    fc.constantFrom(new Uint8Array([0xc3]), new Uint8Array([0x61, 0xed, 0xa0, 0x80]), new TextEncoder().encode('é€😀\n\t')),
  );
  const record = fc.record({
    timestampStep: fc.oneof(fc.constantFrom(0, 1, 2, 9, -1), fc.integer({ min: -5000, max: 5000 })),
    key: fc.option(bytes, { nil: null }),
    value: fc.option(bytes, { nil: null }),
    headers: fc.option(fc.array(fc.record({ key: fc.string({ maxLength: 6 }), value: fc.option(bytes, { nil: null }) }), { maxLength: 2 }), { nil: undefined }),
    gap: fc.constantFrom(0, 0, 0, 0, 1, 7),
  });
  const batch = fc.record({
    records: fc.array(record, { minLength: 1, maxLength: 12 }),
    codec: fc.constantFrom(Codec.None, Codec.None, Codec.Gzip),
    logAppendTime: fc.boolean().map((b) => (b ? 1_700_000_000_123 : undefined)),
    idempotent: fc.boolean(),
    offsetJump: fc.constantFrom(0, 0, 0, 3),
    deleteHorizonMs: fc.constantFrom(undefined, undefined, 1_700_000_000_500),
  });
  const segment = fc.record({
    baseOffset: fc.constantFrom(0, 95, 999_995, 999_999_990, 2_147_483_640, 9_007_199_254_740_000),
    startTime: fc.constantFrom(1_699_999_999_990, 999_999_998, 9_999_999_999_995, 5, -1),
    batches: fc.array(batch, { minLength: 1, maxLength: 5 }),
  });

  type Segment = typeof segment extends fc.Arbitrary<infer T> ? T : never;

  function writeSegment(seg: Segment): string {
    const parts: Buffer[] = [];
    let offset = seg.baseOffset;
    let ts = seg.startTime;
    for (const b of seg.batches) {
      offset += b.offsetJump;
      let delta = 0;
      const records: RecordInput[] = b.records.map((r) => {
        ts += r.timestampStep;
        delta += r.gap;
        const input: RecordInput = { timestamp: ts, key: r.key, value: r.value, headers: r.headers, offsetDelta: delta };
        delta++;
        return input;
      });
      parts.push(
        buildRecordBatch(records, {
          baseOffset: offset,
          codec: b.codec,
          timestampType: b.logAppendTime !== undefined ? TimestampType.LogAppendTime : TimestampType.CreateTime,
          logAppendTime: b.logAppendTime,
          producerId: b.idempotent ? 42 : -1,
          producerEpoch: b.idempotent ? 0 : -1,
          baseSequence: b.idempotent ? 2_147_483_640 : -1,
          deleteHorizonMs: b.deleteHorizonMs,
        }),
      );
      offset += delta;
    }
    const file = join(dir, `${String(seg.baseOffset).padStart(20, '0')}.log`);
    writeFileSync(file, Buffer.concat(parts));
    return file;
  }

  it('timestamps that cross a billion by a small and a large step, offsets and sequences that gain a digit', () => {
    // The record-line run keeps its digits current by bumping them: a step across a 10^9 boundary
    // of the timestamp, and an offset or sequence gaining a digit, must build it again.
    const seg: Segment = {
      baseOffset: 9_999_995,
      startTime: 1_699_999_999_990,
      batches: [0, 5, 600, 3, 999_998_500].map((step, i) => ({
        records: [step, 1, 4, 9, 12].map((timestampStep) => ({ timestampStep, key: null, value: new TextEncoder().encode(`v${i}`), headers: undefined, gap: 0 })),
        codec: Codec.None,
        logAppendTime: undefined,
        idempotent: i % 2 === 0,
        offsetJump: 0,
        deleteHorizonMs: undefined,
      })),
    };
    const file = writeSegment(seg);
    try {
      for (const [, c] of OPTION_SETS) {
        expectSame([file], { ...c, printDataLog: true, jobs: 0 });
        expectSame([file], { ...c, jobs: 2 }, { minBytes: 0, rangeBytes: 100 });
      }
    } finally {
      rmSync(file);
    }
  });

  it('random segments, every option set, one thread and ranges on a worker', () => {
    fc.assert(
      fc.property(segment, fc.constantFrom(...OPTION_SETS), fc.integer({ min: 60, max: 400 }), (seg, [, c], rangeBytes) => {
        const file = writeSegment(seg);
        try {
          expectSame([file], { ...c, printDataLog: true, jobs: 0 });
          expectSame([file], { ...c, jobs: 2 }, { minBytes: 0, rangeBytes });
        } finally {
          rmSync(file);
        }
      }),
      { numRuns: 40, seed: 20261121 },
    );
  });
});

describe('ParallelTextDump', () => {
  it('hands ranges to worker threads and writes their output in file order', () => {
    const file = join(FIXTURES, 'v2-none-0', '00000000000000000000.log');
    const c: DumpCliOptions = { ...BASE_CLI, printDataLog: true };
    const want = reference([file], c);
    const dumper = new ParallelTextDump({ opts: { deepIteration: true, printDataLog: true }, skipMetadata: false, key: 'string', value: 'string' }, { jobs: 1, minBytes: 0, rangeBytes: 200 });
    expect(dumper.eligible(file)).toBe(true);
    // Workers take a while to start: dump until they have taken ranges (the main thread renders
    // meanwhile) and the main thread has rendered ranges ahead of theirs into memory.
    const { output, text } = dumpUntil(dumper, file, () => dumper.stats.workers > 0 && dumper.stats.mainAhead > 0);
    expect(dumper.stats.workers).toBeGreaterThan(0);
    expect(dumper.stats.mainAhead).toBeGreaterThan(0);
    expect(output).toBe(want.out.toString('latin1'));
    expect(text.problems).toEqual([]);
  });

  it('renders a range again when the range before it did not end at the offset its last header states', () => {
    // Batch 2's header claims lastOffsetDelta 5 but holds deltas 0..2 (CRC recomputed, so only the
    // offsets disagree): the sequential walk reports "<base+2> is followed by <base+6>" at batch 3,
    // which a range starting at batch 3 from the header's offset would miss.
    const records = (n: number, t: number) => Array.from({ length: n }, (_, i) => ({ timestamp: T_BASE + t + i, key: null, value: Buffer.from(`v${t + i}`) }));
    const parts: Buffer[] = [];
    let base = 0;
    for (let b = 0; b < 12; b++) {
      const batch = buildRecordBatch(records(3, b * 10), { baseOffset: base });
      if (b % 4 === 1) {
        batch.writeInt32BE(5, 23); // lastOffsetDelta
        batch.writeUInt32BE(crc32c(batch, 21, batch.length), 17);
        base += 6;
      } else base += 3;
      parts.push(batch);
    }
    const file = join(dir, '00000000000000000000.log');
    writeFileSync(file, Buffer.concat(parts));
    const c: DumpCliOptions = { ...BASE_CLI, printDataLog: true };
    const want = reference([file], c);
    expect(want.err.some((l) => /is followed by/.test(l))).toBe(true);
    const dumper = new ParallelTextDump({ opts: { deepIteration: true, printDataLog: true }, skipMetadata: false, key: 'string', value: 'string' }, { jobs: 1, minBytes: 0, rangeBytes: 1 });
    const { output, text } = dumpUntil(dumper, file, () => dumper.stats.again > 0);
    expect(dumper.stats.again).toBeGreaterThan(0);
    expect(output).toBe(want.out.toString('latin1'));
    expect(text.stderrLines()).toEqual(want.err);
    rmSync(file);
  });

  it('leaves small logs, filtered walks and shallow dumps to the sequential path', () => {
    const file = join(FIXTURES, 'v2-none-0', '00000000000000000000.log');
    const ro = (opts: DumpOptions) => ({ opts, skipMetadata: false, key: 'string' as const, value: 'string' as const });
    expect(new ParallelTextDump(ro({ deepIteration: true }), { jobs: 2 }).eligible(file)).toBe(false);
    expect(new ParallelTextDump(ro({ deepIteration: true, fromOffset: 3 }), { jobs: 2, minBytes: 0 }).eligible(file)).toBe(false);
    expect(new ParallelTextDump(ro({}), { jobs: 2, minBytes: 0 }).eligible(file)).toBe(false);
    expect(new ParallelTextDump(ro({ deepIteration: true }), { jobs: 0, minBytes: 0 }).eligible(file)).toBe(false);
    expect(new ParallelTextDump(ro({ deepIteration: true }), { jobs: 2, minBytes: 0 }).eligible(file)).toBe(true);
  });
});

describe('LineWriter: raw text spans are checked as UTF-8 before they are written', () => {
  it('re-encodes invalid spans like the string decoder, across flushes of a small buffer', () => {
    const path = join(dir, 'spans.txt');
    const fd = openSync(path, 'w');
    const w = new LineWriter(fd, 4096);
    const values = [Buffer.from('plain'), Buffer.from([0xff, 0x41, 0xc3]), Buffer.from('é😀'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.alloc(3000, 0x62)];
    let want = '';
    for (let i = 0; i < 40; i++) {
      const v = values[i % values.length];
      w.reserve(v.length + 16);
      w.buf.write('v: ', w.pos, 'latin1');
      w.pos += 3;
      v.copy(w.buf, w.pos);
      w.textSpan(w.pos, v.length);
      w.pos += v.length;
      w.buf[w.pos++] = 0x0a;
      want += `v: ${v.toString('utf8')}\n`;
    }
    w.flush();
    closeSync(fd);
    expect(readFileSync(path)).toEqual(Buffer.from(want, 'utf8'));
  });
});
