// --cluster-metadata-decoder: KRaft `__cluster_metadata` record values (MetadataRecordSerde framing:
// unsigned varints frame version (1) | apiKey | version, then the record body) as the JSON
// kafka-dump-log prints: {"type":"TOPIC_RECORD","version":0,"data":{...}}.

import { CorruptRecordError } from '../../format/errors.js';
import { decodeMessageAt, toKafkaJson, WireReader, type JsonObject } from './messageReader.js';
import { METADATA_RECORDS, toSnakeUpper } from './metadataSchemas.js';

export interface ClusterMetadataRecordJson {
  /** Kafka's MetadataRecordType constant, e.g. "TOPIC_RECORD", "FEATURE_LEVEL_RECORD". */
  type: string;
  version: number;
  data: JsonObject;
}

export interface UnknownMetadataRecordJson {
  type: 'UNKNOWN';
  apiKey: number;
  version: number;
  /** The record body (after the frame header), hex. */
  hex: string;
}

export type DecodedClusterMetadataRecord = ClusterMetadataRecordJson | UnknownMetadataRecordJson;

/** The frame version MetadataRecordSerde writes and the only one it reads. */
export const METADATA_FRAME_VERSION = 1;

/** "TopicRecord" for apiKey 2; undefined for an apiKey kseg does not know. */
export function metadataRecordName(apiKey: number): string | undefined {
  return METADATA_RECORDS.get(apiKey)?.name;
}

/** "TOPIC_RECORD" for apiKey 2 (Kafka's MetadataRecordType name, what kafka-dump-log prints). */
export function metadataRecordType(apiKey: number): string | undefined {
  const name = metadataRecordName(apiKey);
  return name === undefined ? undefined : toSnakeUpper(name);
}

function shortVarint(r: WireReader, entity: string): number {
  const start = r.pos;
  let v: number;
  try {
    v = r.unsignedVarint(entity);
  } catch (e) {
    throw new CorruptRecordError(`Error while reading ${entity}: ${(e as Error).message}`, start);
  }
  if (v > 0x7fff) throw new CorruptRecordError(`Value for ${entity} was too large.`, start);
  return v;
}

/**
 * Decodes one `__cluster_metadata` record value (also the records of KRaft snapshots and
 * bootstrap.checkpoint). An apiKey kseg does not know gives {type:"UNKNOWN", apiKey, version, hex};
 * malformed bytes (including bytes left after the record) throw CorruptRecordError; kafka-dump-log
 * prints "Error at <offset>, skipping. <message>" for those. A version newer than kseg knows is
 * decoded as Kafka's generated reader would (see readMessage).
 */
export function decodeClusterMetadataRecord(value: Buffer): DecodedClusterMetadataRecord {
  const r = new WireReader(value);
  const frameVersion = shortVarint(r, 'frame version');
  if (frameVersion === 0) {
    throw new CorruptRecordError('Could not deserialize metadata record with frame version 0. Note that upgrades from the preview release of KRaft in 2.8 to newer versions are not supported.', 0);
  }
  if (frameVersion !== METADATA_FRAME_VERSION) {
    throw new CorruptRecordError(`Could not deserialize metadata record due to unknown frame version ${frameVersion}(only frame version ${METADATA_FRAME_VERSION} is supported)`, 0);
  }
  const apiKey = shortVarint(r, 'type');
  const version = shortVarint(r, 'version');
  const schema = METADATA_RECORDS.get(apiKey);
  if (!schema) return { type: 'UNKNOWN', apiKey, version, hex: value.subarray(r.pos).toString('hex') };
  const data = decodeMessageAt(schema, r, version, 'error', apiKey);
  return { type: toSnakeUpper(schema.name), version, data: toKafkaJson(schema.fields, data, version) };
}
