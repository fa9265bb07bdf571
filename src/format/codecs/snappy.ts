// snappy (codec 2). Java's producer writes xerial's SnappyOutputStream framing: a 16-byte header
// (magic 82 'SNAPPY' 00, version 1, min-compatible 1) then blocks of [int32 BE length][raw snappy]
// over 32 KiB of input each. No npm package writes that framing, so it is done here around the
// native raw codec (the one hand-written piece the guide allows). Readers also accept a bare raw
// snappy block, as SnappyInputStream and librdkafka do.
import { createRequire } from 'node:module';
import { CompressionError } from '../errors.js';
import { BoundedOutput, DEFAULT_MAX_DECOMPRESSED_BYTES, type CompressOptions, type DecompressOptions } from './limits.js';

const require = createRequire(import.meta.url);
type SnappyModule = typeof import('snappy');
// Loaded on first use (see lz4.ts).
let loaded: SnappyModule | undefined;
const lib = (): SnappyModule => (loaded ??= require('snappy') as SnappyModule);

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
/** SnappyOutputStream.DEFAULT_BLOCK_SIZE */
export const XERIAL_BLOCK_SIZE = 32 * 1024;

export function snappyCompress(data: Uint8Array, _opts: CompressOptions = {}): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  parts.push(header);
  for (let off = 0; off < data.length; off += XERIAL_BLOCK_SIZE) {
    const block = lib().compressSync(data.subarray(off, Math.min(off + XERIAL_BLOCK_SIZE, data.length)));
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

export function isXerialFramed(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_SIZE) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** The uncompressed length a raw snappy block declares in its varint preamble. */
function rawDeclaredLength(data: Uint8Array, start: number, end: number, position: number | undefined): number {
  let result = 0;
  let shift = 0;
  for (let i = start; i < end && shift <= 28; i++, shift += 7) {
    const b = data[i];
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
  }
  throw new CompressionError('snappy', 'corrupt raw snappy block (bad length preamble)', position);
}

function uncompressRaw(block: Uint8Array, position: number | undefined): Buffer {
  try {
    return lib().uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (err) {
    throw new CompressionError('snappy', (err as Error).message, position);
  }
}

export function snappyDecompress(data: Uint8Array, opts: DecompressOptions = {}): Buffer {
  const limit = opts.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const pos = opts.position;
  if (!isXerialFramed(data)) {
    const declared = rawDeclaredLength(data, 0, data.length, pos);
    if (declared > limit) throw new CompressionError('snappy', `decompressed size ${declared} exceeds the ${limit}-byte limit`, pos);
    return uncompressRaw(data, pos);
  }
  const out = new BoundedOutput(data.length * 3, limit);
  let off = XERIAL_HEADER_SIZE;
  while (off < data.length) {
    if (off + 4 > data.length) throw new CompressionError('snappy', 'truncated xerial block length', pos);
    const len = (data[off] << 24) | (data[off + 1] << 16) | (data[off + 2] << 8) | data[off + 3];
    off += 4;
    if (len < 0 || off + len > data.length) throw new CompressionError('snappy', `xerial block length ${len} runs past the end of the data`, pos);
    const declared = rawDeclaredLength(data, off, off + len, pos);
    if (!out.reserve(declared)) throw new CompressionError('snappy', `decompressed size exceeds the ${limit}-byte limit`, pos);
    const block = uncompressRaw(data.subarray(off, off + len), pos);
    if (block.length !== declared) throw new CompressionError('snappy', 'xerial block decompressed to an unexpected length', pos);
    block.copy(out.buf, out.length);
    out.length += block.length;
    off += len;
  }
  return out.result();
}
