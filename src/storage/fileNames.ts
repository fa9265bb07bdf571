// Kafka's file naming (LogFileUtils): segments are named by their base offset, zero-padded to 20
// digits; partition directories are `<topic>-<partition>`.

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const TXN_INDEX_SUFFIX = '.txnindex';
export const SNAPSHOT_SUFFIX = '.snapshot';

export function offsetFileName(offset: number, suffix: string): string {
  return String(offset).padStart(20, '0') + suffix;
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** `<topic>-<partition>` → parts, or null for dirs that are not partition dirs (incl. -delete/-future). */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const m = /^(.+)-(\d+)$/.exec(name);
  if (!m || name.includes('.')) {
    // topic names may contain dots; only the -delete/-future/-stray suffixed dirs are excluded
    if (!m || /-(delete|future|stray)$/.test(name)) return null;
  }
  return { topic: m[1], partition: Number(m[2]) };
}

/** Base offset from a segment-style name (`00000000000000000042.log`), or null. */
export function parseOffsetFileName(name: string, suffix: string): number | null {
  if (!name.endsWith(suffix)) return null;
  const stem = name.slice(0, -suffix.length);
  return /^\d{20}$/.test(stem) ? Number(stem) : null;
}
