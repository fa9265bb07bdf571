// spanEnd (src/tools/writeSpan.ts): where the write-behind thread's next write ends. It carries the
// oldest queued write on to the next alignment boundary with bytes of the writes right behind it in
// the same file, and never past a write that is not there, not in that file, or not next in it.

import { describe, expect, it } from 'vitest';
import { Fifo } from '../../src/storage/index.js';
import { spanEnd, WRITE_ALIGN_BYTES, type QueuedWrite } from '../../src/tools/writeSpan.js';

const K = 1024;

/** Queued writes of `lengths` bytes, one after another in file `fd` from `position` (each from offset 10 of its buffer). */
function queue(lengths: number[], position = 0, fd = 3): Fifo<QueuedWrite> {
  const q = new Fifo<QueuedWrite>();
  for (const n of lengths) {
    position += n;
    q.push({ fd, buffer: new ArrayBuffer(n + 10), at: 10, end: 10 + n, endPosition: position });
  }
  return q;
}

describe('spanEnd', () => {
  it('carries a batch-sized write on to the next 256 KiB boundary with the next write', () => {
    expect(WRITE_ALIGN_BYTES).toBe(256 * K);
    const q = queue([1_047_589, 1_047_589, 1_047_589]);
    expect(spanEnd(q)).toBe(4 * 256 * K); // 1,047,589 → 1,048,576: 987 bytes of the next
    q.shift();
    q.peek()!.at += 987;
    expect(spanEnd(q)).toBe(8 * 256 * K); // the rest of the second → 2,097,152
  });

  it('starts from the oldest write’s next byte: a write already partly written', () => {
    const q = queue([1_047_589, 1_047_589]);
    q.peek()!.at += 1000;
    expect(spanEnd(q)).toBe(4 * 256 * K);
  });

  it('a write ending on a boundary is written alone', () => {
    expect(spanEnd(queue([256 * K, 100]))).toBe(256 * K);
    expect(spanEnd(queue([100], 256 * K - 100))).toBe(256 * K);
  });

  it('takes whole small writes until the boundary, the last one in part', () => {
    expect(spanEnd(queue([100 * K, 100 * K, 100 * K]))).toBe(256 * K);
    expect(spanEnd(queue([100 * K, 100 * K]))).toBe(200 * K); // nothing more queued: short of it
  });

  it('stops at the end of the queue, at another file, and at a write that does not follow on', () => {
    expect(spanEnd(queue([300 * K]))).toBe(300 * K);
    const other = queue([300 * K]);
    other.push(queue([300 * K], 300 * K, 4).peek()!); // same offsets, another fd
    expect(spanEnd(other)).toBe(300 * K);
    const gap = queue([300 * K]);
    gap.push(queue([300 * K], 300 * K + 1).peek()!); // one byte past where the first ends
    expect(spanEnd(gap)).toBe(300 * K);
  });

  it('takes bytes from at most maxParts writes, and follows the alignment it is given', () => {
    const q = queue(Array.from({ length: 100 }, () => 1 * K));
    expect(spanEnd(q)).toBe(64 * K); // 64 writes of 1 KiB (MAX_WRITE_PARTS), short of 256 KiB
    expect(spanEnd(q, 16 * K)).toBe(16 * K);
    expect(spanEnd(q, 256 * K, 3)).toBe(3 * K);
  });

  it('refuses an empty queue', () => {
    expect(() => spanEnd(new Fifo<QueuedWrite>())).toThrow(RangeError);
  });
});
