// Time index (Kafka's TimeIndex): 12-byte entries `timestamp int64 | relativeOffset int32`; an entry
// says "the biggest timestamp seen before this offset". Timestamps strictly increase; one slot is
// kept free for the entry appended when the segment becomes inactive.

import { readInt64, writeInt64 } from '../format/int64.js';
import { KsegError } from '../format/errors.js';
import { AbstractIndex } from './offsetIndex.js';

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends AbstractIndex {
  constructor(path: string, baseOffset: number, maxIndexSize = 10 * 1024 * 1024, writable = true) {
    super(path, baseOffset, 12, maxIndexSize, writable);
  }

  protected countEntries(slots: number): number {
    for (let i = 1; i < slots; i++) if (readInt64(this.data, i * 12) === 0 && this.data.readInt32BE(i * 12 + 8) === 0) return i;
    return slots;
  }

  /** Kafka keeps the last slot for the roll-time entry. */
  override get isFull(): boolean {
    return this.entries >= this.maxEntries - 1;
  }

  entry(i: number): TimestampOffset {
    return { timestamp: readInt64(this.data, i * 12), offset: this.baseOffset + this.data.readInt32BE(i * 12 + 8) };
  }

  lastEntry(): TimestampOffset {
    return this.entries === 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(this.entries - 1);
  }

  /** TimeIndex.maybeAppend: append only when the timestamp is larger than the last entry's. */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    if (!skipFullCheck && this.isFull) throw new KsegError(`Attempt to append to a full time index (size = ${this.entries}) ${this.path}`);
    const last = this.lastEntry();
    if (this.entries > 0 && offset < last.offset) {
      throw new KsegError(`Attempt to append an offset (${offset}) to slot ${this.entries} no larger than the last offset appended (${last.offset}) to ${this.path}`);
    }
    if (this.entries > 0 && timestamp < last.timestamp) {
      throw new KsegError(`Attempt to append a timestamp (${timestamp}) to slot ${this.entries} no larger than the last timestamp appended (${last.timestamp}) to ${this.path}`);
    }
    if (timestamp > last.timestamp) {
      if (this.entries >= this.maxEntries) return; // only possible with skipFullCheck on a full file
      const at = this.slotPosition(this.entries);
      writeInt64(this.data, at, timestamp);
      this.data.writeInt32BE(this.relative(offset), at + 8);
      this.entries++;
      this.appended();
    }
  }

  /** First entry whose timestamp >= target's floor: the largest entry with timestamp <= target. */
  lookup(target: number): TimestampOffset {
    let lo = 0;
    let hi = this.entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (readInt64(this.data, mid * 12) <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(found);
  }

  all(): TimestampOffset[] {
    return Array.from({ length: this.entries }, (_, i) => this.entry(i));
  }
}
