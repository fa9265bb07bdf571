// kafkajs 2.2.4's own record batch v2 code, loaded from its internal modules (the package has no
// public API for batches). The decoder is what its consumer runs on every fetched batch
// (protocol/recordBatch/v0/decoder.js over protocol/decoder.js); the encoder is what its producer
// runs (recordBatch/record/v0 + recordBatch/v0, as requests/produce/v3 builds them).
// Only none and gzip are built into kafkajs: snappy, lz4 and zstd need codec plugins.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface KjsDecoder {
  offset: number;
  buffer: Buffer;
}
interface KjsRecord {
  key: Buffer | null;
  value: Buffer | null;
}
interface KjsBatch {
  records: KjsRecord[];
}
interface KjsEncoder {
  buffer: Buffer;
}

const Decoder = require('kafkajs/src/protocol/decoder') as new (buf: Buffer) => KjsDecoder;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: KjsDecoder) => Promise<KjsBatch>;
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: { offsetDelta: number; timestampDelta: number; key: Buffer | null; value: Buffer | null }) => KjsEncoder;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (o: { compression: number; firstTimestamp: number; maxTimestamp: number; lastOffsetDelta: number; records: KjsEncoder[] }) => Promise<KjsEncoder>;
};
/** kafkajs's pure-JS CRC-32C (what its producer uses); its consumer never checks the CRC. */
export const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C') as (buf: Buffer) => number;

export const KAFKAJS_CODECS = ['none', 'gzip'] as const;
export const KAFKAJS_VERSION = (require('kafkajs/package.json') as { version: string }).version;

/**
 * Decodes every batch of `log` (concatenated v2 batches) with kafkajs and visits each record's key
 * and value like the kseg decode does. With `checkCrc`, also verifies each batch's CRC-32C with
 * kafkajs's own crc32C, so both sides do the same work.
 */
export async function kafkajsDecodeLog(log: Buffer, checkCrc: boolean): Promise<number> {
  const d = new Decoder(log);
  let sum = 0;
  while (d.offset < log.length) {
    if (checkCrc) {
      const start = d.offset;
      const end = start + 12 + log.readInt32BE(start + 8);
      if (kafkajsCrc32c(log.subarray(start + 21, end)) !== log.readUInt32BE(start + 17)) throw new Error('kafkajs: CRC mismatch');
    }
    const batch = await decodeBatch(d);
    const records = batch.records;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const k = r.key!;
      const v = r.value!;
      sum += k.length + v.length + k[0] + v[0];
    }
  }
  return sum;
}

/** Encodes one batch of records [from, to) with kafkajs, as its producer does. */
export async function kafkajsEncodeBatch(codec: number, keys: Buffer[], values: Buffer[], timestamps: number[], from: number, to: number): Promise<Buffer> {
  const first = timestamps[from];
  const records: KjsEncoder[] = new Array(to - from);
  for (let i = from; i < to; i++) records[i - from] = Record({ offsetDelta: i - from, timestampDelta: timestamps[i] - first, key: keys[i], value: values[i] });
  const enc = await RecordBatch({ compression: codec, firstTimestamp: first, maxTimestamp: timestamps[to - 1], lastOffsetDelta: to - from - 1, records });
  return enc.buffer;
}
