import { isSchemaObject } from '../catalog/schema-walk.js';
import { createWorkBudget, WorkBudgetExceeded, type WorkBudget } from '../domain/work-budget.js';
import { sizeOf } from './model.js';

/**
 * The form json-schema-diff can compare (compat.md §4): draft-07 keywords only, every `$ref`
 * inlined (it would otherwise resolve them against the working directory or the network),
 * no `$schema`, at most 4 object branches per union (its cost explodes past that).
 * Undefined-with-reason when a schema is outside that subset.
 *
 * `resolve` gives the schema a `$ref` leads to as it reads from `root`'s document: every
 * reference met while inlining, in `root` or in a definition inlined from another file, is
 * resolved there, so one from another file must come with its own references rebased
 * (schemaFrom), or its `#/$defs/X` would name the referring file's X.
 *
 * Its ref-parser resolves every object with a `$ref` key wherever it sits, data included
 * (`enum: [{"$ref": "http://…"}]` was fetched): enum and const values are encoded (see
 * encodeJsdData) and a form that still holds a `$ref` key anywhere is refused, so the
 * ref-parser never sees one (DESIGN.md §2: nothing is ever fetched).
 */
export type JsdForm = { readonly ok: true; readonly schema: unknown } | { readonly ok: false; readonly reason: string };

const DRAFT_2020_ONLY = ['prefixItems', 'dependentRequired', 'dependentSchemas', 'unevaluatedProperties', 'unevaluatedItems', '$dynamicRef', '$dynamicAnchor', 'minContains', 'maxContains'];
const DROP = new Set(['$schema', '$id', '$defs', 'definitions', '$comment', 'x-pii', 'x-event-time', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'title', 'description', 'default']);
const MAX_OBJECT_BRANCHES = 4;
/**
 * Values (schemas, boolean ones included, keyword values, enum and const members, required names) a form may hold once
 * references are inlined: a definition is copied at every use, so a file of a few hundred bytes
 * whose definitions each use the one before twice would grow to 2^N copies (24 levels: 3 GB in
 * the check's own process), and one enum of 80,000 names used by 4,900 properties to 10 GB. Far
 * above any form json-schema-diff compares within the cross-check's time limit.
 */
const MAX_FORM_SIZE = 100_000;

class Outside extends Error {}

export function toJsdForm(root: unknown, resolve: (ref: string) => unknown): JsdForm {
  try {
    const schema = inline(root, resolve, [], createWorkBudget(MAX_FORM_SIZE));
    if (holdsRefKey(schema)) throw new Outside('it holds a $ref key where json-schema-diff would resolve it (a property named $ref, or a keyword value that is not a schema)');
    return { ok: true, schema };
  } catch (error) {
    if (error instanceof Outside) return { ok: false, reason: error.message };
    if (error instanceof WorkBudgetExceeded) return { ok: false, reason: `with its references inlined it holds more than ${MAX_FORM_SIZE} schemas and values (a definition is copied at each use)` };
    throw error;
  }
}

/** Counts the schemas and values a form copies (one unit each), up to MAX_FORM_SIZE. */
type FormBudget = WorkBudget<'copy'>;

function inline(value: unknown, resolve: (ref: string) => unknown, trail: readonly unknown[], budget: FormBudget): unknown {
  // Every value copied counts, boolean schemas and array items included.
  budget.spend('copy', 1);
  if (Array.isArray(value)) return value.map((item) => inline(item, resolve, trail, budget));
  if (!isSchemaObject(value)) return value;
  if (typeof value.$ref === 'string') {
    const target = resolve(value.$ref);
    if (target === undefined) throw new Outside(`the reference ${value.$ref} cannot be inlined`);
    if (trail.includes(target)) throw new Outside('the schema is recursive');
    const rest = Object.fromEntries(Object.entries(value).filter(([key]) => key !== '$ref' && !DROP.has(key)));
    const inlined = inline(target, resolve, [...trail, target], budget);
    return Object.keys(rest).length === 0 ? inlined : { allOf: [inlined, inline(rest, resolve, trail, budget)] };
  }
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (DROP.has(key)) continue;
    if (DRAFT_2020_ONLY.includes(key)) throw new Outside(`it uses ${key}, which json-schema-diff does not know`);
    if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(entry) && entry.filter((branch) => isSchemaObject(branch) && (branch.type === 'object' || 'properties' in branch)).length > MAX_OBJECT_BRANCHES) {
      throw new Outside(`its ${key} has more than ${MAX_OBJECT_BRANCHES} object branches`);
    }
    if (key === 'properties' || key === 'patternProperties') {
      // Property names are data, not keywords: keep them all, schemas inlined.
      result[key] = isSchemaObject(entry) ? Object.fromEntries(Object.entries(entry).map(([name, schema]) => [name, inline(schema, resolve, trail, budget)])) : inline(entry, resolve, trail, budget);
    } else if (key === 'enum' || key === 'const' || key === 'required') {
      budget.spend('copy', sizeOf(entry));
      result[key] = key === 'required' ? entry : key === 'const' ? encodeJsdData(entry) : Array.isArray(entry) ? entry.map(encodeJsdData) : entry;
    } else result[key] = inline(entry, resolve, trail, budget);
  }
  return result;
}

/** `$ref`, `~$ref`, `~~$ref`, …: the keys the data encoding shifts by one `~`. */
const REF_LIKE = /^~*\$ref$/;

/**
 * A data value (an enum member, a const) with every `$ref`-like key given one more leading `~`:
 * injective, so equal values stay equal and different ones different (all enum and const
 * compare), and no `$ref` key is left for the ref-parser to resolve. decodeJsdData undoes it.
 */
export function encodeJsdData(value: unknown): unknown {
  return mapKeys(value, (key) => (REF_LIKE.test(key) ? `~${key}` : key));
}

/** The enum and const values of a json-schema-diff result, decoded (see encodeJsdData). */
export function decodeJsdData(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(decodeJsdData);
  if (!isSchemaObject(schema)) return schema;
  const decode = (value: unknown): unknown => mapKeys(value, (key) => (REF_LIKE.test(key) && key.startsWith('~') ? key.slice(1) : key));
  return Object.fromEntries(
    Object.entries(schema).map(([key, entry]) => [key, key === 'enum' && Array.isArray(entry) ? entry.map(decode) : key === 'const' ? decode(entry) : decodeJsdData(entry)]),
  );
}

function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => mapKeys(item, rename));
  if (!isSchemaObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [rename(key), mapKeys(entry, rename)]));
}

function holdsRefKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsRefKey);
  if (!isSchemaObject(value)) return false;
  return Object.entries(value).some(([key, entry]) => key === '$ref' || holdsRefKey(entry));
}
