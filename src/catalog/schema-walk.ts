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

/** Keywords whose value is one subschema. */
const SINGLE = ['additionalProperties', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else', 'contentSchema'];
/** Keywords whose value is an array of subschemas. */
const ARRAYS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Keywords whose value maps names to subschemas. */
const MAPS = ['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'];

const SAME_INSTANCE = new Set(['allOf', 'anyOf', 'oneOf', 'if', 'then', 'else']);

export function isSchemaObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const own = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Calls `visit` for the root and every nested schema object, depth-first. */
export function walkSchema(root: unknown, visit: (entry: SchemaVisit) => void): void {
  if (!isSchemaObject(root)) return;
  const stack: SchemaVisit[] = [{ schema: root, tokens: [], instanceTokens: [] }];
  while (stack.length > 0) {
    const entry = stack.pop();
    if (!entry) break;
    visit(entry);
    const { schema, tokens } = entry;
    const push = (value: unknown, path: string[], extra: Partial<SchemaVisit> = {}): void => {
      if (isSchemaObject(value)) stack.push({ schema: value, tokens: [...tokens, ...path], ...extra });
    };
    // Combinators and conditionals apply to the same instance: its path carries through them.
    const same: Partial<SchemaVisit> = entry.instanceTokens ? { instanceTokens: entry.instanceTokens } : {};
    for (const keyword of SINGLE) if (own(schema, keyword)) push(schema[keyword], [keyword], SAME_INSTANCE.has(keyword) ? same : {});
    for (const keyword of ARRAYS) {
      const value = schema[keyword];
      if (own(schema, keyword) && Array.isArray(value)) value.forEach((item, index) => push(item, [keyword, String(index)], SAME_INSTANCE.has(keyword) ? same : {}));
    }
    for (const keyword of MAPS) {
      const value = schema[keyword];
      if (!own(schema, keyword) || !isSchemaObject(value)) continue;
      for (const name of Object.keys(value)) {
        const extra: Partial<SchemaVisit> =
          keyword === 'properties'
            ? { propertyName: name, ...(entry.instanceTokens ? { instanceTokens: [...entry.instanceTokens, name] } : {}) }
            : {};
        push(value[name], [keyword, name], extra);
      }
    }
    // `items`: one schema (both dialects) or, in draft-07, an array of schemas.
    const items = schema.items;
    if (own(schema, 'items')) {
      if (Array.isArray(items)) items.forEach((item, index) => push(item, ['items', String(index)]));
      else push(items, ['items']);
    }
    // draft-07 `dependencies`: values are schemas or arrays of names.
    const dependencies = schema.dependencies;
    if (own(schema, 'dependencies') && isSchemaObject(dependencies)) {
      for (const name of Object.keys(dependencies)) push(dependencies[name], ['dependencies', name]);
    }
  }
}
