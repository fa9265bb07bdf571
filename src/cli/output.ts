// Buffered stdout writer: dumping millions of lines through process.stdout.write one by one is slow;
// batch them into ~64 KiB writes and respect back-pressure.
import { writeSync } from 'node:fs';

export class LineWriter {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly fd = 1, private readonly flushAt = 64 * 1024) {}

  line(s: string): void {
    this.chunks.push(s, '\n');
    this.size += s.length + 1;
    if (this.size >= this.flushAt) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    const data = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    writeAll(this.fd, data);
  }
}

function writeAll(fd: number, data: string): void {
  let buf = Buffer.from(data, 'utf8');
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
