// Buffered stdout writer: dumping millions of lines through process.stdout.write one by one is slow.
// Lines are UTF-8-encoded straight into one reused buffer (no per-flush string join or Buffer
// allocation: constant memory however long the dump) and written with blocking writes of ~64 KiB.
import { writeSync } from 'node:fs';

// Buffer#utf8Write skips Buffer#write's argument parsing (a measurable share of a long dump); it has
// been on Buffer.prototype since Node 0.x, with Buffer#write as the fallback.
export const utf8Write: (this: Buffer, s: string, offset: number) => number =
  (Buffer.prototype as unknown as { utf8Write?: (this: Buffer, s: string, offset: number) => number }).utf8Write ??
  function (this: Buffer, s: string, offset: number) {
    return this.write(s, offset, 'utf8');
  };

export class LineWriter {
  /** The pending output; byte writers (recordLineBytes.ts) fill it directly after reserve(). */
  readonly buf: Buffer;
  pos = 0;

  constructor(
    private readonly fd = 1,
    flushAt = 64 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(flushAt, 4096));
  }

  line(s: string): void {
    // A UTF-16 code unit takes at most 3 UTF-8 bytes; +1 for the newline.
    if (s.length * 3 + 1 > this.buf.length - this.pos) {
      this.flush();
      if (s.length * 3 + 1 > this.buf.length) {
        writeAll(this.fd, Buffer.from(s + '\n', 'utf8'));
        return;
      }
    }
    this.pos += utf8Write.call(this.buf, s, this.pos);
    this.buf[this.pos++] = 0x0a;
  }

  /** Makes room for `n` more bytes in `buf` (flushing first if needed); false when `n` can never fit. */
  reserve(n: number): boolean {
    if (n > this.buf.length - this.pos) this.flush();
    return n <= this.buf.length;
  }

  flush(): void {
    if (this.pos === 0) return;
    writeAll(this.fd, this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}

function writeAll(fd: number, data: Buffer): void {
  let buf = data;
  while (buf.length > 0) {
    try {
      const n = writeSync(fd, buf);
      buf = buf.subarray(n);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EAGAIN') continue; // non-blocking pipe full: retry
      if (e.code === 'EPIPE') process.exit(0); // reader went away (e.g. `| head`)
      throw err;
    }
  }
}
