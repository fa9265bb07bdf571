// The live display for `kseg produce` / `kseg consume` when only stderr is a TTY (stdout redirected,
// see progressMode.ts): a one-line cli-progress bar on stderr, while Kafka's window lines go to stdout
// untouched. With a record target or a duration the bar shows percentage and ETA; without one it is a
// running count. The bar is created on the first update, when it is known which of the three it is.
import cliProgress from 'cli-progress';
import { clock, count, etaMs as estimate } from './displayFormat.js';
import type { LoadDisplay, LoadProgressView } from './progressMode.js';

type Kind = 'records' | 'duration' | 'open';

// Payload names must not be cli-progress's own tokens (eta, duration, value, total, ...): those win.
// The full line wants ~120 columns; below that the compact one drops the title and MB/s.
const FORMATS: Record<Kind, { full: string; compact: string; text: number }> = {
  records: {
    full: '{title} {bar} {percentage}% | {records}/{target} records | {rps} rec/s | {mbps} MB/s | ETA {left}',
    compact: '{bar} {percentage}% | {records}/{target} | {rps} rec/s | ETA {left}',
    text: 78,
  },
  duration: {
    full: '{title} {bar} {percentage}% | {elapsed}/{runFor} | {records} records | {rps} rec/s | {mbps} MB/s | ETA {left}',
    compact: '{bar} {percentage}% | {elapsed}/{runFor} | {records} records | {rps} rec/s',
    text: 82,
  },
  open: {
    full: '{title} {records} records | {rps} rec/s | {mbps} MB/s | {elapsed}',
    compact: '{records} records | {rps} rec/s | {elapsed}',
    text: 48,
  },
};
const MIN_BAR = 8;
const MIN_TITLE = 20;

/** Full format (with the title cut to fit) when the terminal is wide enough, else compact. */
function pickFormat(kind: Kind, title: string, columns: number): { format: string; titleWidth: number; barsize: number } {
  const f = FORMATS[kind];
  const bar = kind === 'open' ? 0 : MIN_BAR + 1;
  const titleRoom = columns - f.text - bar - 1;
  if (titleRoom >= Math.min(MIN_TITLE, title.length)) {
    const titleWidth = Math.min(title.length, titleRoom);
    return { format: f.full, titleWidth, barsize: Math.min(30, Math.max(MIN_BAR, columns - titleWidth - 1 - f.text)) };
  }
  return { format: f.compact, titleWidth: 0, barsize: Math.min(30, Math.max(MIN_BAR, columns - 60)) };
}

function fit(s: string, width: number): string {
  return s.length <= width ? s : width > 1 ? s.slice(0, width - 1) + '…' : '';
}

function kindOf(v: LoadProgressView): Kind {
  if (v.target != null) return 'records';
  if (v.durationMs != null && v.durationMs > 0) return 'duration';
  return 'open';
}

/** Bar value and total for cli-progress: records of target, or elapsed ms of the duration. */
function position(kind: Kind, v: LoadProgressView): { value: number; total: number } {
  if (kind === 'records') return { value: Math.min(v.records, v.target ?? 0), total: v.target ?? 0 };
  if (kind === 'duration') return { value: Math.min(v.elapsedMs, v.durationMs ?? 0), total: v.durationMs ?? 0 };
  return { value: v.records, total: 0 };
}

function payload(kind: Kind, v: LoadProgressView, titleWidth: number): Record<string, string> {
  let etaMs: number | null = null;
  if (kind === 'records' && v.target != null) {
    etaMs = estimate(v.elapsedMs, v.target > 0 ? v.records / v.target : 1);
  } else if (kind === 'duration') {
    etaMs = Math.max(0, (v.durationMs ?? 0) - v.elapsedMs);
  }
  return {
    title: fit(v.title, titleWidth),
    records: count(v.records),
    target: v.target != null ? count(v.target) : '',
    elapsed: clock(v.elapsedMs),
    runFor: clock(v.durationMs ?? 0),
    rps: count(v.recordsPerSec),
    mbps: Number.isFinite(v.mbPerSec) ? v.mbPerSec.toFixed(2) : '-',
    left: etaMs == null ? '-:--' : clock(etaMs),
  };
}

/** A cli-progress bar on stderr (or `opts.stream`); window lines go to stdout (or `opts.out`). */
export function progressBarDisplay(opts: { stream?: NodeJS.WriteStream; out?: NodeJS.WritableStream } = {}): LoadDisplay {
  const stream = opts.stream ?? process.stderr;
  const out = opts.out ?? process.stdout;
  let bar: cliProgress.SingleBar | null = null;
  let kind: Kind = 'open';
  let titleWidth = 0;
  let stopped = false;

  return {
    live: true,
    windowLine(line) {
      out.write(line + '\n');
    },
    update(v) {
      if (stopped) return;
      if (!bar) {
        kind = kindOf(v);
        const layout = pickFormat(kind, v.title, stream.columns || 80);
        titleWidth = layout.titleWidth;
        bar = new cliProgress.SingleBar({
          stream,
          format: layout.format,
          barsize: layout.barsize,
          barCompleteChar: '█',
          barIncompleteChar: '░',
          fps: 10,
          // the caller's own SIGINT handling decides; a listener here would swallow Ctrl+C
          gracefulExit: false,
          hideCursor: false,
        });
        const { value, total } = position(kind, v);
        bar.start(total, value, payload(kind, v, titleWidth));
        return;
      }
      const { value, total } = position(kind, v);
      if (total !== bar.getTotal()) bar.setTotal(total);
      bar.update(value, payload(kind, v, titleWidth));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (bar) bar.stop();
      // resolve once everything written so far has been handed to the stream
      await new Promise<void>((resolve) => stream.write('', () => resolve()));
    },
  };
}
