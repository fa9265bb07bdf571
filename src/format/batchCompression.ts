// Compressing a record batch v2 whose header is written and whose records are not compressed yet,
// so that the compression (most of a compressed batch's cost) can run apart from the building:
// RecordBatchBuilder.buildForCompression() on one thread, compressBatch() on another. Pure: bytes in,
// bytes out.

import { Codec } from './attributes.js';
import { compressInto, maxCompressedLength } from './codecs/compression.js';
import { crc32c } from './crc.js';
import { writeInt32 } from './int64.js';
import { ATTRIBUTES_OFFSET, CRC_OFFSET, RECORD_BATCH_OVERHEAD, RECORDS_OFFSET } from './recordBatch.js';

/** The codec an unsealed batch's attributes name. */
export function unsealedCodec(unsealed: Uint8Array): Codec {
  return (unsealed[ATTRIBUTES_OFFSET + 1] & 0x07) as Codec;
}

/** The most bytes compressBatch() writes for an unsealed batch of `length` bytes with `codec`. */
export function compressedBatchBound(codec: Codec, length: number): number {
  return RECORD_BATCH_OVERHEAD + (maxCompressedLength(codec, length - RECORDS_OFFSET) ?? 2 * length + 1024);
}

/** Fills in a batch's length and CRC-32C, the two header fields that depend on its final bytes. */
export function sealBatch(batch: Uint8Array): void {
  writeInt32(batch, 8, batch.length - 12);
  writeInt32(batch, CRC_OFFSET, crc32c(batch, ATTRIBUTES_OFFSET, batch.length));
}

/**
 * Writes the batch `unsealed` (header written, its attributes naming the codec; records not
 * compressed; length and CRC not filled in) into `out` (room: compressedBatchBound()) with its
 * records compressed, and seals it. Returns the batch's length in `out`.
 */
export function compressBatch(unsealed: Uint8Array, out: Buffer, level?: number): number {
  const codec = unsealedCodec(unsealed);
  out.set(unsealed.subarray(0, RECORDS_OFFSET), 0);
  let n = unsealed.length - RECORDS_OFFSET;
  if (codec === Codec.None) out.set(unsealed.subarray(RECORDS_OFFSET), RECORDS_OFFSET);
  else n = compressInto(codec, unsealed.subarray(RECORDS_OFFSET), out, RECORDS_OFFSET, { level, magic: 2 });
  const length = RECORDS_OFFSET + n;
  sealBatch(out.subarray(0, length));
  return length;
}
