// Buffered stdout writer: dumping millions of lines through process.stdout.write one by one is slow.
// Lines are UTF-8-encoded straight into one reused buffer (no per-flush string join or Buffer
// allocation: constant memory however long the dump) and written with blocking writes of ~64 KiB.
//
// Record bytes printed with the string decoder are copied raw (`textSpan`) and checked as UTF-8 all
// at once, just before the buffer is written: a copy of valid UTF-8 is what decoding and re-encoding
// it gives, and checking a whole buffer is far cheaper than checking each value. Spans that are not
// valid UTF-8 are then re-encoded the way the string decoder does (U+FFFD per invalid sequence).
// Everything else in the buffer is valid UTF-8 by construction (ASCII labels, encoded strings), and
// every span sits between ASCII bytes, so the buffer is valid exactly when every span is.
import { isUtf8 } from 'node:buffer';
import { writeSync } from 'node:fs';

// Buffer#utf8Write skips Buffer#write's argument parsing (a measurable share of a long dump); it has
// been on Buffer.prototype since Node 0.x, with Buffer#write as the fallback.
export const utf8Write: (this: Buffer, s: string, offset: number) => number =
  (Buffer.prototype as unknown as { utf8Write?: (this: Buffer, s: string, offset: number) => number }).utf8Write ??
  function (this: Buffer, s: string, offset: number) {
    return this.write(s, offset, 'utf8');
  };

/**
 * Takes full buffers instead of a file descriptor (output rendered by a worker thread): each
 * flushed buffer becomes the sink's, and the writer goes on in the one `next()` gives.
 */
export interface BufferSink {
  take(chunk: Buffer): void;
  next(): Buffer;
}

/** Raw text spans remembered per buffer before the check runs early (start, length pairs). */
const MAX_SPANS = 16384;

export class LineWriter {
  /** The pending output; byte writers (recordLineBytes.ts) fill it directly after reserve(). */
  buf: Buffer;
  pos = 0;
  private readonly spans = new Int32Array(2 * MAX_SPANS);
  private spanCount = 0;

  /** `buffer`: write through this one (e.g. part of an arena shared with the read buffer). */
  constructor(
    readonly fd = 1,
    flushAt = 64 * 1024,
    private readonly sink?: BufferSink,
    buffer?: Buffer,
  ) {
    this.buf = buffer ?? sink?.next() ?? Buffer.allocUnsafe(Math.max(flushAt, 4096));
  }

  /**
   * Bytes at [start, start + length) of `buf` were copied raw from a key or value (see above). At
   * most two per reserve(): the check may move bytes, so it only runs inside reserve() and flush().
   */
  textSpan(start: number, length: number): void {
    if (length === 0) return;
    if (this.spanCount === MAX_SPANS) throw new Error('LineWriter.textSpan: more than two spans per reserve()');
    const i = 2 * this.spanCount++;
    this.spans[i] = start;
    this.spans[i + 1] = length;
  }

  /** Checks the pending raw spans and re-encodes the invalid ones (may flush what comes before them). */
  private checkText(): void {
    const n = this.spanCount;
    if (n === 0) return;
    this.spanCount = 0;
    const from = this.spans[0];
    if (isUtf8(this.buf.subarray(from, this.pos))) return;
    // Rare (binary payloads): rewrite from the first span on, from a copy.
    const copy = Buffer.from(this.buf.subarray(from, this.pos));
    this.pos = from;
    let at = 0; // in `copy`
    for (let k = 0; k < n; k++) {
      const start = this.spans[2 * k] - from;
      const end = start + this.spans[2 * k + 1];
      this.raw(copy.subarray(at, start));
      const text = copy.subarray(start, end);
      if (isUtf8(text)) this.raw(text);
      else this.raw(Buffer.from(text.toString('utf8'), 'utf8'));
      at = end;
    }
    this.raw(copy.subarray(at));
  }

  /** Bytes that need no check, flushing as needed. */
  private raw(b: Uint8Array): void {
    let at = 0;
    while (at < b.length) {
      if (this.pos === this.buf.length) this.flush();
      const n = Math.min(b.length - at, this.buf.length - this.pos);
      this.buf.set(b.subarray(at, at + n), this.pos);
      this.pos += n;
      at += n;
    }
  }

  line(s: string): void {
    // A UTF-16 code unit takes at most 3 UTF-8 bytes; +1 for the newline.
    if (s.length * 3 + 1 > this.buf.length - this.pos) {
      this.flush();
      if (s.length * 3 + 1 > this.buf.length) {
        this.raw(Buffer.from(s + '\n', 'utf8'));
        return;
      }
    }
    this.pos += utf8Write.call(this.buf, s, this.pos);
    this.buf[this.pos++] = 0x0a;
  }

  /** Writes bytes rendered elsewhere (a worker's output) to the file, after what is pending. */
  writeThrough(chunk: Uint8Array): void {
    this.flush();
    writeAll(this.fd, chunk);
  }

  /** Makes room for `n` more bytes in `buf` (flushing first if needed); false when `n` can never fit. */
  reserve(n: number): boolean {
    if (this.spanCount > MAX_SPANS - 2) this.checkText();
    if (n > this.buf.length - this.pos) this.flush();
    return n <= this.buf.length;
  }

  /** Drops the pending output (of a dump that stopped: the rest of it is never written). */
  discard(): void {
    this.pos = 0;
    this.spanCount = 0;
  }

  flush(): void {
    this.checkText();
    if (this.pos === 0) return;
    if (this.sink) {
      this.sink.take(this.buf.subarray(0, this.pos));
      this.buf = this.sink.next();
    } else writeAll(this.fd, this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}

/** A write to a closed pipe (`kseg dump … | head`): the process exits quietly; a worker thread sets its own. */
let onBrokenPipe: () => never = () => process.exit(0);

export function setBrokenPipeHandler(handler: () => never): void {
  onBrokenPipe = handler;
}

export function writeAll(fd: number, data: Uint8Array): void {
  let buf = data;
  while (buf.length > 0) {
    try {
      const n = writeSync(fd, buf);
      buf = buf.subarray(n);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EAGAIN') continue; // non-blocking pipe full: retry
      if (e.code === 'EPIPE') onBrokenPipe(); // reader went away
      throw err;
    }
  }
}
