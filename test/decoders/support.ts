// Shared helpers for the decoder tests (not a test file): deterministic sample values for any
// schema, coordinator record framing, and the KRaft corpus location.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/kafkaPython.js';
import { uuidToString, type FieldValue, type StructValue } from '../../src/tools/decoders/messageReader.js';
import { writeMessage } from '../../src/tools/decoders/messageWriter.js';
import type { FieldSchema, MessageSchema, ScalarType } from '../../src/tools/decoders/schema.js';

export const CORPUS = path.resolve(REPO_ROOT, '../shared/corpus');
export const HAVE_CORPUS = fs.existsSync(CORPUS);

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

/** A deterministic, non-default value for every field of `fields` (seeded so values differ). */
export function sampleStruct(fields: readonly FieldSchema[], seed = 1): StructValue {
  const out: StructValue = {};
  fields.forEach((fl, i) => {
    out[fl.name] = sampleField(fl, seed * 31 + i);
  });
  return out;
}

function sampleField(fl: FieldSchema, seed: number): FieldValue {
  if (fl.array) {
    const n = 1 + (seed % 3);
    return Array.from({ length: n }, (_, i) => (fl.type === 'struct' ? sampleStruct(fl.fields!, seed + i) : sampleScalar(fl.type as ScalarType, seed + i)));
  }
  if (fl.type === 'struct') return sampleStruct(fl.fields!, seed);
  return sampleScalar(fl.type, seed);
}

function sampleScalar(type: ScalarType, seed: number): FieldValue {
  switch (type) {
    case 'bool':
      return true;
    case 'int8':
      return (seed % 100) + 1;
    case 'int16':
      return (seed % 30000) + 1;
    case 'uint16':
      return 40000 + (seed % 20000);
    case 'int32':
      return 100000 + seed;
    case 'uint32':
      return 3000000000 + seed;
    case 'int64':
      return 1700000000000n + BigInt(seed);
    case 'float64':
      return seed + 0.5;
    case 'string':
      return `s${seed}`;
    case 'bytes':
      return Buffer.from([seed & 0xff, 1, 2]);
    case 'uuid': {
      const b = Buffer.alloc(16, seed & 0xff);
      b[0] = 1;
      return uuidToString(b);
    }
  }
}

/** Every version a schema accepts (validVersions is always a closed range for real schemas). */
export function allVersions(schema: MessageSchema): number[] {
  const out: number[] = [];
  for (let v = schema.validVersions.lo; v <= Math.min(schema.validVersions.hi, 20); v++) out.push(v);
  return out;
}

export function int16Prefixed(prefix: number, body: Buffer): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(prefix);
  return Buffer.concat([b, body]);
}

/** A coordinator record key: int16 record type | key fields. */
export function coordinatorKey(type: number, schema: MessageSchema, value: StructValue): Buffer {
  return int16Prefixed(type, writeMessage(schema, value, 0));
}

/** A coordinator record value: int16 version | value fields. */
export function coordinatorValue(version: number, schema: MessageSchema, value: StructValue): Buffer {
  return int16Prefixed(version, writeMessage(schema, value, version));
}

/** A MetadataRecordSerde frame: unsigned varints 1 | apiKey | version, then the body. */
export function metadataFrame(apiKey: number, version: number, body: Buffer, frameVersion = 1): Buffer {
  const varint = (v: number) => {
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
    return Buffer.from(out);
  };
  return Buffer.concat([varint(frameVersion), varint(apiKey), varint(version), body]);
}
