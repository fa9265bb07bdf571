// PartitionLog, LogSegment and the index classes driven directly with hand-built batches and an
// injected clock: index entries equal LogSegment.recover()'s recomputation, preallocation while
// active and trimming at roll/close, Kafka's roll rules, the flush policy, reopening, and refusing to
// append after a torn or corrupt tail.

import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRecordBatch, controlKey, ControlRecordType, CorruptRecordError, endTxnMarkerValue } from '../../src/format/index.js';
import { writeSync } from 'node:fs';
import { logConfig, OffsetIndex, PartitionLog, TimeIndex, type LogConfig, type LogWriter } from '../../src/storage/index.js';
import {
  cleanupTempDirs,
  readBatches,
  readOffsetIndexFile,
  readRecords,
  readTimeIndexFile,
  recomputeIndexes,
  segFile,
  segmentBases,
  tempDir,
  treeSnapshot,
} from './helpers.js';

afterAll(cleanupTempDirs);

const T0 = 1_700_000_000_000;

/** A batch of `n` records with timestamps ts, ts+1, ...; values of `valueSize` bytes. */
function batch(n: number, ts: number, valueSize = 40, opts: Parameters<typeof buildRecordBatch>[1] = {}): Buffer {
  return buildRecordBatch(
    Array.from({ length: n }, (_, i) => ({ timestamp: ts + i, key: Buffer.from(`k${i}`), value: Buffer.alloc(valueSize, 65 + (i % 26)) })),
    { partitionLeaderEpoch: 0, ...opts },
  );
}

function clock(start = T0) {
  const c = { t: start, now: () => c.t };
  return c;
}

function openLog(dir: string, cfg: Partial<LogConfig>, c = clock()): PartitionLog {
  return PartitionLog.open(dir, 't', 0, logConfig(cfg), { now: c.now });
}

/** Checks every closed (trimmed) segment's index files against the recomputation. */
function expectClosedIndexesMatch(partDir: string, interval: number): number {
  let entries = 0;
  for (const base of segmentBases(partDir)) {
    const expected = recomputeIndexes(segFile(partDir, base, '.log'), interval);
    expect(readOffsetIndexFile(segFile(partDir, base, '.index'), base), `offset index of ${base}`).toEqual(expected.offsets);
    expect(readTimeIndexFile(segFile(partDir, base, '.timeindex'), base), `time index of ${base}`).toEqual(expected.times);
    entries += expected.offsets.length;
  }
  return entries;
}

describe('segment indexes', () => {
  it('equal the recovery recomputation for every segment, with entries only when > index.interval.bytes', async () => {
    const dir = tempDir();
    const interval = 300;
    const log = openLog(dir, { indexIntervalBytes: interval, segmentBytes: 6000 });
    // Varied batch sizes, so the strict '>' and the "entry for the current append" rule both matter;
    // timestamps go back now and then (max-so-far only increases the time index).
    const sizes = [1, 3, 2, 7, 1, 1, 5, 2, 9, 1, 4, 4, 1, 2, 6, 3, 1, 8, 2, 2, 1, 5, 3, 7, 1, 1, 2, 9, 4, 1];
    let ts = T0;
    for (let i = 0; i < 60; i++) {
      const n = sizes[i % sizes.length];
      ts += i % 7 === 3 ? -50 : 10;
      log.append(batch(n, ts, 10 + ((i * 37) % 90)));
    }
    await log.close();
    const part = join(dir, 't-0');
    expect(segmentBases(part).length).toBeGreaterThan(2);
    expect(expectClosedIndexesMatch(part, interval)).toBeGreaterThan(10);
  });

  it('puts an entry on a batch only when strictly more than index.interval.bytes came before it', async () => {
    const dir = tempDir();
    const one = batch(1, T0).length;
    // interval = exactly one batch: the 2nd batch sees `one` bytes (not >), the 3rd sees 2*one (>).
    const log = openLog(dir, { indexIntervalBytes: one });
    for (let i = 0; i < 7; i++) log.append(batch(1, T0 + i));
    await log.close();
    const idx = readOffsetIndexFile(segFile(join(dir, 't-0'), 0, '.index'), 0);
    expect(idx).toEqual([
      { offset: 2, position: 2 * one },
      { offset: 4, position: 4 * one },
      { offset: 6, position: 6 * one },
    ]);
    expect(readTimeIndexFile(segFile(join(dir, 't-0'), 0, '.timeindex'), 0)).toEqual([
      { timestamp: T0 + 2, offset: 2 },
      { timestamp: T0 + 4, offset: 4 },
      { timestamp: T0 + 6, offset: 6 },
    ]);
  });

  it('are preallocated to segment.index.bytes while active, and trimmed to their entries at roll and close', async () => {
    const dir = tempDir();
    const part = join(dir, 't-0');
    const segmentIndexBytes = 4100; // not a multiple of 8 or 12: rounded down per index
    const log = openLog(dir, { indexIntervalBytes: 100, segmentIndexBytes, segmentBytes: 3000 });
    for (let i = 0; i < 12; i++) log.append(batch(2, T0 + i * 10));
    expect(log.segmentCount).toBe(1);
    expect(statSync(segFile(part, 0, '.index')).size).toBe(4096);
    expect(statSync(segFile(part, 0, '.timeindex')).size).toBe(4092);
    // entries are written behind (fewer than a page's worth pending: none in the files yet) ...
    expect(readFileSync(segFile(part, 0, '.index')).every((x) => x === 0)).toBe(true);
    expect(readFileSync(segFile(part, 0, '.timeindex')).every((x) => x === 0)).toBe(true);
    // ... until the writer asks: then they are on disk (ahead of the zero tail) and match the
    // recomputation without the close-time entry
    log.writeIndexEntries();
    const live = recomputeIndexes(segFile(part, 0, '.log'), 100, false);
    expect(readOffsetIndexFile(segFile(part, 0, '.index'), 0, true)).toEqual(live.offsets);
    expect(readTimeIndexFile(segFile(part, 0, '.timeindex'), 0, true)).toEqual(live.times);
    // and nothing but zeros after them
    expect(readFileSync(segFile(part, 0, '.index')).subarray(8 * live.offsets.length).every((x) => x === 0)).toBe(true);
    expect(readFileSync(segFile(part, 0, '.timeindex')).subarray(12 * live.times.length).every((x) => x === 0)).toBe(true);
    expect(live.offsets.length).toBeGreaterThan(3);

    for (let i = 12; i < 40; i++) log.append(batch(2, T0 + i * 10));
    expect(log.segmentCount).toBeGreaterThan(1);
    const bases = segmentBases(part);
    const active = bases[bases.length - 1];
    for (const base of bases.slice(0, -1)) {
      const e = recomputeIndexes(segFile(part, base, '.log'), 100);
      expect(statSync(segFile(part, base, '.index')).size).toBe(8 * e.offsets.length);
      expect(statSync(segFile(part, base, '.timeindex')).size).toBe(12 * e.times.length);
    }
    expect(statSync(segFile(part, active, '.index')).size).toBe(4096);
    expect(statSync(segFile(part, active, '.timeindex')).size).toBe(4092);
    await log.close();
    expectClosedIndexesMatch(part, 100);
    const e = recomputeIndexes(segFile(part, active, '.log'), 100);
    expect(statSync(segFile(part, active, '.index')).size).toBe(8 * e.offsets.length);
    expect(statSync(segFile(part, active, '.timeindex')).size).toBe(12 * e.times.length);
  });

  it('roll the segment when the offset or time index is full (one time slot kept for the close entry)', async () => {
    const dir = tempDir();
    const part = join(dir, 't-0');
    // 40 bytes: 5 offset entries, 3 time slots (full at 2 entries, the 3rd is for the roll entry)
    const log = openLog(dir, { indexIntervalBytes: 1, segmentIndexBytes: 40 });
    for (let i = 0; i < 30; i++) log.append(batch(1, T0 + i));
    await log.close();
    const bases = segmentBases(part);
    expect(bases.length).toBeGreaterThan(5);
    for (const base of bases.slice(0, -1)) {
      const offsets = readOffsetIndexFile(segFile(part, base, '.index'), base);
      const times = readTimeIndexFile(segFile(part, base, '.timeindex'), base);
      expect(offsets.length).toBeLessThanOrEqual(5);
      // full at 2 regular entries; the 3rd slot takes the roll-time entry when the max timestamp grew
      expect(times.length).toBeGreaterThanOrEqual(2);
      expect(times.length).toBeLessThanOrEqual(3);
    }
    expectClosedIndexesMatch(part, 1);
  });
});

describe('index classes', () => {
  it('OffsetIndex: lookup is the floor entry; appends must increase; reopening ignores the zero tail', () => {
    const dir = tempDir();
    const p = join(dir, '00000000000000000100.index');
    const idx = new OffsetIndex(p, 100, 80);
    expect(idx.maxEntries).toBe(10);
    expect(idx.lookup(150)).toEqual({ offset: 100, position: 0 });
    idx.append(110, 1000);
    idx.append(120, 2000);
    idx.append(135, 3000);
    expect(() => idx.append(135, 4000)).toThrow(/no larger than the last offset/);
    expect(idx.lookup(105)).toEqual({ offset: 100, position: 0 });
    expect(idx.lookup(110)).toEqual({ offset: 110, position: 1000 });
    expect(idx.lookup(134)).toEqual({ offset: 120, position: 2000 });
    expect(idx.lookup(10_000)).toEqual({ offset: 135, position: 3000 });
    idx.flush();
    idx.close(false); // a crash: still preallocated
    expect(statSync(p).size).toBe(80);
    const ro = new OffsetIndex(p, 100, 0, false);
    expect(ro.entries).toBe(3);
    expect(ro.all()).toEqual([
      { offset: 110, position: 1000 },
      { offset: 120, position: 2000 },
      { offset: 135, position: 3000 },
    ]);
    ro.close(false);
    const rw = new OffsetIndex(p, 100, 80);
    rw.append(140, 3500);
    rw.close(); // trims
    expect(readOffsetIndexFile(p, 100).map((e) => e.offset)).toEqual([110, 120, 135, 140]);
  });

  it('entries are written behind: a page of them at once, the rest on writePending / flush / close', () => {
    const dir = tempDir();
    const p = join(dir, '00000000000000000000.index');
    const fileEntries = () => readOffsetIndexFile(p, 0, true).length;
    const idx = new OffsetIndex(p, 0, 8 * 2000);
    for (let i = 1; i <= 511; i++) idx.append(i, i * 100);
    expect(fileEntries()).toBe(0); // 511 × 8 B pending: less than a page
    idx.append(512, 51200);
    expect(fileEntries()).toBe(512); // a page: written without being asked
    idx.append(513, 51300);
    expect(fileEntries()).toBe(512);
    idx.writePending();
    expect(fileEntries()).toBe(513);
    idx.append(514, 51400);
    idx.flush();
    expect(fileEntries()).toBe(514);
    idx.append(515, 51500);
    idx.close(false); // not trimmed, still written
    expect(statSync(p).size).toBe(8 * 2000);
    expect(readOffsetIndexFile(p, 0, true)).toEqual(Array.from({ length: 515 }, (_, i) => ({ offset: i + 1, position: (i + 1) * 100 })));
  });

  it('grow in memory past their first 8 KiB up to the preallocated size: every entry kept, full at maxEntries', () => {
    const dir = tempDir();
    const n = 30_001; // 240 KiB of offset entries, 352 KiB of time entries: several doublings, the last one capped
    const idx = new OffsetIndex(join(dir, '00000000000000000000.index'), 0, 8 * n);
    const ti = new TimeIndex(join(dir, '00000000000000000000.timeindex'), 0, 12 * n);
    for (let i = 0; i < n; i++) {
      idx.append(i + 1, i * 64);
      ti.maybeAppend(T0 + i, i + 1, true);
    }
    expect(idx.isFull).toBe(true);
    expect(ti.isFull).toBe(true);
    expect(() => idx.append(n + 1, n * 64)).toThrow(/full index/);
    expect(idx.lookup(12_345)).toEqual({ offset: 12_345, position: 12_344 * 64 });
    expect(idx.lookup(n + 5)).toEqual({ offset: n, position: (n - 1) * 64 });
    expect(ti.lookup(T0 + 20_000)).toEqual({ timestamp: T0 + 20_000, offset: 20_001 });
    idx.close();
    ti.close();
    expect(readOffsetIndexFile(join(dir, '00000000000000000000.index'), 0)).toEqual(Array.from({ length: n }, (_, i) => ({ offset: i + 1, position: i * 64 })));
    expect(readTimeIndexFile(join(dir, '00000000000000000000.timeindex'), 0)).toEqual(Array.from({ length: n }, (_, i) => ({ timestamp: T0 + i, offset: i + 1 })));
  });

  it('TimeIndex: appends only larger timestamps, refuses going back, lookup is the floor by timestamp', () => {
    const dir = tempDir();
    const p = join(dir, '00000000000000000000.timeindex');
    const ti = new TimeIndex(p, 0, 120);
    expect(ti.maxEntries).toBe(10);
    ti.maybeAppend(T0 + 10, 5);
    ti.maybeAppend(T0 + 10, 7); // same timestamp: no entry
    ti.maybeAppend(T0 + 30, 9);
    expect(() => ti.maybeAppend(T0 + 20, 12)).toThrow(/no larger than the last timestamp/);
    expect(() => ti.maybeAppend(T0 + 40, 8)).toThrow(/no larger than the last offset/);
    expect(ti.all()).toEqual([
      { timestamp: T0 + 10, offset: 5 },
      { timestamp: T0 + 30, offset: 9 },
    ]);
    expect(ti.lookup(T0)).toEqual({ timestamp: -1, offset: 0 });
    expect(ti.lookup(T0 + 10)).toEqual({ timestamp: T0 + 10, offset: 5 });
    expect(ti.lookup(T0 + 29)).toEqual({ timestamp: T0 + 10, offset: 5 });
    expect(ti.lookup(T0 + 99)).toEqual({ timestamp: T0 + 30, offset: 9 });
    ti.close();
    expect(statSync(p).size).toBe(24);
  });
});

/** A LogWriter that holds appends (copies) until the test lets them through, as a writer thread would. */
class HeldWriter implements LogWriter {
  readonly synchronous = false;
  completed = 0;
  private readonly queue: { fd: number; bytes: Buffer }[] = [];
  drains = 0;

  append(fd: number, bytes: Uint8Array): number {
    this.queue.push({ fd, bytes: Buffer.from(bytes) });
    return this.completed + this.queue.length - 1;
  }

  /** Writes the next `n` held appends. */
  release(n: number): void {
    for (const { fd, bytes } of this.queue.splice(0, n)) {
      writeSync(fd, bytes);
      this.completed++;
    }
  }

  drain(): void {
    this.drains++;
    this.release(this.queue.length);
  }
}

describe('a log written behind (a LogWriter that is not synchronous)', () => {
  it('index entries reach the files only once the batches they point into are written; flush, roll and close drain first', async () => {
    const dir = tempDir();
    const writer = new HeldWriter();
    const log = PartitionLog.open(dir, 't', 0, logConfig({ indexIntervalBytes: 1 }), { now: clock().now, writer });
    const pdir = join(dir, 't-0');
    const entries = () => readOffsetIndexFile(segFile(pdir, 0, '.index'), 0, true);
    const logSize = () => statSync(segFile(pdir, 0, '.log')).size;
    const seqs: number[] = [];
    // index.interval.bytes 1: an entry for every batch but the first; 600 entries fill more than a page.
    for (let i = 0; i < 601; i++) seqs.push(log.append(batch(2, T0 + 2 * i)).writeSeq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    log.writeIndexEntries();
    expect(logSize()).toBe(0);
    expect(entries()).toEqual([]); // nothing written, no entry: not even the page's worth
    writer.release(300);
    log.writeIndexEntries();
    const written = entries();
    expect(written.length).toBe(299); // the entries of batches 1..299
    for (const e of written) expect(e.position).toBeLessThan(logSize());
    log.flush(); // drains, then everything
    expect(writer.drains).toBe(1);
    expect(entries().length).toBe(600);
    for (let i = 0; i < 5; i++) log.append(batch(2, T0 + 5000 + i));
    await log.close();
    expect(writer.drains).toBeGreaterThan(1);
    const e = recomputeIndexes(segFile(pdir, 0, '.log'), 1);
    expect(readOffsetIndexFile(segFile(pdir, 0, '.index'), 0)).toEqual(e.offsets);
    expect(readTimeIndexFile(segFile(pdir, 0, '.timeindex'), 0)).toEqual(e.times);
  });

  it('the batch buffer may be taken by the writer: the log reads what it needs first', async () => {
    const dir = tempDir();
    // A writer that detaches what it is given (like a transfer to another thread), after writing it.
    const detaching: LogWriter = {
      synchronous: true,
      completed: 0,
      append(fd, bytes) {
        writeSync(fd, bytes);
        structuredClone(bytes.buffer, { transfer: [bytes.buffer as ArrayBuffer] });
        return (this as { completed: number }).completed++;
      },
      drain() {},
    };
    const log = PartitionLog.open(dir, 't', 0, logConfig({ indexIntervalBytes: 1 }), { now: clock().now, writer: detaching });
    const txn = { producerId: 9, producerEpoch: 0, baseSequence: 0, isTransactional: true };
    for (let i = 0; i < 4; i++) log.append(Buffer.from(batch(3, T0 + i, 40, { ...txn, baseSequence: 3 * i })));
    const commit = buildRecordBatch([{ timestamp: T0 + 9, key: controlKey(ControlRecordType.COMMIT), value: endTxnMarkerValue(0) }], {
      producerId: 9,
      producerEpoch: 0,
      isTransactional: true,
      isControl: true,
      partitionLeaderEpoch: 0,
    });
    log.append(Buffer.from(commit));
    expect(log.stats.bytes).toBe(statSync(segFile(join(dir, 't-0'), 0, '.log')).size);
    // The producer state saw every batch, the commit included (read before the buffer was taken).
    expect(log.producerState.entries().map((e) => [e.producerId, e.lastSequence, e.currentTxnFirstOffset ?? -1])).toEqual([[9, 11, -1]]);
    await log.close();
    const e = recomputeIndexes(segFile(join(dir, 't-0'), 0, '.log'), 1);
    expect(readOffsetIndexFile(segFile(join(dir, 't-0'), 0, '.index'), 0)).toEqual(e.offsets);
  });
});

describe('roll rules (LogSegment.shouldRoll)', () => {
  it('segment.bytes: rolls when size > segment.bytes - incoming; each segment holds what fits', async () => {
    const dir = tempDir();
    const part = join(dir, 't-0');
    const segmentBytes = 2000;
    const log = openLog(dir, { segmentBytes });
    const sizes: number[] = [];
    for (let i = 0; i < 50; i++) {
      const b = batch(1 + (i % 4), T0 + i, 30 + ((i * 53) % 200));
      sizes.push(b.length);
      log.append(b);
    }
    await log.close();
    const bases = segmentBases(part);
    expect(log.stats.rolls).toBe(bases.length - 1);
    let next = 0;
    for (let s = 0; s < bases.length; s++) {
      const { batches } = readBatches(segFile(part, bases[s], '.log'));
      const size = statSync(segFile(part, bases[s], '.log')).size;
      expect(size).toBeLessThanOrEqual(segmentBytes);
      if (s < bases.length - 1) {
        // the first batch of the next segment did not fit
        const nextFirst = readBatches(segFile(part, bases[s + 1], '.log')).batches[0];
        expect(size + nextFirst.size).toBeGreaterThan(segmentBytes);
      }
      expect(batches[0].baseOffset).toBe(bases[s]);
      for (const b of batches) {
        expect(b.baseOffset).toBe(next);
        next = b.lastOffset + 1;
      }
    }
    expect(next).toBe(log.nextOffset);
  });

  it('segment.ms: rolls when the batch max timestamp is more than segment.ms after the first batch', async () => {
    const dir = tempDir();
    const part = join(dir, 't-0');
    const c = clock();
    const log = openLog(dir, { segmentMs: 1000 }, c);
    log.append(batch(1, T0)); // segment 0, rolling timestamp T0
    log.append(batch(1, T0 + 1000)); // waited 1000: not > 1000
    log.append(batch(1, T0 + 1001)); // > 1000: new segment at offset 2
    log.append(batch(1, T0 + 1500));
    log.append(batch(1, T0 + 2002)); // 2002 - 1001 > 1000: new segment at 4
    await log.close();
    expect(segmentBases(part)).toEqual([0, 2, 4]);
  });

  it('never rolls an empty segment, whatever the size of the incoming batch', async () => {
    const dir = tempDir();
    const log = openLog(dir, { segmentBytes: 100 });
    log.append(batch(5, T0, 200)); // larger than segment.bytes, into the empty first segment
    log.append(batch(1, T0));
    log.append(batch(1, T0));
    await log.close();
    expect(segmentBases(join(dir, 't-0'))).toEqual([0, 5, 6]);
  });
});

describe('flush policy', () => {
  it('never (default): no fsync while appending; at close one flush of the active segment, and one per roll', async () => {
    const dir = tempDir();
    const log = openLog(dir, { segmentBytes: 1500 });
    for (let i = 0; i < 40; i++) expect(log.append(batch(2, T0 + i)).flushed).toBe(false);
    expect(log.stats.rolls).toBeGreaterThan(1);
    await log.close();
    expect(log.stats.fsyncs).toBe(3 + log.stats.rolls);
  });

  it('flush.messages: flushes after every append that brings the unflushed records to >= N', async () => {
    const dir = tempDir();
    const log = openLog(dir, { flushMessages: 5 });
    const counts = [1, 2, 1, 3, 7, 1, 1, 1, 1, 1, 4, 2, 9, 1];
    let unflushed = 0;
    let expectedFlushes = 0;
    for (const n of counts) {
      unflushed += n;
      const shouldFlush = unflushed >= 5;
      if (shouldFlush) {
        unflushed = 0;
        expectedFlushes++;
      }
      expect(log.append(batch(n, T0)).flushed).toBe(shouldFlush);
    }
    expect(expectedFlushes).toBe(5);
    expect(log.stats.fsyncs).toBe(3 * expectedFlushes);
    await log.close();
    expect(log.stats.fsyncs).toBe(3 * (expectedFlushes + 1));
  });

  it('flush.ms: flushes an append once flush.ms has passed since the last flush, and idle logs via maybeTimedFlush', async () => {
    const dir = tempDir();
    const c = clock();
    const log = openLog(dir, { flushMs: 100 }, c);
    const at = (t: number) => {
      c.t = T0 + t;
      return log.append(batch(1, c.t)).flushed;
    };
    expect(at(0)).toBe(false);
    expect(at(50)).toBe(false);
    expect(at(99)).toBe(false);
    expect(at(100)).toBe(true); // 100 ms since the log was opened
    expect(at(150)).toBe(false);
    c.t = T0 + 199;
    expect(log.maybeTimedFlush()).toBe(false);
    c.t = T0 + 200;
    expect(log.maybeTimedFlush()).toBe(true); // one unflushed record, 100 ms since the last flush
    c.t = T0 + 500;
    expect(log.maybeTimedFlush()).toBe(false); // nothing unflushed
    expect(log.stats.fsyncs).toBe(6);
    await log.close();
    expect(log.stats.fsyncs).toBe(9);
  });
});

describe('reopening a log', () => {
  it('continues after the last offset; snapshot and epochs carry over', async () => {
    const dir = tempDir();
    const part = join(dir, 't-0');
    let log = openLog(dir, { segmentBytes: 1200, indexIntervalBytes: 200 });
    for (let i = 0; i < 20; i++) log.append(batch(3, T0 + i, 50));
    const end1 = log.nextOffset;
    await log.close();
    log = openLog(dir, { segmentBytes: 1200, indexIntervalBytes: 200 });
    expect(log.nextOffset).toBe(end1);
    for (let i = 0; i < 10; i++) log.append(batch(3, T0 + 100 + i, 50, { partitionLeaderEpoch: 4 }));
    await log.close();
    const records = segmentBases(part).flatMap((b) => readRecords(segFile(part, b, '.log')));
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: end1 + 30 }, (_, i) => i));
    expect(readFileSync(join(part, 'leader-epoch-checkpoint'), 'utf8')).toBe(`0\n2\n0 0\n4 ${end1}\n`);
  });

  for (const [name, damage] of [
    ['a torn last batch', (f: string) => truncateSync(f, statSync(f).size - 7)],
    ['trailing garbage', (f: string) => appendFileSync(f, Buffer.from('0123456789abcdefghijklmnop'))],
    ['a zero-filled tail', (f: string) => appendFileSync(f, Buffer.alloc(4096))],
    [
      'a last batch with a bad CRC',
      (f: string) => {
        const b = readFileSync(f);
        b[b.length - 3] ^= 0xff; // inside the last record: CRC-32C no longer matches
        writeFileSync(f, b);
      },
    ],
  ] as const) {
    it(`refuses to append after ${name}, telling to run kseg recover, and changes nothing`, async () => {
      const dir = tempDir();
      const part = join(dir, 't-0');
      const log = openLog(dir, { segmentBytes: 1500, indexIntervalBytes: 200 });
      for (let i = 0; i < 20; i++) log.append(batch(2, T0 + i, 60));
      await log.close();
      const bases = segmentBases(part);
      damage(segFile(part, bases[bases.length - 1], '.log'));
      const before = treeSnapshot(dir);
      let err: unknown;
      try {
        openLog(dir, { segmentBytes: 1500, indexIntervalBytes: 200 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CorruptRecordError);
      expect((err as Error).message).toMatch(/run kseg recover/);
      expect(treeSnapshot(dir)).toEqual(before);
    });
  }
});

describe('producer state and the transaction index', () => {
  const txnBatch = (pid: number, seq: number, n: number, ts: number) =>
    batch(n, ts, 20, { producerId: pid, producerEpoch: 0, baseSequence: seq, isTransactional: true });
  const marker = (pid: number, type: number, ts: number, coordinatorEpoch = 5) =>
    buildRecordBatch([{ timestamp: ts, key: controlKey(type), value: endTxnMarkerValue(coordinatorEpoch) }], {
      producerId: pid,
      producerEpoch: 0,
      isTransactional: true,
      isControl: true,
      partitionLeaderEpoch: 0,
    });

  it('a log reopened after a crash replays the batches after its last snapshot (an open transaction is aborted right)', async () => {
    const dir = tempDir();
    const part = join(dir, 't-0');
    const cfg = { segmentBytes: 100_000 };
    const earlier = openLog(dir, { segmentBytes: 600 });
    for (let i = 0; i < 6; i++) earlier.append(batch(2, T0 + i, 40)); // rolls, with snapshots
    await earlier.close(); // and the close-time snapshot
    const first = openLog(dir, cfg);
    const txnStart = first.nextOffset;
    first.append(txnBatch(7, 0, 2, T0 + 10)); // pid 7 opens a transaction...
    first.append(txnBatch(7, 2, 1, T0 + 11));
    // ...and the process dies: no close, so no snapshot covers pid 7.
    const snapshots = readdirSync(part).filter((f) => f.endsWith('.snapshot')).map((f) => Number(f.slice(0, 20)));
    expect(snapshots.length).toBeGreaterThan(1);
    expect(Math.max(...snapshots)).toBe(txnStart);
    const reopened = openLog(dir, cfg);
    expect(reopened.producerState.entries().find((e) => e.producerId === 7)?.currentTxnFirstOffset).toBe(txnStart);
    reopened.append(marker(7, ControlRecordType.ABORT, T0 + 12));
    const abortAt = reopened.nextOffset - 1;
    await reopened.close();
    const bases = segmentBases(part);
    const txn = readFileSync(segFile(part, bases[bases.length - 1], '.txnindex'));
    expect(txn.length).toBe(34);
    expect([Number(txn.readBigInt64BE(2)), Number(txn.readBigInt64BE(10)), Number(txn.readBigInt64BE(18))]).toEqual([7, txnStart, abortAt]);
  });

  it('with no snapshot at all (a crash before the first roll), the whole log is replayed', async () => {
    const dir = tempDir();
    const first = openLog(dir, { segmentBytes: 100_000 });
    first.append(batch(2, T0, 40));
    first.append(txnBatch(3, 0, 2, T0 + 1)); // offsets 2..3
    first.append(txnBatch(4, 0, 1, T0 + 2)); // 4
    first.append(marker(4, ControlRecordType.COMMIT, T0 + 3)); // 5
    expect(readdirSync(join(dir, 't-0')).some((f) => f.endsWith('.snapshot'))).toBe(false);
    const reopened = openLog(dir, { segmentBytes: 100_000 });
    const byPid = new Map(reopened.producerState.entries().map((e) => [e.producerId, e]));
    expect(byPid.get(3)).toMatchObject({ lastSequence: 1, lastOffset: 3, currentTxnFirstOffset: 2 });
    expect(byPid.get(4)).toMatchObject({ lastSequence: 0, lastOffset: 4, currentTxnFirstOffset: -1, coordinatorEpoch: 5 });
    await reopened.close();
  });

  it('indexes aborted transactions with lastOffset = the ABORT marker and the LSO of other open transactions', async () => {
    const dir = tempDir();
    const part = join(dir, 't-0');
    const log = openLog(dir, { segmentBytes: 100_000 });
    log.append(txnBatch(1, 0, 3, T0)); // 0..2  pid 1 txn starts at 0
    log.append(txnBatch(2, 0, 2, T0)); // 3..4  pid 2 txn starts at 3
    log.append(txnBatch(1, 3, 2, T0)); // 5..6
    log.append(marker(1, ControlRecordType.ABORT, T0 + 1)); // 7: abort pid 1 (first 0), pid 2 still open at 3
    log.append(marker(2, ControlRecordType.COMMIT, T0 + 2)); // 8
    log.append(txnBatch(2, 2, 1, T0 + 3)); // 9
    log.append(marker(2, ControlRecordType.ABORT, T0 + 4)); // 10: abort pid 2 (first 9), none open
    log.append(txnBatch(1, 5, 1, T0 + 5)); // 11: pid 1 open at close
    await log.close();
    const txn = readFileSync(segFile(part, 0, '.txnindex'));
    expect(txn.length).toBe(68);
    const entries = [0, 34].map((p) => ({
      version: txn.readInt16BE(p),
      producerId: Number(txn.readBigInt64BE(p + 2)),
      firstOffset: Number(txn.readBigInt64BE(p + 10)),
      lastOffset: Number(txn.readBigInt64BE(p + 18)),
      lastStableOffset: Number(txn.readBigInt64BE(p + 26)),
    }));
    expect(entries).toEqual([
      { version: 0, producerId: 1, firstOffset: 0, lastOffset: 7, lastStableOffset: 3 },
      { version: 0, producerId: 2, firstOffset: 9, lastOffset: 10, lastStableOffset: 11 },
    ]);
    const snap = log.producerState.entries().sort((a, b) => a.producerId - b.producerId);
    expect(snap).toEqual([
      { producerId: 1, producerEpoch: 0, lastSequence: 5, lastOffset: 11, offsetDelta: 0, timestamp: T0 + 5, coordinatorEpoch: 5, currentTxnFirstOffset: 11 },
      { producerId: 2, producerEpoch: 0, lastSequence: 2, lastOffset: 9, offsetDelta: 0, timestamp: T0 + 4, coordinatorEpoch: 5, currentTxnFirstOffset: -1 },
    ]);
    // the close-time snapshot holds the same state
    const closeSnap = readFileSync(segFile(part, 12, '.snapshot'));
    expect(closeSnap.length).toBe(10 + 2 * 46);
  });
});
