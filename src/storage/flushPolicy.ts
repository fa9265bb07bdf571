// Kafka's flush policy: fsync after `flush.messages` unflushed records, or once `flush.ms` has passed
// since the last flush. Both default to "never" — Kafka leaves durability to replication and the
// page cache, which is much of why it is fast.

export class FlushPolicy {
  private unflushed = 0;
  private lastFlushMs: number;

  constructor(
    readonly flushMessages: number,
    readonly flushMs: number,
    now: number,
  ) {
    this.lastFlushMs = now;
  }

  get never(): boolean {
    return this.flushMessages === Infinity && this.flushMs === Infinity;
  }

  /** Records appended; true when the log should be flushed now. */
  onAppend(records: number, now: number): boolean {
    this.unflushed += records;
    return this.unflushed >= this.flushMessages || now - this.lastFlushMs >= this.flushMs;
  }

  /** For idle time checks (flush.ms with no appends). */
  due(now: number): boolean {
    return this.unflushed > 0 && now - this.lastFlushMs >= this.flushMs;
  }

  flushed(now: number): void {
    this.unflushed = 0;
    this.lastFlushMs = now;
  }
}
