// Typed errors for the format layer. Every error that comes from bad bytes carries the byte
// position (relative to the buffer or file being read) so tools can say exactly where data is bad.

/** Base class: anything kseg throws on purpose. The CLI prints `message` on one line, no stack. */
export class KsegError extends Error {
  override name = 'KsegError';
}

/** Bytes do not form a valid record batch / message / record (Kafka's CorruptRecordException). */
export class CorruptRecordError extends KsegError {
  override name = 'CorruptRecordError';
  constructor(
    readonly reason: string,
    /** Byte position where the bad structure starts, or -1 if unknown. */
    readonly position: number = -1,
  ) {
    super(position >= 0 ? `${reason} (at byte ${position})` : reason);
  }
}

/** Decompression failed or would exceed the configured output limit (bombs end here). */
export class CompressionError extends KsegError {
  override name = 'CompressionError';
  constructor(
    readonly codec: string,
    readonly reason: string,
    readonly position: number = -1,
  ) {
    super(`${codec}: ${reason}${position >= 0 ? ` (batch at byte ${position})` : ''}`);
  }
}

/** Valid bytes that use something this combination does not allow (zstd in v0/v1, unknown codec id). */
export class UnsupportedFormatError extends KsegError {
  override name = 'UnsupportedFormatError';
  constructor(
    reason: string,
    readonly position: number = -1,
  ) {
    super(position >= 0 ? `${reason} (at byte ${position})` : reason);
  }
}
