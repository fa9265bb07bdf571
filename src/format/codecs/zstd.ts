// zstd (codec 4, record batch v2 only): zstd-napi's native binding. Decompression streams into a
// bounded buffer because Java writes frames without a content size, so the output size is
// unknown up front and a bomb must stop at the limit.
import { createRequire } from 'node:module';
import { CompressionError } from '../errors.js';
import { BoundedOutput, DEFAULT_MAX_DECOMPRESSED_BYTES, type CompressOptions, type DecompressOptions } from './limits.js';

const require = createRequire(import.meta.url);
type StreamResult = [returnValue: number, dstProduced: number, srcConsumed: number];
type ZstdBinding = {
  CCtx: new () => { compress(dst: Uint8Array, src: Uint8Array, level: number): number };
  DCtx: new () => { decompressStream(dst: Uint8Array, src: Uint8Array): StreamResult; reset(r: number): void };
  compressBound(n: number): number;
  getFrameContentSize(b: Uint8Array): number | null;
};
// Loaded on first use (see lz4.ts).
let loaded: ZstdBinding | undefined;
const lib = (): ZstdBinding => (loaded ??= require('zstd-napi/binding') as ZstdBinding);

/** Kafka's default zstd level (CompressionType.ZSTD default 3). */
export const ZSTD_DEFAULT_LEVEL = 3;
const RESET_SESSION_ONLY = 1;
let cctx: InstanceType<ZstdBinding['CCtx']> | undefined;
let dctx: InstanceType<ZstdBinding['DCtx']> | undefined;

export function zstdCompress(data: Uint8Array, opts: CompressOptions = {}): Buffer {
  const out = Buffer.allocUnsafe(zstdMaxCompressedLength(data.length));
  return out.subarray(0, zstdCompressInto(data, out, 0, opts));
}

/** The most bytes zstdCompressInto() writes for `length` input bytes (ZSTD_compressBound). */
export function zstdMaxCompressedLength(length: number): number {
  return lib().compressBound(length);
}

/**
 * Compresses `data` into `out` from `at` (room: zstdMaxCompressedLength()); returns the bytes
 * written. A producer reusing one buffer skips a fresh ~1 MiB allocation per batch, which this VM
 * pays in page faults.
 */
export function zstdCompressInto(data: Uint8Array, out: Buffer, at: number, opts: CompressOptions = {}): number {
  cctx ??= new (lib().CCtx)();
  return cctx.compress(at === 0 ? out : out.subarray(at), data, opts.level ?? ZSTD_DEFAULT_LEVEL);
}

export function zstdDecompress(data: Uint8Array, opts: DecompressOptions = {}): Buffer {
  const binding = lib();
  const limit = opts.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const p = opts.position;
  let declared: number | null = null;
  try {
    declared = binding.getFrameContentSize(data);
  } catch (err) {
    throw new CompressionError('zstd', (err as Error).message, p);
  }
  if (declared !== null && declared > limit) throw new CompressionError('zstd', `declared content size ${declared} exceeds the ${limit}-byte limit`, p);
  dctx ??= new binding.DCtx();
  const out = new BoundedOutput(declared ?? Math.min(limit, Math.max(64 * 1024, data.length * 4)), limit);
  let src = data;
  try {
    dctx.reset(RESET_SESSION_ONLY);
    for (;;) {
      if (out.length === out.buf.length) {
        const grow = Math.min(out.buf.length, limit - out.length);
        if (grow <= 0 || !out.reserve(grow)) throw new CompressionError('zstd', `decompressed size exceeds the ${limit}-byte limit`, p);
      }
      const [ret, produced, consumed] = dctx.decompressStream(out.buf.subarray(out.length), src);
      out.length += produced;
      src = src.subarray(consumed);
      // ret === 0 ends a frame; more frames may follow (Java's reader accepts concatenated frames).
      if (src.length === 0 && ret === 0) break;
      const roomLeft = out.length < out.buf.length;
      if (roomLeft && (src.length === 0 || (produced === 0 && consumed === 0))) throw new CompressionError('zstd', 'truncated or corrupt frame', p);
    }
  } catch (err) {
    if (err instanceof CompressionError) throw err;
    throw new CompressionError('zstd', (err as Error).message, p);
  }
  return out.result();
}
