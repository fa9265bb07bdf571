// How a segment's bytes reach its .log file. A broker's request thread copies each batch into the
// page cache itself (FileChannel.write); that is the synchronous writer here. A load generator can
// instead hand batches to a writer on another thread (tools/writeBehind.ts), so the write of one
// batch overlaps the building of the next. Either way writes land in submission order, so a crash
// leaves a prefix of what was appended.

import { writeSync } from 'node:fs';

export interface LogWriter {
  /** True when append() has written the bytes before it returns. */
  readonly synchronous: boolean;
  /**
   * Appends `bytes` at the end of `fd` (opened for append), in order with every earlier append;
   * returns its sequence number. Throws the error of an earlier write that failed. The writer may
   * take the buffer under `bytes` (transfer it to another thread, leaving it detached), so read
   * what you need from it first; if it does not, leave the bytes unchanged until the write is done
   * (`completed` is past its number). `position` is where the bytes land: the file's size before
   * them (a writer may combine appends that follow one another in a file).
   */
  append(fd: number, bytes: Uint8Array, path: string, position: number): number;
  /** Appends with a sequence number below this are in their files. */
  readonly completed: number;
  /** Waits until every append is in its file; throws the first write error. */
  drain(): void;
}

/** Writes on the caller's thread, as a broker does. */
class SynchronousLogWriter implements LogWriter {
  readonly synchronous = true;
  completed = 0;

  append(fd: number, bytes: Uint8Array): number {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    return this.completed++;
  }

  drain(): void {}
}

export const synchronousLogWriter: LogWriter = new SynchronousLogWriter();
