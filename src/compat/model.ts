import { rebaseRefs } from '../catalog/refs.js';
import { isSchemaObject, schemaAtPointer } from '../catalog/schema-walk.js';
import { jsonKey } from '../domain/canonical-json.js';
import { decodeRefPart } from '../domain/finding.js';

/**
 * JSON Schema compatibility, set semantics (DESIGN.md §3): a schema is the set of values it
 * accepts; a reader can read a writer when writer ⊆ reader. Nodes here are subschemas of one
 * version file, with the pointer they came from.
 */

/** JSON types; `integer` values are also `number` values. */
export type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';
export const ALL_TYPES: readonly JsonType[] = ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'];

/** One version file as the engine sees it. */
export interface SchemaDocument {
  /** Label for messages, e.g. `catalog/apps/users/3.json` or `version 3`. */
  readonly label: string;
  readonly root: unknown;
  /** Position of a pointer in the file (1-based), for findings. */
  locate(pointer: string): { line: number; col: number };
}

/** A subschema and where it is. `false` schemas and `true`/`{}` are kept as booleans. */
export interface SchemaNode {
  readonly document: SchemaDocument;
  readonly pointer: string;
  readonly schema: Readonly<Record<string, unknown>> | boolean;
  /**
   * Built by the engine (an allOf folded, a union branch with its siblings): not at `pointer`
   * in the document, so it is validated from `schema` itself.
   */
  readonly synthetic?: boolean;
}

/** Resolves a `$ref` to another file (through the catalog) to its target node; undefined when it cannot. */
export type RefResolver = (from: SchemaNode, ref: string) => SchemaNode | undefined;

/**
 * Where a `$ref` at `from` leads: a fragment-only reference into `from`'s own document, any
 * other through `external` (a version file the catalog resolves; none for two files compared on
 * their own). Undefined when it leads to no schema. The one resolver of the rule walk, the
 * DEFAULT policy's walk and the catalog's file references, so all three follow a reference
 * exactly where ajv does: into arrays (`#/$defs/L/allOf/0`) as into objects, across files.
 */
export function resolveRef(from: SchemaNode, ref: string, external?: RefResolver): SchemaNode | undefined {
  if (!ref.startsWith('#')) return external?.(from, ref);
  const pointer = decodeRefPart(ref.slice(1));
  const schema = pointer === undefined ? undefined : schemaAtPointer(from.document.root, pointer);
  return schema === undefined || pointer === undefined ? undefined : { document: from.document, pointer, schema };
}

/** The longest chain of references followed; a longer one is taken as a loop. */
export const MAX_REF_HOPS = 32;

/** Why following a chain of references stopped: at a schema that is no reference, at one with
 * constraining sibling keywords (when those stop it), at one that cannot be resolved, or after MAX_REF_HOPS. */
export type RefChainEnd = 'schema' | 'siblings' | 'unresolved' | 'too-long';

/**
 * Follows the chain of `$ref`s from `node` (resolveRef) to where it ends, and says why it ended.
 * With `bare`, a reference with constraining sibling keywords (annotations aside) ends the chain
 * (2020-12 applies both, so the target alone is not the schema); without, the siblings are
 * passed over. The one loop over references of the compatibility check.
 */
export function followRefChain(node: SchemaNode, resolve: RefResolver | undefined, { bare }: { readonly bare: boolean }): { node: SchemaNode; end: RefChainEnd } {
  let current = node;
  // Up to MAX_REF_HOPS references followed: a chain of exactly that many ends at its schema.
  for (let hop = 0; ; hop += 1) {
    const ref = keyword(current, '$ref');
    if (typeof ref !== 'string') return { node: current, end: 'schema' };
    if (bare && constraintKeys(current).some((key) => key !== '$ref')) return { node: current, end: 'siblings' };
    if (hop === MAX_REF_HOPS) return { node: current, end: 'too-long' };
    const target = resolveRef(current, ref, resolve);
    if (!target) return { node: current, end: 'unresolved' };
    current = target;
  }
}

/**
 * A resolver of references to other files: `documentAt` names the document a reference's path
 * (percent-decoded) leads to from the referring document, and the fragment is looked up in it as
 * every reference's is (resolveRef). Undefined for a path with a malformed escape.
 */
export function fileResolver(documentAt: (from: SchemaDocument, path: string) => SchemaDocument | undefined): RefResolver {
  return (from, ref) => {
    const hash = ref.indexOf('#');
    const path = decodeRefPart(hash === -1 ? ref : ref.slice(0, hash));
    const document = path === undefined ? undefined : documentAt(from.document, path);
    return document ? resolveRef({ document, pointer: '', schema: true }, hash === -1 ? '#' : ref.slice(hash)) : undefined;
  };
}

const rebased = new WeakMap<object, Map<string, Record<string, unknown>>>();

/**
 * The schema a `$ref` at `from` leads to (resolveRef), as a value that can stand in `from`'s
 * document: from another file, its own references are rewritten relative to `from`'s
 * (rebaseRefs), because an allOf fold (mergeSchemas) copies it into a schema of `from`'s
 * document, where they would otherwise resolve. Memoised, so a definition keeps one identity
 * per referring file (the walk's memo keys use it).
 */
export function schemaFrom(from: SchemaNode, ref: string, external?: RefResolver): SchemaNode['schema'] | undefined {
  const target = resolveRef(from, ref, external);
  if (!target || typeof target.schema === 'boolean' || target.document === from.document) return target?.schema;
  const byBase = rebased.get(target.schema) ?? new Map<string, Record<string, unknown>>();
  rebased.set(target.schema, byBase);
  const key = `${target.document.label}\u0000${from.document.label}`;
  let schema = byBase.get(key);
  if (!schema) {
    schema = rebaseRefs(target.schema, target.document.label, from.document.label);
    byBase.set(key, schema);
  }
  return schema;
}

/**
 * A node's schema as it reads from `document`, for a merge with that document's schemas
 * (mergeSchemas resolves every reference with one resolver): a writer's `#/$defs/A` must keep
 * naming the writer's A, not the reader's. Its references are rebased (rebaseRefs), so a merge
 * follows them into the writer's file through the catalog, or, with no catalog to resolve them
 * (two files compared on their own), cannot fold them and is undecided. Undefined when two
 * documents share a label, which nothing can then tell apart.
 */
export function schemaIn(node: SchemaNode, document: SchemaDocument): SchemaNode['schema'] | undefined {
  if (node.document === document || typeof node.schema === 'boolean') return node.schema;
  return node.document.label === document.label ? undefined : rebaseRefs(node.schema, node.document.label, document.label);
}

/** Keywords that never change which values are valid (annotations and our vocabulary). */
export const ANNOTATIONS = new Set([
  '$schema', '$comment', '$id', '$anchor', 'title', 'description', 'default', 'examples', 'deprecated',
  'readOnly', 'writeOnly', 'contentMediaType', 'contentEncoding', 'x-pii', 'x-event-time', '$defs', 'definitions',
]);

/** Keywords the part-1 rule walk decides; anything else is compared by equality or left undecided. */
export const DECIDED = new Set([
  'type', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'format', 'pattern', 'items', 'minItems', 'maxItems', 'uniqueItems',
  'properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties', '$ref',
  'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'dependentRequired', 'dependentSchemas', 'dependencies',
  'propertyNames', 'contains', 'minContains', 'maxContains', 'prefixItems', 'additionalItems',
  'unevaluatedProperties', 'unevaluatedItems', 'patternProperties',
]);

/** A node built from a schema object that is not at a pointer of the document. */
export function syntheticNode(from: SchemaNode, schema: Readonly<Record<string, unknown>> | boolean, suffix: string): SchemaNode {
  return { document: from.document, pointer: `${from.pointer}${suffix}`, schema, synthetic: true };
}

/** A copy of a node's schema without some keywords, as a synthetic node. */
export function without(node: SchemaNode, ...names: string[]): SchemaNode {
  if (typeof node.schema === 'boolean') return node;
  const schema = Object.fromEntries(Object.entries(node.schema).filter(([key]) => !names.includes(key)));
  return { document: node.document, pointer: node.pointer, schema, synthetic: true };
}

/** The keywords of a node that constrain values (annotations removed). */
export function constraintKeys(node: SchemaNode): string[] {
  return typeof node.schema === 'boolean' ? [] : Object.keys(node.schema).filter((key) => !ANNOTATIONS.has(key));
}

export function keyword(node: SchemaNode, name: string): unknown {
  return typeof node.schema === 'object' && Object.prototype.hasOwnProperty.call(node.schema, name) ? node.schema[name] : undefined;
}

export function has(node: SchemaNode, name: string): boolean {
  return typeof node.schema === 'object' && Object.prototype.hasOwnProperty.call(node.schema, name);
}

/** A child node at `tokens` below this one (the value may be absent → `true`). */
export function child(node: SchemaNode, ...tokens: string[]): SchemaNode {
  let value: unknown = node.schema;
  for (const token of tokens) value = isSchemaObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[token] : undefined;
  const pointer = `${node.pointer}${tokens.map((token) => `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;
  return { document: node.document, pointer, schema: typeof value === 'boolean' ? value : isSchemaObject(value) ? value : true, ...(node.synthetic ? { synthetic: true } : {}) };
}

/** Accepts nothing: `false`, or `not: {}`/`not: true`. */
export function acceptsNothing(node: SchemaNode): boolean {
  if (node.schema === false) return true;
  const not = keyword(node, 'not');
  return not === true || (isSchemaObject(not) && Object.keys(not).length === 0);
}

/** Accepts everything: `true`, `{}`, or only annotations. */
export function acceptsAnything(node: SchemaNode): boolean {
  return node.schema === true || (typeof node.schema === 'object' && constraintKeys(node).length === 0);
}

/** The JSON types a node admits, from `type`, `enum` and `const`. */
const typeCache = new WeakMap<object, ReadonlySet<JsonType>>();

export function typesOf(node: SchemaNode): Set<JsonType> {
  if (typeof node.schema === 'object') {
    const cached = typeCache.get(node.schema);
    if (cached) return new Set(cached);
    const computed = computeTypes(node);
    typeCache.set(node.schema, computed);
    return new Set(computed);
  }
  return computeTypes(node);
}

function computeTypes(node: SchemaNode): Set<JsonType> {
  if (acceptsNothing(node)) return new Set();
  const declared = keyword(node, 'type');
  let types = new Set<JsonType>(
    declared === undefined ? ALL_TYPES : ([declared].flat().filter((type): type is JsonType => ALL_TYPES.includes(type as JsonType))),
  );
  if (types.has('number')) types.add('integer');
  const values = enumValues(node);
  if (values) {
    const fromValues = typesOfValues(values);
    types = new Set([...types].filter((type) => fromValues.has(type)));
  }
  return types;
}

const valueTypes = new WeakMap<readonly unknown[], ReadonlySet<JsonType>>();

/**
 * The types of an enum's values (an integral value is `integer` only: `number` in a set of types
 * means numbers that are not integers too, which `[1, 2, 3]` does not admit), read once per enum array: the
 * node around it may be new at every place (an allOf folded per property keeps the array by
 * reference), and an 80,000-value enum read again for each of 4,900 properties was most of three
 * minutes, uncounted.
 */
function typesOfValues(values: readonly unknown[]): ReadonlySet<JsonType> {
  let types = valueTypes.get(values);
  if (!types) {
    types = new Set(values.map(jsonTypeOf));
    valueTypes.set(values, types);
  }
  return types;
}

/** `enum`, or `const` as a one-value enum; undefined when neither is present. */
export function enumValues(node: SchemaNode): readonly unknown[] | undefined {
  if (has(node, 'const')) return [keyword(node, 'const')];
  const values = keyword(node, 'enum');
  return Array.isArray(values) ? values : undefined;
}

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

/** Deep equality of JSON values (key order ignored), as `enum`/`const` compare them. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  const keysA = Object.keys(a);
  const keysB = Object.keys(b as object);
  return keysA.length === keysB.length && keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/**
 * multipleOf as ajv decides it (no multipleOfPrecision, as the SDK, the flow and the check
 * compile versions): its generated code fails `(res = data / multipleOf, res !== parseInt(res))`,
 * so the quotient must be an integer exactly in floating point (0.3 is no multiple of 0.1), and
 * one of 1e21 or more, which parseInt reads from its exponent form, is none either.
 */
export function isMultipleOf(value: number, step: number): boolean {
  if (step === 0) return false;
  const quotient = value / step;
  return quotient === Number.parseInt(String(quotient), 10);
}

/** Enums up to this size are searched value by value; larger ones through a set of their jsonKeys (equal exactly when jsonEqual is). */
const ENUM_SET_FROM = 32;
const enumSets = new WeakMap<readonly unknown[], ReadonlySet<string>>();

/**
 * Whether `value` is a member of an enum, as jsonEqual decides. A large enum is read into a set
 * once (per array), so a membership test costs the value's size, not the enum's: ajv and a scan
 * compare value by value, and an 80,000-name enum checked for each of thousands of values or
 * properties was billions of comparisons.
 */
export function inEnum(values: readonly unknown[], value: unknown): boolean {
  if (values.length < ENUM_SET_FROM) return values.some((entry) => jsonEqual(entry, value));
  let set = enumSets.get(values);
  if (!set) {
    set = new Set(values.map(jsonKey));
    enumSets.set(values, set);
  }
  return set.has(jsonKey(value));
}

/** The JSON values in a value, itself included. */
export function sizeOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 1;
  let size = 1;
  for (const entry of Array.isArray(value) ? value : Object.values(value)) size += sizeOf(entry);
  return size;
}
