// Reads the batches of a `.log` file in chunks (Kafka's fetch size) into one reused buffer, read-only.
// A batch view is valid until the iterator advances: tools that keep a batch must copy it.
// The reader stops cleanly on the things a broker's log can end with (zero-filled preallocation,
// a torn last batch) and on corrupt framing, and reports where and why in `end`.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BatchScanner, type Batch, type StopReason } from '../format/index.js';

export interface LogReadOptions {
  /** Bytes read per chunk (default 1 MiB, like fetch.max / --fetch-size). */
  fetchSize?: number;
  /** File position to start at (must be a batch start; default 0). */
  startPosition?: number;
  /** Only batches that end within the first `maxBytes` bytes of the file (kafka-dump-log --max-bytes). */
  maxBytes?: number;
  /** Read into this buffer (instead of a new one of fetchSize): callers reading many ranges reuse one. */
  buffer?: Buffer;
}

export interface LogReadEnd {
  reason: StopReason;
  /** File position where reading stopped (first byte not part of a returned batch). */
  position: number;
  /** Bytes from `position` to the end of the file. */
  remainingBytes: number;
  message: string;
}

export const DEFAULT_FETCH_SIZE = 1024 * 1024;

/** A buffer to read `fetchSize`-byte chunks into (LogReadOptions.buffer): callers reading many files pass one to each. */
export function newReadBuffer(fetchSize = DEFAULT_FETCH_SIZE): Buffer {
  return Buffer.allocUnsafe(Math.max(4096, fetchSize));
}

export class LogFileReader implements Iterable<Batch> {
  end: LogReadEnd | null = null;
  readonly fileSize: number;
  private readonly fd: number;

  constructor(
    readonly path: string,
    private readonly opts: LogReadOptions = {},
  ) {
    this.fd = openSync(path, 'r');
    this.fileSize = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }

  *[Symbol.iterator](): Generator<Batch> {
    try {
      yield* this.batches();
    } finally {
      this.close();
    }
  }

  private *batches(): Generator<Batch> {
    const limit = Math.min(this.fileSize, this.opts.maxBytes ?? Infinity);
    let buf = this.opts.buffer ?? newReadBuffer(this.opts.fetchSize);
    let bufStart = this.opts.startPosition ?? 0; // file position of buf[0]
    let bufLen = 0;
    for (;;) {
      // Fill the buffer from the file.
      const want = Math.min(buf.length - bufLen, limit - (bufStart + bufLen));
      if (want > 0) bufLen += readFully(this.fd, buf, bufLen, want, bufStart + bufLen);
      const scanner = new BatchScanner(buf, bufStart, 0, bufLen);
      let batch: Batch | null;
      while ((batch = scanner.next())) yield batch;
      const atEof = bufStart + bufLen >= limit;
      const reason = scanner.stopReason!;
      if (atEof || (reason !== 'end' && reason !== 'truncated')) {
        const position = scanner.position;
        const finalReason: StopReason = reason === 'truncated' && limit < this.fileSize ? 'limit' : reason;
        this.end = { reason: finalReason, position, remainingBytes: this.fileSize - position, message: scanner.stopMessage };
        return;
      }
      // Keep the unconsumed tail (a partial batch) and read on; grow if one batch exceeds the buffer.
      const keep = bufLen - scanner.pos;
      const needed = keep >= 12 ? 12 + buf.readInt32BE(scanner.pos + 8) : 0;
      if (needed > buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(needed, limit - scanner.position));
        buf.copy(bigger, 0, scanner.pos, bufLen);
        buf = bigger;
      } else if (keep > 0) {
        buf.copy(buf, 0, scanner.pos, bufLen);
      }
      bufStart += scanner.pos;
      bufLen = keep;
      if (buf.length === keep) {
        // Cannot make progress: the batch claims more than the file holds (reported as truncated).
        this.end = { reason: 'truncated', position: bufStart, remainingBytes: this.fileSize - bufStart, message: 'batch runs past the end of the file' };
        return;
      }
    }
  }
}

function readFully(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** The base offset a segment file's name declares (20 digits), or null if the name is not one. */
export function baseOffsetFromName(fileName: string): number | null {
  const m = /^(\d{20})\.[a-z]+/.exec(fileName.replace(/^.*[\\/]/, ''));
  return m ? Number(m[1]) : null;
}
