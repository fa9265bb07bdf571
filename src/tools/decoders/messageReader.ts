// A small interpreter for Kafka's message-generator wire format, driven by the schema tables in
// this directory: it reads a message the way Kafka's generated `read(Readable, version)` does
// (fields by version range, flexible versions with compact lengths and a tagged-field section per
// struct, tagged fields with defaults, unknown tags kept raw), and turns the result into the JSON
// that Kafka's generated JsonConverters print.
//
// Reads are bounded by the buffer (or by the size of a tagged field): malformed input throws
// CorruptRecordError with the byte position, never a RangeError; a version below the schema's
// lowest throws UnsupportedFormatError ("Can't read version N of X", Kafka's message).

import { CorruptRecordError, UnsupportedFormatError } from '../../format/errors.js';
import { inVersions, type FieldSchema, type MessageSchema, type ScalarType } from './schema.js';

/** A tagged field the schema does not know, kept as raw bytes. */
export interface RawTaggedField {
  tag: number;
  /** The field's bytes (without tag and size), hex. */
  hex: string;
}

/** A decoded struct: field values by JSON name, plus unknown tagged fields (only when there are some). */
export interface StructValue {
  [field: string]: FieldValue | RawTaggedField[] | undefined;
  _unknownTaggedFields?: RawTaggedField[];
}

/**
 * Decoded field values: int64 as bigint (exact), uuid as Kafka's 22-char base64url string,
 * bytes as Buffer, float64 and the other integers as number.
 */
export type FieldValue = boolean | number | bigint | string | Buffer | null | StructValue | FieldValue[];

/** JSON-able output (what the decoders return). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Kafka's Uuid.toString(): 16 bytes as base64url without padding (22 chars). */
export function uuidToString(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('base64url');
}

/** Parses Kafka's Uuid string form back into 16 bytes. */
export function uuidFromString(s: string): Buffer {
  const b = Buffer.from(s, 'base64url');
  if (b.length !== 16 || s.length !== 22) throw new CorruptRecordError(`Invalid Uuid string '${s}'`);
  return b;
}

/** A bounded read position over a buffer; every read checks the bound first. */
export class WireReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
    public end = buf.length,
  ) {
    this.pos = pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    if (n < 0 || this.pos + n > this.end) {
      throw new CorruptRecordError(`${what} runs past the end of the data (need ${n} bytes, ${this.end - this.pos} left)`, this.pos);
    }
    const p = this.pos;
    this.pos += n;
    return p;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1, 'int8'));
  }

  int16(): number {
    return this.buf.readInt16BE(this.need(2, 'int16'));
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.need(2, 'uint16'));
  }

  int32(): number {
    return this.buf.readInt32BE(this.need(4, 'int32'));
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.need(4, 'uint32'));
  }

  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8, 'int64'));
  }

  float64(): number {
    return this.buf.readDoubleBE(this.need(8, 'float64'));
  }

  uuid(): string {
    const p = this.need(16, 'uuid');
    return uuidToString(this.buf.subarray(p, p + 16));
  }

  bytes(n: number, what = 'bytes'): Buffer {
    const p = this.need(n, what);
    return this.buf.subarray(p, p + n);
  }

  /** Kafka's ByteUtils.readUnsignedVarint: at most 5 bytes; returned as an unsigned 32-bit value. */
  unsignedVarint(what = 'unsigned varint'): number {
    const start = this.pos;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new CorruptRecordError(`${what} runs past the end of the data`, start);
      const b = this.buf[this.pos++];
      if (shift === 28 && (b & 0xf0) !== 0) throw new CorruptRecordError(`${what} is too long (more than 32 bits)`, start);
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
      shift += 7;
    }
  }
}

function fail(reason: string, pos: number): never {
  throw new CorruptRecordError(reason, pos);
}

/**
 * Reads a top-level message at `version` (Kafka: `new X(readable, version)`). Like Kafka's generated
 * readers, a version above the highest known one is read with the field ranges as written ("N+"
 * fields present, flexible if the flexible range is open): newer versions of these records add
 * tagged fields, which come out as unknown tags, and a changed layout fails as corrupt or as garbage
 * after the message. A version below the lowest valid one throws UnsupportedFormatError.
 */
export function readMessage(schema: MessageSchema, r: WireReader, version: number): StructValue {
  if (version < schema.validVersions.lo) throw new UnsupportedFormatError(`Can't read version ${version} of ${schema.name}`, r.pos);
  return readStruct(schema.fields, r, version, inVersions(schema.flexibleVersions, version));
}

function readStruct(fields: readonly FieldSchema[], r: WireReader, version: number, flexible: boolean): StructValue {
  const out: StructValue = {};
  for (const field of fields) {
    const present = inVersions(field.versions, version);
    if (!present || inVersions(field.taggedVersions, version)) {
      out[field.name] = fieldDefault(field);
    } else {
      out[field.name] = readField(field, r, version, flexible);
    }
  }
  if (flexible) {
    const count = r.unsignedVarint('tagged field count');
    for (let i = 0; i < count; i++) {
      const tagPos = r.pos;
      const tag = r.unsignedVarint('tag');
      const size = r.unsignedVarint('tagged field size');
      if (size > r.remaining) fail(`Tagged field ${tag} of size ${size} runs past the end of the data`, tagPos);
      // Kafka's switch has a case for every field that is ever tagged; a known tag outside the
      // field's (tagged) versions is an error, an unknown tag is kept raw.
      const field = fields.find((fl) => fl.tag === tag);
      if (!field) {
        (out._unknownTaggedFields ??= []).push({ tag, hex: r.bytes(size, 'tagged field').toString('hex') });
        continue;
      }
      if (!inVersions(field.versions, version) || !inVersions(field.taggedVersions, version)) fail(`Tag ${tag} is not valid for version ${version}`, tagPos);
      // A known tagged field must fill exactly the size it declares.
      const end = r.end;
      const fieldEnd = r.pos + size;
      r.end = fieldEnd;
      try {
        out[field.name] = readField(field, r, version, true, true);
        if (r.pos !== fieldEnd) fail(`Tagged field ${tag} (${field.name}) used ${r.pos - (fieldEnd - size)} of its ${size} bytes`, tagPos);
      } finally {
        r.end = end;
      }
    }
  }
  return out;
}

function readField(field: FieldSchema, r: WireReader, version: number, flexible: boolean, tagged = false): FieldValue {
  const nullable = inVersions(field.nullableVersions, version);
  if (field.array) {
    const start = r.pos;
    const len = flexible ? r.unsignedVarint('array length') - 1 : r.int32();
    if (len < 0) {
      if (!nullable) fail(`non-nullable field ${field.name} was serialized as null`, start);
      return null;
    }
    if (len > r.remaining) fail(`Tried to allocate a collection of size ${len}, but there are only ${r.remaining} bytes remaining.`, start);
    const out: FieldValue[] = new Array(len);
    for (let i = 0; i < len; i++) {
      out[i] = field.type === 'struct' ? readStruct(field.fields!, r, version, flexible) : readScalar(field.type, `${field.name} element`, false, r, flexible);
    }
    return out;
  }
  if (field.type === 'struct') {
    if (nullable) {
      // Tagged: unsigned varint, 0 = null; untagged: one byte, negative = null.
      const present = tagged ? r.unsignedVarint('struct presence') > 0 : r.int8() >= 0;
      if (!present) return null;
    }
    return readStruct(field.fields!, r, version, flexible);
  }
  return readScalar(field.type, field.name, nullable, r, flexible);
}

function readScalar(type: ScalarType, name: string, nullable: boolean, r: WireReader, flexible: boolean): FieldValue {
  switch (type) {
    case 'bool':
      return r.int8() !== 0;
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'uint16':
      return r.uint16();
    case 'int32':
      return r.int32();
    case 'uint32':
      return r.uint32();
    case 'int64':
      return r.int64();
    case 'float64':
      return r.float64();
    case 'uuid':
      return r.uuid();
    case 'string': {
      const start = r.pos;
      const len = flexible ? r.unsignedVarint('string length') - 1 : r.int16();
      if (len < 0) {
        if (!nullable) fail(`non-nullable field ${name} was serialized as null`, start);
        return null;
      }
      if (len > 0x7fff) fail(`string field ${name} had invalid length ${len}`, start);
      return r.bytes(len, `string ${name}`).toString('utf8');
    }
    case 'bytes': {
      const start = r.pos;
      const len = flexible ? r.unsignedVarint('bytes length') - 1 : r.int32();
      if (len < 0) {
        if (!nullable) fail(`non-nullable field ${name} was serialized as null`, start);
        return null;
      }
      return r.bytes(len, `bytes ${name}`);
    }
  }
}

/** The value a field has when it is absent or untagged (Kafka's FieldSpec.fieldDefault). */
export function fieldDefault(field: FieldSchema): FieldValue {
  if (field.array) return field.defaultNull ? null : [];
  if (field.type === 'struct') return field.defaultNull ? null : defaultStruct(field.fields!);
  return scalarDefault(field);
}

function scalarDefault(field: FieldSchema): FieldValue {
  const d = field.defaultValue;
  switch (field.type) {
    case 'bool':
      return d === true || d === 'true';
    case 'int64':
      return BigInt(d === undefined ? 0 : (d as number | bigint | string));
    case 'string':
      return field.defaultNull ? null : d === undefined ? '' : String(d);
    case 'bytes':
      return field.defaultNull ? null : Buffer.alloc(0);
    case 'uuid':
      return d === undefined ? ZERO_UUID : String(d);
    default:
      return d === undefined ? 0 : Number(d);
  }
}

export function defaultStruct(fields: readonly FieldSchema[]): StructValue {
  const out: StructValue = {};
  for (const fl of fields) out[fl.name] = fieldDefault(fl);
  return out;
}

/** Kafka's generateNonDefaultValueCheck: whether a tagged field is written (and printed). */
export function isNonDefault(field: FieldSchema, value: FieldValue): boolean {
  if (field.array) {
    if (field.defaultNull) return value !== null;
    return value === null || (value as FieldValue[]).length !== 0;
  }
  if (field.type === 'bytes') {
    if (field.defaultNull) return value !== null;
    return value === null || (value as Buffer).length !== 0;
  }
  if (field.type === 'string' || field.type === 'struct' || field.type === 'uuid') {
    if (field.defaultNull) return value !== null;
    if (value === null) return true;
    return !deepEqual(value, fieldDefault(field));
  }
  if (field.type === 'float64') return !((value as number) === (fieldDefault(field) as number));
  return value !== fieldDefault(field);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a === 'object') {
    const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** int64 as a JSON number when exact, else as its decimal string. */
export function int64Json(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/**
 * What Kafka's generated `XJsonConverter.write(message, version)` prints: fields present in
 * `version` in schema order, tagged fields only when they differ from their default, bytes as
 * base64, uuids as strings. Unknown tagged fields (which Kafka drops) are kept under
 * `_unknownTaggedFields` so nothing read is lost.
 */
export function toKafkaJson(fields: readonly FieldSchema[], value: StructValue, version: number): JsonObject {
  const out: JsonObject = {};
  for (const field of fields) {
    if (!inVersions(field.versions, version)) continue;
    const v = value[field.name] as FieldValue | undefined;
    const fv = v === undefined ? fieldDefault(field) : v;
    if (inVersions(field.taggedVersions, version) && !isNonDefault(field, fv)) continue;
    out[field.name] = fieldJson(field, fv, version);
  }
  if (value._unknownTaggedFields?.length) out._unknownTaggedFields = value._unknownTaggedFields.map((t) => ({ tag: t.tag, hex: t.hex }));
  return out;
}

function fieldJson(field: FieldSchema, v: FieldValue, version: number): Json {
  if (v === null) return null;
  if (field.array) {
    return (v as FieldValue[]).map((e) => (field.type === 'struct' ? toKafkaJson(field.fields!, e as StructValue, version) : scalarJson(field.type as ScalarType, e)));
  }
  if (field.type === 'struct') return toKafkaJson(field.fields!, v as StructValue, version);
  return scalarJson(field.type, v);
}

function scalarJson(type: ScalarType, v: FieldValue): Json {
  if (v === null) return null;
  switch (type) {
    case 'int64':
      return int64Json(BigInt(v as bigint | number));
    case 'bytes':
      return (v as Buffer).toString('base64');
    case 'float64': {
      const n = v as number;
      return Number.isFinite(n) ? n : String(n);
    }
    default:
      return v as boolean | number | string;
  }
}

/**
 * Reads one message at `version` from `r` to the end of its data. `trailing: 'error'` rejects bytes
 * left over (MetadataRecordSerde does: "Found N byte(s) of garbage after <what>"); 'ignore' leaves
 * them (the coordinator serdes do).
 */
export function decodeMessageAt(schema: MessageSchema, r: WireReader, version: number, trailing: 'error' | 'ignore', what: string | number = schema.name): StructValue {
  const value = readMessage(schema, r, version);
  if (trailing === 'error' && r.remaining > 0) fail(`Found ${r.remaining} byte(s) of garbage after ${what}`, r.pos);
  return value;
}

/** Decodes a whole buffer as one message at `version`. */
export function decodeMessage(schema: MessageSchema, buf: Buffer, version: number, trailing: 'error' | 'ignore' = 'error'): StructValue {
  return decodeMessageAt(schema, new WireReader(buf), version, trailing);
}
