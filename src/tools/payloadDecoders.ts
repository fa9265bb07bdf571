// Payload decoders for Kafka's internal topics, selected by dump's --offsets-decoder,
// --transaction-log-decoder and --cluster-metadata-decoder: what kafka-dump-log's message parsers
// print, as JSON-able values (the text renderer prints strings as they are and objects as JSON).
// A record that does not decode becomes Kafka's `Error at offset <o>, skipping. <msg>` text.

import { KsegError, type Record } from '../format/index.js';
import { decodeClusterMetadataRecord, decodeControlRecordValue, decodeOffsetsRecord, decodeTransactionLogRecord } from './decoders/index.js';

export interface PayloadDecoder {
  /** Decoded key and value (undefined = not printed). */
  record(r: Record): { key?: unknown; value?: unknown };
}

export type PayloadDecoderName = 'offsets' | 'transaction-log' | 'cluster-metadata';

/**
 * Coordinator topics (__consumer_offsets, __transaction_state): a key is required; unknown record
 * types and undecodable bytes become Kafka's one-line texts instead of failing the dump.
 */
function coordinatorDecoder(decode: (key: Buffer | null, value: Buffer | null) => { recordType: number; key: unknown; value: unknown }): PayloadDecoder {
  return {
    record: (r) => {
      if (r.keyLength < 0) return { key: `Failed to decode message at offset ${r.offset} using the specified decoder (message had a missing key)` };
      try {
        const d = decode(r.key(), r.value());
        if (d.key === null) return { key: `Unknown record type ${d.recordType} at offset ${r.offset}, skipping.` };
        return { key: d.key, value: d.value ?? undefined };
      } catch (err) {
        if (!(err instanceof KsegError)) throw err;
        return { key: `Error at offset ${r.offset}, skipping. ${err.message}` };
      }
    },
  };
}

export function payloadDecoder(name: PayloadDecoderName): PayloadDecoder {
  switch (name) {
    case 'cluster-metadata':
      // Metadata records have no keys; Kafka's message is "Error at <offset>, skipping." here.
      return {
        record: (r) => {
          const v = r.value();
          if (!v) return {};
          try {
            return { value: decodeClusterMetadataRecord(v) };
          } catch (err) {
            if (!(err instanceof KsegError)) throw err;
            return { value: `Error at ${r.offset}, skipping. ${err.message}` };
          }
        },
      };
    case 'offsets':
      return coordinatorDecoder(decodeOffsetsRecord);
    case 'transaction-log':
      // Kafka's current (Java) tool prints the coordinator-record JSON, like the offsets decoder.
      return coordinatorDecoder((key, value) => decodeTransactionLogRecord(key, value).json);
  }
}

/** The JSON Kafka prints for a KRaft control record (LeaderChange, SnapshotHeader, ...), or undefined. */
export function controlRecordData(type: number, value: Buffer | null): unknown {
  try {
    const d = decodeControlRecordValue(type, value);
    return 'data' in d ? d.data : undefined;
  } catch (err) {
    if (err instanceof KsegError) return undefined;
    throw err;
  }
}
