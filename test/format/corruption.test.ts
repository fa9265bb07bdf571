// Corruption: flipped bits under the CRCs, bad size fields and torn tails seen by BatchScanner,
// truncated codec frames, bad record structure inside batches whose CRC is valid, and random
// damage. Every failure must be one of the typed errors of src/format/errors.ts (never a
// RangeError/TypeError) and must carry the position of the batch it is about.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BatchScanner,
  Codec,
  CompressionError,
  CorruptRecordError,
  LegacyRecordBatch,
  RecordBatch,
  buildLegacyBatch,
  ControlRecordType,
  buildRecordBatch,
  compress,
  controlKey,
  decompress,
  endTxnMarkerValue,
  readControlRecord,
  writeLegacyMessage,
  writeVarint,
  writeVarlong,
} from '../../src/format/index.js';
import { MAGIC_CODEC_COMBOS, batchSpecArb, buildSpec, expectThrows, filler, fixChecksum, walkEverything } from './support.js';

const smallBatchArb = fc
  .constantFrom(...MAGIC_CODEC_COMBOS)
  .chain(({ magic, codec }) => batchSpecArb({ magic, codec, maxRecords: 4, bigValues: false }))
  .map(buildSpec);

/** Shallow batch boundaries of a valid buffer: [start, end) pairs. */
function boundaries(buf: Buffer): [number, number][] {
  const out: [number, number][] = [];
  for (const b of new BatchScanner(buf)) out.push([b.position, b.position + b.sizeInBytes]);
  return out;
}

/** Flips bits [bit, bit + span) selected by mask (bit 0 always set), staying inside [from, to) bytes. */
function flipBurst(buf: Buffer, from: number, to: number, bitOffset: number, mask: number): void {
  const first = from * 8 + (bitOffset % ((to - from) * 8));
  const m = (mask | 1) >>> 0;
  for (let i = 0; i < 32; i++) {
    if (!(m & (1 << i))) continue;
    const bit = first + i;
    if (bit >= to * 8) break;
    buf[bit >> 3] ^= 0x80 >> (bit & 7);
  }
}

describe('checksums', () => {
  it('any burst of up to 32 flipped bits under the CRC makes ensureValid throw CorruptRecordError at that batch', () => {
    fc.assert(
      fc.property(
        fc.array(smallBatchArb, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (parts, which, bitOffset, mask, inCrcField, basePosition) => {
          const buf = Buffer.concat(parts);
          const bounds = boundaries(buf);
          const [start, end] = bounds[which % bounds.length];
          const magic = buf[start + 16];
          // CRC field: v2 @17..21, legacy @12..16. Covered: v2 [21, end) (CRC-32C), legacy [16, end) (CRC-32) minus the magic byte, flipped separately below.
          const [from, to] = inCrcField ? (magic === 2 ? [start + 17, start + 21] : [start + 12, start + 16]) : magic === 2 ? [start + 21, end] : [start + 17, end];
          flipBurst(buf, from, to, bitOffset, mask);
          const scanner = new BatchScanner(buf, basePosition);
          let seen = 0;
          for (const b of scanner) {
            if (b.position - basePosition === start) {
              expect(b.isValid()).toBe(false);
              const e = expectThrows(() => b.ensureValid(), CorruptRecordError);
              expect(e.position).toBe(basePosition + start);
              expect(e.message).toMatch(/Record is corrupt \(stored crc = \d+, computed crc = \d+\)/);
            } else {
              b.ensureValid();
            }
            seen++;
          }
          expect(seen).toBe(bounds.length);
          expect(scanner.stopReason).toBe('end');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a legacy message whose magic byte is flipped to the other legacy magic fails its CRC', () => {
    for (const magic of [0, 1] as const) {
      const buf = buildLegacyBatch([{ timestamp: 5, key: null, value: Buffer.from('0123456789abcdef') }], { magic });
      buf[16] = 1 - magic;
      expect(() => new LegacyRecordBatch(buf, 0).ensureValid()).toThrow(CorruptRecordError);
    }
  });

  it('v2 fields outside the CRC (base offset, length, leader epoch) can change without invalidating it, as in Kafka', () => {
    fc.assert(
      fc.property(batchSpecArb({ magic: 2, codec: 'none', maxRecords: 3, bigValues: false }), fc.integer({ min: 0, max: 2 ** 50 }), fc.integer({ min: -1, max: 2 ** 31 - 1 }), (spec, base, epoch) => {
        const buf = buildSpec(spec);
        buf.writeBigInt64BE(BigInt(base), 0);
        buf.writeInt32BE(epoch, 12);
        const b = new RecordBatch(buf, 0);
        b.ensureValid();
        expect(b.baseOffset).toBe(base);
        expect(b.partitionLeaderEpoch).toBe(epoch);
      }),
      { numRuns: 50 },
    );
  });
});

describe('BatchScanner stops with the right reason at the right position', () => {
  const three = () => {
    const a = buildRecordBatch([{ timestamp: 1, key: null, value: Buffer.from('a') }], { baseOffset: 0 });
    const b = buildLegacyBatch([{ timestamp: 2, key: Buffer.from('k'), value: Buffer.from('b') }], { magic: 1, baseOffset: 1 });
    const c = buildRecordBatch([{ timestamp: 3, key: null, value: Buffer.from('c') }], { baseOffset: 2, codec: Codec.Gzip });
    return { parts: [a, b, c], buf: Buffer.concat([a, b, c]) };
  };

  function scanAll(buf: Buffer, basePosition: number) {
    const s = new BatchScanner(buf, basePosition);
    const positions: number[] = [];
    for (const b of s) positions.push(b.position);
    return { s, positions };
  }

  it("size field below the 14-byte minimum → 'corrupt-size' at that batch", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: -(2 ** 31), max: 13 }), fc.nat(2 ** 40), (k, size, basePosition) => {
        const { parts, buf } = three();
        const at = parts.slice(0, k).reduce((n, p) => n + p.length, 0);
        buf.writeInt32BE(size, at + 8);
        if (size === 0) buf[at + 7] = 1; // not an all-zero header
        const { s, positions } = scanAll(buf, basePosition);
        expect(s.stopReason).toBe('corrupt-size');
        expect(s.position).toBe(basePosition + at);
        expect(positions).toHaveLength(k);
        expect(s.stopMessage).toMatch(new RegExp(`record size ${size} smaller than minimum record overhead \\(14\\)`));
        expect(s.next()).toBeNull();
      }),
      { numRuns: 100 },
    );
  });

  it("size field past the end of the data, or a torn tail → 'truncated' at that batch", () => {
    const { parts, buf } = three();
    const starts = [0, parts[0].length, parts[0].length + parts[1].length];
    for (let k = 0; k < 3; k++) {
      const big = Buffer.from(buf);
      big.writeInt32BE(buf.length, starts[k] + 8);
      const r = scanAll(big, 100);
      expect([r.s.stopReason, r.s.position, r.positions.length]).toEqual(['truncated', 100 + starts[k], k]);
    }
    for (let cut = 1; cut < buf.length; cut++) {
      const k = starts.filter((s) => s <= cut).length - 1; // batch the cut falls in (or starts at)
      const r = scanAll(buf.subarray(0, cut), 0);
      const complete = starts.filter((s, i) => (i < 2 ? starts[i + 1] : buf.length) <= cut).length;
      expect(r.positions.length).toBe(complete);
      // a tail shorter than a header that happens to be all zeros (base offset 0...) reads as 'zeros'
      const tail = buf.subarray(starts[k], cut);
      const torn = cut - starts[k] < 17 && tail.every((x) => x === 0) ? 'zeros' : 'truncated';
      expect(r.s.stopReason).toBe(cut === starts[k] ? 'end' : torn);
      if (r.s.stopReason !== 'end') expect(r.s.position).toBe(starts[k]);
      expect(r.s.remainingBytes).toBe(cut - r.s.position);
    }
    // the scanner's end bound is a torn tail too
    const bounded = new BatchScanner(buf, 0, 0, buf.length - 1);
    expect([...bounded].length).toBe(2);
    expect(bounded.stopReason).toBe('truncated');
    expect(bounded.position).toBe(starts[2]);
  });

  it("zero-filled tail → 'zeros'; unknown magic → 'bad-magic'; both at the right position", () => {
    const { parts, buf } = three();
    for (const zeros of [1, 16, 17, 4096]) {
      const r = scanAll(Buffer.concat([buf, Buffer.alloc(zeros)]), 7);
      expect([r.s.stopReason, r.s.position, r.positions.length]).toEqual(['zeros', 7 + buf.length, 3]);
    }
    for (const magic of [3, 4, 0x7f, 0x80, 0xff]) {
      const bad = Buffer.from(buf);
      bad[parts[0].length + 16] = magic;
      const r = scanAll(bad, 0);
      expect([r.s.stopReason, r.s.position, r.positions.length]).toEqual(['bad-magic', parts[0].length, 1]);
    }
  });

  it('a v2 size between 14 and the 61-byte overhead passes the scanner but not ensureValid', () => {
    for (const size of [14, 20, 48]) {
      const buf = buildRecordBatch([{ timestamp: 1, key: null, value: Buffer.from('x') }]);
      buf.writeInt32BE(size, 8);
      const s = new BatchScanner(buf, 500);
      const b = s.next()!;
      expect(b).toBeInstanceOf(RecordBatch);
      expect(b.isValid()).toBe(false);
      const e = expectThrows(() => b.ensureValid(), CorruptRecordError);
      expect(e.message).toMatch(new RegExp(`the size ${size + 12} is smaller than the minimum allowed overhead 61`));
      expect(e.position).toBe(500);
      // walking its records must not crash either
      expect(walkEverything(buf.subarray(0, 12 + size)).error).toBeInstanceOf(CorruptRecordError);
    }
    // legacy v1 message shorter than its 22-byte overhead
    const m = buildLegacyBatch([{ timestamp: 1, key: null, value: Buffer.from('xyz') }], { magic: 1 });
    m.writeInt32BE(16, 8);
    const e = expectThrows(() => new BatchScanner(m, 9).next()!.ensureValid(), CorruptRecordError);
    expect(e.position).toBe(9);
  });
});

describe('truncated codec frames', () => {
  const payload = filler(120_000, 21, true);
  for (const codec of [Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd]) {
    it(`codec ${codec}: every truncation throws CompressionError (snappy: except at xerial block boundaries)`, () => {
      const full = compress(codec, payload, { magic: 2 });
      // xerial block boundaries: after the 16-byte header and after each block
      const blockEnds = new Set<number>();
      if (codec === Codec.Snappy) {
        for (let p = 16; p <= full.length; p += 4 + full.readInt32BE(p)) {
          blockEnds.add(p);
          if (p === full.length) break;
        }
      }
      const cuts = new Set<number>([0, 1, 4, 6, 7, 8, 10, 15, 16, 17, 20, full.length - 1, full.length - 4, full.length - 5]);
      for (let i = 0; i < 60; i++) cuts.add(Math.floor((full.length * i) / 60));
      for (const cut of cuts) {
        if (cut < 0 || cut >= full.length) continue;
        const part = full.subarray(0, cut);
        if (blockEnds.has(cut)) {
          const out = decompress(codec, part);
          expect(payload.subarray(0, out.length).equals(out)).toBe(true);
          expect(out.length).toBeLessThan(payload.length);
        } else {
          const e = expectThrows(() => decompress(codec, part, { position: 31337 }), CompressionError);
          expect(e.position).toBe(31337);
        }
      }
    });
  }

  it('a truncated payload inside a batch with a valid CRC fails with CompressionError at the batch position', () => {
    const recs = Array.from({ length: 20 }, (_, i) => ({ timestamp: i, key: Buffer.from(`key-${i}`), value: filler(500, i, true) }));
    for (const codec of [Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd]) {
      const full = buildRecordBatch(recs, { codec });
      const torn = Buffer.from(full.subarray(0, full.length - 9));
      torn.writeInt32BE(torn.length - 12, 8);
      fixChecksum(torn);
      const b = new BatchScanner(torn, 4242).next()!;
      b.ensureValid();
      expect(expectThrows(() => [...b.records()], CompressionError).position).toBe(4242);
      if (codec === Codec.Zstd) continue;
      for (const magic of [0, 1] as const) {
        const wrapper = buildLegacyBatch(recs, { magic, codec });
        const valueAt = 12 + (magic === 0 ? 14 : 22);
        const value = wrapper.subarray(valueAt, wrapper.length - 9);
        const tornWrapper = writeLegacyMessage(wrapper.readInt32BE(4), magic, codec, magic === 1 ? 19 : -1, null, value);
        const lb = new BatchScanner(tornWrapper, 777).next()!;
        lb.ensureValid();
        expect(expectThrows(() => lb.countRecords(), CompressionError).position).toBe(777);
      }
    }
  });
});

// ------------------------------------------------------------------ records inside a valid batch

interface RawHeader {
  keyLen?: number;
  key: Buffer;
  valueLen?: number;
  value: Buffer | null;
}
interface RawRecord {
  /** Override the length prefix (default: the real length). */
  length?: number;
  tsDelta?: number;
  offsetDelta: number;
  keyLen?: number;
  key: Buffer | null;
  valueLen?: number;
  value: Buffer | null;
  headerCount?: number;
  headers?: RawHeader[];
  trailing?: Buffer;
}

/** Hand-assembles one v2 record, lengths overridable. */
function rawRecord(r: RawRecord): Buffer {
  const body = Buffer.alloc(256 + (r.key?.length ?? 0) + (r.value?.length ?? 0));
  let p = 0;
  body[p++] = 0;
  p = writeVarlong(body, p, r.tsDelta ?? 0);
  p = writeVarint(body, p, r.offsetDelta);
  p = writeVarint(body, p, r.keyLen ?? (r.key ? r.key.length : -1));
  if (r.key) p += r.key.copy(body, p);
  p = writeVarint(body, p, r.valueLen ?? (r.value ? r.value.length : -1));
  if (r.value) p += r.value.copy(body, p);
  const headers = r.headers ?? [];
  p = writeVarint(body, p, r.headerCount ?? headers.length);
  for (const h of headers) {
    p = writeVarint(body, p, h.keyLen ?? h.key.length);
    p += h.key.copy(body, p);
    p = writeVarint(body, p, h.valueLen ?? (h.value ? h.value.length : -1));
    if (h.value) p += h.value.copy(body, p);
  }
  if (r.trailing) p += r.trailing.copy(body, p);
  const len = Buffer.alloc(5);
  const n = writeVarint(len, 0, r.length ?? p);
  return Buffer.concat([len.subarray(0, n), body.subarray(0, p)]);
}

/** A v2 batch around hand-made records: count field as given, CRC valid. */
function batchAround(records: Buffer[], count: number, codec: Codec): Buffer {
  const section = Buffer.concat(records);
  const payload = codec === Codec.None ? section : compress(codec, section);
  const header = buildRecordBatch([{ timestamp: 1000, key: null, value: null }], { codec, baseOffset: 500 }).subarray(0, 61);
  const buf = Buffer.concat([header, payload]);
  buf.writeInt32BE(buf.length - 12, 8);
  buf.writeInt32BE(count, 57);
  buf.writeInt32BE(Math.max(0, count - 1), 23);
  fixChecksum(buf);
  return buf;
}

const good = (i: number): RawRecord => ({ offsetDelta: i, key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`), headers: [{ key: Buffer.from('h'), value: Buffer.from('v') }] });

const BAD_RECORDS: { name: string; records: Buffer[]; count?: number; message: RegExp }[] = [
  { name: 'record length past the end of the batch', records: [rawRecord(good(0)), rawRecord({ ...good(1), length: 200 })], message: /Invalid record size|past the end/ },
  { name: 'record length shorter than its fields', records: [rawRecord(good(0)), rawRecord({ ...good(1), length: 12 })], message: /Invalid record size|invalid record structure|past the end/ },
  { name: 'record length longer than its fields', records: [rawRecord({ ...good(0), trailing: Buffer.from([0, 0]) }), rawRecord(good(1))], message: /Invalid record size/ },
  { name: 'negative record length', records: [rawRecord(good(0)), rawRecord({ ...good(1), length: -1 })], message: /Invalid record size/ },
  { name: 'negative header count', records: [rawRecord(good(0)), rawRecord({ ...good(1), headerCount: -1, headers: [] })], message: /Found invalid number of record headers -1/ },
  { name: 'header count larger than the headers', records: [rawRecord({ ...good(0), headerCount: 3 })], count: 1, message: /invalid record structure|past the end|Invalid record size/ },
  { name: 'negative header key length', records: [rawRecord({ ...good(0), headers: [{ keyLen: -2, key: Buffer.alloc(0), value: null }] })], count: 1, message: /Invalid negative header key size -2/ },
  { name: 'header value length past the record', records: [rawRecord({ ...good(0), headers: [{ key: Buffer.from('h'), valueLen: 90, value: Buffer.from('v') }] })], count: 1, message: /invalid record structure|Invalid record size/ },
  { name: 'key length past the record', records: [rawRecord({ ...good(0), keyLen: 100 })], count: 1, message: /invalid record structure|past the end|Invalid record size/ },
  { name: 'value length past the record', records: [rawRecord({ ...good(0), valueLen: 100 })], count: 1, message: /invalid record structure|past the end|Invalid record size/ },
  { name: 'record count above the records present', records: [rawRecord(good(0)), rawRecord(good(1))], count: 3, message: /past the end|Invalid record size/ },
  { name: 'record count below the records present', records: [rawRecord(good(0)), rawRecord(good(1))], count: 1, message: /records still remaining/ },
  { name: 'negative record count', records: [rawRecord(good(0))], count: -1, message: /Found invalid record count -1 in magic v2 batch/ },
  { name: 'garbage after the last record', records: [rawRecord(good(0)), Buffer.from([0xff, 0xff])], count: 1, message: /records still remaining/ },
];

describe('bad record structure inside a batch with a valid CRC', () => {
  it('the hand-made records are well formed when not damaged', () => {
    for (const codec of [Codec.None, Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd]) {
      const b = new RecordBatch(batchAround([rawRecord(good(0)), rawRecord(good(1))], 2, codec), 0);
      b.ensureValid();
      const seen: string[] = [];
      for (const r of b.records()) seen.push(`${r.offset}:${r.key()}:${r.value()}:${r.headers().map((h) => `${h.key}=${h.value}`)}`);
      expect(seen).toEqual(['500:k0:value-0:h=v', '501:k1:value-1:h=v']);
    }
  });

  for (const c of BAD_RECORDS) {
    it(`${c.name} → CorruptRecordError with the batch position (uncompressed and every codec)`, () => {
      for (const codec of [Codec.None, Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd]) {
        const buf = Buffer.concat([buildRecordBatch([{ timestamp: 1, key: null, value: null }]), batchAround(c.records, c.count ?? c.records.length, codec)]);
        const scanner = new BatchScanner(buf, 10_000);
        scanner.next()!.ensureValid();
        const b = scanner.next()!;
        b.ensureValid(); // the CRC is fine: the damage is in the records
        const e = expectThrows(() => {
          for (const r of b.records()) r.headers();
        }, CorruptRecordError);
        expect(e.message).toMatch(c.message);
        expect(e.position, e.message).toBe(b.position);
      }
    });
  }
});

describe('bad inner messages in a legacy wrapper with a valid CRC', () => {
  const inner = (offset: number, magic: 0 | 1, attributes = 0, key: Buffer | null = Buffer.from('k'), value: Buffer | null = Buffer.from('v')) =>
    writeLegacyMessage(offset, magic, attributes, magic === 1 ? 1000 : -1, key, value);

  const cases: { name: string; set: (magic: 0 | 1) => Buffer; message: RegExp }[] = [
    { name: 'no inner messages', set: () => Buffer.alloc(0), message: /no inner records/ },
    { name: 'inner message with a compression attribute', set: (m) => Buffer.concat([inner(0, m), inner(1, m, Codec.Gzip)]), message: /inner record with a compression attribute/ },
    { name: 'inner magic differs from the wrapper', set: (m) => Buffer.concat([inner(0, m), inner(1, m === 0 ? 1 : 0)]), message: /does not match wrapper magic/ },
    { name: 'inner size below the overhead', set: (m) => { const b = inner(0, m); b.writeInt32BE(5, 8); return b; }, message: /Invalid inner message size 5/ },
    { name: 'inner size past the end', set: (m) => { const b = inner(0, m); b.writeInt32BE(1000, 8); return b; }, message: /Invalid inner message size 1000/ },
    { name: 'truncated inner message', set: (m) => inner(0, m).subarray(0, 20), message: /Truncated inner message|Invalid inner message size/ },
    { name: 'inner key length past the message', set: (m) => { const b = inner(0, m); b.writeInt32BE(50, m === 0 ? 18 : 26); return b; }, message: /invalid record structure/ },
    { name: 'inner key length below -1', set: (m) => { const b = inner(0, m, 0, null); b.writeInt32BE(-7, m === 0 ? 18 : 26); return b; }, message: /invalid record structure/ },
  ];

  for (const c of cases) {
    it(`${c.name} → CorruptRecordError at the wrapper position`, () => {
      for (const magic of [0, 1] as const) {
        for (const codec of [Codec.Gzip, Codec.Snappy, Codec.Lz4]) {
          const w = writeLegacyMessage(9, magic, codec, magic === 1 ? 1000 : -1, null, compress(codec, c.set(magic), { magic }));
          const b = new BatchScanner(w, 64).next()!;
          b.ensureValid();
          const e = expectThrows(() => {
            for (const r of b.records()) {
              r.key();
              r.value();
            }
          }, CorruptRecordError);
          expect(e.message).toMatch(c.message);
          expect(e.position).toBe(64);
        }
      }
    });
  }

  it('a null wrapper value is rejected', () => {
    const w = writeLegacyMessage(0, 1, Codec.Gzip, 5, null, null);
    const b = new LegacyRecordBatch(w, 0, 3);
    b.ensureValid();
    expect(expectThrows(() => b.countRecords(), CorruptRecordError).position).toBe(3);
  });
});

describe('malformed control records', () => {
  it('a control key shorter than 4 bytes or an end-marker value shorter than 6 → CorruptRecordError at the batch', () => {
    const cases = [
      { key: Buffer.from([0, 0, 0]), value: endTxnMarkerValue(1) },
      { key: null, value: endTxnMarkerValue(1) },
      { key: controlKey(ControlRecordType.COMMIT), value: Buffer.from([0, 0, 0, 0, 1]) },
      { key: controlKey(ControlRecordType.ABORT), value: null },
    ];
    for (const c of cases) {
      const buf = buildRecordBatch([{ timestamp: 1, key: c.key, value: c.value }], { isControl: true, isTransactional: true, producerId: 3 });
      const b = new BatchScanner(buf, 2048).next() as RecordBatch;
      b.ensureValid();
      for (const r of b.records()) expect(expectThrows(() => readControlRecord(r), CorruptRecordError).position).toBe(2048);
    }
  });
});

describe('random damage never escapes as an untyped error', () => {
  it('byte edits anywhere, CRC recomputed (so decoding goes deep) or not', () => {
    fc.assert(
      fc.property(
        fc.array(smallBatchArb, { minLength: 1, maxLength: 3 }),
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.nat(),
        (parts, edits, fixCrcs, cut) => {
          let buf = Buffer.concat(parts);
          const bounds = boundaries(buf);
          for (const e of edits) buf[e.at % buf.length] = e.value;
          if (fixCrcs) for (const [start, end] of bounds) if (buf.readInt32BE(start + 8) === end - start - 12 && buf[start + 16] <= 2) fixChecksum(buf, start);
          if (cut % 4 === 0) buf = buf.subarray(0, cut % (buf.length + 1));
          walkEverything(buf, 123); // throws (failing the property) on anything but a KsegError
        },
      ),
      { numRuns: 400 },
    );
  });

  it('compressed payloads with damaged (then recompressed) records, and damaged frames', () => {
    const recs = Array.from({ length: 6 }, (_, i) => ({ timestamp: 1000 + i, key: i % 2 ? null : Buffer.from(`key${i}`), value: Buffer.from(`value-${i}`.repeat(i + 1)), headers: i === 2 ? [{ key: 'h', value: null }] : [] }));
    fc.assert(
      fc.property(
        fc.constantFrom(...MAGIC_CODEC_COMBOS.filter((c) => c.codec !== 'none')),
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        ({ magic, codec: name }, edits, damageFrame) => {
          const codec = { gzip: Codec.Gzip, snappy: Codec.Snappy, lz4: Codec.Lz4, zstd: Codec.Zstd }[name as 'gzip'];
          const plain = magic === 2 ? buildRecordBatch(recs).subarray(61) : buildLegacyBatch(recs, { magic });
          const section = Buffer.from(plain);
          let frame: Buffer;
          if (damageFrame) {
            frame = Buffer.from(compress(codec, section, { magic }));
            for (const e of edits) frame[e.at % frame.length] = e.value;
          } else {
            for (const e of edits) section[e.at % section.length] = e.value;
            frame = compress(codec, section, { magic });
          }
          let buf: Buffer;
          if (magic === 2) {
            buf = Buffer.concat([buildRecordBatch(recs, { codec }).subarray(0, 61), frame]);
            buf.writeInt32BE(buf.length - 12, 8);
            fixChecksum(buf);
          } else {
            buf = writeLegacyMessage(5, magic, codec, magic === 1 ? 1 : -1, null, frame);
          }
          walkEverything(buf);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.constantFrom(0, 1, 2), (bytes, magic) => {
        const buf = Buffer.from(bytes);
        if (buf.length >= 17) {
          buf[16] = magic; // get past the magic check most of the time
          buf.writeInt32BE(buf.length - 12, 8);
          if (magic === 2 || buf.length > 30) fixChecksum(buf);
        }
        walkEverything(buf);
      }),
      { numRuns: 500 },
    );
  });
});
