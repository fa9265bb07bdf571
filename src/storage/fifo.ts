// A first-in first-out queue: an array read from a moving head. Taking from the front copies
// nothing (Array#shift moves every element); the taken slots are dropped when the queue empties
// or once they are at least half of the array, so a queue that never quite empties (a writer that
// always has batches in hand) stays as long as its backlog, not as long as the run.

import { objectArray } from './objectArray.js';

/** Taken slots kept at most (unless they are under half the array). */
const COMPACT_AFTER = 1024;

export class Fifo<T extends object> {
  private readonly items: T[] = objectArray();
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item (or with `i`, the i-th after it), or undefined when there is none. */
  peek(i = 0): T | undefined {
    return this.head + i < this.items.length ? this.items[this.head + i] : undefined;
  }

  /** Takes the oldest item (undefined when empty). */
  shift(): T | undefined {
    const items = this.items;
    if (this.head === items.length) return undefined;
    const item = items[this.head++];
    if (this.head === items.length) this.clear();
    else if (this.head >= COMPACT_AFTER && this.head * 2 >= items.length) {
      items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
  }
}
