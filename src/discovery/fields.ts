import { isSchemaObject } from '../catalog/schema-walk.js';
import { fromPointer, toPointer } from '../domain/finding.js';

/**
 * The fields of an event as a person reads them: one row per property at any depth, with an
 * instance pointer (`/amount/currency`, `/lines/*\/sku` for the items of an array), a readable
 * type and the flags a consumer needs (required, PII). Built from the manifest's bundled schema,
 * so `$ref`s are local (`#/$defs/...`, `#/definitions/...`) and resolved here.
 */
export interface SchemaField {
  /** RFC 6901 pointer into the event; `*` stands for every item of an array. */
  readonly pointer: string;
  /** The property name (the pointer's last token). */
  readonly name: string;
  /** 0 for a top-level property. */
  readonly depth: number;
  /** `string`, `integer | null`, `array of string`, `object`, `any`… */
  readonly type: string;
  /** The `format` the values follow (`date-time`, `uuid`…), when one is declared. */
  readonly format?: string;
  readonly description: string;
  /** Listed in `required` by the object that holds it (directly or through `allOf`). */
  readonly required: boolean;
  /** In the subject's PII pointers or marked `x-pii: true`. */
  readonly pii: boolean;
  /** The allowed values (`enum`, or `const` as one value), when restricted to a list. */
  readonly values?: readonly unknown[];
}

/**
 * Bounds for hostile or pathological schemas (DESIGN.md §10): registration already limits a
 * version file to 64 levels, but a bundled schema can nest deeper through references.
 */
const MAX_DEPTH = 32;
const MAX_FIELDS = 5_000;
const ANY_ITEM = '*';

/** A schema object (booleans and non-objects read as `{}`). */
export type Schema = Readonly<Record<string, unknown>>;

interface MutableField {
  pointer: string;
  name: string;
  depth: number;
  types: string[];
  format: string | undefined;
  description: string;
  required: boolean;
  pii: boolean;
  values: unknown[] | undefined;
}

/** The value a local `$ref` (`#`, `#/$defs/X`, with `~0`/`~1` escapes) points at in `root`. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const tokens = fromPointer(decodeURIComponentSafe(ref.slice(1)));
  if (!tokens) return undefined;
  let node: unknown = root;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isSchemaObject(node) && Object.prototype.hasOwnProperty.call(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A schema with its `$ref` chain followed: the target's keywords, overridden by the keywords
 * beside each `$ref` (a property's own `description` wins over the shared definition's).
 * `cyclic` is set when the chain comes back to a reference already being expanded.
 */
export function resolveRefs(root: unknown, node: unknown, seen: ReadonlySet<string> = new Set()): { schema: Schema; seen: ReadonlySet<string>; cyclic: boolean } {
  let schema: Schema = isSchemaObject(node) ? node : {};
  const chain = new Set(seen);
  for (let hops = 0; typeof schema.$ref === 'string' && hops < MAX_DEPTH; hops += 1) {
    const ref = schema.$ref;
    if (chain.has(ref)) return { schema: withoutRef(schema), seen: chain, cyclic: true };
    chain.add(ref);
    const target = resolvePointer(root, ref);
    schema = { ...(isSchemaObject(target) ? target : {}), ...withoutRef(schema) };
  }
  return { schema, seen: chain, cyclic: false };
}

function withoutRef(schema: Schema): Schema {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

const schemaList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The readable type of a (resolved) schema: its `type`, else what `const`, `enum`, `properties`, `items` or the branches imply. */
function typesOf(root: unknown, schema: Schema, seen: ReadonlySet<string>, depth: number): string[] {
  const declared = schema.type;
  let types: string[];
  if (typeof declared === 'string') types = [declared];
  else if (Array.isArray(declared)) types = declared.filter((entry): entry is string => typeof entry === 'string');
  else if ('const' in schema) types = [jsonType(schema.const)];
  else if (Array.isArray(schema.enum)) types = unique(schema.enum.map(jsonType));
  else if (isSchemaObject(schema.properties)) types = ['object'];
  else if ('items' in schema || 'prefixItems' in schema) types = ['array'];
  else {
    // No type of its own: what its branches allow (anyOf/oneOf: any of them; allOf: all at once).
    const typesOfBranches = (branches: unknown[]): string[][] => (depth < MAX_DEPTH ? branches : []).map((branch) => {
      const resolved = resolveRefs(root, branch, seen);
      return resolved.cyclic ? ['object'] : typesOf(root, resolved.schema, resolved.seen, depth + 1);
    });
    const alternatives = typesOfBranches([...schemaList(schema.anyOf), ...schemaList(schema.oneOf)]);
    const combined = typesOfBranches(schemaList(schema.allOf)).flat().filter((type) => type !== 'any');
    types = alternatives.length > 0 ? (alternatives.some((branch) => branch.includes('any')) ? ['any'] : unique(alternatives.flat())) : unique(combined);
  }
  if (types.includes('array') && depth < MAX_DEPTH && isSchemaObject(schema.items)) {
    const items = resolveRefs(root, schema.items, seen);
    const itemTypes = items.cyclic ? ['object'] : typesOf(root, items.schema, items.seen, depth + 1);
    types = types.map((type) => (type === 'array' ? `array of ${itemTypes.length > 1 ? `(${itemTypes.join(' | ')})` : (itemTypes[0] ?? 'any')}` : type));
  }
  return types.length > 0 ? types : ['any'];
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function valuesOf(schema: Schema): unknown[] | undefined {
  if ('const' in schema) return [schema.const];
  return Array.isArray(schema.enum) ? [...(schema.enum as unknown[])] : undefined;
}

/**
 * Every field of a bundled schema, in schema order (a property before the fields inside it).
 * Properties reached through `allOf` count as the object's own; those of `anyOf`/`oneOf`
 * branches and `if`/`then`/`else` are listed but never required, since only some events have
 * them. A recursive definition is listed once, not expanded again.
 */
export function extractFields(schema: unknown, piiPointers: readonly string[] = []): SchemaField[] {
  const pii = new Set(piiPointers);
  const fields = new Map<string, MutableField>();

  const add = (tokens: readonly string[], property: Schema, required: boolean, seen: ReadonlySet<string>): void => {
    const pointer = toPointer(tokens);
    const types = typesOf(schema, property, seen, 0);
    const format = typeof property.format === 'string' ? property.format : undefined;
    const values = valuesOf(property);
    const description = typeof property.description === 'string' ? property.description : '';
    const existing = fields.get(pointer);
    if (existing) {
      // The same property in several branches: one row with what the branches allow together.
      existing.types = unique([...existing.types, ...types]);
      existing.required ||= required;
      existing.pii ||= property['x-pii'] === true;
      existing.format ??= format;
      if (!existing.description) existing.description = description;
      if (existing.values && values) existing.values = unique([...existing.values, ...values]);
      else if (!values) existing.values = undefined;
      return;
    }
    if (fields.size >= MAX_FIELDS) return;
    fields.set(pointer, { pointer, name: tokens.at(-1) ?? '', depth: tokens.filter((token) => token !== ANY_ITEM).length - 1, types, format, description, required, pii: pii.has(pointer) || property['x-pii'] === true, values });
  };

  /**
   * `inherited`: names required of this object by the schemas around it (an allOf parent);
   * `ownCounts`: whether this schema's own `required` applies to every event (false inside
   * anyOf/oneOf branches and if/then/else, which only some events match).
   */
  const collect = (node: unknown, tokens: readonly string[], inherited: ReadonlySet<string>, ownCounts: boolean, seen: ReadonlySet<string>, depth: number): void => {
    if (depth > MAX_DEPTH || fields.size >= MAX_FIELDS) return;
    const resolved = resolveRefs(schema, node, seen);
    if (resolved.cyclic) return;
    const current = resolved.schema;
    const required = new Set(inherited);
    if (ownCounts) {
      for (const branch of [current, ...schemaList(current.allOf).map((entry) => resolveRefs(schema, entry, resolved.seen).schema)]) {
        if (Array.isArray(branch.required)) for (const name of branch.required) if (typeof name === 'string') required.add(name);
      }
    }
    if (isSchemaObject(current.properties)) {
      for (const [name, property] of Object.entries(current.properties)) {
        const child = resolveRefs(schema, property, resolved.seen);
        add([...tokens, name], child.schema, required.has(name), child.seen);
        if (!child.cyclic) collect(property, [...tokens, name], new Set(), true, resolved.seen, depth + 1);
      }
    }
    const none = new Set<string>();
    if (isSchemaObject(current.items)) collect(current.items, [...tokens, ANY_ITEM], none, true, resolved.seen, depth + 1);
    else if (Array.isArray(current.items)) current.items.forEach((item, index) => collect(item, [...tokens, String(index)], none, true, resolved.seen, depth + 1));
    schemaList(current.prefixItems).forEach((item, index) => collect(item, [...tokens, String(index)], none, true, resolved.seen, depth + 1));
    for (const branch of schemaList(current.allOf)) collect(branch, tokens, required, ownCounts, resolved.seen, depth + 1);
    for (const branch of [...schemaList(current.anyOf), ...schemaList(current.oneOf), current.then, current.else]) if (branch !== undefined) collect(branch, tokens, required, false, resolved.seen, depth + 1);
  };

  collect(schema, [], new Set(), true, new Set(), 0);
  return [...fields.values()].map(({ types, format, values, ...field }) => ({
    ...field,
    type: types.join(' | '),
    ...(format !== undefined ? { format } : {}),
    ...(values !== undefined ? { values } : {}),
  }));
}
