// Topic-level log settings with Kafka's names and defaults (LogConfig / ServerLogConfigs).
export interface LogConfig {
  /** segment.bytes */
  segmentBytes: number;
  /** segment.ms */
  segmentMs: number;
  /** segment.index.bytes */
  segmentIndexBytes: number;
  /** index.interval.bytes */
  indexIntervalBytes: number;
  /** flush.messages (Infinity = never, Kafka's Long.MAX default) */
  flushMessages: number;
  /** flush.ms (Infinity = never) */
  flushMs: number;
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  flushMessages: Infinity,
  flushMs: Infinity,
};

export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  const c = { ...DEFAULT_LOG_CONFIG };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (c as Record<string, number>)[k] = v;
  return c;
}
