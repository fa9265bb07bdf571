// Sizes and durations as people type them: `16384`, `16KiB`, `1MiB`, `64k`, `1.5GB`; `500ms`, `30s`, `2m`.
// Binary (KiB, k) and decimal (KB) multiples are both accepted and kept distinct.

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
};

export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new RangeError(`'${text}' is not a size (e.g. 16384, 16KiB, 1MiB)`);
  const v = Number(m[1]) * unit;
  if (!Number.isSafeInteger(Math.round(v))) throw new RangeError(`'${text}' is too large`);
  return Math.round(v);
}

const TIME_UNITS: Record<string, number> = { '': 1, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** Milliseconds; a bare number is milliseconds (Kafka's *.ms settings). */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? TIME_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new RangeError(`'${text}' is not a duration (e.g. 500, 500ms, 30s, 2m)`);
  return Number(m[1]) * unit;
}

export function formatSize(bytes: number): string {
  for (const [u, n] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) if (bytes >= n && bytes % n === 0) return `${bytes / n}${u}`;
  return String(bytes);
}

/** --from-time: epoch milliseconds or an ISO-8601 date. */
export function parseTime(text: string): number {
  if (/^-?\d+$/.test(text)) return Number(text);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new RangeError(`'${text}' is not a timestamp (epoch ms or ISO-8601)`);
  return t;
}
