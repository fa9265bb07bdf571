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
  const d = DEFAULT_LOG_CONFIG;
  // One object literal, every field in the same order: every config then has the same shape (V8
  // map). Spread copies did not always: a segment's config came with a new map now and then, and
  // the code optimized for the last one (LogSegment.shouldRoll, append) was thrown away.
  return {
    segmentBytes: overrides.segmentBytes ?? d.segmentBytes,
    segmentMs: overrides.segmentMs ?? d.segmentMs,
    segmentIndexBytes: overrides.segmentIndexBytes ?? d.segmentIndexBytes,
    indexIntervalBytes: overrides.indexIntervalBytes ?? d.indexIntervalBytes,
    flushMessages: overrides.flushMessages ?? d.flushMessages,
    flushMs: overrides.flushMs ?? d.flushMs,
  };
}
