// Fifo (src/storage/fifo.ts): first in, first out, across its compactions; and a queue that never
// quite empties stays as long as its backlog (the write-behind queues behind a busy writer).

import { describe, expect, it } from 'vitest';
import { Fifo } from '../../src/storage/index.js';

describe('Fifo', () => {
  it('gives items back in order, peek without taking, undefined when empty', () => {
    const q = new Fifo<{ n: number }>();
    expect(q.peek()).toBeUndefined();
    expect(q.shift()).toBeUndefined();
    for (let n = 0; n < 3; n++) q.push({ n });
    expect(q.length).toBe(3);
    expect(q.peek()).toEqual({ n: 0 });
    expect(q.shift()).toEqual({ n: 0 });
    expect(q.length).toBe(2);
    q.clear();
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it('never empty for 100,000 items (4 in hand): order kept, the array stays near the backlog', () => {
    const q = new Fifo<{ n: number }>();
    let next = 0;
    let expected = 0;
    let longest = 0;
    for (; next < 4; next++) q.push({ n: next });
    while (next < 100_000) {
      expect(q.shift()!.n).toBe(expected++);
      q.push({ n: next++ });
      expect(q.length).toBe(4);
      longest = Math.max(longest, (q as unknown as { items: unknown[] }).items.length);
    }
    while (q.length > 0) expect(q.shift()!.n).toBe(expected++);
    expect(expected).toBe(100_000);
    expect(longest).toBeLessThan(2100);
  });
});
