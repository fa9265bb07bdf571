// The --html report in headless Chromium: three charts render as non-empty SVGs with data marks,
// no console errors, no failed requests (nor any request but the page itself). Skipped with a
// printed reason when /usr/bin/chromium is absent, except in CI (CI set), where that fails.
// KSEG_BENCH_SCREENSHOT=/some/file.png keeps a full-page screenshot for a human look.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { kseg } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
const inCI = !!process.env.CI;
if (missing && !inCI) console.warn(`test/bench/html.test.ts skipped: ${CHROMIUM} is absent (apt-get install chromium to run it)`);

const work = mkdtempSync(join(tmpdir(), 'kseg-bench-html-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(missing && !inCI)('kseg bench --html in headless Chromium', () => {
  it('renders three charts with marks, with no console errors or failed requests', async () => {
    if (missing) throw new Error(`${CHROMIUM} is absent; CI must install the Debian chromium package (.ci/run does)`);
    const html = join(work, 'report.html');
    const run = kseg(['bench', '--matrix', 'compression=none,lz4 batch-size=16KiB,256KiB', '--bytes-per-cell', '1MiB', '--repeat', '1', '--dir', work, '--html', html, '--no-progress']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    const context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
      });
      const url = pathToFileURL(html).href;
      await page.goto(url, { waitUntil: 'load' });

      expect(await page.title()).toMatch(/^kseg bench \d{4}-/);
      const charts = await page.$$eval('section', (sections) =>
        sections.map((s) => {
          const svgs = s.querySelectorAll('svg');
          const svg = svgs[0];
          const box = svg?.getBoundingClientRect();
          const marks = (cls: string) =>
            [...s.querySelectorAll(`g.role-mark.${cls} path`)].filter((p) => {
              const b = (p as SVGGraphicsElement).getBBox();
              return (p.getAttribute('d') ?? '').length > 0 && (b.width > 0 || b.height > 0);
            }).length;
          return {
            title: s.querySelector('h2')?.textContent,
            svgs: svgs.length,
            width: box?.width ?? 0,
            height: box?.height ?? 0,
            line: marks('mark-line'),
            symbol: marks('mark-symbol'),
            rect: marks('mark-rect'),
            axisLabels: [...s.querySelectorAll('g.role-axis-label text')].map((t) => t.textContent),
          };
        }),
      );
      expect(charts.map((c) => c.title)).toEqual(['Produce throughput vs batch size, per codec', 'Produce latency percentiles per cell', 'Compression ratio vs produce speed']);
      for (const c of charts) {
        expect(c.svgs).toBe(1);
        expect(c.width).toBeGreaterThan(300);
        expect(c.height).toBeGreaterThan(200);
      }
      // 4 cells: a line per codec through its 2 batch sizes; 4 percentile bars per cell; 4 points.
      expect(charts[0]).toMatchObject({ line: 2, symbol: 4 });
      expect(charts[1]).toMatchObject({ rect: 16 });
      expect(charts[2]).toMatchObject({ symbol: 4 });
      // latency bars are labelled with the knobs that tell the cells apart, not cut-off ids
      expect(charts[1].axisLabels).toEqual(expect.arrayContaining(['compression=none batch-size=16KiB', 'compression=lz4 batch-size=256KiB']));

      const png = await page.screenshot({ fullPage: true });
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      if (process.env.KSEG_BENCH_SCREENSHOT) writeFileSync(process.env.KSEG_BENCH_SCREENSHOT, png);

      expect(problems).toEqual([]);
      expect(requests).toEqual([url]); // self-contained: nothing fetched but the page
    } finally {
      await context.close();
    }
  });
});
