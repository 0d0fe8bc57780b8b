import { isSchemaObject } from '../catalog/schema-walk.js';

/**
 * The form json-schema-diff can compare (compat.md §4): draft-07 keywords only, every `$ref`
 * inlined (it would otherwise resolve them against the working directory or the network),
 * no `$schema`, at most 4 object branches per union (its cost explodes past that).
 * Undefined-with-reason when a schema is outside that subset.
 */
export type JsdForm = { readonly ok: true; readonly schema: unknown } | { readonly ok: false; readonly reason: string };

const DRAFT_2020_ONLY = ['prefixItems', 'dependentRequired', 'dependentSchemas', 'unevaluatedProperties', 'unevaluatedItems', '$dynamicRef', '$dynamicAnchor', 'minContains', 'maxContains'];
const DROP = new Set(['$schema', '$id', '$defs', 'definitions', '$comment', 'x-pii', 'x-event-time', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'title', 'description', 'default']);
const MAX_OBJECT_BRANCHES = 4;

class Outside extends Error {}

export function toJsdForm(root: unknown, resolve: (ref: string, from: unknown) => unknown): JsdForm {
  try {
    return { ok: true, schema: inline(root, resolve, [], root) };
  } catch (error) {
    if (error instanceof Outside) return { ok: false, reason: error.message };
    throw error;
  }
}

function inline(value: unknown, resolve: (ref: string, from: unknown) => unknown, trail: readonly unknown[], document: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => inline(item, resolve, trail, document));
  if (!isSchemaObject(value)) return value;
  if (typeof value.$ref === 'string') {
    const target = resolve(value.$ref, document);
    if (target === undefined) throw new Outside(`the reference ${value.$ref} cannot be inlined`);
    if (trail.includes(target)) throw new Outside('the schema is recursive');
    const rest = Object.fromEntries(Object.entries(value).filter(([key]) => key !== '$ref' && !DROP.has(key)));
    const inlined = inline(target, resolve, [...trail, target], document);
    return Object.keys(rest).length === 0 ? inlined : { allOf: [inlined, inline(rest, resolve, trail, document)] };
  }
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (DROP.has(key)) continue;
    if (DRAFT_2020_ONLY.includes(key)) throw new Outside(`it uses ${key}, which json-schema-diff does not know`);
    if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(entry) && entry.filter((branch) => isSchemaObject(branch) && (branch.type === 'object' || 'properties' in branch)).length > MAX_OBJECT_BRANCHES) {
      throw new Outside(`its ${key} has more than ${MAX_OBJECT_BRANCHES} object branches`);
    }
    // Property names are data, not keywords: keep them all, schemas inlined.
    result[key] = key === 'properties' || key === 'patternProperties' ? (isSchemaObject(entry) ? Object.fromEntries(Object.entries(entry).map(([name, schema]) => [name, inline(schema, resolve, trail, document)])) : entry) : ['enum', 'const', 'required'].includes(key) ? entry : inline(entry, resolve, trail, document);
  }
  return result;
}
