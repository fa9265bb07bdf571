// int64 fields as JS numbers: exact for |v| < 2^53, which covers every offset, timestamp and
// producer id a broker hands out. Reading two int32 halves avoids a BigInt allocation per field.

export function readInt64(buf: Uint8Array, pos: number): number {
  const hi = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
  const lo = ((buf[pos + 4] << 24) | (buf[pos + 5] << 16) | (buf[pos + 6] << 8) | buf[pos + 7]) >>> 0;
  return hi * 4294967296 + lo;
}

export function writeInt64(buf: Uint8Array, pos: number, value: number): void {
  const hi = Math.floor(value / 4294967296);
  const lo = value - hi * 4294967296;
  writeInt32(buf, pos, hi | 0);
  writeInt32(buf, pos + 4, lo >>> 0);
}

export function readInt32(buf: Uint8Array, pos: number): number {
  return (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
}

export function readUInt32(buf: Uint8Array, pos: number): number {
  return readInt32(buf, pos) >>> 0;
}

export function readInt16(buf: Uint8Array, pos: number): number {
  return ((buf[pos] << 24) | (buf[pos + 1] << 16)) >> 16;
}

export function writeInt32(buf: Uint8Array, pos: number, value: number): void {
  buf[pos] = value >>> 24;
  buf[pos + 1] = value >>> 16;
  buf[pos + 2] = value >>> 8;
  buf[pos + 3] = value;
}

export function writeInt16(buf: Uint8Array, pos: number, value: number): void {
  buf[pos] = value >>> 8;
  buf[pos + 1] = value;
}
