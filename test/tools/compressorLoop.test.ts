// The compressor thread's loop (src/tools/compressorLoop.ts), run here on this thread through a
// port, and CompressBehind (src/tools/compressBehind.ts) with its real thread: batches come back
// compressed and sealed exactly as build() makes them, in order, with both buffers; a batch that
// fails to compress is reported with its reason and fails every later one; a counted message that is
// not there is a failure, not a hang.

import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Codec, compressedBatchBound, RecordBatch, RecordBatchBuilder, type BufferSource } from '../../src/format/index.js';
import { CompressBehind } from '../../src/tools/compressBehind.js';
import { CompressorLoop, warmCompressorLoop, type CompressMessage, type CompressorReply } from '../../src/tools/compressorLoop.js';
import { COMPLETED, CTL_INTS, FAILED, SUBMITTED } from '../../src/tools/writeBehindShared.js';

const source: BufferSource = { acquire: (n) => Buffer.from(new ArrayBuffer(n)), release: () => {} };

/** `count` batches of `codec`: each unsealed (for the compressor) and as build() makes it (expected). */
function batches(codec: Codec, count: number): { unsealed: Buffer; expected: Buffer }[] {
  const opts = { codec, producerId: 4, producerEpoch: 0, baseSequence: 0, partitionLeaderEpoch: 0 };
  const builder = new RecordBatchBuilder(opts, 4096, source);
  const fill = (b: RecordBatchBuilder, k: number) => {
    for (let i = 0; i < 40; i++) b.append(1_700_000_000_000 + k * 100 + i, null, Buffer.alloc(150 + k, `batch ${k} record ${i} `));
    return b;
  };
  return Array.from({ length: count }, (_, k) => ({ expected: fill(new RecordBatchBuilder(opts), k).build(), unsealed: fill(builder, k).buildForCompression() }));
}

function post(producer: MessagePort, ctl: Int32Array, unsealed: Buffer[], stop = true): void {
  for (const u of unsealed) {
    const input = u.buffer as ArrayBuffer;
    const out = new ArrayBuffer(compressedBatchBound(Codec.Lz4, u.length) + 7);
    producer.postMessage({ input, at: u.byteOffset, end: u.byteOffset + u.length, out, level: undefined } satisfies CompressMessage, [input, out]);
  }
  if (stop) producer.postMessage(null);
  Atomics.add(ctl, SUBMITTED, unsealed.length + (stop ? 1 : 0));
}

function replies(port: MessagePort): CompressorReply[] {
  const out: CompressorReply[] = [];
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) out.push(m.message as CompressorReply);
  return out;
}

describe('CompressorLoop', () => {
  for (const codec of [Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd]) {
    it(`codec ${codec}: every counted batch comes back sealed, as build() makes it, in order, with both buffers; then it stops`, () => {
      const { port1: producer, port2: compressor } = new MessageChannel();
      const ctl = new Int32Array(new SharedArrayBuffer(CTL_INTS * 4));
      const bs = batches(codec, 5);
      const inputs = bs.map((b) => b.unsealed.length);
      post(producer, ctl, bs.map((b) => b.unsealed));
      new CompressorLoop(ctl, compressor).run();
      const rs = replies(producer);
      expect(rs.map((r) => r.type)).toEqual(Array(5).fill('compressed'));
      rs.forEach((r, k) => {
        if (r.type !== 'compressed') return;
        expect(r.input.byteLength).toBeGreaterThanOrEqual(inputs[k]);
        const sealed = Buffer.from(r.out, 0, r.length);
        expect(sealed.equals(bs[k].expected), `batch ${k}`).toBe(true);
        new RecordBatch(sealed, 0).ensureValid();
      });
      expect(Atomics.load(ctl, COMPLETED)).toBe(5);
      expect(Atomics.load(ctl, FAILED)).toBe(0);
      producer.close();
      compressor.close();
    });
  }

  it('a batch that fails to compress is reported with its reason, and every later one fails too', () => {
    const { port1: producer, port2: compressor } = new MessageChannel();
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_INTS * 4));
    const bs = batches(Codec.Lz4, 3).map((b) => b.unsealed);
    bs[1][22] = (bs[1][22] & ~0x07) | 6; // attributes: codec id 6 does not exist
    post(producer, ctl, bs);
    new CompressorLoop(ctl, compressor).run();
    const rs = replies(producer);
    expect(rs.map((r) => r.type)).toEqual(['compressed', 'failed', 'failed']);
    expect(rs[1].type === 'failed' && rs[1].message).toMatch(/Unknown compression type id: 6/);
    expect(rs[2].type === 'failed' && rs[2].message).toMatch(/earlier batch failed/);
    expect(Atomics.load(ctl, FAILED)).toBe(1);
    expect(Atomics.load(ctl, COMPLETED)).toBe(3);
  });

  it('a counted message that is not on the port is a failure, not a hang', () => {
    const { port1: producer, port2: compressor } = new MessageChannel();
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_INTS * 4));
    Atomics.store(ctl, SUBMITTED, 1);
    new CompressorLoop(ctl, compressor).run();
    expect(replies(producer)).toEqual([{ type: 'failed', message: 'compressor message missing' }]);
    expect(Atomics.load(ctl, FAILED)).toBe(1);
  });

  it('the warm-up compresses what it posts (and a codec that fails, fails it)', () => {
    expect(warmCompressorLoop(Codec.Lz4, undefined, 10)).toBeGreaterThan(10 * 61);
    expect(() => warmCompressorLoop(6 as Codec, undefined, 2)).toThrow(/compressor warm-up: Unknown compression type id: 6/);
  });
});

describe('CompressBehind (its own thread)', () => {
  it('batches come back in order, sealed, at most maxInFlight at a time; a failed one throws its reason', async () => {
    const c = new CompressBehind({ codec: Codec.Zstd, maxInFlight: 2 });
    await c.ready();
    const bs = batches(Codec.Zstd, 6);
    const got: Buffer[] = [];
    for (const b of bs) {
      if (c.inFlight === 2) expect(() => c.submit(b.unsealed, new ArrayBuffer(8))).toThrow(/beyond maxInFlight/);
      while (c.inFlight >= c.maxInFlight) {
        c.waitForOne();
        const r = c.take();
        expect(r).not.toBeNull();
        got.push(Buffer.from(r!.out, 0, r!.length));
      }
      c.submit(b.unsealed, new ArrayBuffer(compressedBatchBound(Codec.Zstd, b.unsealed.length)));
    }
    while (c.inFlight > 0) {
      c.waitForOne();
      const r = c.take()!;
      got.push(Buffer.from(r.out, 0, r.length));
    }
    expect(got.length).toBe(6);
    got.forEach((g, k) => expect(g.equals(bs[k].expected), `batch ${k}`).toBe(true));
    expect(c.take()).toBeNull();

    const bad = batches(Codec.Zstd, 1)[0].unsealed;
    bad[22] = (bad[22] & ~0x07) | 7;
    c.submit(bad, new ArrayBuffer(bad.length * 2));
    c.waitForOne();
    expect(() => c.take()).toThrow(/compression failed: Unknown compression type id: 7/);
    expect(() => c.submit(bad, new ArrayBuffer(8))).toThrow(/compression failed/);
    c.close();
  });
});
