import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';

// ink decides at import whether it runs "in CI" (no live frames, last frame printed on exit); these
// tests are about the live terminal behaviour, so that switch has to be off before ink loads.
vi.hoisted(() => {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
});

import { dashboardDisplay, planLayout, progressBar, sparkline } from '../../src/cli/dashboard.js';
import { clock, count } from '../../src/cli/displayFormat.js';
import { progressBarDisplay } from '../../src/cli/progressBar.js';
import type { LoadDisplay, LoadProgressView } from '../../src/cli/progressMode.js';

/** A writable that says it is a terminal and keeps everything written to it. */
class FakeTTY extends Writable {
  isTTY = true;
  chunks: string[] = [];
  constructor(public columns: number, public rows: number) {
    super({ decodeStrings: false });
  }
  override _write(chunk: unknown, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(String(chunk));
    cb();
  }
  get output(): string {
    return this.chunks.join('');
  }
  asStream(): NodeJS.WriteStream {
    return this as unknown as NodeJS.WriteStream;
  }
}

/**
 * Just enough of a VT100 to replay what ink and cli-progress write: text, CR/LF (a tty turns LF into
 * CRLF), cursor up/down/column/home, erase line / erase display, save/restore, SGR and private modes
 * ignored. No scrolling: rows grow downwards as needed, which is what a tall terminal would show.
 */
class Screen {
  lines: string[][] = [[]];
  row = 0;
  col = 0;
  private saved: [number, number] = [0, 0];

  feed(data: string): this {
    for (let i = 0; i < data.length; i++) {
      const ch = data[i];
      if (ch === '\x1b') {
        const next = data[i + 1];
        if (next === '7') { this.saved = [this.row, this.col]; i++; continue; }
        if (next === '8') { [this.row, this.col] = this.saved; this.ensure(); i++; continue; }
        if (next !== '[') throw new Error(`unexpected escape ${JSON.stringify(data.slice(i, i + 4))}`);
        const m = /^\x1b\[([?]?)([0-9;]*)([A-Za-z])/.exec(data.slice(i));
        if (!m) throw new Error(`bad CSI ${JSON.stringify(data.slice(i, i + 8))}`);
        i += m[0].length - 1;
        if (m[1] === '?') continue; // cursor visibility, autowrap, synchronized output
        const n = m[2] === '' ? NaN : Number(m[2].split(';')[0]);
        this.csi(m[3], n);
        continue;
      }
      if (ch === '\n') { this.row++; this.col = 0; this.ensure(); continue; }
      if (ch === '\r') { this.col = 0; continue; }
      const line = this.lines[this.row];
      while (line.length < this.col) line.push(' ');
      line[this.col++] = ch;
    }
    return this;
  }

  private csi(op: string, n: number): void {
    const line = this.lines[this.row];
    switch (op) {
      case 'A': this.row = Math.max(0, this.row - (n || 1)); break;
      case 'B': this.row += n || 1; this.ensure(); break;
      case 'G': this.col = (n || 1) - 1; break;
      case 'H': this.row = 0; this.col = 0; break;
      case 'K':
        if (!(n > 0)) line.length = Math.min(line.length, this.col);
        else if (n === 1) for (let c = 0; c <= this.col && c < line.length; c++) line[c] = ' ';
        else line.length = 0;
        break;
      case 'J':
        if (n === 2 || n === 3) this.lines = this.lines.map(() => []);
        else { line.length = Math.min(line.length, this.col); for (let r = this.row + 1; r < this.lines.length; r++) this.lines[r] = []; }
        break;
      case 'm': break;
      default: throw new Error(`unhandled CSI ${op}`);
    }
  }

  private ensure(): void {
    while (this.lines.length <= this.row) this.lines.push([]);
  }

  /** Visible text, trailing blanks and empty trailing lines removed. */
  text(): string {
    return this.lines.map((l) => l.join('').trimEnd()).join('\n').replace(/\n+$/, '');
  }
}

const screenOf = (tty: FakeTTY) => new Screen().feed(tty.output);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function view(over: Partial<LoadProgressView> = {}): LoadProgressView {
  return {
    title: 'kseg produce → /tmp/logs',
    elapsedMs: 4_000,
    records: 400_000,
    target: 1_000_000,
    recordsPerSec: 100_000,
    mbPerSec: 9.54,
    latencyMs: { p50: 1.25, p95: 4.5, p99: 9.75, p999: 23.4, max: 123.4 },
    partitions: Array.from({ length: 12 }, (_, p) => ({ partition: p, nextOffset: 33_000 + p, segments: 1 + (p % 3) })),
    rolls: 5,
    ...over,
  };
}

let open: LoadDisplay[] = [];
afterEach(async () => {
  await Promise.all(open.map((d) => d.stop()));
  open = [];
});
function track<T extends LoadDisplay>(d: T): T {
  open.push(d);
  return d;
}

describe('dashboard helpers', () => {
  it('sparkline scales to the largest value', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, 5])).toBe('██');
    expect(sparkline([0, 0, NaN])).toBe('▁▁▁');
    expect(sparkline([])).toBe('');
  });

  it('progress bar has eighth-cell resolution and a fixed width', () => {
    expect(progressBar(0.5, 10)).toEqual({ done: '█████', rest: '░░░░░' });
    expect(progressBar(0.55, 10)).toEqual({ done: '█████▌', rest: '░░░░' });
    expect(progressBar(2, 4)).toEqual({ done: '████', rest: '' });
    expect(progressBar(NaN, 3)).toEqual({ done: '', rest: '░░░' });
  });

  it('formats clocks and counts', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(65_400)).toBe('1:05');
    expect(clock(3_725_000)).toBe('1:02:05');
    expect(count(1234567.4)).toBe('1,234,567');
    expect(count(Infinity)).toBe('-');
  });

  it('keeps the frame below the terminal height, dropping partition rows first', () => {
    const v = view({ partitions: Array.from({ length: 40 }, (_, p) => ({ partition: p, nextOffset: 0, segments: 1 })) });
    const w = ['a', 'b', 'c'];
    const tall = planLayout({ view: v, windowLines: w, columns: 100, rows: 40 });
    expect(tall).toMatchObject({ border: true, spark: true, latency: true, summary: true, windowRows: 3, partitionRows: 8 });
    const height = (l: ReturnType<typeof planLayout>) =>
      (l.border ? 2 : 0) + 3 + +l.spark + +l.latency + +l.summary + (l.windowRows ? l.windowRows + 1 : 0) +
      (l.partitionBlock ? 1 + l.partitionRows + (l.partitionRows < 40 ? 1 : 0) : 0);
    for (const rows of [5, 8, 12, 16, 18, 20, 24, 30]) {
      const l = planLayout({ view: v, windowLines: w, columns: 100, rows });
      expect(height(l), `rows=${rows}`).toBeLessThan(Math.max(rows, 4));
    }
    expect(planLayout({ view: v, windowLines: w, columns: 100, rows: 14 }).partitionRows).toBeLessThan(8);
    // 0 columns / rows (not a real terminal size): defaults, no negative widths
    const zero = planLayout({ view: v, windowLines: w, columns: 0, rows: 0 });
    expect(zero.width).toBeGreaterThan(0);
  });
});

describe('dashboardDisplay', () => {
  it('renders bar, rates, sparkline, percentiles, partitions and the last 3 window lines', async () => {
    const tty = new FakeTTY(100, 40);
    const d = track(dashboardDisplay({ stream: tty.asStream() }));
    for (let i = 0; i < 12; i++) d.update(view({ records: 30_000 * (i + 1), elapsedMs: 250 * (i + 1), recordsPerSec: 10_000 * i }));
    for (let i = 1; i <= 4; i++) d.windowLine(`${i * 1000} records sent, window line ${i}`);
    await sleep(120);
    const frame = screenOf(tty).text();
    expect(frame).toContain('kseg produce → /tmp/logs');
    expect(frame).toMatch(/[█▏▎▍▌▋▊▉]+░+ +36\.0% {2}360,000\/1,000,000 records {2}ETA 0:05/);
    expect(frame).toContain('110,000 rec/s  9.54 MB/s');
    expect(frame).toContain('throughput');
    expect(frame).toContain('▁▂▂▃▄▄▅▅▆▇▇█'); // 0..110k rec/s over 12 ticks
    expect(frame).toContain('peak 110,000 rec/s');
    expect(frame).toMatch(/latency ms {2}p50 1\.25 {2}p95 4\.50 {2}p99 9\.75 {2}p99\.9 23\.4 {2}max 123/);
    expect(frame).toContain('12 partitions  ·  24 segments  ·  5 segment rolls');
    expect(frame).toMatch(/partition {2}next offset {2}segments/);
    expect(frame).toMatch(/^\W*0 {7}33,000 {9}1\b/m);
    expect(frame).toMatch(/^\W*7 {7}33,007 {9}2\b/m);
    expect(frame).not.toMatch(/^\W*8 {7}33,008/m);
    expect(frame).toContain('+4 more');
    expect(frame).not.toContain('window line 1');
    expect(frame).toContain('2000 records sent, window line 2');
    expect(frame).toContain('4000 records sent, window line 4');
    // lines fit the terminal
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    expect(frame.split('\n').length).toBeLessThan(40);
  });

  it('shows duration runs by time and open runs as a running count', async () => {
    const a = new FakeTTY(100, 30);
    const da = track(dashboardDisplay({ stream: a.asStream() }));
    da.update(view({ target: null, durationMs: 10_000, elapsedMs: 2_500, records: 123_456, latencyMs: undefined }));
    const b = new FakeTTY(100, 30);
    const db = track(dashboardDisplay({ stream: b.asStream() }));
    db.update(view({ target: null, records: 7_654_321, partitions: [], rolls: undefined }));
    await sleep(80);
    const fa = screenOf(a).text();
    expect(fa).toMatch(/ 25\.0% {2}0:03\/0:10 {2}123,456 records {2}ETA 0:08/);
    expect(fa).not.toContain('latency');
    const fb = screenOf(b).text();
    expect(fb).toContain('7,654,321 records');
    expect(fb).not.toMatch(/%|ETA|partition|rolls/);
  });

  it('stop() erases the dashboard completely, leaves earlier lines alone and writes nothing after', async () => {
    const tty = new FakeTTY(80, 24);
    tty.write('line before\n');
    const d = dashboardDisplay({ stream: tty.asStream() });
    for (let i = 0; i < 5; i++) {
      d.update(view({ recordsPerSec: 1000 * i }));
      d.windowLine(`window ${i}`);
      await sleep(30);
    }
    await sleep(80); // ink throttles frames to 20/s
    expect(screenOf(tty).text()).toContain('window 4');
    await d.stop();
    const screen = screenOf(tty);
    expect(screen.text()).toBe('line before');
    expect([screen.row, screen.col]).toEqual([1, 0]); // the caller's next line goes right below
    expect(tty.output).toContain('\x1b[?25h'); // cursor shown again
    const written = tty.chunks.length;
    d.update(view());
    d.windowLine('late');
    await d.stop(); // idempotent
    await sleep(80);
    expect(tty.chunks.length).toBe(written);
    expect(tty.listenerCount('resize')).toBe(0);
  });

  it('stop() right after an update still leaves a clean screen', async () => {
    const tty = new FakeTTY(80, 24);
    tty.write('$ kseg produce\n');
    const d = dashboardDisplay({ stream: tty.asStream() });
    for (let i = 0; i < 20; i++) d.update(view({ records: i * 1000 }));
    d.windowLine('last window line');
    await d.stop();
    expect(screenOf(tty).text()).toBe('$ kseg produce');
  });

  it('copes with a 0x0 "terminal" and with tiny ones', async () => {
    const zero = new FakeTTY(0, 0);
    const dz = track(dashboardDisplay({ stream: zero.asStream() }));
    dz.update(view());
    dz.windowLine('w');
    const tiny = new FakeTTY(20, 6);
    const dt = track(dashboardDisplay({ stream: tiny.asStream() }));
    dt.update(view());
    dt.windowLine('a long window line that will not fit in twenty columns');
    await sleep(80);
    expect(screenOf(zero).text()).toContain('kseg produce');
    const t = screenOf(tiny).text().split('\n');
    expect(t.length).toBeLessThan(6);
    for (const line of t) expect(line.length).toBeLessThanOrEqual(20);
    await dz.stop();
    await dt.stop();
    expect(screenOf(zero).text()).toBe('');
    expect(screenOf(tiny).text()).toBe('');
  });

  it('clears the screen when the terminal gets narrower and redraws to the new width', async () => {
    const tty = new FakeTTY(100, 30);
    const d = track(dashboardDisplay({ stream: tty.asStream() }));
    d.update(view());
    await sleep(60);
    tty.columns = 60;
    tty.emit('resize');
    d.update(view());
    await sleep(80);
    expect(tty.output).toContain('\x1b[2J');
    const lines = screenOf(tty).text().split('\n');
    expect(lines[0]).toMatch(/^╭─+╮$/);
    expect(lines[0].length).toBe(60);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
  });
});

describe('progressBarDisplay', () => {
  function sink() {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    return { out, lines };
  }

  it('shows percentage, ETA and rec/s for a record target, and stops on its own line', async () => {
    const tty = new FakeTTY(140, 10);
    const { out, lines } = sink();
    const d = progressBarDisplay({ stream: tty.asStream(), out });
    d.update(view({ records: 100_000, elapsedMs: 1_000 }));
    d.windowLine('100000 records sent, 100000.0 records/sec');
    d.update(view({ records: 500_000, elapsedMs: 5_000, recordsPerSec: 98_765 }));
    await d.stop();
    const text = screenOf(tty).text();
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toMatch(/^kseg produce → \/tmp\/logs █+░* 50% \| 500,000\/1,000,000 records \| 98,765 rec\/s \| 9\.54 MB\/s \| ETA 0:05$/);
    expect(screenOf(tty).row).toBe(1);
    expect(lines).toEqual(['100000 records sent, 100000.0 records/sec\n']);
    const written = tty.chunks.length;
    d.update(view());
    await d.stop();
    await sleep(150);
    expect(tty.chunks.length).toBe(written);
  });

  it('uses time for duration runs and a running count without a target', async () => {
    const a = new FakeTTY(140, 10);
    const da = progressBarDisplay({ stream: a.asStream(), out: sink().out });
    da.update(view({ target: null, durationMs: 60_000, elapsedMs: 15_000 }));
    await da.stop();
    expect(screenOf(a).text()).toMatch(/ 25% \| 0:15\/1:00 \| 400,000 records \| 100,000 rec\/s \| 9\.54 MB\/s \| ETA 0:45$/);

    const b = new FakeTTY(140, 10);
    const db = progressBarDisplay({ stream: b.asStream(), out: sink().out });
    db.update(view({ target: null, records: 5 }));
    db.update(view({ target: null, records: 1_234_567, elapsedMs: 61_000 }));
    await db.stop();
    expect(screenOf(b).text()).toBe('kseg produce → /tmp/logs 1,234,567 records | 100,000 rec/s | 9.54 MB/s | 1:01');
  });

  it('goes compact on a narrow terminal and never writes past it', async () => {
    const tty = new FakeTTY(80, 10);
    const d = progressBarDisplay({ stream: tty.asStream(), out: sink().out });
    d.update(view());
    await d.stop();
    const text = screenOf(tty).text();
    expect(text).toMatch(/^█+░+ 40% \| 400,000\/1,000,000 \| 100,000 rec\/s \| ETA 0:06$/);
    expect(text.length).toBeLessThanOrEqual(80);
  });

  it('stop() without any update writes nothing', async () => {
    const tty = new FakeTTY(80, 10);
    const d = progressBarDisplay({ stream: tty.asStream(), out: sink().out });
    await d.stop();
    expect(tty.output).toBe('');
  });
});
