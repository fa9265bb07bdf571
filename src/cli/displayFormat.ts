// Number and time formatting shared by the live displays (dashboard.tsx, progressBar.ts).

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1,234,567 (rounded); '-' for NaN/Infinity. */
export function count(n: number): string {
  return Number.isFinite(n) ? int.format(n) : '-';
}

/** m:ss, or h:mm:ss from an hour on. */
export function clock(ms: number): string {
  const t = Math.max(0, Math.round((Number.isFinite(ms) ? ms : 0) / 1000));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Estimated time left from the fraction done so far; null before any progress. */
export function etaMs(elapsedMs: number, ratio: number): number | null {
  if (!(ratio > 0)) return null;
  return (elapsedMs * Math.max(0, 1 - ratio)) / ratio;
}
