// lz4 (codec 3): the LZ4 *frame* format, framed here around the `lz4` package's native block codec
// so the frame is exactly the one Kafka's Java Lz4BlockOutputStream writes: FLG 0x60 (version 1,
// independent blocks, no checksums, no content size), BD 0x40 (64 KiB blocks), then
// [int32 LE size | bit 31 = stored][block]..., end mark 0.
//
// Magic 0 quirk (KAFKA-3160): Kafka 0.8/0.9 computed the descriptor checksum over magic+FLG+BD.
// Java still *writes* that broken checksum for magic 0 and *ignores* the checksum when reading
// magic 0; for magic 1/2 the spec checksum is written and checked.
import { createRequire } from 'node:module';
import { CompressionError } from '../errors.js';
import { BoundedOutput, DEFAULT_MAX_DECOMPRESSED_BYTES, type CompressOptions, type DecompressOptions } from './limits.js';

const require = createRequire(import.meta.url);
interface Lz4Module {
  encodeBound(n: number): number;
  encodeBlock(src: Uint8Array, dst: Uint8Array, start?: number, end?: number): number;
  decodeBlock(src: Uint8Array, dst: Uint8Array): number;
  utils: { descriptorChecksum(d: Uint8Array): number };
}
// Loaded on first use: a native addon costs start-up time to every command and worker that never compresses.
let module: Lz4Module | undefined;
const lib = (): Lz4Module => (module ??= require('lz4') as Lz4Module);

const MAGIC = 0x184d2204;
const FLG_JAVA = 0x60;
const BD_64KB = 0x40;
const BLOCK_SIZE = 64 * 1024;
const STORED_FLAG = 0x80000000;
const BLOCK_MAX_SIZES = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

/** The most bytes lz4CompressInto writes for `n` input bytes (every block stored). */
export function lz4MaxCompressedLength(n: number): number {
  return 7 + Math.ceil(n / BLOCK_SIZE) * (4 + BLOCK_SIZE) + 4;
}

export function lz4Compress(data: Uint8Array, opts: CompressOptions = {}): Buffer {
  const out = Buffer.allocUnsafe(lz4MaxCompressedLength(data.length));
  return out.subarray(0, lz4CompressInto(data, out, 0, opts));
}

/**
 * Writes the frame of `data` into `out` from `at` (room for lz4MaxCompressedLength(data.length)
 * bytes needed) and returns its length. Blocks are compressed in place: the encoder gets one byte
 * less than the block as room, so a block that would not shrink comes back as 0 and is stored
 * instead, as Java does when compressed >= raw; a limited output encodes the same bytes.
 */
export function lz4CompressInto(data: Uint8Array, out: Buffer, at: number, opts: CompressOptions = {}): number {
  const lz4 = lib();
  const input = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  out.writeUInt32LE(MAGIC, at);
  out[at + 4] = FLG_JAVA;
  out[at + 5] = BD_64KB;
  out[at + 6] = opts.magic === 0 ? lz4.utils.descriptorChecksum(out.subarray(at, at + 6)) : lz4.utils.descriptorChecksum(out.subarray(at + 4, at + 6));
  let pos = at + 7;
  for (let off = 0; off < input.length; off += BLOCK_SIZE) {
    const block = input.subarray(off, Math.min(off + BLOCK_SIZE, input.length));
    const n = block.length > 1 ? lz4.encodeBlock(block, out, pos + 4, pos + 4 + block.length - 1) : 0;
    if (n > 0) {
      out.writeUInt32LE(n, pos);
      pos += 4 + n;
    } else {
      out.writeUInt32LE((block.length | STORED_FLAG) >>> 0, pos);
      out.set(block, pos + 4);
      pos += 4 + block.length;
    }
  }
  out.writeUInt32LE(0, pos);
  return pos + 4 - at;
}

export function lz4Decompress(data: Uint8Array, opts: DecompressOptions = {}): Buffer {
  const lz4 = lib();
  const limit = opts.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const p = opts.position;
  const fail = (why: string): never => {
    throw new CompressionError('lz4', why, p);
  };
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (view.length < 7) fail('frame is shorter than its header');
  if (view.readUInt32LE(0) !== MAGIC) fail(`bad frame magic 0x${view.readUInt32LE(0).toString(16)}`);
  const flg = view[4];
  const bd = view[5];
  if (flg >> 6 !== 1) fail(`unsupported frame version ${flg >> 6}`);
  if ((flg & 0x20) === 0) fail('Dependent block stream is unsupported');
  if (flg & 0x03) fail('reserved or dictionary bits set in frame descriptor');
  const blockChecksum = (flg & 0x10) !== 0;
  const contentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const blockMax = BLOCK_MAX_SIZES[(bd >> 4) & 0x07];
  if (!blockMax || bd & 0x8f) fail(`bad block descriptor 0x${bd.toString(16)}`);
  let pos = 6 + (contentSize ? 8 : 0);
  if (pos >= view.length) fail('frame is shorter than its header');
  if (opts.magic !== 0) {
    const hc = lz4.utils.descriptorChecksum(view.subarray(4, pos));
    if (hc !== view[pos]) fail(`Stream frame descriptor corrupted (header checksum 0x${view[pos].toString(16)}, expected 0x${hc.toString(16)})`);
  }
  pos++;
  let declared = -1;
  if (contentSize) {
    declared = Number(view.readBigUInt64LE(6));
    if (declared > limit) fail(`declared content size ${declared} exceeds the ${limit}-byte limit`);
  }
  const out = new BoundedOutput(declared >= 0 ? declared : Math.min(blockMax, view.length * 4), limit);
  for (;;) {
    if (pos + 4 > view.length) fail('truncated frame (missing end mark)');
    const word = view.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const stored = (word & STORED_FLAG) !== 0;
    const size = word & 0x7fffffff;
    if (size > blockMax) fail(`block size ${size} exceeds the frame's maximum ${blockMax}`);
    if (pos + size > view.length) fail(`block of ${size} bytes runs past the end of the frame`);
    if (stored) {
      if (!out.reserve(size)) fail(`decompressed size exceeds the ${limit}-byte limit`);
      view.copy(out.buf, out.length, pos, pos + size);
      out.length += size;
    } else {
      const room = Math.min(blockMax, limit - out.length);
      if (room <= 0 || !out.reserve(room)) fail(`decompressed size exceeds the ${limit}-byte limit`);
      const n = lz4.decodeBlock(view.subarray(pos, pos + size), out.buf.subarray(out.length, out.length + room));
      if (n < 0) fail(room < blockMax ? `block is corrupt or decompresses past the ${limit}-byte limit` : 'block is corrupt');
      out.length += n;
    }
    pos += size;
    // Like Kafka, checksums are skipped rather than verified (KAFKA-20528).
    if (blockChecksum) pos += 4;
  }
  if (contentChecksum) pos += 4;
  if (pos > view.length) fail('truncated frame (missing content checksum)');
  return out.result();
}
