// --offsets-decoder: `__consumer_offsets` records (GroupCoordinatorRecordSerde) as kafka-dump-log
// prints them: key {"type":"<record type>","data":{...}}, value {"version":"<v>","data":{...}} or
// "<DELETE>" for a tombstone; GroupMetadataValue members' subscription/assignment bytes are
// re-decoded with the consumer protocol when protocolType is "consumer".

import { CorruptRecordError } from '../../format/errors.js';
import {
  CONSUMER_PROTOCOL_ASSIGNMENT,
  CONSUMER_PROTOCOL_SUBSCRIPTION,
  GROUP_RECORDS,
  type CoordinatorRecordSchema,
} from './coordinatorSchemas.js';
import { decodeMessageAt, readMessage, toKafkaJson, WireReader, type Json, type JsonObject, type StructValue } from './messageReader.js';
import type { MessageSchema } from './schema.js';

export interface CoordinatorKeyJson {
  /** The record type id as a string ("0".."24"), like Kafka prints it. */
  type: string;
  data: JsonObject;
}

export interface CoordinatorValueJson {
  /** The value version as a string, like Kafka prints it. */
  version: string;
  data: JsonObject;
}

export const DELETE = '<DELETE>';

export interface DecodedCoordinatorRecord {
  /** The key's int16 prefix. */
  recordType: number;
  /** Record name ("OffsetCommit", "GroupMetadata", "TransactionLog", ...); null when the type is unknown. */
  name: string | null;
  /** null when the record type is unknown (Kafka: "Unknown record type <t> at offset <o>, skipping."). */
  key: CoordinatorKeyJson | null;
  /** "<DELETE>" for a tombstone (null value); null when the record type is unknown. */
  value: CoordinatorValueJson | typeof DELETE | null;
}

type ValueHook = (schema: MessageSchema, data: StructValue, version: number, json: JsonObject) => void;

/**
 * The CoordinatorRecordSerde layout shared by `__consumer_offsets` and `__transaction_state`:
 * key = int16 record type | key message, value = int16 version | value message (null = tombstone).
 */
export function decodeCoordinatorRecord(
  records: ReadonlyMap<number, CoordinatorRecordSchema>,
  key: Buffer | null,
  value: Buffer | null,
  hook?: ValueHook,
): DecodedCoordinatorRecord {
  if (key === null) throw new CorruptRecordError('Coordinator record has no key (message had a missing key)');
  if (key.length < 2) throw new CorruptRecordError("Could not read version from key's buffer.", 0);
  const recordType = key.readInt16BE(0);
  const schema = records.get(recordType);
  if (!schema) return { recordType, name: null, key: null, value: null };
  const kr = new WireReader(key, 2);
  const keyData = decodeMessageAt(schema.key, kr, 0, 'ignore');
  const keyJson: CoordinatorKeyJson = { type: String(recordType), data: toKafkaJson(schema.key.fields, keyData, 0) };
  if (value === null) return { recordType, name: schema.name, key: keyJson, value: DELETE };
  if (value.length < 2) throw new CorruptRecordError("Could not read version from value's buffer.", 0);
  const version = value.readInt16BE(0);
  const data = decodeMessageAt(schema.value, new WireReader(value, 2), version, 'ignore');
  const json = toKafkaJson(schema.value.fields, data, version);
  hook?.(schema.value, data, version, json);
  return { recordType, name: schema.name, key: keyJson, value: { version: String(version), data: json } };
}

/** Decodes version-prefixed consumer protocol bytes; null when Kafka would keep the raw bytes. */
function consumerProtocolJson(schema: MessageSchema, bytes: Buffer): JsonObject | null {
  try {
    const r = new WireReader(bytes);
    const version = r.int16();
    return toKafkaJson(schema.fields, readMessage(schema, r, version), version);
  } catch {
    return null; // DumpLogSegments swallows the error and keeps the original bytes (base64)
  }
}

const groupMetadataHook: ValueHook = (schema, data, _version, json) => {
  if (schema.name !== 'GroupMetadataValue' || data.protocolType !== 'consumer') return;
  const members = data.members as StructValue[] | null;
  const jsonMembers = json.members as JsonObject[] | null;
  if (!members || !jsonMembers) return;
  members.forEach((m, i) => {
    const jm = jsonMembers[i];
    for (const [field, s] of [['subscription', CONSUMER_PROTOCOL_SUBSCRIPTION], ['assignment', CONSUMER_PROTOCOL_ASSIGNMENT]] as const) {
      const bytes = m[field];
      if (!Buffer.isBuffer(bytes) || !(field in jm)) continue;
      const decoded = consumerProtocolJson(s, bytes);
      if (decoded) jm[field] = decoded as Json;
    }
  });
};

/**
 * Decodes one `__consumer_offsets` record. A missing key or malformed bytes throw CorruptRecordError,
 * a negative value version throws UnsupportedFormatError (Kafka: "Error at offset <o>, skipping.
 * <msg>"); an unknown record type gives {recordType, name: null, key: null, value: null}.
 */
export function decodeOffsetsRecord(key: Buffer | null, value: Buffer | null): DecodedCoordinatorRecord {
  return decodeCoordinatorRecord(GROUP_RECORDS, key, value, groupMetadataHook);
}

/**
 * The key and payload strings kafka-dump-log prints for a decoded coordinator record
 * (` key: <key> payload: <payload>`): JSON text, "<DELETE>", or the unknown-type message.
 */
export function formatCoordinatorRecord(d: DecodedCoordinatorRecord, offset: number | bigint): { key: string; payload?: string } {
  if (d.key === null) return { key: `Unknown record type ${d.recordType} at offset ${offset}, skipping.` };
  return { key: JSON.stringify(d.key), payload: d.value === null ? undefined : typeof d.value === 'string' ? d.value : JSON.stringify(d.value) };
}
