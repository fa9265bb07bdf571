// gzip (codec 1): RFC 1952 through node:zlib. Java's GZIPOutputStream writes MTIME 0, and so does zlib.
import * as zlib from 'node:zlib';
import { CompressionError } from '../errors.js';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, type CompressOptions, type DecompressOptions } from './limits.js';

export function gzipCompress(data: Uint8Array, opts: CompressOptions = {}): Buffer {
  const level = opts.level === undefined || opts.level < 0 ? zlib.constants.Z_DEFAULT_COMPRESSION : opts.level;
  return zlib.gzipSync(data, { level });
}

export function gzipDecompress(data: Uint8Array, opts: DecompressOptions = {}): Buffer {
  const limit = opts.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  try {
    // Like Java's GZIPInputStream, zlib reads concatenated gzip members.
    return zlib.gunzipSync(data, { maxOutputLength: limit });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new CompressionError('gzip', `decompressed size exceeds the ${limit}-byte limit`, opts.position);
    }
    throw new CompressionError('gzip', e.message, opts.position);
  }
}
