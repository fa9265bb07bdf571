// The live dashboard for `kseg produce` / `kseg consume` when both stdout and stderr are TTYs (see
// progressMode.ts). An ink app on stderr: progress bar, rates with a throughput sparkline, latency
// percentiles, per-partition progress and the last Kafka window lines. stop() erases it completely so
// the caller's final lines land where the dashboard was.
//
// The tree is a pure function of a small model; every update() / windowLine() re-renders it with
// rerender(), which in ink's legacy (sync) mode commits at once and ink throttles the terminal writes.
// The frame is sized to the terminal: it never grows to the full height (ink would then clear the
// whole screen on every frame) and lines are truncated rather than wrapped, so its height is stable.
import { Box, Text, render } from 'ink';
import type { ReactElement } from 'react';
import { clock, count, etaMs as estimate } from './displayFormat.js';
import type { LoadDisplay, LoadProgressView } from './progressMode.js';

/** Update ticks the sparkline remembers. */
export const SPARK_HISTORY = 40;
/** Partition rows shown before "+N more". */
export const MAX_PARTITION_ROWS = 8;
/** Kafka window lines kept. */
export const WINDOW_LINES = 3;

const SPARK_CHARS = '▁▂▃▄▅▆▇█';
const BAR_PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const MAX_FPS = 20;

/** One block char per value, scaled to the largest value shown (all-zero gives the lowest bar). */
export function sparkline(values: readonly number[]): string {
  let max = 0;
  for (const v of values) if (Number.isFinite(v) && v > max) max = v;
  let s = '';
  for (const v of values) {
    const level = max > 0 && Number.isFinite(v) && v > 0 ? Math.round((v / max) * (SPARK_CHARS.length - 1)) : 0;
    s += SPARK_CHARS[level];
  }
  return s;
}

/** A bar of `width` cells with eighth-cell resolution. */
export function progressBar(ratio: number, width: number): { done: string; rest: string } {
  const r = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 0;
  const eighths = Math.round(r * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = BAR_PARTIAL[eighths % 8];
  const done = '█'.repeat(full) + partial;
  return { done, rest: '░'.repeat(Math.max(0, width - full - (partial ? 1 : 0))) };
}

function latency(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : count(ms);
}

/** Fraction done, or null when neither a record target nor a duration is known. */
function progressRatio(v: LoadProgressView): number | null {
  if (v.target != null) return v.target > 0 ? v.records / v.target : 1;
  if (v.durationMs != null && v.durationMs > 0) return v.elapsedMs / v.durationMs;
  return null;
}

export interface DashboardModel {
  view: LoadProgressView | null;
  /** records/s per update tick, oldest first, at most SPARK_HISTORY. */
  history: readonly number[];
  /** The last WINDOW_LINES Kafka window lines, oldest first. */
  windowLines: readonly string[];
  columns: number;
  rows: number;
  /** stop() renders nothing before unmounting. */
  hidden: boolean;
}

interface Layout {
  border: boolean;
  width: number; // usable text columns
  spark: boolean;
  latency: boolean;
  summary: boolean;
  windowRows: number;
  partitionBlock: boolean;
  partitionRows: number;
}

/** Decides what fits: the frame stays below the terminal height, sections drop out in reverse priority. */
export function planLayout(m: Pick<DashboardModel, 'view' | 'windowLines' | 'columns' | 'rows'>): Layout {
  const columns = m.columns > 0 ? m.columns : 80;
  const rows = m.rows > 0 ? m.rows : 24;
  const border = columns >= 40 && rows >= 18;
  const width = Math.max(1, columns - (border ? 4 : 0));
  let left = rows - 1 - (border ? 2 : 0) - 3; // title, progress and rate lines always
  const take = (n: number): boolean => (left >= n ? ((left -= n), true) : false);
  const v = m.view;
  const parts = v?.partitions.length ?? 0;
  const spark = v != null && take(1);
  const lat = v?.latencyMs != null && take(1);
  const summary = v != null && (parts > 0 || v.rolls != null) && take(1);
  let windowRows = Math.min(WINDOW_LINES, m.windowLines.length);
  if (windowRows > 0) {
    windowRows = Math.min(windowRows, left - 1);
    if (windowRows > 0) left -= windowRows + 1;
    else windowRows = 0;
  }
  let partitionRows = 0;
  let partitionBlock = false;
  if (parts > 0 && left >= 2) {
    partitionBlock = true;
    partitionRows = Math.min(MAX_PARTITION_ROWS, parts, left - 1);
    if (partitionRows < parts && partitionRows + 2 > left) partitionRows--; // room for "+N more"
  }
  return { border, width, spark, latency: lat, summary, windowRows, partitionBlock, partitionRows };
}

function Label({ children }: { children: string }): ReactElement {
  return <Text dimColor>{children}</Text>;
}

export function Dashboard(m: DashboardModel): ReactElement | null {
  if (m.hidden) return null;
  const L = planLayout(m);
  const v = m.view;
  const lines: ReactElement[] = [];

  const title = v?.title ?? 'kseg';
  lines.push(
    <Text key="title" wrap="truncate-end">
      <Text bold color="cyan">{title}</Text>
      {v ? <Label>{`  ${clock(v.elapsedMs)} elapsed`}</Label> : null}
    </Text>,
  );

  if (!v) {
    lines.push(<Text key="wait" wrap="truncate-end" dimColor>starting…</Text>);
  } else {
    const ratio = progressRatio(v);
    if (ratio != null) {
      const pct = `${(Math.min(1, Math.max(0, ratio)) * 100).toFixed(1).padStart(5)}%`;
      let detail: string;
      let etaMs: number | null;
      if (v.target != null) {
        detail = `${count(v.records)}/${count(v.target)} records`;
        etaMs = estimate(v.elapsedMs, ratio);
      } else {
        detail = `${clock(v.elapsedMs)}/${clock(v.durationMs ?? 0)}  ${count(v.records)} records`;
        etaMs = (v.durationMs ?? 0) - v.elapsedMs;
      }
      const eta = `ETA ${etaMs == null ? '-:--' : clock(Math.max(0, etaMs))}`;
      const barWidth = Math.min(40, L.width - (pct.length + detail.length + eta.length + 6));
      const bar = barWidth >= 5 ? progressBar(ratio, barWidth) : null;
      lines.push(
        <Text key="progress" wrap="truncate-end">
          {bar ? <Text color="green">{bar.done}</Text> : null}
          {bar ? <Text color="gray">{bar.rest}</Text> : null}
          {bar ? ' ' : ''}
          <Text bold>{pct}</Text>
          {`  ${detail}  `}
          <Label>{eta}</Label>
        </Text>,
      );
    } else {
      lines.push(
        <Text key="progress" wrap="truncate-end">
          <Text bold>{count(v.records)}</Text>
          {' records'}
        </Text>,
      );
    }

    lines.push(
      <Text key="rate" wrap="truncate-end">
        <Text bold color="green">{count(v.recordsPerSec)}</Text>
        {' rec/s  '}
        <Text bold color="green">{Number.isFinite(v.mbPerSec) ? v.mbPerSec.toFixed(2) : '-'}</Text>
        {' MB/s'}
      </Text>,
    );

    if (L.spark) {
      const peak = m.history.reduce((a, b) => (Number.isFinite(b) && b > a ? b : a), 0);
      // the peak label goes first when space is short, the sparkline itself keeps at least 8 cells
      const room = L.width - 'throughput '.length;
      let peakText = `  peak ${count(peak)} rec/s`;
      if (room - peakText.length < 8) peakText = '';
      const w = Math.max(1, Math.min(SPARK_HISTORY, room - peakText.length));
      const shown = m.history.slice(-w);
      lines.push(
        <Text key="spark" wrap="truncate-end">
          <Label>{'throughput '}</Label>
          <Text color="cyan">{sparkline(shown).padStart(w)}</Text>
          <Label>{peakText}</Label>
        </Text>,
      );
    }

    if (L.latency && v.latencyMs) {
      const l = v.latencyMs;
      const items: [string, number][] = [['p50', l.p50], ['p95', l.p95], ['p99', l.p99], ['p99.9', l.p999], ['max', l.max]];
      lines.push(
        <Text key="latency" wrap="truncate-end">
          <Label>{'latency ms'}</Label>
          {items.map(([k, x]) => (
            <Text key={k}>
              <Label>{`  ${k} `}</Label>
              <Text color={k === 'max' || k === 'p99.9' ? 'yellow' : undefined}>{latency(x)}</Text>
            </Text>
          ))}
        </Text>,
      );
    }

    if (L.summary) {
      const segs = v.partitions.reduce((a, p) => a + p.segments, 0);
      const parts: string[] = [];
      const n = v.partitions.length;
      if (n > 0) parts.push(`${count(n)} ${n === 1 ? 'partition' : 'partitions'}`, `${count(segs)} ${segs === 1 ? 'segment' : 'segments'}`);
      if (v.rolls != null) parts.push(`${count(v.rolls)} segment ${v.rolls === 1 ? 'roll' : 'rolls'}`);
      lines.push(
        <Text key="summary" wrap="truncate-end">
          {parts.join('  ·  ')}
        </Text>,
      );
    }

    if (L.partitionBlock) {
      const shown = v.partitions.slice(0, L.partitionRows);
      const pw = Math.max(9, ...shown.map((p) => String(p.partition).length));
      const ow = Math.max(11, ...shown.map((p) => count(p.nextOffset).length));
      lines.push(
        <Text key="phead" wrap="truncate-end" dimColor>
          {`${'partition'.padStart(pw)}  ${'next offset'.padStart(ow)}  segments`}
        </Text>,
      );
      for (const p of shown) {
        lines.push(
          <Text key={`p${p.partition}`} wrap="truncate-end">
            {`${String(p.partition).padStart(pw)}  ${count(p.nextOffset).padStart(ow)}  ${count(p.segments).padStart(8)}`}
          </Text>,
        );
      }
      const more = v.partitions.length - shown.length;
      if (more > 0) {
        lines.push(
          <Text key="pmore" wrap="truncate-end" dimColor>
            {`${' '.repeat(Math.max(0, pw - 1))}+${count(more)} more`}
          </Text>,
        );
      }
    }
  }

  if (L.windowRows > 0) {
    lines.push(
      <Text key="whead" wrap="truncate-end" dimColor>
        {'window'}
      </Text>,
    );
    m.windowLines.slice(-L.windowRows).forEach((line, i) => {
      lines.push(
        <Text key={`w${i}`} wrap="truncate-end">
          {line}
        </Text>,
      );
    });
  }

  return (
    <Box flexDirection="column" {...(L.border ? { borderStyle: 'round', borderColor: 'gray', paddingX: 1 } : {})}>
      {lines}
    </Box>
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The ink dashboard on stderr (or `opts.stream`). */
export function dashboardDisplay(opts: { stream?: NodeJS.WriteStream } = {}): LoadDisplay {
  const stream = opts.stream ?? process.stderr;
  let view: LoadProgressView | null = null;
  const history: number[] = [];
  const windowLines: string[] = [];
  let hidden = false;
  let stopping: Promise<void> | null = null;

  const element = (): ReactElement => (
    <Dashboard view={view} history={history} windowLines={windowLines} columns={stream.columns ?? 0} rows={stream.rows ?? 0} hidden={hidden} />
  );
  // When the terminal gets narrower it re-wraps the frame already on screen into more rows than ink
  // will erase, leaving torn copies behind. So on a shrink the screen is cleared first (this listener
  // runs before ink's own) and ink redraws at the top; a wider terminal needs nothing.
  let lastColumns = stream.columns ?? 0;
  const onResize = (): void => {
    const columns = stream.columns ?? 0;
    if (!stopping && columns > 0 && columns < lastColumns) stream.write('\x1b[2J\x1b[H');
    lastColumns = columns;
    setImmediate(() => {
      if (!stopping) instance.rerender(element());
    });
  };
  stream.prependListener('resize', onResize);
  const instance = render(element(), {
    stdout: stream,
    stderr: stream,
    patchConsole: false,
    exitOnCtrlC: false,
    maxFps: MAX_FPS,
  });

  return {
    live: true,
    windowLine(line) {
      if (stopping) return;
      windowLines.push(line);
      if (windowLines.length > WINDOW_LINES) windowLines.splice(0, windowLines.length - WINDOW_LINES);
      instance.rerender(element());
    },
    update(p) {
      if (stopping) return;
      view = p;
      history.push(p.recordsPerSec);
      if (history.length > SPARK_HISTORY) history.splice(0, history.length - SPARK_HISTORY);
      instance.rerender(element());
    },
    stop() {
      stopping ??= (async () => {
        // Render an empty frame and give ink's throttled writer time to put it out, so nothing is
        // pending when the frame is erased: a late write after clear() would erase lines above us.
        hidden = true;
        stream.off('resize', onResize);
        instance.rerender(element());
        await sleep(Math.ceil(1000 / MAX_FPS) + 20);
        instance.clear();
        const exited = instance.waitUntilExit();
        instance.unmount();
        await exited;
      })();
      return stopping;
    },
  };
}
