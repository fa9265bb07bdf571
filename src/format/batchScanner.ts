// Walks the batches of a log buffer (Kafka's FileLogInputStream over a byte range): reads the
// 17-byte header up to the magic, checks the size field, and hands out a v2 or legacy batch view.
// It never throws: it stops and says why (end, torn tail, corrupt size, unknown magic), so tools
// can report the exact byte position and go on with other files.

import type { Batch } from './batch.js';
import { RECORD_OVERHEAD_V0, LegacyRecordBatch } from './legacyRecordBatch.js';
import { LOG_OVERHEAD, MAGIC_OFFSET, RecordBatch } from './recordBatch.js';
import { readInt32 } from './int64.js';

/** Bytes needed to read offset, size and magic (HEADER_SIZE_UP_TO_MAGIC). */
export const HEADER_SIZE_UP_TO_MAGIC = 17;

export type StopReason =
  /** Clean end of the data. */
  | 'end'
  /** Fewer than 17 bytes left, or a batch that runs past the end: a torn write. */
  | 'truncated'
  /** An all-zero header: preallocated or zero-filled tail. */
  | 'zeros'
  /** Size field below the minimum (Kafka: CorruptRecordException). */
  | 'corrupt-size'
  /** Magic byte not 0, 1 or 2. */
  | 'bad-magic'
  /** Caller's byte limit reached (max-bytes). */
  | 'limit';

export class BatchScanner {
  /** Next read position within `buf`. */
  pos: number;
  stopReason: StopReason | null = null;
  /** Human-readable reason when stopped on bad data. */
  stopMessage = '';

  /**
   * @param buf the bytes to scan
   * @param basePosition file position of buf[0] (reported positions are file positions)
   * @param end exclusive end within buf (defaults to buf.length)
   */
  constructor(
    readonly buf: Buffer,
    readonly basePosition = 0,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  /** File position of the next unread byte. */
  get position(): number {
    return this.basePosition + this.pos;
  }

  /** Bytes between the stop position and the end. */
  get remainingBytes(): number {
    return this.end - this.pos;
  }

  next(): Batch | null {
    if (this.stopReason) return null;
    const buf = this.buf;
    const p = this.pos;
    const left = this.end - p;
    if (left === 0) return this.stop('end', '');
    if (left < HEADER_SIZE_UP_TO_MAGIC) {
      return this.stop(isZero(buf, p, this.end) ? 'zeros' : 'truncated', `${left} bytes at the end do not hold a batch header`);
    }
    const size = readInt32(buf, p + 8);
    const magic = buf[p + MAGIC_OFFSET];
    if (size === 0 && isZero(buf, p, p + HEADER_SIZE_UP_TO_MAGIC)) return this.stop('zeros', 'zero-filled bytes (preallocated or torn tail)');
    if (size < RECORD_OVERHEAD_V0) return this.stop('corrupt-size', `Found record size ${size} smaller than minimum record overhead (${RECORD_OVERHEAD_V0})`);
    if (magic > 2) return this.stop('bad-magic', `Unknown magic byte ${magic}`);
    if (LOG_OVERHEAD + size > left) return this.stop('truncated', `batch declares ${LOG_OVERHEAD + size} bytes but only ${left} remain`);
    this.pos = p + LOG_OVERHEAD + size;
    return magic === 2 ? new RecordBatch(buf, p, this.basePosition + p) : new LegacyRecordBatch(buf, p, this.basePosition + p);
  }

  private stop(reason: StopReason, message: string): null {
    this.stopReason = reason;
    this.stopMessage = message;
    return null;
  }

  [Symbol.iterator](): Iterator<Batch> {
    return { next: () => {
      const b = this.next();
      return b ? { done: false, value: b } : { done: true, value: undefined };
    } };
  }
}

function isZero(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}
