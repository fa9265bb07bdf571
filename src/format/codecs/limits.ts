// Decompression limits. A record batch may claim any size; a bomb must fail with an error, not
// exhaust memory. Every decompressor takes the same options and refuses to produce more than
// `maxBytes` of output.

export interface DecompressOptions {
  /** Maximum decompressed size in bytes (default 64 MiB). */
  maxBytes?: number;
  /** Message format version of the enclosing batch: lz4 and zstd rules depend on it. */
  magic?: number;
  /** Byte position of the batch, for error messages. */
  position?: number;
}

export interface CompressOptions {
  /** Codec level (gzip 1-9, lz4 1-17, zstd -131072..22); undefined = Kafka's default. */
  level?: number;
  magic?: number;
}

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/** Growable output that never exceeds its limit: the shared bound for every codec. */
export class BoundedOutput {
  buf: Buffer;
  length = 0;
  constructor(
    initial: number,
    readonly limit: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(64, Math.min(initial, limit)));
  }

  /** Make room for `n` more bytes; false if that would pass the limit. */
  reserve(n: number): boolean {
    const need = this.length + n;
    if (need > this.limit) return false;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.min(this.limit, Math.max(need, this.buf.length * 2)));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    return true;
  }

  /** Room left before the limit, but at least capped by what is allocated after `reserve`. */
  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}
