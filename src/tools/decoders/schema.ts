// Schema model for Kafka's message-generator wire format (the JSON specs under Kafka's
// `*/src/main/resources/common/*`), written as compact TypeScript tables. Field names are the
// JSON names Kafka's generated JsonConverters print: the spec name with its first letter lower-cased.

/** An inclusive version range; `hi` is Infinity for "N+", and lo > hi means "none". */
export interface Versions {
  readonly lo: number;
  readonly hi: number;
}

export const NO_VERSIONS: Versions = { lo: 1, hi: 0 };

/** Parses Kafka's version strings: "0+", "1-3", "2", "none". */
export function versions(spec: string): Versions {
  if (spec === 'none' || spec === '') return NO_VERSIONS;
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return { lo: Number(plus[1]), hi: Infinity };
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) return { lo: Number(range[1]), hi: Number(range[2]) };
  if (/^\d+$/.test(spec)) return { lo: Number(spec), hi: Number(spec) };
  throw new Error(`Bad version range '${spec}'`);
}

export function inVersions(v: Versions, version: number): boolean {
  return version >= v.lo && version <= v.hi;
}

export function versionsToString(v: Versions): string {
  if (v.lo > v.hi) return 'none';
  if (v.hi === Infinity) return `${v.lo}+`;
  return v.lo === v.hi ? `${v.lo}` : `${v.lo}-${v.hi}`;
}

export type ScalarType = 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'string' | 'bytes' | 'uuid';

export interface FieldSchema {
  /** JSON name (camelCase, as Kafka's JsonConverter prints it). */
  readonly name: string;
  /** Element type; 'struct' when `fields` is set. */
  readonly type: ScalarType | 'struct';
  readonly array: boolean;
  /** Fields of a struct (or of each element of a struct array). */
  readonly fields?: readonly FieldSchema[];
  readonly versions: Versions;
  readonly nullableVersions: Versions;
  readonly taggedVersions: Versions;
  /** Tag number, or -1 when the field is never tagged. */
  readonly tag: number;
  /** True when the spec's default is "null". */
  readonly defaultNull: boolean;
  /** Default for scalars (number/bigint/boolean/string/uuid string); ignored for arrays/structs/bytes. */
  readonly defaultValue?: number | bigint | boolean | string;
}

export interface MessageSchema {
  /** Kafka's class name, e.g. "PartitionRecord". */
  readonly name: string;
  readonly validVersions: Versions;
  readonly flexibleVersions: Versions;
  readonly fields: readonly FieldSchema[];
}

export interface FieldOptions {
  /** nullableVersions */
  nullable?: string;
  /** taggedVersions (needs `tag`) */
  tagged?: string;
  tag?: number;
  /** The spec's default: a number, boolean, string, or null for "null". */
  default?: number | bigint | boolean | string | null;
}

const SCALARS = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'uuid']);

/**
 * One field. `type` is a scalar name, `[]scalar`, `struct` or `[]struct` (struct types take `fields`).
 * `ver` is the spec's "versions"; when omitted for a tagged field it defaults to the tagged versions,
 * like Kafka's FieldSpec.
 */
export function f(name: string, type: string, ver: string | null, opts: FieldOptions = {}, fields?: readonly FieldSchema[]): FieldSchema {
  const array = type.startsWith('[]');
  const elem = array ? type.slice(2) : type;
  if (elem !== 'struct' && !SCALARS.has(elem)) throw new Error(`Unknown field type '${type}' for ${name}`);
  if ((elem === 'struct') !== (fields !== undefined)) throw new Error(`Struct field ${name} needs fields (and only structs may have them)`);
  const taggedVersions = opts.tagged ? versions(opts.tagged) : NO_VERSIONS;
  if (opts.tagged && opts.tag === undefined) throw new Error(`Tagged field ${name} needs a tag`);
  const fieldVersions = ver === null ? taggedVersions : versions(ver);
  const field: FieldSchema = {
    name: name.charAt(0).toLowerCase() + name.slice(1),
    type: elem as ScalarType | 'struct',
    array,
    fields,
    versions: fieldVersions,
    nullableVersions: opts.nullable ? versions(opts.nullable) : NO_VERSIONS,
    taggedVersions,
    tag: opts.tag ?? -1,
    defaultNull: opts.default === null,
    defaultValue: opts.default === null ? undefined : opts.default,
  };
  return field;
}

/** A top-level message: Kafka's name, validVersions, flexibleVersions and fields. */
export function message(name: string, valid: string, flexible: string, fields: readonly FieldSchema[]): MessageSchema {
  return { name, validVersions: versions(valid), flexibleVersions: versions(flexible), fields };
}
