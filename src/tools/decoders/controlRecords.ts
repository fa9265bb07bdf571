// Control record values of KRaft logs and snapshots (LeaderChange, SnapshotHeader/Footer,
// KRaftVersion, KRaftVoters) and transaction markers, decoded like Kafka's ControlRecordUtils:
// the body is read at schema version 0 and printed as JSON at the version its own leading
// "version" field names, which is what kafka-dump-log shows after the record metadata.

import { CorruptRecordError } from '../../format/errors.js';
import { CONTROL_RECORDS } from './coordinatorSchemas.js';
import { decodeMessageAt, toKafkaJson, WireReader, type JsonObject } from './messageReader.js';

const TYPE_NAMES = ['ABORT', 'COMMIT', 'LEADER_CHANGE', 'SNAPSHOT_HEADER', 'SNAPSHOT_FOOTER', 'KRAFT_VERSION', 'KRAFT_VOTERS'];

export interface DecodedControlRecord {
  /** ControlRecordType id. */
  type: number;
  /** ControlRecordType name (ABORT, COMMIT, LEADER_CHANGE, ..., or UNKNOWN). */
  typeName: string;
  /** The value's leading int16 version (data.version for KRaft records). */
  version: number;
  /** JSON as Kafka's <Record>JsonConverter prints it; for ABORT/COMMIT {coordinatorEpoch}. */
  data: JsonObject;
}

export interface UnknownControlRecord {
  type: number;
  typeName: 'UNKNOWN';
  /** The value bytes, hex ("" for a null value). */
  hex: string;
}

export function controlRecordTypeName(type: number): string {
  return TYPE_NAMES[type] ?? 'UNKNOWN';
}

/**
 * Decodes a control record's value given the type from its key (record key = int16 version |
 * int16 type). Unknown types never throw; malformed bytes throw CorruptRecordError.
 */
export function decodeControlRecordValue(type: number, value: Buffer | null): DecodedControlRecord | UnknownControlRecord {
  const typeName = controlRecordTypeName(type);
  if (type === 0 || type === 1) {
    // EndTransactionMarker: int16 version | int32 coordinatorEpoch
    if (value === null || value.length < 6) throw new CorruptRecordError(`Invalid end transaction marker value size ${value ? value.length : -1}`, 0);
    return { type, typeName, version: value.readInt16BE(0), data: { coordinatorEpoch: value.readInt32BE(2) } };
  }
  const spec = CONTROL_RECORDS.get(type);
  if (!spec) return { type, typeName: 'UNKNOWN', hex: value ? value.toString('hex') : '' };
  if (value === null) throw new CorruptRecordError(`${typeName} control record has a null value`, 0);
  const data = decodeMessageAt(spec.schema, new WireReader(value), 0, 'ignore');
  const version = data.version as number;
  return { type, typeName, version, data: toKafkaJson(spec.schema.fields, data, version) };
}

/**
 * The text kafka-dump-log appends to a control record's metadata line: ` endTxnMarker: COMMIT
 * coordinatorEpoch: 5`, ` SnapshotHeader {...}`, ` SnapshotFooter {...}`, ` KRaftVersion {...}`,
 * ` KRaftVoters {...}`, ` LeaderChange: {...}` (Java tool; the Scala tool prints
 * ` controlType: LEADER_CHANGE(2)` instead: pass leaderChange: false), else ` controlType: NAME(id)`.
 */
export function formatControlRecord(type: number, value: Buffer | null, opts: { leaderChange?: boolean } = {}): string {
  const d = decodeControlRecordValue(type, value);
  if (!('data' in d)) return ` controlType: ${d.typeName}(${type})`;
  if (type === 0 || type === 1) return ` endTxnMarker: ${d.typeName} coordinatorEpoch: ${d.data.coordinatorEpoch}`;
  if (type === 2 && opts.leaderChange === false) return ` controlType: ${d.typeName}(${type})`;
  return ` ${CONTROL_RECORDS.get(type)!.label} ${JSON.stringify(d.data)}`;
}
