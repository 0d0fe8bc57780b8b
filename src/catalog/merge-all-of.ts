import { jsonKey } from '../domain/canonical-json.js';
import type { WorkBudget } from '../domain/work-budget.js';
import { isSchemaObject } from './schema-walk.js';

/**
 * Folds `allOf` into one schema object for the keywords whose conjunction has a single-schema
 * form (types, bounds, enums, required, properties with additionalProperties of each branch,
 * items …). Returns `false` when the conjunction accepts nothing, and undefined when a keyword
 * cannot be folded (two different patterns, patternProperties, tuples, nested combinators):
 * callers then fall back to weaker reasoning.
 *
 * Some keywords read their siblings in the same schema object: `items` (2020-12) applies after
 * `prefixItems`, `additionalItems` after array-form `items`, and `unevaluatedProperties`/
 * `unevaluatedItems` after whatever that object and its applicators evaluated. Put next to
 * another branch's keywords they would change meaning (and widen the schema), so a fold in which
 * they meet keywords of another schema is refused. A parent's own unevaluated* does see its
 * allOf branches (their annotations reach it), so it is kept on the folded parent.
 */
export type Resolve = (ref: string) => unknown;

/**
 * What a fold may spend, in units of `fold` work: one per schema merged, reference followed
 * and property combined, and one per value compared (an enum value, or a keyword's value on both
 * branches) plus one per TEXT_PER_UNIT characters of its text. Without one a fold is unbounded:
 * an allOf whose branches each use the definition before ten times merges 10^N schemas, an allOf
 * of 20,000 branches of one property each merges 200 million properties pairwise (minutes from a
 * file of 1 MiB), and two definitions holding the same 80,000-name enum, each used by one of two
 * branches under 300 properties, wrote 48 million names out to compare them (seconds, for 2,410
 * units when comparing was free).
 */
export type FoldBudget = WorkBudget<'fold'>;

const ANNOTATION = new Set(['$schema', '$comment', '$id', '$anchor', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'x-pii', 'x-event-time', '$defs', 'definitions', 'contentMediaType', 'contentEncoding']);
const LOWER = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
const TYPES = ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'];

type Schema = Record<string, unknown>;

/**
 * Characters of canonical text one unit of `fold` work pays for, beyond the unit of the value
 * itself: writing and comparing text costs 10 to 20 ns a character on the 2-core development
 * machine, so 64 of them are about one schema merged. A short value (a name, `{"id":1}`) costs 1.
 */
const TEXT_PER_UNIT = 64;

/** Whether two values are equal (object keys in any order), spending what comparing them costs. */
function sameValue(a: unknown, b: unknown, budget: FoldBudget | undefined): boolean {
  // One value reached twice (a definition referenced by both sides) is equal without its text.
  return a === b || countedText(a, budget) === countedText(b, budget);
}
/**
 * The canonical text of a value, spending one unit for it and one per TEXT_PER_UNIT characters
 * written: the work of a comparison is the size of what it compares, which hostile input sets.
 * Spent once the text is written, so a budget is passed by at most one value's text.
 */
function countedText(value: unknown, budget: FoldBudget | undefined): string {
  const text = jsonKey(value);
  budget?.spend('fold', 1 + Math.floor(text.length / TEXT_PER_UNIT));
  return text;
}

function typesOf(schema: Schema): Set<string> | undefined {
  const type = schema.type;
  if (type === undefined) return undefined;
  const types = new Set([type].flat().filter((entry): entry is string => typeof entry === 'string'));
  if (types.has('number')) types.add('integer');
  return types;
}

/** What deref gives for a `$ref` the resolver cannot follow: nothing is known of that branch. */
const UNRESOLVED = Symbol('unresolved');

/** Follows a chain of `$ref`s with no sibling constraints. */
function deref(value: unknown, resolve: Resolve, budget: FoldBudget | undefined): unknown {
  let current = value;
  for (let hop = 0; hop < 32 && isSchemaObject(current) && typeof current.$ref === 'string'; hop += 1) {
    const constraints = Object.keys(current).filter((key) => !ANNOTATION.has(key) && key !== '$ref');
    if (constraints.length > 0) return current;
    budget?.spend('fold', 1);
    current = resolve(current.$ref);
    if (current === undefined) return UNRESOLVED;
  }
  return current;
}

/**
 * The conjunction of schemas, or false (accepts nothing), or undefined (cannot fold). A branch
 * whose `$ref` cannot be resolved is unknown, never `true`: the conjunction is then undefined
 * (callers fail closed), unless the other branches already accept nothing.
 */
export function mergeSchemas(schemas: readonly unknown[], resolve: Resolve, budget?: FoldBudget, depth = 0): Schema | false | undefined {
  if (depth > 16) return undefined;
  let merged: Schema = {};
  let unresolved = false;
  for (const raw of schemas) {
    budget?.spend('fold', 1);
    const schema = deref(raw, resolve, budget);
    if (schema === UNRESOLVED) {
      unresolved = true;
      continue;
    }
    if (schema === true) continue;
    if (schema === false) return false;
    if (!isSchemaObject(schema)) return undefined;
    if (typeof schema.$ref === 'string') return undefined;
    let own: Schema = schema;
    const allOf: unknown = schema.allOf;
    if (Array.isArray(allOf)) {
      const inner = mergeWithBranches(Object.fromEntries(Object.entries(schema).filter(([key]) => key !== 'allOf')), allOf as unknown[], resolve, budget, depth + 1);
      if (inner === false || inner === undefined) return inner;
      own = inner;
    }
    const next = mergeTwo(merged, own, resolve, budget, depth);
    if (next === false || next === undefined) return next;
    merged = next;
  }
  return unresolved ? undefined : merged;
}

function mergeTwo(a: Schema, b: Schema, resolve: Resolve, budget: FoldBudget | undefined, depth: number): Schema | false | undefined {
  const result: Schema = { ...a };
  for (const [key, value] of Object.entries(b)) {
    if (ANNOTATION.has(key)) {
      if (!(key in result)) result[key] = value;
      continue;
    }
    if (!(key in result)) {
      result[key] = value;
      continue;
    }
    // Folded below, together (comparing them first would copy every property already folded).
    if (key === 'properties' || key === 'additionalProperties') continue;
    const current = result[key];
    // The same value on both sides (one definition referenced by both) is equal at once.
    if (current === value) continue;
    if (key === 'const' || (key === 'enum' && Array.isArray(current) && Array.isArray(value))) {
      // Before the equality check below, which would write both lists out once more: the
      // values are written (and counted) once each, one pass over each side, not one per pair.
      const left = key === 'const' ? [current] : (current as unknown[]);
      const right = key === 'const' ? [value] : (value as unknown[]);
      const leftTexts = left.map((entry) => countedText(entry, budget));
      const rightTexts = right.map((entry) => countedText(entry, budget));
      // The same values in the same order (the text of the whole list) are kept as they are.
      if (leftTexts.length === rightTexts.length && leftTexts.every((text, index) => text === rightTexts[index])) continue;
      const inRight = new Set(rightTexts);
      const common = leftTexts.flatMap((text, index) => (inRight.has(text) ? [left[index]] : []));
      if (common.length === 0) return false;
      result[key] = key === 'const' ? common[0] : common;
      continue;
    }
    if (sameValue(current, value, budget)) continue;
    if (LOWER.includes(key) && typeof current === 'number' && typeof value === 'number') result[key] = Math.max(current, value);
    else if (UPPER.includes(key) && typeof current === 'number' && typeof value === 'number') result[key] = Math.min(current, value);
    else if (key === 'uniqueItems') result[key] = current === true || value === true;
    else if (key === 'required' && Array.isArray(current) && Array.isArray(value)) result[key] = [...new Set([...(current as unknown[]), ...(value as unknown[])])];
    else if (key === 'multipleOf' && typeof current === 'number' && typeof value === 'number') {
      const larger = Math.max(current, value);
      const smaller = Math.min(current, value);
      const quotient = larger / smaller;
      if (Math.abs(quotient - Math.round(quotient)) > 1e-9) return undefined;
      result[key] = larger;
    } else if (key === 'type') {
      const left = typesOf({ type: current }) ?? new Set(TYPES);
      const right = typesOf({ type: value }) ?? new Set(TYPES);
      const both = TYPES.filter((type) => left.has(type) && right.has(type) && !(type === 'number' && !(left.has('number') && right.has('number'))));
      if (both.length === 0) return false;
      result.type = both.length === 1 ? both[0] : both;
    } else if (key === 'items' && isSchemaObject(current) && isSchemaObject(value)) {
      const items = mergeSchemas([current, value], resolve, budget, depth + 1);
      if (items === undefined) return undefined;
      result.items = items;
    } else return undefined;
  }
  const folded = foldObjects(a, b, result, resolve, budget, depth);
  // An empty conjunction stays decided: the keywords that proved it do not read siblings.
  if (folded === false || folded === undefined) return folded;
  return readsSiblings(a, b, budget) || readsSiblings(b, a, budget) ? undefined : folded;
}

// `not` is left out: it never passes annotations on.
const APPLICATORS = ['allOf', 'anyOf', 'oneOf', 'if', 'then', 'else', 'dependentSchemas', 'dependencies', '$ref', '$dynamicRef'];
/** Keywords that evaluate properties / items (or may, through an applicator), per 2020-12 annotations. */
const EVALUATES = {
  unevaluatedProperties: ['properties', 'patternProperties', 'additionalProperties', 'unevaluatedProperties', ...APPLICATORS],
  unevaluatedItems: ['prefixItems', 'items', 'additionalItems', 'contains', 'unevaluatedItems', ...APPLICATORS],
} as const;
const ITEM_KEYWORDS = ['prefixItems', 'items', 'additionalItems'];

/** Whether a schema evaluates properties (`unevaluatedProperties`) or items (`unevaluatedItems`) that a sibling unevaluated* keyword would then skip. */
export function evaluatesFor(schema: unknown, unevaluated: 'unevaluatedProperties' | 'unevaluatedItems'): boolean {
  return isSchemaObject(schema) && EVALUATES[unevaluated].some((name) => name in schema);
}

/**
 * Whether a keyword of `a` that reads its siblings would, in one folded object, read keywords
 * of `b` that it cannot see in the real schema (or lose ones it can).
 */
function readsSiblings(a: Schema, b: Schema, budget: FoldBudget | undefined): boolean {
  for (const [keyword, evaluating] of Object.entries(EVALUATES)) {
    if (keyword in a && evaluating.some((name) => name in b)) return true;
  }
  const tuple = 'prefixItems' in a || Array.isArray(a.items) || 'additionalItems' in a;
  return tuple && ITEM_KEYWORDS.some((name) => name in b) && !ITEM_KEYWORDS.every((name) => sameValue(a[name], b[name], budget));
}

/**
 * A schema object with its allOf branches (or any branch applied together with it, such as one
 * anyOf branch) folded in. The parent's unevaluatedProperties/Items see what the branches
 * evaluate, so they are set aside while the branches are folded as siblings and put back after.
 */
export function mergeWithBranches(parent: Readonly<Record<string, unknown>>, branches: readonly unknown[], resolve: Resolve, budget?: FoldBudget, depth = 0): Schema | false | undefined {
  const unevaluated = Object.keys(EVALUATES).filter((name) => name in parent);
  const merged = mergeSchemas([Object.fromEntries(Object.entries(parent).filter(([key]) => !unevaluated.includes(key))), ...branches], resolve, budget, depth);
  if (merged === false || merged === undefined) return merged;
  for (const name of unevaluated) {
    if (name in merged && !sameValue(merged[name], parent[name], budget)) return undefined;
    merged[name] = parent[name];
  }
  return merged;
}

/**
 * properties + additionalProperties of two branches: a name one branch lists and the other
 * does not is governed there by its additionalProperties, which additionalProperties: false
 * turns into "never" — the trap of a closed object split across allOf.
 */
function foldObjects(a: Schema, b: Schema, result: Schema, resolve: Resolve, budget: FoldBudget | undefined, depth: number): Schema | false | undefined {
  if (!('properties' in a || 'properties' in b || 'additionalProperties' in a || 'additionalProperties' in b)) return result;
  if ('patternProperties' in a || 'patternProperties' in b) return undefined;
  const propsA = isSchemaObject(a.properties) ? a.properties : {};
  const propsB = isSchemaObject(b.properties) ? b.properties : {};
  const governing = (props: Schema, schema: Schema, name: string): unknown => (Object.prototype.hasOwnProperty.call(props, name) ? props[name] : (schema.additionalProperties ?? true));
  const properties: Schema = {};
  for (const name of new Set([...Object.keys(propsA), ...Object.keys(propsB)])) {
    const merged = mergeSchemas([governing(propsA, a, name), governing(propsB, b, name)], resolve, budget, depth + 1);
    if (merged === undefined) return undefined;
    Object.defineProperty(properties, name, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  if (Object.keys(properties).length > 0) result.properties = properties;
  else delete result.properties;
  const additional = mergeSchemas([a.additionalProperties ?? true, b.additionalProperties ?? true], resolve, budget, depth + 1);
  if (additional === undefined) return undefined;
  if (a.additionalProperties === undefined && b.additionalProperties === undefined) delete result.additionalProperties;
  else result.additionalProperties = additional;
  const required = Array.isArray(result.required) ? (result.required as unknown[]) : [];
  const impossible = required.find((name) => typeof name === 'string' && (Object.prototype.hasOwnProperty.call(properties, name) ? properties[name] === false : additional === false));
  const objectsOnly = typesOf(result)?.size === 1 && typesOf(result)?.has('object');
  if (impossible !== undefined && objectsOnly) return false;
  return result;
}
