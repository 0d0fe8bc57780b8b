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

/** An RFC 6901 reference token: `~` and `/` escaped (most names have neither). */
const escapeToken = (token: string): string => (token.includes('~') || token.includes('/') ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token);

type MutableField = { -readonly [K in keyof SchemaField]: SchemaField[K] };

/**
 * Every field of a bundled schema, in schema order (a property before the fields inside it).
 * Properties reached through `allOf` count as the object's own; those of `anyOf`/`oneOf`
 * branches and `if`/`then`/`else` are listed but never required, since only some events have
 * them. A recursive definition is listed once, not expanded again.
 */
export function extractFields(schema: unknown, piiPointers: readonly string[] = []): SchemaField[] {
  const pii = new Set(piiPointers);
  const fields = new Map<string, MutableField>();

  const add = (pointer: string, name: string, depth: number, property: Resolved, required: boolean): void => {
    const types = typesOf(schema, property.schema, property.seen, 0);
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
    if (fields.size >= MAX_FIELDS) return;
    const field: MutableField = { pointer, name, depth, type: types.length === 1 ? (types[0] ?? 'any') : types.join(' | '), description: typeof description === 'string' ? description : '', required, pii: marked || pii.has(pointer) };
    if (typeof format === 'string') field.format = format;
    if (values) field.values = values;
    fields.set(pointer, field);
  };

  /**
   * `inherited`: names required of this object by the schemas around it (an allOf parent);
   * `ownCounts`: whether this schema's own `required` applies to every event (false inside
   * anyOf/oneOf branches and if/then/else, which only some events match). `depth` is the
   * field depth of this object's properties; `level` bounds the walk.
   */
  const collect = (resolved: Resolved, pointer: string, depth: number, inherited: ReadonlySet<string>, ownCounts: boolean, level: number): void => {
    if (level > MAX_DEPTH || fields.size >= MAX_FIELDS || resolved.cyclic) return;
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
      if (key === 'properties') properties = current.properties;
      else if (key === 'items') items = current.items;
      else if (key === 'prefixItems') prefixItems = current.prefixItems;
      else if (key === 'allOf') allOfList = current.allOf;
      else if (key === 'required') ownRequired = current.required;
      else if (key === 'anyOf' || key === 'oneOf') branches.push(...schemaList(current[key]));
      else if (key === 'then' || key === 'else') branches.push(current[key]);
    }
    const allOf = Array.isArray(allOfList) ? allOfList.map((entry) => resolveRefs(schema, entry, resolved.seen)) : [];
    let required = inherited;
    if (ownCounts) {
      for (let index = -1; index < allOf.length; index += 1) {
        const names = index < 0 ? ownRequired : allOf[index]?.schema.required;
        if (!Array.isArray(names)) continue;
        if (required === inherited) required = new Set(inherited);
        for (const name of names) if (typeof name === 'string') (required as Set<string>).add(name);
      }
    }
    if (isSchemaObject(properties)) {
      for (const name of Object.keys(properties)) {
        const child = resolveRefs(schema, properties[name], resolved.seen);
        const childPointer = `${pointer}/${escapeToken(name)}`;
        add(childPointer, name, depth, child, required.has(name));
        collect(child, childPointer, depth + 1, NONE, true, level + 1);
      }
    }
    if (Array.isArray(items)) items.forEach((item, index) => collect(resolveRefs(schema, item, resolved.seen), `${pointer}/${index}`, depth, NONE, true, level + 1));
    else if (items !== undefined) collect(resolveRefs(schema, items, resolved.seen), `${pointer}/${ANY_ITEM}`, depth, NONE, true, level + 1);
    if (Array.isArray(prefixItems)) prefixItems.forEach((item, index) => collect(resolveRefs(schema, item, resolved.seen), `${pointer}/${index}`, depth, NONE, true, level + 1));
    for (const branch of allOf) collect(branch, pointer, depth, required, ownCounts, level + 1);
    for (const branch of branches) collect(resolveRefs(schema, branch, resolved.seen), pointer, depth, required, false, level + 1);
  };

  collect(resolveRefs(schema, schema), '', 0, NONE, true, 0);
  return [...fields.values()];
}
