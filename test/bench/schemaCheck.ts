// A tiny JSON Schema checker for docs/bench-report.schema.json (no new dependency): the subset of
// draft 2020-12 that schema uses. A keyword it does not know is an error, so the schema cannot
// quietly rely on something this checker ignores.

type Schema = { [k: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs']);
const KNOWN = new Set([...ANNOTATIONS, 'type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'minimum', 'maximum', 'format', '$ref']);

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    default:
      throw new Error(`schema uses unsupported type '${t}'`);
  }
}

/** Every violation as `path: problem`; [] when `value` matches. */
export function checkSchema(value: unknown, root: Schema): string[] {
  const errors: string[] = [];
  const walk = (v: unknown, s: Schema, path: string): void => {
    for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`schema keyword '${k}' at ${path} is not supported by this checker`);
    if (typeof s.$ref === 'string') {
      const m = /^#\/\$defs\/([\w-]+)$/.exec(s.$ref);
      const target = m ? (root.$defs as Record<string, Schema> | undefined)?.[m[1]] : undefined;
      if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
      walk(v, target, path);
    }
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => typeOk(t, v))) {
        errors.push(`${path}: expected ${types.join('|')}, got ${JSON.stringify(v) ?? 'undefined'}`);
        return;
      }
    }
    if ('const' in s && JSON.stringify(v) !== JSON.stringify(s.const)) errors.push(`${path}: expected ${JSON.stringify(s.const)}, got ${JSON.stringify(v)}`);
    if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) errors.push(`${path}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) errors.push(`${path}: ${v} < minimum ${s.minimum}`);
      if (typeof s.maximum === 'number' && v > s.maximum) errors.push(`${path}: ${v} > maximum ${s.maximum}`);
    }
    if (typeof v === 'string' && s.format !== undefined) {
      if (s.format !== 'date-time') throw new Error(`schema uses unsupported format '${String(s.format)}'`);
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v) || Number.isNaN(Date.parse(v))) errors.push(`${path}: '${v}' is not an RFC 3339 date-time`);
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) errors.push(`${path}: ${v.length} items < minItems ${s.minItems}`);
      if (s.items !== undefined) v.forEach((x, i) => walk(x, s.items as Schema, `${path}[${i}]`));
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const k of (s.required ?? []) as string[]) if (!(k in o)) errors.push(`${path}: missing required '${k}'`);
      for (const [k, x] of Object.entries(o)) {
        if (props[k]) walk(x, props[k], `${path}.${k}`);
        else if (s.additionalProperties === false) errors.push(`${path}: unexpected property '${k}'`);
        else if (s.additionalProperties !== undefined && s.additionalProperties !== true) throw new Error('only additionalProperties true/false is supported');
      }
    }
  };
  walk(value, root, '$');
  return errors;
}
