import { decodeRefPart, fromPointer } from '../domain/finding.js';

/**
 * Visits every subschema of a JSON Schema (draft-07 and 2020-12 keywords), iteratively, with
 * its location. Pure; the basis of the lint rules and the $ref walk.
 */
export interface SchemaVisit {
  readonly schema: Readonly<Record<string, unknown>>;
  /** Reference tokens from the document root. */
  readonly tokens: readonly string[];
  /** Set when this subschema is the value of `properties/<name>`. */
  readonly propertyName?: string;
  /** Instance path of object properties leading here (only through `properties`), when there is one. */
  readonly instanceTokens?: readonly string[];
}

/**
 * How the value a subschema applies to relates to its parent's value: the same value (combinators,
 * then/else, dependentSchemas), a property, the properties a pattern or additional/unevaluated
 * keyword governs, an item (`index` for a tuple position), or none (definitions, `if` conditions,
 * `not`, property names, content).
 */
export type InstanceStep =
  | { readonly kind: 'same' }
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'pattern'; readonly pattern: string }
  | { readonly kind: 'additional' }
  | { readonly kind: 'item'; readonly index?: number }
  | { readonly kind: 'none' };

/** One subschema position of a schema object: where it is (tokens below the object) and what it applies to. */
export interface SubschemaEntry {
  readonly tokens: readonly string[];
  readonly value: unknown;
  readonly step: InstanceStep;
}

const SAME: InstanceStep = { kind: 'same' };
const NONE: InstanceStep = { kind: 'none' };
const ITEM: InstanceStep = { kind: 'item' };
const ADDITIONAL: InstanceStep = { kind: 'additional' };

/** Keywords whose value is one subschema, with what it applies to. */
const SINGLE: ReadonlyArray<readonly [string, InstanceStep]> = [
  ['additionalProperties', ADDITIONAL], ['additionalItems', ITEM], ['unevaluatedProperties', ADDITIONAL], ['unevaluatedItems', ITEM],
  ['contains', ITEM], ['propertyNames', NONE], ['not', NONE], ['if', NONE], ['then', SAME], ['else', SAME], ['contentSchema', NONE],
];
/** Keywords whose value is an array of subschemas. */
const ARRAYS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Keywords whose value maps names to subschemas. */
const MAPS = ['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'];

const SAME_INSTANCE = new Set(['allOf', 'anyOf', 'oneOf', 'if', 'then', 'else']);

export function isSchemaObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const own = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/**
 * Every subschema position directly below a schema object (draft-07 and 2020-12 keywords), in
 * keyword order. The one list of positions: walkSchema and the compatibility policy's parallel
 * walk both use it. Values are returned as found (booleans included); callers pick objects.
 */
export function subschemasOf(schema: Readonly<Record<string, unknown>>): SubschemaEntry[] {
  const entries: SubschemaEntry[] = [];
  for (const [keyword, step] of SINGLE) if (own(schema, keyword)) entries.push({ tokens: [keyword], value: schema[keyword], step });
  for (const keyword of ARRAYS) {
    const value = schema[keyword];
    if (!own(schema, keyword) || !Array.isArray(value)) continue;
    value.forEach((item, index) => entries.push({ tokens: [keyword, String(index)], value: item, step: keyword === 'prefixItems' ? { kind: 'item', index } : SAME }));
  }
  for (const keyword of MAPS) {
    const value = schema[keyword];
    if (!own(schema, keyword) || !isSchemaObject(value)) continue;
    for (const name of Object.keys(value)) {
      const step: InstanceStep = keyword === 'properties' ? { kind: 'property', name } : keyword === 'patternProperties' ? { kind: 'pattern', pattern: name } : keyword === 'dependentSchemas' ? SAME : NONE;
      entries.push({ tokens: [keyword, name], value: value[name], step });
    }
  }
  // `items`: one schema (both dialects) or, in draft-07, an array of schemas (tuple positions).
  const items = schema.items;
  if (own(schema, 'items')) {
    if (Array.isArray(items)) items.forEach((item, index) => entries.push({ tokens: ['items', String(index)], value: item, step: { kind: 'item', index } }));
    else entries.push({ tokens: ['items'], value: items, step: ITEM });
  }
  // draft-07 `dependencies`: values are schemas (applied to the same object) or arrays of names.
  const dependencies = schema.dependencies;
  if (own(schema, 'dependencies') && isSchemaObject(dependencies)) {
    for (const name of Object.keys(dependencies)) if (!Array.isArray(dependencies[name])) entries.push({ tokens: ['dependencies', name], value: dependencies[name], step: SAME });
  }
  return entries;
}

/**
 * What a `$ref` fragment (the part after `#`: percent-encoded, RFC 6901 escapes) points at in a
 * document: through objects and arrays alike (`/$defs/L/allOf/0`), as ajv resolves it, own
 * properties only. Undefined when the fragment is malformed or what it reaches is not a schema
 * (an object or a boolean). The one pointer lookup of every `$ref` resolver.
 */
export function schemaAtFragment(root: unknown, fragment: string): Record<string, unknown> | boolean | undefined {
  const decoded = decodeRefPart(fragment); // undefined for a malformed percent-encoding
  return decoded === undefined ? undefined : schemaAtPointer(root, decoded);
}

/** {@link schemaAtFragment} for a fragment already percent-decoded: a JSON Pointer (RFC 6901). */
export function schemaAtPointer(root: unknown, pointer: string): Record<string, unknown> | boolean | undefined {
  const tokens = fromPointer(pointer);
  if (!tokens) return undefined;
  let value: unknown = root;
  for (const token of tokens) {
    if (!(isSchemaObject(value) || Array.isArray(value)) || !own(value, token)) return undefined;
    value = (value as Record<string, unknown>)[token];
  }
  return typeof value === 'boolean' || isSchemaObject(value) ? value : undefined;
}

/**
 * A copy of a schema object in which the value at every subschema position (subschemasOf) is
 * replaced by `map(value)`; everything else — data keywords (`const`, `enum`, `default`,
 * `examples`), unknown keywords — is kept as found. Positions come from the keyword that holds
 * them, so a property named `default` is a subschema like any other, and a `$ref`-shaped value
 * under `const` is data. Names are set as own properties (a property may be named `__proto__`).
 */
export function mapSubschemas(schema: Readonly<Record<string, unknown>>, map: (value: unknown) => unknown): Record<string, unknown> {
  const result = copyOwn(schema);
  const copied = new Set<string>();
  for (const { tokens, value } of subschemasOf(schema)) {
    const [keyword = '', below] = tokens;
    if (below === undefined) {
      setOwn(result, keyword, map(value));
      continue;
    }
    // An array or map of subschemas: copied once, then its entries replaced one by one.
    if (!copied.has(keyword)) {
      const container = schema[keyword];
      setOwn(result, keyword, Array.isArray(container) ? [...(container as unknown[])] : copyOwn(container as Record<string, unknown>));
      copied.add(keyword);
    }
    setOwn(result[keyword] as Record<string, unknown>, below, map(value));
  }
  return result;
}

function copyOwn(object: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(object)) setOwn(copy, name, value);
  return copy;
}

function setOwn(object: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Calls `visit` for the root and every nested schema object, depth-first. */
export function walkSchema(root: unknown, visit: (entry: SchemaVisit) => void): void {
  if (!isSchemaObject(root)) return;
  const stack: SchemaVisit[] = [{ schema: root, tokens: [], instanceTokens: [] }];
  while (stack.length > 0) {
    const entry = stack.pop();
    if (!entry) break;
    visit(entry);
    const { schema, tokens } = entry;
    // Combinators and conditionals apply to the same instance: its path carries through them.
    for (const { tokens: below, value, step } of subschemasOf(schema)) {
      if (!isSchemaObject(value)) continue;
      const [keyword = ''] = below;
      const extra: Partial<SchemaVisit> =
        step.kind === 'property'
          ? { propertyName: step.name, ...(entry.instanceTokens ? { instanceTokens: [...entry.instanceTokens, step.name] } : {}) }
          : SAME_INSTANCE.has(keyword) && entry.instanceTokens
            ? { instanceTokens: entry.instanceTokens }
            : {};
      stack.push({ schema: value, tokens: [...tokens, ...below], ...extra });
    }
  }
}
