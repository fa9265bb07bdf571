// kafka-dump-log's batch line for a record batch v2, encoded straight into the output buffer: the
// bytes of batchLine(batchEvent(batch)) plus a newline, without the event object and the template
// string (one line per batch: ~64 K of them in a 1 GiB segment of 16 KiB batches, and most of a
// long dump's garbage). test/dump/fastPath.test.ts compares the two on every fixture and corpus log.

import type { RecordBatch } from '../format/index.js';
import { bytesOf, putInt, putLong } from './decimalBytes.js';
import { utf8Write } from './output.js';

const BASE_OFFSET = bytesOf('baseOffset: ');
const LAST_OFFSET = bytesOf(' lastOffset: ');
const COUNT = bytesOf(' count: ');
const BASE_SEQUENCE = bytesOf(' baseSequence: ');
const LAST_SEQUENCE = bytesOf(' lastSequence: ');
const PRODUCER_ID = bytesOf(' producerId: ');
const PRODUCER_EPOCH = bytesOf(' producerEpoch: ');
const LEADER_EPOCH = bytesOf(' partitionLeaderEpoch: ');
const IS_TRANSACTIONAL = bytesOf(' isTransactional: ');
const IS_CONTROL = bytesOf(' isControl: ');
const NO_DELETE_HORIZON = bytesOf(' deleteHorizonMs: OptionalLong.empty');
const DELETE_HORIZON = bytesOf(' deleteHorizonMs: OptionalLong[');
const POSITION = bytesOf(' position: ');
const SIZE = bytesOf(' size: ');
const MAGIC = bytesOf(' magic: ');
const CODEC = bytesOf(' compresscodec: ');
const CRC = bytesOf(' crc: ');
const IS_VALID = bytesOf(' isvalid: ');
const TRUE = bytesOf('true');
const FALSE = bytesOf('false');

/** The most bytes a line takes besides its timestamp type and codec names: labels and 11 numbers. */
export const BATCH_LINE_MAX = 320 + 11 * 24;

function put(b: Uint8Array, p: number, bytes: Uint8Array): number {
  b.set(bytes, p);
  return p + bytes.length;
}

/**
 * Writes the line at `p` of `b` (`d` views the same bytes; room: BATCH_LINE_MAX + the names'
 * lengths) and returns where it ends.
 */
export function writeBatchLine(b: Buffer, d: DataView, p: number, batch: RecordBatch, isValid: boolean, timestampType: string): number {
  p = putLong(d, put(b, p, BASE_OFFSET), batch.baseOffset);
  p = putLong(d, put(b, p, LAST_OFFSET), batch.lastOffset);
  p = putInt(d, put(b, p, COUNT), batch.recordCount);
  p = putInt(d, put(b, p, BASE_SEQUENCE), batch.baseSequence);
  p = putInt(d, put(b, p, LAST_SEQUENCE), batch.lastSequence);
  p = putLong(d, put(b, p, PRODUCER_ID), batch.producerId);
  p = putInt(d, put(b, p, PRODUCER_EPOCH), batch.producerEpoch);
  p = putInt(d, put(b, p, LEADER_EPOCH), batch.partitionLeaderEpoch);
  p = put(b, put(b, p, IS_TRANSACTIONAL), batch.isTransactional ? TRUE : FALSE);
  p = put(b, put(b, p, IS_CONTROL), batch.isControl ? TRUE : FALSE);
  const horizon = batch.deleteHorizonMs;
  if (horizon === null) p = put(b, p, NO_DELETE_HORIZON);
  else {
    p = putLong(d, put(b, p, DELETE_HORIZON), horizon);
    b[p++] = 0x5d; // ]
  }
  p = putLong(d, put(b, p, POSITION), batch.position);
  b[p++] = 0x20;
  p += utf8Write.call(b, timestampType, p);
  b[p++] = 0x3a; // :
  b[p++] = 0x20;
  p = putLong(d, p, batch.maxTimestamp);
  p = putLong(d, put(b, p, SIZE), batch.sizeInBytes);
  p = putInt(d, put(b, p, MAGIC), batch.magic);
  p = put(b, p, CODEC);
  p += utf8Write.call(b, batch.compressionName, p);
  p = putLong(d, put(b, p, CRC), batch.checksum);
  p = put(b, put(b, p, IS_VALID), isValid ? TRUE : FALSE);
  b[p++] = 0x0a;
  return p;
}
