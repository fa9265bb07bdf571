// kafka-dump-log text for a byte range of a `.log` file that holds whole batches: the unit of work
// when a large log is dumped on several threads (dumpTextParallel.ts). The same walk as a
// sequential dump, started from a given previous offset so the consecutive-offsets check carries
// over; its problems are returned for the caller to report in file order.

import type { DumpOptions } from '../tools/dump.js';
import type { ProblemEvent } from '../tools/dumpEvents.js';
import { LogWalk, type LogWalkState } from '../tools/dumpLog.js';
import { LogFileReader } from '../storage/logFileReader.js';
import { DumpTextRenderer } from './dumpText.js';
import type { LineWriter } from './output.js';
import { RecordLineBytes, type FastDecoder } from './recordLineBytes.js';

/** Options a range needs (structured-cloneable: they travel to worker threads). */
export interface RangeOptions {
  opts: Omit<DumpOptions, 'recordSink'>;
  skipMetadata: boolean;
  key: FastDecoder;
  value: FastDecoder;
}

export interface RangeResult {
  problems: ProblemEvent[];
  /** Offsets as the walk left them: `prevOffset` is the last record's (what the next range follows). */
  state: LogWalkState;
}

/**
 * Renders the batches in [from, to) of `file` to `out`, continuing from `prevOffset`. `readBuffer`
 * is reused from range to range (when it shares an ArrayBuffer with `out`'s buffers, values are
 * copied with copyWithin).
 */
export function renderLogRange(file: string, from: number, to: number, prevOffset: number | null, ro: RangeOptions, out: LineWriter, readBuffer?: Buffer): RangeResult {
  const lines = new RecordLineBytes(out, { printData: !!ro.opts.printDataLog, skipMetadata: ro.skipMetadata, key: ro.key, value: ro.value });
  const walk = new LogWalk(file, { ...ro.opts, recordSink: lines });
  const text = new DumpTextRenderer(ro.skipMetadata);
  const state: LogWalkState = { prevOffset };
  for (const ev of walk.batches(new LogFileReader(file, { startPosition: from, maxBytes: to, buffer: readBuffer }), state)) {
    const line = text.line(ev);
    if (line !== null) out.line(line);
  }
  return { problems: text.problems, state };
}
