// Checkpoint files, producer-state snapshots and the transaction index: round trips through kseg's
// writers/readers, byte layouts checked by hand, and the real broker-written files of the corpus.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../src/format/errors.js';
import {
  decodeProducerSnapshot,
  decodeTransactionIndex,
  encodeAbortedTxn,
  encodeProducerSnapshot,
  readLeaderEpochCheckpoint,
  readOffsetCheckpoint,
  TransactionIndex,
  writeLeaderEpochCheckpoint,
  writeOffsetCheckpoint,
  type ProducerSnapshotEntry,
} from '../../src/storage/index.js';
import { cleanupTempDirs, readSnapshotRaw, tempDir } from './helpers.js';

afterAll(cleanupTempDirs);

const CORPUS = '/work/shared/corpus';
const corpusPresent = existsSync(CORPUS);
if (!corpusPresent) console.warn(`[skip] corpus checkpoint/snapshot tests: ${CORPUS} is absent`);

describe('offset and leader-epoch checkpoint files', () => {
  it('write the exact text Kafka writes (version, count, one entry per line) and read it back', () => {
    const dir = tempDir();
    const path = join(dir, 'recovery-point-offset-checkpoint');
    const entries = [
      { topic: 'foo', partition: 0, offset: 3 },
      { topic: 'foo.bar_baz-1', partition: 12, offset: 9007199254740991 },
      { topic: '__consumer_offsets', partition: 49, offset: 0 },
    ];
    writeOffsetCheckpoint(path, entries);
    expect(readFileSync(path, 'utf8')).toBe('0\n3\nfoo 0 3\nfoo.bar_baz-1 12 9007199254740991\n__consumer_offsets 49 0\n');
    expect(readOffsetCheckpoint(path)).toEqual(entries);
    expect(readdirSync(dir)).toEqual(['recovery-point-offset-checkpoint']); // the temp file was renamed away

    writeOffsetCheckpoint(path, []);
    expect(readFileSync(path, 'utf8')).toBe('0\n0\n');
    expect(readOffsetCheckpoint(path)).toEqual([]);

    const epochs = join(dir, 'leader-epoch-checkpoint');
    writeLeaderEpochCheckpoint(epochs, [
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 3 },
    ]);
    expect(readFileSync(epochs, 'utf8')).toBe('0\n2\n0 0\n2 3\n');
    expect(readLeaderEpochCheckpoint(epochs)).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 3 },
    ]);
  });

  it('reads an empty file (cleaner-offset-checkpoint) as no entries and rejects malformed files', () => {
    const dir = tempDir();
    const p = join(dir, 'cp');
    writeFileSync(p, '');
    expect(readOffsetCheckpoint(p)).toEqual([]);
    writeFileSync(p, '1\n0\n');
    expect(() => readOffsetCheckpoint(p)).toThrow(/Unrecognized version/);
    writeFileSync(p, '0\n2\nfoo 0 1\n');
    expect(() => readOffsetCheckpoint(p)).toThrow(/Expected 2 entries/);
    writeFileSync(p, '0\n1\nfoo 0\n');
    expect(() => readOffsetCheckpoint(p)).toThrow(/Malformed line/);
  });

  it.skipIf(!corpusPresent)('parses every real checkpoint file of the corpus, and re-writes them byte for byte', () => {
    const found: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (/-offset-checkpoint$|^leader-epoch-checkpoint$/.test(e.name)) found.push(join(d, e.name));
      }
    };
    walk(CORPUS);
    expect(found.length).toBeGreaterThanOrEqual(15);
    const out = tempDir();
    for (const f of found) {
      const text = readFileSync(f, 'utf8');
      const copy = join(out, 'copy');
      if (f.endsWith('leader-epoch-checkpoint')) {
        const e = readLeaderEpochCheckpoint(f);
        expect(e.length).toBe(Number(text.split('\n')[1]));
        writeLeaderEpochCheckpoint(copy, e);
      } else {
        const e = readOffsetCheckpoint(f);
        if (text.length === 0) {
          expect(e).toEqual([]);
          continue;
        }
        expect(e.length).toBe(Number(text.split('\n')[1]));
        writeOffsetCheckpoint(copy, e);
      }
      expect(readFileSync(copy, 'utf8'), f).toBe(text);
    }
    const kraft = join(CORPUS, 'kraft-3.8.0-b/kraft-combined-logs');
    expect(readOffsetCheckpoint(join(kraft, 'recovery-point-offset-checkpoint'))).toEqual([{ topic: 'foo', partition: 0, offset: 3 }]);
    expect(readLeaderEpochCheckpoint(join(kraft, 'foo-0/leader-epoch-checkpoint'))).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 3 },
    ]);
  });
});

const entry = (over: Partial<ProducerSnapshotEntry> = {}): ProducerSnapshotEntry => ({
  producerId: 1000,
  producerEpoch: 3,
  lastSequence: 41,
  lastOffset: 12345,
  offsetDelta: 9,
  timestamp: 1_700_000_000_123,
  coordinatorEpoch: 7,
  currentTxnFirstOffset: -1,
  ...over,
});

describe('producer-state snapshots', () => {
  it('encode Kafka layout: version 1, CRC-32C over [6,end), count, 46-byte entries', () => {
    const entries = [entry(), entry({ producerId: 2 ** 40 + 5, producerEpoch: -1, lastSequence: 2147483647, currentTxnFirstOffset: 12000, coordinatorEpoch: -1 })];
    const b = encodeProducerSnapshot(entries);
    expect(b.length).toBe(10 + 2 * 46);
    const raw = readSnapshotRaw(writeTemp(b));
    expect(raw.version).toBe(1);
    expect(raw.crcStored).toBe(raw.crcComputed);
    expect(raw.entries).toEqual(entries);
    expect(decodeProducerSnapshot(b)).toEqual(entries);
    // the empty snapshot is 10 bytes, as real listings show
    const empty = encodeProducerSnapshot([]);
    expect(empty.length).toBe(10);
    expect(decodeProducerSnapshot(empty)).toEqual([]);
  });

  it('rejects a flipped bit anywhere after the CRC, an unknown version and a wrong count', () => {
    const b = encodeProducerSnapshot([entry()]);
    for (const pos of [6, 10, 20, 55]) {
      const bad = Buffer.from(b);
      bad[pos] ^= 0x10;
      expect(() => decodeProducerSnapshot(bad)).toThrow(/CRC is no longer valid/);
    }
    const v2 = Buffer.from(b);
    v2.writeInt16BE(2, 0);
    expect(() => decodeProducerSnapshot(v2)).toThrow(/unknown file version 2/);
    expect(() => decodeProducerSnapshot(b.subarray(0, 8))).toThrow(CorruptRecordError);
  });

  it.skipIf(!corpusPresent)('decodes the broker-written snapshots of the corpus with valid CRCs', () => {
    const foo = join(CORPUS, 'kraft-3.8.0-b/kraft-combined-logs/foo-0/00000000000000000003.snapshot');
    const raw = readSnapshotRaw(foo);
    expect(raw.crcStored).toBe(raw.crcComputed);
    const decoded = decodeProducerSnapshot(readFileSync(foo));
    expect(decoded).toEqual(raw.entries);
    // one idempotent producer (id 0); its last batch is the single record at offset 2, sequence 2
    expect(decoded).toEqual([
      { producerId: 0, producerEpoch: 0, lastSequence: 2, lastOffset: 2, offsetDelta: 0, timestamp: decoded[0].timestamp, coordinatorEpoch: -1, currentTxnFirstOffset: -1 },
    ]);
    expect(decoded[0].timestamp).toBeGreaterThan(1_700_000_000_000);
    // re-encoding gives the same bytes
    expect(encodeProducerSnapshot(decoded).equals(readFileSync(foo))).toBe(true);
    const meta = join(CORPUS, 'kraft-3.8.0-b/kraft-combined-logs/__cluster_metadata-0');
    for (const f of readdirSync(meta).filter((n) => n.endsWith('.snapshot'))) {
      const bytes = readFileSync(join(meta, f));
      expect(decodeProducerSnapshot(bytes)).toEqual([]);
      expect(encodeProducerSnapshot([]).equals(bytes)).toBe(true);
    }
  });
});

describe('transaction index', () => {
  it('appends 34-byte entries and reads them back; a torn entry or unknown version is corrupt', () => {
    const dir = tempDir();
    const path = join(dir, '00000000000000000000.txnindex');
    const idx = new TransactionIndex(path);
    expect(idx.read()).toEqual([]);
    expect(existsSync(path)).toBe(false); // created lazily, on the first aborted transaction
    const a = { version: 0, producerId: 1000, firstOffset: 10, lastOffset: 25, lastStableOffset: 26 };
    const b = { version: 0, producerId: 2 ** 33, firstOffset: 30, lastOffset: 31, lastStableOffset: 28 };
    idx.append(a);
    idx.append(b);
    idx.flush();
    idx.close();
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(68);
    expect(bytes.subarray(0, 34).equals(encodeAbortedTxn(a))).toBe(true);
    expect(bytes.readInt16BE(0)).toBe(0);
    expect(Number(bytes.readBigInt64BE(2))).toBe(1000);
    expect(Number(bytes.readBigInt64BE(10))).toBe(10);
    expect(Number(bytes.readBigInt64BE(18))).toBe(25);
    expect(Number(bytes.readBigInt64BE(26))).toBe(26);
    expect(new TransactionIndex(path).read()).toEqual([a, b]);
    expect(() => decodeTransactionIndex(bytes.subarray(0, 50))).toThrow(/trailing bytes/);
    const v1 = Buffer.from(bytes);
    v1.writeInt16BE(1, 34);
    expect(() => decodeTransactionIndex(v1)).toThrow(/Unexpected aborted transaction version 1/);
  });
});

function writeTemp(b: Buffer): string {
  const p = join(tempDir(), 'x.snapshot');
  writeFileSync(p, b);
  return p;
}
