// Which live display a load command uses. Never both: a TTY gets the ink dashboard (on stderr, with
// Kafka's window lines shown inside it and the final lines printed after it closes); stderr-only TTY
// (stdout redirected) gets a cli-progress bar on stderr while window lines go to stdout; no TTY (CI,
// pipes) gets Kafka's plain periodic lines only; --no-progress / --json turn live display off.

export type ProgressMode = 'dashboard' | 'bar' | 'plain' | 'none';

export function progressMode(opts: { progress?: boolean; json?: boolean }, stdoutTTY = !!process.stdout.isTTY, stderrTTY = !!process.stderr.isTTY): ProgressMode {
  if (opts.json) return 'none';
  if (opts.progress === false) return 'plain';
  if (stderrTTY && stdoutTTY) return 'dashboard';
  if (stderrTTY) return 'bar';
  return 'plain';
}

/** What a live display is fed by the produce/consume commands. */
export interface LoadDisplay {
  /** True when it redraws on this thread (then heavy work should run in a worker thread). */
  readonly live?: boolean;
  /** A periodic Kafka-format line (window line). */
  windowLine(line: string): void;
  /** Progress tick (~4/s). */
  update(p: LoadProgressView): void;
  /** Stops the display (restores the terminal); resolves when output is flushed. */
  stop(): Promise<void>;
}

export interface LoadProgressView {
  title: string;
  elapsedMs: number;
  records: number;
  /** Target records, or null for duration runs / unknown. */
  target: number | null;
  /** Target duration in ms, when running by duration. */
  durationMs?: number;
  recordsPerSec: number;
  mbPerSec: number;
  latencyMs?: { p50: number; p95: number; p99: number; p999: number; max: number };
  partitions: { partition: number; nextOffset: number; segments: number }[];
  rolls?: number;
}

/** The display for modes without live rendering: window lines straight to stdout (or nowhere). */
export function plainDisplay(print: boolean): LoadDisplay {
  return {
    windowLine: (line) => {
      if (print) process.stdout.write(line + '\n');
    },
    update: () => {},
    stop: async () => {},
  };
}
