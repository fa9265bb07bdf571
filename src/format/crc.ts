// Checksums: CRC-32C (Castagnoli) for record batch v2 and producer snapshots, CRC-32 (IEEE) for
// legacy v0/v1 messages. Both native: @node-rs/crc32 (SSE4.2) and node:zlib.

import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import * as zlib from 'node:zlib';

/** CRC-32C of `buf[start, end)`, unsigned. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return nativeCrc32c(view) >>> 0;
}

/** CRC-32 (IEEE) of `buf[start, end)`, unsigned. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return (zlib as unknown as { crc32(b: Uint8Array): number }).crc32(view) >>> 0;
}
