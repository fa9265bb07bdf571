// The write-behind thread's loop (src/tools/writerLoop.ts), run here on this thread through a port:
// every counted message is written in order and given back with its time; a failed write is
// reported once and nothing after it is written; a counted message that is not there is a failure,
// not a hang; and the warm-up the thread runs before it reports ready writes what it posts, in order.

import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPLETED, CTL_INTS, FAILED, RING, SUBMITTED, type WriteMessage, type WriterReply } from '../../src/tools/writeBehindShared.js';
import { warmWriterLoop, WriterLoop } from '../../src/tools/writerLoop.js';
import { cleanupTempDirs, tempDir } from '../storage/helpers.js';

afterAll(cleanupTempDirs);

interface Harness {
  ctl: Int32Array;
  doneAt: Float64Array;
  producer: MessagePort;
  loop: WriterLoop;
}

function harness(): Harness {
  const { port1: producer, port2: writer } = new MessageChannel();
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_INTS * 4));
  const doneAt = new Float64Array(RING);
  return { ctl, doneAt, producer, loop: new WriterLoop(ctl, doneAt, writer) };
}

/** Posts one write per chunk to `fd` (each from offset 3 of its buffer), then the stop message, and counts them all. */
function post(h: Harness, fd: number, chunks: Buffer[]): void {
  let position = 0;
  for (const c of chunks) {
    const buffer = new ArrayBuffer(c.length + 5);
    Buffer.from(buffer).set(c, 3);
    position += c.length;
    h.producer.postMessage({ fd, buffer, at: 3, end: 3 + c.length, endPosition: position } satisfies WriteMessage, [buffer]);
  }
  h.producer.postMessage(null);
  Atomics.add(h.ctl, SUBMITTED, chunks.length + 1);
}

function replies(h: Harness): WriterReply[] {
  const out: WriterReply[] = [];
  for (let m = receiveMessageOnPort(h.producer); m !== undefined; m = receiveMessageOnPort(h.producer)) out.push(m.message as WriterReply);
  h.producer.close();
  return out;
}

const chunk = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('WriterLoop', () => {
  it('writes every counted message in order, gives each buffer back and stamps its time, and returns at the stop message', () => {
    const path = join(tempDir('kseg-wl-'), 'a.log');
    const fd = openSync(path, 'w');
    // Small writes carried into each other (writev), one crossing a 256 KiB boundary, and a large one.
    const chunks = [chunk(100, 1), chunk(300_000, 2), chunk(7, 3), chunk(1_000_000, 4), chunk(1, 5)];
    const h = harness();
    post(h, fd, chunks);
    h.loop.run();
    closeSync(fd);
    expect(readFileSync(path).equals(Buffer.concat(chunks))).toBe(true);
    const r = replies(h);
    expect(r.map((x) => (x.type === 'written' ? x.buffer.byteLength : x.type))).toEqual(chunks.map((c) => c.length + 5));
    expect(Atomics.load(h.ctl, COMPLETED)).toBe(chunks.length);
    expect(Atomics.load(h.ctl, FAILED)).toBe(0);
    const times = Array.from(h.doneAt.subarray(0, chunks.length));
    expect(times.every((t) => t > 0)).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('a failed write is reported once, with its sequence number; the writes after it are given back unwritten', () => {
    const dir = tempDir('kseg-wl-');
    const good = openSync(join(dir, 'good.log'), 'w');
    const h = harness();
    writeFileSync(join(dir, 'bad.log'), '');
    const bad = openSync(join(dir, 'bad.log'), 'r'); // read-only: its write fails with EBADF
    let position = 0;
    const msgs: Array<[number, number]> = [[good, 10], [bad, 20], [good, 30]];
    for (const [fd, n] of msgs) {
      const buffer = new ArrayBuffer(n);
      position += n;
      h.producer.postMessage({ fd, buffer, at: 0, end: n, endPosition: position } satisfies WriteMessage, [buffer]);
    }
    h.producer.postMessage(null);
    Atomics.add(h.ctl, SUBMITTED, msgs.length + 1);
    h.loop.run();
    closeSync(good);
    closeSync(bad);
    const r = replies(h);
    expect(r.filter((x) => x.type === 'failed')).toEqual([{ type: 'failed', seq: 1, message: expect.stringContaining('EBADF') }]);
    expect(r.filter((x) => x.type === 'written').map((x) => (x as { buffer: ArrayBuffer }).buffer.byteLength)).toEqual([10, 20, 30]);
    expect(Atomics.load(h.ctl, FAILED)).toBe(1);
    expect(Atomics.load(h.ctl, COMPLETED)).toBe(3);
    expect(readFileSync(join(dir, 'good.log')).length).toBe(10);
  });

  it('a counted message that is not on the port is a failure, not a wait', () => {
    const h = harness();
    Atomics.store(h.ctl, SUBMITTED, 1);
    h.loop.run();
    expect(replies(h)).toEqual([{ type: 'failed', seq: 0, message: 'write-behind message missing' }]);
    expect(Atomics.load(h.ctl, FAILED)).toBe(1);
  });
});

describe('warmWriterLoop', () => {
  it('writes its writes in the order it posts them, through four loops, and returns their bytes', () => {
    const path = join(tempDir('kseg-wl-'), 'warm.log');
    const fd = openSync(path, 'w');
    const bytes = warmWriterLoop(fd, 40);
    closeSync(fd);
    const data = readFileSync(path);
    expect(bytes).toBe(40 * 256);
    expect(data.length).toBe(bytes);
    for (let k = 0; k < 40; k++) expect(data.subarray(k * 256, (k + 1) * 256).equals(chunk(256, k))).toBe(true);
  });

  it('by default writes to the null device', () => {
    expect(warmWriterLoop(undefined, 8)).toBe(8 * 256);
  });
});
