// The writer that mirrors messageReader: encodes a StructValue at a version the way Kafka's
// generated `write(Writable, cache, version)` does (tagged fields only when non-default, in tag
// order, unknown raw tags merged in). Used to build test records and fixtures for the decoders.

import { inVersions, type FieldSchema, type MessageSchema, type ScalarType } from './schema.js';
import { fieldDefault, isNonDefault, uuidFromString, type FieldValue, type StructValue } from './messageReader.js';

export class WireWriter {
  private chunks: Buffer[] = [];

  push(b: Buffer): this {
    this.chunks.push(b);
    return this;
  }

  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.push(b);
  }

  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.push(b);
  }

  uint16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    return this.push(b);
  }

  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.push(b);
  }

  uint32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    return this.push(b);
  }

  int64(v: bigint | number | string): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    return this.push(b);
  }

  float64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return this.push(b);
  }

  unsignedVarint(v: number): this {
    const out: number[] = [];
    let x = v;
    while (x >= 0x80) {
      out.push((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    out.push(x);
    return this.push(Buffer.from(out));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Encodes `value` as `schema` at `version` (no version prefix). Missing fields take their defaults. */
export function writeMessage(schema: MessageSchema, value: StructValue, version: number): Buffer {
  const w = new WireWriter();
  writeStruct(schema.fields, value, version, inVersions(schema.flexibleVersions, version), w);
  return w.toBuffer();
}

function get(field: FieldSchema, value: StructValue): FieldValue {
  const v = value[field.name] as FieldValue | undefined;
  return v === undefined ? fieldDefault(field) : v;
}

function writeStruct(fields: readonly FieldSchema[], value: StructValue, version: number, flexible: boolean, w: WireWriter): void {
  const tagged: { tag: number; bytes: Buffer }[] = [];
  for (const field of fields) {
    if (!inVersions(field.versions, version)) continue;
    const v = get(field, value);
    if (inVersions(field.taggedVersions, version)) {
      if (!isNonDefault(field, v)) continue;
      const fw = new WireWriter();
      writeField(field, v, version, true, fw, true);
      tagged.push({ tag: field.tag, bytes: fw.toBuffer() });
    } else {
      writeField(field, v, version, flexible, w, false);
    }
  }
  if (!flexible) return;
  for (const raw of value._unknownTaggedFields ?? []) tagged.push({ tag: raw.tag, bytes: Buffer.from(raw.hex, 'hex') });
  tagged.sort((a, b) => a.tag - b.tag);
  w.unsignedVarint(tagged.length);
  for (const t of tagged) w.unsignedVarint(t.tag).unsignedVarint(t.bytes.length).push(t.bytes);
}

function writeField(field: FieldSchema, v: FieldValue, version: number, flexible: boolean, w: WireWriter, tagged: boolean): void {
  const nullable = inVersions(field.nullableVersions, version);
  if (field.array) {
    if (v === null) {
      if (!nullable && !tagged) throw new Error(`non-nullable field ${field.name} is null`);
      if (flexible) w.unsignedVarint(0);
      else w.int32(-1);
      return;
    }
    const arr = v as FieldValue[];
    if (flexible) w.unsignedVarint(arr.length + 1);
    else w.int32(arr.length);
    for (const e of arr) {
      if (field.type === 'struct') writeStruct(field.fields!, e as StructValue, version, flexible, w);
      else writeScalar(field.type, e, flexible, w, field.name);
    }
    return;
  }
  if (field.type === 'struct') {
    if (nullable) {
      if (v === null) {
        if (tagged) w.unsignedVarint(0);
        else w.int8(-1);
        return;
      }
      if (tagged) w.unsignedVarint(1);
      else w.int8(1);
    }
    writeStruct(field.fields!, v as StructValue, version, flexible, w);
    return;
  }
  if (v === null && !nullable && !tagged) throw new Error(`non-nullable field ${field.name} is null`);
  writeScalar(field.type, v, flexible, w, field.name);
}

function writeScalar(type: ScalarType, v: FieldValue, flexible: boolean, w: WireWriter, name: string): void {
  switch (type) {
    case 'bool':
      w.int8(v ? 1 : 0);
      return;
    case 'int8':
      w.int8(v as number);
      return;
    case 'int16':
      w.int16(v as number);
      return;
    case 'uint16':
      w.uint16(v as number);
      return;
    case 'int32':
      w.int32(v as number);
      return;
    case 'uint32':
      w.uint32(v as number);
      return;
    case 'int64':
      w.int64(v as bigint | number);
      return;
    case 'float64':
      w.float64(v as number);
      return;
    case 'uuid':
      w.push(uuidFromString(v as string));
      return;
    case 'string':
    case 'bytes': {
      if (v === null) {
        if (flexible) w.unsignedVarint(0);
        else if (type === 'string') w.int16(-1);
        else w.int32(-1);
        return;
      }
      const b = type === 'string' ? Buffer.from(v as string, 'utf8') : (v as Buffer);
      if (type === 'string' && b.length > 0x7fff) throw new Error(`string field ${name} is too long`);
      if (flexible) w.unsignedVarint(b.length + 1);
      else if (type === 'string') w.int16(b.length);
      else w.int32(b.length);
      w.push(b);
      return;
    }
  }
}
