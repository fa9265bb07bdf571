// Results of `kseg verify`: every problem names the file, byte position, offset, the check that
// failed, and what was expected vs found.

export type Severity = 'error' | 'warning' | 'info';

export interface VerifyProblem {
  file: string;
  position: number | null;
  offset: number | null;
  check: string;
  message: string;
  severity: Severity;
  expected?: string | number;
  found?: string | number;
}

export interface VerifyStats {
  partitions: number;
  segments: number;
  batches: number;
  records: number;
  bytes: number;
  files: number;
}

export interface PartitionSummary {
  dir: string;
  segments: number;
  batches: number;
  records: number;
  bytes: number;
  logEndOffset: number;
  errors: number;
  warnings: number;
}

export interface VerifyResult {
  ok: boolean;
  problems: VerifyProblem[];
  stats: VerifyStats;
  partitions: PartitionSummary[];
}

export interface VerifyOptions {
  /** Decompress every batch, check record counts, offsets deltas, max timestamps and legacy inner CRCs. */
  deep?: boolean;
  maxDecompressedBytes?: number;
  fetchSize?: number;
  /**
   * Read every segment into this buffer (verify() and its worker threads make one): a new buffer
   * per segment is fresh memory each time, whose first touch cost more than reading a small segment.
   */
  readBuffer?: Buffer;
}
