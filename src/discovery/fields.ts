import { isSchemaObject, schemaAtFragment } from '../catalog/schema-walk.js';

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
/**
 * Steps one schema's walk may take (a subschema's keyword, a type, an enum value): a small valid
 * schema can still reach its places by billions of paths, and search, show and site walk every
 * version of every subject. 5,000 fields take under 100,000; this many about 0.5 s.
 */
const MAX_WORK = 500_000;
const ANY_ITEM = '*';

/** A schema object (booleans and non-objects read as `{}`). */
export type Schema = Readonly<Record<string, unknown>>;

/** A schema with its references followed, the references expanded on the way, and whether that came back to one. */
export interface Resolved {
  readonly schema: Schema;
  readonly seen: ReadonlySet<string>;
  readonly cyclic: boolean;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * A schema with its `$ref` chain followed: the target's keywords, overridden by the keywords
 * beside each `$ref` (a property's own `description` wins over the shared definition's).
 * `cyclic` is set when the chain comes back to a reference already being expanded.
 */
export function resolveRefs(root: unknown, node: unknown, seen: ReadonlySet<string> = NONE): Resolved {
  let schema: Schema = isSchemaObject(node) ? node : {};
  // Most subschemas have no $ref: no copy of the chain for them (the search index walks every version).
  if (typeof schema.$ref !== 'string') return { schema, seen, cyclic: false };
  const chain = new Set(seen);
  for (let hops = 0; typeof schema.$ref === 'string' && hops < MAX_DEPTH; hops += 1) {
    const ref = schema.$ref;
    if (chain.has(ref)) return { schema: withoutRef(schema), seen: chain, cyclic: true };
    chain.add(ref);
    const target = ref.startsWith('#') ? schemaAtFragment(root, ref.slice(1)) : undefined;
    schema = { ...(isSchemaObject(target) ? target : {}), ...withoutRef(schema) };
  }
  return { schema, seen: chain, cyclic: false };
}

function withoutRef(schema: Schema): Schema {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

const schemaList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * Keywords that change neither the fields below a schema nor its type: a `$ref` with only these
 * beside it lists as its target does, wherever it is used (`description` is read for the field
 * itself, by `add`, never below it).
 */
const ANNOTATIONS = new Set(['description', 'title', '$comment', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly']);

/**
 * What the walk of one schema knows: its work so far, and the types and places it has already
 * walked. A valid schema of a few KB whose definitions each use the next two or three times
 * (`anyOf: [$ref d1, $ref d1]`) reaches its last definition by 2^N paths: the walk looks at
 * each definition once per place (memoised by `keyOf`), and stops at MAX_WORK whatever the shape.
 */
interface Walk {
  readonly root: unknown;
  work: number;
  readonly ids: WeakMap<object, number>;
  nextId: number;
  readonly types: Map<string, string[]>;
}

const exhausted = (walk: Walk): boolean => walk.work > MAX_WORK;

/**
 * A key equal for subschemas that list and type alike: `$<ref>` for a `$ref` with only
 * annotations beside it (two `{ "$ref": "#/$defs/d1" }` in one `anyOf` are one), the object's
 * identity otherwise (JSON shares nothing but through `$ref`), `{}` for what reads as `{}`.
 */
function keyOf(walk: Walk, node: unknown): string {
  if (!isSchemaObject(node)) return '{}';
  if (typeof node.$ref === 'string') {
    let annotated = true;
    for (const key in node) if (key !== '$ref' && !ANNOTATIONS.has(key) && !key.startsWith('x-')) annotated = false;
    if (annotated) return `$${node.$ref}`;
  }
  let id = walk.ids.get(node);
  if (id === undefined) {
    id = walk.nextId++;
    walk.ids.set(node, id);
  }
  return `#${id}`;
}

/**
 * The types of a subschema at `depth` (`typesOf` after its references), memoised: a type found
 * where a recursive reference was cut short (read as `object`) is reused where it was not, a
 * difference only recursive definitions can show.
 */
function typesOfNode(walk: Walk, node: unknown, seen: ReadonlySet<string>, depth: number): string[] {
  const key = `${keyOf(walk, node)} ${depth}`;
  const known = walk.types.get(key);
  if (known) return known;
  // Following references copies the chain: a deep chain costs in proportion.
  walk.work += seen.size;
  const resolved = resolveRefs(walk.root, node, seen);
  const types = resolved.cyclic ? ['object'] : typesOf(walk, resolved.schema, resolved.seen, depth);
  if (!exhausted(walk)) walk.types.set(key, types);
  return types;
}

/** The readable type of a (resolved) schema: its `type`, else what `const`, `enum`, `properties`, `items` or the branches imply. */
function typesOf(walk: Walk, schema: Schema, seen: ReadonlySet<string>, depth: number): string[] {
  walk.work += 1;
  if (exhausted(walk)) return ['any'];
  const declared = schema.type;
  let types: string[];
  if (typeof declared === 'string') types = [declared];
  else if (Array.isArray(declared)) types = declared.filter((entry): entry is string => typeof entry === 'string');
  else if ('const' in schema) types = [jsonType(schema.const)];
  else if (Array.isArray(schema.enum)) {
    walk.work += schema.enum.length;
    types = unique(schema.enum.map(jsonType));
  } else if (isSchemaObject(schema.properties)) types = ['object'];
  else if ('items' in schema || 'prefixItems' in schema) types = ['array'];
  else {
    // No type of its own: what its branches allow (anyOf/oneOf: any of them; allOf: all at once).
    const typesOfBranches = (branches: unknown[]): string[][] => (depth < MAX_DEPTH ? branches : []).map((branch) => typesOfNode(walk, branch, seen, depth + 1));
    const alternatives = typesOfBranches([...schemaList(schema.anyOf), ...schemaList(schema.oneOf)]);
    const combined = typesOfBranches(schemaList(schema.allOf)).flat().filter((type) => type !== 'any');
    types = alternatives.length > 0 ? (alternatives.some((branch) => branch.includes('any')) ? ['any'] : unique(alternatives.flat())) : unique(combined);
  }
  if (types.includes('array') && depth < MAX_DEPTH && isSchemaObject(schema.items)) {
    const itemTypes = typesOfNode(walk, schema.items, seen, depth + 1);
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

/** The enum itself, not a copy: 4,900 fields of one 75,000-value enum held 367 million copies (3 GB). */
function valuesOf(schema: Schema): readonly unknown[] | undefined {
  if ('const' in schema) return [schema.const];
  return Array.isArray(schema.enum) ? (schema.enum as readonly unknown[]) : undefined;
}

/** An RFC 6901 reference token: `~` and `/` escaped (most names have neither). */
const escapeToken = (token: string): string => (token.includes('~') || token.includes('/') ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token);

type MutableField = { -readonly [K in keyof SchemaField]: SchemaField[K] };

/** Why a field list stops short of the schema's end. */
export interface FieldTruncation {
  /** `fields`: the schema has more than MAX_FIELDS; `work`: the walk took MAX_WORK steps (references that fan out level after level). */
  readonly reason: 'fields' | 'work';
  /** The bound that was met. */
  readonly limit: number;
}

/** The fields of a schema, and why the list is incomplete when it is. */
export interface FieldList {
  readonly fields: readonly SchemaField[];
  /** Set when the walk stopped before the end: fields past that point are missing. */
  readonly truncated?: FieldTruncation;
}

/** Why a field list is incomplete, as a sentence for a person: `only the first 5,000 fields are listed: …`. */
export function describeTruncation(truncation: FieldTruncation): string {
  if (truncation.reason === 'fields') return `only the first ${truncation.limit.toLocaleString('en-US')} fields are listed: the schema has more, and the fields past them are missing`;
  return `only the fields found in the first ${truncation.limit.toLocaleString('en-US')} steps are listed: the schema's references fan out (definitions that use the next several times, level after level), so fields past that point are missing`;
}

/**
 * Every field of a bundled schema, in schema order (a property before the fields inside it).
 * Properties reached through `allOf` count as the object's own; those of `anyOf`/`oneOf`
 * branches and `if`/`then`/`else` are listed but never required, since only some events have
 * them. A recursive definition is listed once, not expanded again. The list is bounded
 * (MAX_FIELDS fields, MAX_WORK steps): a list cut short says so in `truncated`.
 */
export function extractFields(schema: unknown, piiPointers: readonly string[] = []): FieldList {
  const pii = new Set(piiPointers);
  const fields = new Map<string, MutableField>();
  /** Set when a field was left out for MAX_FIELDS: the walk stops there. */
  let full = false;
  const walk: Walk = { root: schema, work: 0, ids: new WeakMap(), nextId: 0, types: new Map() };
  /** The places already walked (`collect`'s arguments as a key): walking one again adds nothing. */
  const walked = new Set<string>();
  /** Required-name sets by content, so equal sets are one object and `setIds` tells them apart by identity. */
  const sets = new Map<string, ReadonlySet<string>>();
  const setIds = new Map<ReadonlySet<string>, number>([[NONE, 0]]);
  const idOfSet = (names: ReadonlySet<string>): number => {
    let id = setIds.get(names);
    if (id === undefined) {
      id = setIds.size;
      setIds.set(names, id);
    }
    return id;
  };
  const intern = (names: ReadonlySet<string>): ReadonlySet<string> => {
    const key = JSON.stringify([...names].sort());
    const known = sets.get(key);
    if (known) return known;
    sets.set(key, names);
    return names;
  };

  /** `node` as written, `property` with its references followed from the holder's `seen`. */
  const add = (pointer: string, name: string, depth: number, node: unknown, seen: ReadonlySet<string>, property: Resolved, required: boolean): void => {
    if (exhausted(walk)) return;
    const types = property.cyclic ? typesOf(walk, property.schema, property.seen, 0) : typesOfNode(walk, node, seen, 0);
    // Typed past the budget: the type may be incomplete, so the field is not listed.
    if (exhausted(walk)) return;
    const { format, description } = property.schema;
    const values = valuesOf(property.schema);
    const marked = property.schema['x-pii'] === true;
    const existing = fields.get(pointer);
    if (existing) {
      // The same property in several branches: one row with what the branches allow together.
      existing.type = unique([...existing.type.split(' | '), ...types]).join(' | ');
      existing.required ||= required;
      existing.pii ||= marked;
      if (existing.format === undefined && typeof format === 'string') existing.format = format;
      if (!existing.description && typeof description === 'string') existing.description = description;
      if (existing.values && values) existing.values = unique([...existing.values, ...values]);
      else if (!values) delete existing.values;
      return;
    }
    if (fields.size >= MAX_FIELDS) {
      full = true;
      return;
    }
    const field: MutableField = { pointer, name, depth, type: types.length === 1 ? (types[0] ?? 'any') : types.join(' | '), description: typeof description === 'string' ? description : '', required, pii: marked || pii.has(pointer) };
    if (typeof format === 'string') field.format = format;
    if (values) field.values = values;
    fields.set(pointer, field);
  };

  /**
   * `node` as written and `resolved` with its references followed. `inherited`: names required
   * of this object by the schemas around it (an allOf parent); `ownCounts`: whether this
   * schema's own `required` applies to every event (false inside anyOf/oneOf branches and
   * if/then/else, which only some events match). `depth` is the field depth of this object's
   * properties; `level` bounds the walk.
   */
  const collect = (node: unknown, resolved: Resolved, pointer: string, depth: number, inherited: ReadonlySet<string>, ownCounts: boolean, level: number): void => {
    // Following its subschemas' references copies the chain: a deep chain costs in proportion.
    walk.work += 1 + resolved.seen.size;
    // Not at MAX_FIELDS fields but at the first one past them: the walk goes on merging what
    // later branches say of the fields it has, and a schema of exactly 5,000 is whole.
    if (level > MAX_DEPTH || full || resolved.cyclic || exhausted(walk)) return;
    const place = `${keyOf(walk, node)} ${idOfSet(inherited)} ${ownCounts ? 1 : 0} ${depth} ${level} ${pointer}`;
    if (walked.has(place)) return;
    walked.add(place);
    const current = resolved.schema;
    // One pass over the keys the schema has, not a lookup of every keyword it might have: the
    // site and search walk every version of every subject, and most subschemas have 2–4 keys.
    let properties: unknown;
    let items: unknown;
    let prefixItems: unknown;
    let allOfList: unknown;
    let ownRequired: unknown;
    const branches: unknown[] = [];
    for (const key in current) {
      walk.work += 1;
      if (key === 'properties') properties = current.properties;
      else if (key === 'items') items = current.items;
      else if (key === 'prefixItems') prefixItems = current.prefixItems;
      else if (key === 'allOf') allOfList = current.allOf;
      else if (key === 'required') ownRequired = current.required;
      else if (key === 'anyOf' || key === 'oneOf') branches.push(...schemaList(current[key]));
      else if (key === 'then' || key === 'else') branches.push(current[key]);
    }
    const allOfNodes = schemaList(allOfList);
    const allOf = allOfNodes.map((entry) => resolveRefs(schema, entry, resolved.seen));
    let required = inherited;
    if (ownCounts) {
      for (let index = -1; index < allOf.length; index += 1) {
        const names = index < 0 ? ownRequired : allOf[index]?.schema.required;
        if (!Array.isArray(names)) continue;
        if (required === inherited) required = new Set(inherited);
        for (const name of names) if (typeof name === 'string') (required as Set<string>).add(name);
      }
      if (required !== inherited) required = intern(required);
    }
    const into = (child: unknown, childPointer: string, childDepth: number, childInherited: ReadonlySet<string>, childOwnCounts: boolean): void =>
      collect(child, resolveRefs(schema, child, resolved.seen), childPointer, childDepth, childInherited, childOwnCounts, level + 1);
    if (isSchemaObject(properties)) {
      for (const name of Object.keys(properties)) {
        const childNode = properties[name];
        const child = resolveRefs(schema, childNode, resolved.seen);
        const childPointer = `${pointer}/${escapeToken(name)}`;
        add(childPointer, name, depth, childNode, resolved.seen, child, required.has(name));
        collect(childNode, child, childPointer, depth + 1, NONE, true, level + 1);
      }
    }
    if (Array.isArray(items)) items.forEach((item, index) => into(item, `${pointer}/${index}`, depth, NONE, true));
    else if (items !== undefined) into(items, `${pointer}/${ANY_ITEM}`, depth, NONE, true);
    if (Array.isArray(prefixItems)) prefixItems.forEach((item, index) => into(item, `${pointer}/${index}`, depth, NONE, true));
    allOf.forEach((branch, index) => collect(allOfNodes[index], branch, pointer, depth, required, ownCounts, level + 1));
    for (const branch of branches) into(branch, pointer, depth, required, false);
  };

  collect(schema, resolveRefs(schema, schema), '', 0, NONE, true, 0);
  const list = [...fields.values()];
  if (exhausted(walk)) return { fields: list, truncated: { reason: 'work', limit: MAX_WORK } };
  return full ? { fields: list, truncated: { reason: 'fields', limit: MAX_FIELDS } } : { fields: list };
}
