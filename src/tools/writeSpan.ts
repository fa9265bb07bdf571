// Where a write-behind write ends. A stream of batch-sized writes that end anywhere in the file
// makes the page cache fill each with many small folios (their size follows the alignment of the
// write's start and end); writes that end on a multiple of 256 KiB of the file let it use large
// ones. So the writer carries each batch's write on into the batches queued behind it, up to the
// next such boundary, when they are there. 1 GiB of 1,047,589 B batches from one thread (5 rotating
// buffers, median of 8): 5583 MB/s batch by batch, 5890 carried to 64 KiB boundaries, 6012 to
// 256 KiB, 6082 to 1 MiB; but 1 MiB folios come from the large free blocks this VM hands back to the
// host first, and runs that met those were 2-3x slower.

import { writeSync, writevSync } from 'node:fs';

/** File offsets a write ends on when the queue allows. */
export const WRITE_ALIGN_BYTES = 256 * 1024;

/** Queued writes one write takes bytes from, at most (iovecs). */
export const MAX_WRITE_PARTS = 64;

/** A write queued on the writer thread: bytes [at, end) of `buffer`, ending at file offset `endPosition` of `fd`. */
export interface QueuedWrite {
  fd: number;
  buffer: ArrayBuffer;
  at: number;
  end: number;
  endPosition: number;
}

/** The queue as spanEnd reads it: peek(i) is the i-th oldest write (0: the next one). */
export interface WriteQueue {
  peek(i: number): QueuedWrite | undefined;
}

/**
 * The file offset the next write ends at: the oldest queued write's end, carried on to the next
 * multiple of `align` with bytes of the writes queued right behind it in the same file (as far as
 * they reach; taking whole writes short of it). Never less than that write's end.
 */
export function spanEnd(queue: WriteQueue, align = WRITE_ALIGN_BYTES, maxParts = MAX_WRITE_PARTS): number {
  const head = queue.peek(0);
  if (head === undefined) throw new RangeError('spanEnd of an empty queue');
  const boundary = Math.ceil(head.endPosition / align) * align;
  let end = head.endPosition;
  for (let i = 1; end < boundary && i < maxParts; i++) {
    const next = queue.peek(i);
    // Only the same file, and only bytes that follow on: anything else ends the span.
    if (next === undefined || next.fd !== head.fd || next.endPosition - (next.end - next.at) !== end) break;
    end = Math.min(next.endPosition, boundary);
  }
  return end;
}

/**
 * One write of the queue's next bytes, from the oldest write's next byte up to spanEnd; moves the
 * writes' `at` past what was written (a write may take fewer bytes) and returns how many that was.
 */
export function writeNextSpan(queue: WriteQueue): number {
  const end = spanEnd(queue);
  const head = queue.peek(0)!;
  let written: number;
  if (end === head.endPosition) written = writeSync(head.fd, new Uint8Array(head.buffer), head.at, head.end - head.at);
  else {
    // spanEnd took bytes only from writes that follow on in the same file, up to `end`.
    const parts: Uint8Array[] = [];
    for (let i = 0, at = head.endPosition - (head.end - head.at); at < end; i++) {
      const w = queue.peek(i)!;
      const n = Math.min(w.endPosition, end) - at;
      parts.push(new Uint8Array(w.buffer, w.at, n));
      at += n;
    }
    written = writevSync(head.fd, parts);
  }
  for (let i = 0, n = written; n > 0; i++) {
    const w = queue.peek(i)!;
    const k = Math.min(n, w.end - w.at);
    w.at += k;
    n -= k;
  }
  return written;
}
