// Control records (ControlRecordType, EndTransactionMarker): the key is `version int16 | type int16`;
// COMMIT/ABORT values are `version int16 | coordinatorEpoch int32`.

import { CorruptRecordError } from './errors.js';
import { readInt16, readInt32, writeInt16, writeInt32 } from './int64.js';
import type { Record } from './record.js';

export const ControlRecordType = {
  ABORT: 0,
  COMMIT: 1,
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
  KRAFT_VERSION: 5,
  KRAFT_VOTERS: 6,
} as const;

const NAMES = ['ABORT', 'COMMIT', 'LEADER_CHANGE', 'SNAPSHOT_HEADER', 'SNAPSHOT_FOOTER', 'KRAFT_VERSION', 'KRAFT_VOTERS'];

export function controlTypeName(type: number): string {
  return NAMES[type] ?? 'UNKNOWN';
}

export interface ControlInfo {
  version: number;
  type: number;
  typeName: string;
  /** For COMMIT/ABORT markers. */
  coordinatorEpoch?: number;
}

/** Decodes a control record's key (and marker value). Unknown types decode by id, never fail. */
export function readControlRecord(record: Record): ControlInfo {
  const key = record.key();
  if (!key || key.length < 4) throw new CorruptRecordError(`Invalid control record key size ${key ? key.length : -1}`, record.batchPosition);
  const version = readInt16(key, 0);
  const type = readInt16(key, 2);
  const info: ControlInfo = { version, type, typeName: controlTypeName(type) };
  if (type === ControlRecordType.ABORT || type === ControlRecordType.COMMIT) {
    const value = record.value();
    if (!value || value.length < 6) throw new CorruptRecordError(`Invalid end transaction marker value size ${value ? value.length : -1}`, record.batchPosition);
    info.coordinatorEpoch = readInt32(value, 2);
  }
  return info;
}

export function controlKey(type: number, version = 0): Buffer {
  const b = Buffer.alloc(4);
  writeInt16(b, 0, version);
  writeInt16(b, 2, type);
  return b;
}

export function endTxnMarkerValue(coordinatorEpoch: number, version = 0): Buffer {
  const b = Buffer.alloc(6);
  writeInt16(b, 0, version);
  writeInt32(b, 2, coordinatorEpoch);
  return b;
}
