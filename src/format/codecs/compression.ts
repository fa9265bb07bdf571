// One entry point for every codec, with Kafka's per-magic rules (zstd only in v2; lz4 from v1 on
// the write side, read leniently for v0 data written by old clients).
import { Codec, codecName } from '../attributes.js';
import { UnsupportedFormatError } from '../errors.js';
import { gzipCompress, gzipDecompress } from './gzip.js';
import type { CompressOptions, DecompressOptions } from './limits.js';
import { lz4Compress, lz4CompressInto, lz4Decompress, lz4MaxCompressedLength } from './lz4.js';
import { snappyCompress, snappyDecompress } from './snappy.js';
import { zstdCompress, zstdCompressInto, zstdDecompress, zstdMaxCompressedLength } from './zstd.js';

export type { CompressOptions, DecompressOptions } from './limits.js';
export { DEFAULT_MAX_DECOMPRESSED_BYTES } from './limits.js';

function checkCodec(codec: number, magic: number, position?: number): void {
  if (codec < 0 || codec > 4) throw new UnsupportedFormatError(`Unknown compression type id: ${codec}`, position);
  if (codec === Codec.Zstd && magic < 2) throw new UnsupportedFormatError(`ZStandard compression is not supported for magic ${magic}`, position);
}

export function compress(codec: Codec, data: Uint8Array, opts: CompressOptions = {}): Buffer {
  checkCodec(codec, opts.magic ?? 2);
  switch (codec) {
    case Codec.Gzip:
      return gzipCompress(data, opts);
    case Codec.Snappy:
      return snappyCompress(data, opts);
    case Codec.Lz4:
      return lz4Compress(data, opts);
    case Codec.Zstd:
      return zstdCompress(data, opts);
    default:
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
}

/**
 * The most bytes compressInto() writes for `length` input bytes, for codecs that compress into a
 * caller's buffer (lz4, zstd); null for the others, which compress() into a buffer of their own.
 */
export function maxCompressedLength(codec: Codec, length: number): number | null {
  return codec === Codec.Lz4 ? lz4MaxCompressedLength(length) : codec === Codec.Zstd ? zstdMaxCompressedLength(length) : null;
}

/** Compresses `data` into `out` from `at` (room: maxCompressedLength()); returns the bytes written. */
export function compressInto(codec: Codec, data: Uint8Array, out: Buffer, at: number, opts: CompressOptions = {}): number {
  checkCodec(codec, opts.magic ?? 2);
  if (codec === Codec.Lz4) return lz4CompressInto(data, out, at, opts);
  if (codec === Codec.Zstd) return zstdCompressInto(data, out, at, opts);
  const compressed = compress(codec, data, opts);
  compressed.copy(out, at);
  return compressed.length;
}

export function decompress(codec: number, data: Uint8Array, opts: DecompressOptions = {}): Buffer {
  checkCodec(codec, opts.magic ?? 2, opts.position);
  switch (codec) {
    case Codec.Gzip:
      return gzipDecompress(data, opts);
    case Codec.Snappy:
      return snappyDecompress(data, opts);
    case Codec.Lz4:
      return lz4Decompress(data, opts);
    case Codec.Zstd:
      return zstdDecompress(data, opts);
    default:
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
}

export { codecName };
