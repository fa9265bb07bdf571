// Renders a bench report: a plain-text table for terminals, and a self-contained HTML page whose
// charts are Vega-Lite specs compiled and rendered to SVG in Node (no browser, no network needed to
// view it).

import type { TopLevelSpec } from 'vega-lite';
import type { BenchReport } from './bench.js';
import { formatSize } from './units.js';

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');

export function benchTable(r: BenchReport): string[] {
  const d = r.baseline.disk;
  const lines = [
    `disk under ${d.dir}: write ${f(d.writeMBps)} MiB/s buffered, ${f(d.writeFdatasyncMBps)} MiB/s with fdatasync, page-cache read ${f(d.pageCacheReadMBps)} MiB/s (${formatSize(d.bytes)})`,
    ...r.baseline.codecs.map((c) => `codec ${c.codec}: compress ${f(c.compressMBps)} MiB/s, decompress ${f(c.decompressMBps)} MiB/s, ratio ${f(c.ratio, 3)}`),
    '',
  ];
  const header = ['cell', 'produce rec/s', 'MiB/s', 'vs disk', 'vs codec', 'p50 ms', 'p99 ms', 'ratio', 'consume rec/s', 'MiB/s', 'vs read'];
  const rows = r.results.map((c) => [
    c.id,
    f(c.produce.recordsPerSec, 0),
    f(c.produce.mbPerSec),
    f(c.ratios.produceVsDiskWrite, 2),
    c.ratios.produceVsCodec === null ? '-' : f(c.ratios.produceVsCodec, 2),
    f(c.produce.latencyMs.p50, 2),
    f(c.produce.latencyMs.p99, 2),
    f(c.produce.compressionRatio, 3),
    f(c.consume.recordsPerSec, 0),
    f(c.consume.mbPerSec),
    f(c.ratios.consumeVsPageCacheRead, 2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [...lines, fmt(header), ...rows.map(fmt)];
}

/** A cell's id cut down to the knobs that differ between cells (whole ids are cut off as axis labels). */
function shortLabels(ids: string[]): string[] {
  const parts = ids.map((id) => id.split(' '));
  const varies = (i: number) => parts.some((p) => p[i] !== parts[0][i] || p.length !== parts[0].length);
  return parts.map((p, _, all) => (all.length < 2 ? p : p.filter((_t, i) => varies(i))).join(' '));
}

function rows(r: BenchReport) {
  const labels = shortLabels(r.results.map((c) => c.id));
  return r.results.map((c, i) => ({
    cell: c.id,
    label: labels[i],
    codec: c.config.compression,
    batchSize: c.config.batchSize,
    batchLabel: formatSize(c.config.batchSize),
    recordSize: c.config.recordSize,
    flush: c.config.flushMessages === null ? 'never' : String(c.config.flushMessages),
    partitions: c.config.partitions,
    produceMBps: c.produce.mbPerSec,
    produceRecs: c.produce.recordsPerSec,
    consumeMBps: c.consume.mbPerSec,
    compressionRatio: c.produce.compressionRatio,
    p50: c.produce.latencyMs.p50,
    p95: c.produce.latencyMs.p95,
    p99: c.produce.latencyMs.p99,
    p999: c.produce.latencyMs.p999,
  }));
}

export function chartSpecs(r: BenchReport): { title: string; spec: TopLevelSpec }[] {
  const values = rows(r);
  const latency = values.flatMap((v) => (['p50', 'p95', 'p99', 'p999'] as const).map((p) => ({ cell: v.cell, label: v.label, percentile: p, ms: v[p] })));
  return [
    {
      title: 'Produce throughput vs batch size, per codec',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 640,
        height: 320,
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'batchSize', type: 'quantitative', scale: { type: 'log' }, title: 'batch.size (bytes)' },
          y: { field: 'produceMBps', type: 'quantitative', title: 'produce MiB/s' },
          color: { field: 'codec', type: 'nominal' },
          detail: [{ field: 'recordSize' }, { field: 'flush' }, { field: 'partitions' }],
          tooltip: [{ field: 'cell' }, { field: 'produceMBps', format: '.1f' }],
        },
      },
    },
    {
      title: 'Produce latency percentiles per cell',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 640,
        height: 320,
        data: { values: latency },
        mark: 'bar',
        encoding: {
          y: { field: 'label', type: 'nominal', title: null, axis: { labelLimit: 0 } },
          yOffset: { field: 'percentile', type: 'nominal', sort: ['p50', 'p95', 'p99', 'p999'] },
          x: { field: 'ms', type: 'quantitative', title: 'latency (ms)' },
          color: { field: 'percentile', type: 'nominal', sort: ['p50', 'p95', 'p99', 'p999'] },
        },
      },
    },
    {
      title: 'Compression ratio vs produce speed',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 640,
        height: 320,
        data: { values },
        mark: { type: 'point', filled: true, size: 90 },
        encoding: {
          x: { field: 'compressionRatio', type: 'quantitative', title: 'bytes on disk / uncompressed' },
          y: { field: 'produceMBps', type: 'quantitative', title: 'produce MiB/s' },
          color: { field: 'codec', type: 'nominal' },
          shape: { field: 'batchLabel', type: 'nominal', title: 'batch.size' },
          tooltip: [{ field: 'cell' }],
        },
      },
    },
  ];
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Imported on first use: vega and vega-lite take ~0.4 s to load, which every kseg command paid.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function benchHtml(r: BenchReport): Promise<string> {
  const charts = await Promise.all(chartSpecs(r).map(async (c) => `<section><h2>${esc(c.title)}</h2>${await renderSvg(c.spec)}</section>`));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kseg bench ${esc(r.createdAt)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}section{margin:2em 0}</style>
</head><body>
<h1>kseg bench</h1>
<p>${esc(r.createdAt)} · ${esc(r.machine.cpuModel)} × ${r.machine.cpus} · Node ${esc(r.machine.node)} · ${r.options.repeat} repeat(s) per cell, ${formatSize(r.options.bytesPerCell)} per cell</p>
<pre>${esc(benchTable(r).join('\n'))}</pre>
${charts.join('\n')}
</body></html>
`;
}
