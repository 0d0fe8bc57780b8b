import { evaluatesFor } from '../catalog/merge-all-of.js';
import { isSchemaObject } from '../catalog/schema-walk.js';
import { acceptsNothing, child, enumValues, has, keyword, typesOf, type JsonType, type SchemaNode } from './model.js';
import type { NodeValidators } from './validators.js';

/**
 * Example values: a value valid under a subschema, built from its keywords and confirmed by
 * ajv. Used to show, with a real event, why a change is incompatible.
 */

/** Values that satisfy common formats, so an example can carry a valid date, e-mail, UUID. */
export const FORMAT_SAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2024-05-01T12:00:00Z',
  date: '2024-05-01',
  time: '12:00:00Z',
  duration: 'P1D',
  email: 'ada@example.com',
  'idn-email': 'ada@example.com',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.com/a',
  'uri-reference': '/a',
  iri: 'https://example.com/a',
  'iri-reference': '/a',
  uuid: '123e4567-e89b-12d3-a456-426614174000',
  'uri-template': 'https://example.com/{id}',
  'json-pointer': '/a',
  'relative-json-pointer': '0/a',
  regex: '^a$',
};

/** Strings tried for `pattern`s; the first the pattern accepts is used. */
const PATTERN_CANDIDATES = ['a', 'ab', 'abc', 'A', 'AB', 'ABC', '0', '00', '123', 'a1', 'en', 'en-GB', 'abc-def', 'a_b', 'a.b', 'ada@example.com', '2024-05-01', 'x', ''];

const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);

/** Numbers tried for a numeric subschema: around its bounds, and multiples of multipleOf. */
export function numberCandidates(nodes: readonly SchemaNode[]): number[] {
  const candidates = new Set<number>([0, 1, -1, 0.5, -0.5, 2, 10, 100, 1e6, -1e6, 1.5]);
  for (const node of nodes) {
    for (const name of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']) {
      const bound = keyword(node, name);
      if (typeof bound !== 'number') continue;
      for (const delta of [0, 1, -1, 0.5, -0.5, 0.25, -0.25, 0.001, -0.001, 2, -2]) candidates.add(bound + delta);
    }
    const step = keyword(node, 'multipleOf');
    if (typeof step === 'number') for (let factor = -3; factor <= 12; factor += 1) candidates.add(step * factor);
  }
  return [...candidates].filter((value) => Number.isFinite(value));
}

/** Strings tried for a string subschema: around its length bounds, formats, pattern samples. */
export function stringCandidates(nodes: readonly SchemaNode[]): readonly string[] {
  let candidates: Set<string> | undefined;
  for (const node of nodes) {
    for (const name of ['minLength', 'maxLength']) {
      const bound = keyword(node, name);
      if (typeof bound === 'number' && bound <= 10_000) for (const delta of [0, 1, -1]) if (bound + delta >= 0) (candidates ??= new Set(STRING_CANDIDATES)).add('a'.repeat(bound + delta));
    }
  }
  // Built once: a generated example tries strings at every level of every value.
  return candidates ? [...candidates] : STRING_CANDIDATES;
}

const STRING_CANDIDATES: readonly string[] = [...new Set(['', 'a', 'ab', 'abc', 'not a value of any format', ...PATTERN_CANDIDATES, ...Object.values(FORMAT_SAMPLES)])];

/** A value valid under `node`, preferring type `preferred`; undefined when none was found. */
export function generateValue(node: SchemaNode, validators: NodeValidators, preferred?: JsonType, depth = 0): unknown {
  if (acceptsNothing(node) || depth > 12) return undefined;
  const values = enumValues(node);
  if (values) return values.find((value) => validators.valid(node, value));
  const types = [...typesOf(node)];
  const order: JsonType[] = preferred ? [preferred, ...types.filter((type) => type !== preferred)] : types.sort((a, b) => TYPE_ORDER.indexOf(a) - TYPE_ORDER.indexOf(b));
  for (const type of order) {
    for (const candidate of candidatesOfType(node, type, validators, depth)) {
      if (validators.valid(node, candidate)) return candidate;
    }
  }
  return undefined;
}

const TYPE_ORDER: readonly JsonType[] = ['object', 'string', 'integer', 'number', 'boolean', 'array', 'null'];

function* candidatesOfType(node: SchemaNode, type: JsonType, validators: NodeValidators, depth: number): Generator<unknown> {
  switch (type) {
    case 'null':
      yield null;
      return;
    case 'boolean':
      yield true;
      yield false;
      return;
    case 'integer':
      yield* numberCandidates([node]).filter((value) => Number.isInteger(value));
      return;
    case 'number':
      yield* numberCandidates([node]);
      return;
    case 'string': {
      const format = keyword(node, 'format');
      if (typeof format === 'string' && FORMAT_SAMPLES[format]) yield FORMAT_SAMPLES[format];
      const min = numberOr(keyword(node, 'minLength'), 0);
      if (min > 0 && min <= 10_000) yield 'a'.repeat(min);
      yield* stringCandidates([node]);
      return;
    }
    case 'array': {
      const min = numberOr(keyword(node, 'minItems'), 0);
      if (min === 0) yield [];
      const length = Math.max(min, tupleLength(node), 1);
      if (length <= 1000) {
        const array = Array.from({ length }, (_, index) => generateValue(itemNode(node, index), validators, undefined, depth + 1));
        if (array.every((item) => item !== undefined)) yield array;
      }
      const item = generateValue(itemNode(node, 0), validators, undefined, depth + 1);
      if (item !== undefined) yield [item];
      return;
    }
    case 'object': {
      const object: Record<string, unknown> = {};
      const required = keyword(node, 'required');
      for (const name of Array.isArray(required) ? required.filter((entry): entry is string => typeof entry === 'string') : []) {
        const value = generateValue(governingNode(node, name, validators.matches), validators, undefined, depth + 1);
        if (value === undefined) return;
        Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
      }
      yield object;
      // Satisfy minProperties with the optional properties it declares.
      const properties = keyword(node, 'properties');
      if (isSchemaObject(properties)) {
        const filled = { ...object };
        for (const name of Object.keys(properties)) {
          if (Object.prototype.hasOwnProperty.call(filled, name)) continue;
          const value = generateValue(child(node, 'properties', name), validators, undefined, depth + 1);
          if (value !== undefined) Object.defineProperty(filled, name, { value, enumerable: true, writable: true, configurable: true });
        }
        yield filled;
      }
      return;
    }
  }
}

/** Applicators whose subschemas pass annotations to the node (`not` never does). */
const APPLICATORS = ['allOf', 'anyOf', 'oneOf', 'if', 'then', 'else', 'dependentSchemas', '$ref', '$dynamicRef'];

/**
 * The applicators of a node that may evaluate properties (for unevaluatedProperties) or items
 * (for unevaluatedItems): then which of them the node's unevaluated* keyword governs depends
 * on the event. An applicator whose subschemas evaluate nothing (`anyOf: [{required: …}]`,
 * `if: {required: …}`) leaves unevaluated* meaning what additionalProperties/items would.
 */
export function evaluatingApplicators(node: SchemaNode, unevaluated: 'unevaluatedProperties' | 'unevaluatedItems'): string[] {
  return APPLICATORS.filter((name) => {
    const value = keyword(node, name);
    if (value === undefined) return false;
    if (name === '$ref' || name === '$dynamicRef') return true;
    const subschemas = Array.isArray(value) ? value : name === 'dependentSchemas' && isSchemaObject(value) ? Object.values(value) : [value];
    return subschemas.some((subschema) => evaluatesFor(subschema, unevaluated));
  });
}

/**
 * The subschema for properties that `properties` and `patternProperties` do not cover:
 * additionalProperties, else unevaluatedProperties when no applicator next to it evaluates
 * properties, else anything (the union rule and walk.ts decide the rest, or fail closed).
 */
export function additionalNode(node: SchemaNode): SchemaNode {
  if (has(node, 'additionalProperties')) return child(node, 'additionalProperties');
  if (has(node, 'unevaluatedProperties') && evaluatingApplicators(node, 'unevaluatedProperties').length === 0) return child(node, 'unevaluatedProperties');
  return { document: node.document, pointer: `${node.pointer}/additionalProperties`, schema: true };
}

/**
 * The subschema that governs property `name` of objects valid under `node`: its entry in
 * `properties` and every matching `patternProperties` schema (all apply), else the
 * additional-properties schema.
 */
export function governingNode(node: SchemaNode, name: string, matches: NodeValidators['matches']): SchemaNode {
  const properties = keyword(node, 'properties');
  const listed = isSchemaObject(properties) && Object.prototype.hasOwnProperty.call(properties, name);
  const patterns = keyword(node, 'patternProperties');
  const matching = isSchemaObject(patterns) ? Object.keys(patterns).filter((pattern) => matches(pattern, name)) : [];
  if (matching.length === 0) return listed ? child(node, 'properties', name) : additionalNode(node);
  const parts = [...(listed ? [child(node, 'properties', name)] : []), ...matching.map((pattern) => child(node, 'patternProperties', pattern))];
  if (parts.length === 1) return parts[0] as SchemaNode;
  return { document: node.document, pointer: `${node.pointer}/properties/${name}`, schema: { allOf: parts.map((part) => part.schema) }, synthetic: true };
}

/** The schema of item `index` (tuples: prefixItems / array-form items), else of the rest. */
export function itemNode(node: SchemaNode, index: number): SchemaNode {
  const prefix = keyword(node, 'prefixItems');
  if (Array.isArray(prefix) && index < prefix.length) return child(node, 'prefixItems', String(index));
  const items = keyword(node, 'items');
  if (Array.isArray(items)) return index < items.length ? child(node, 'items', String(index)) : restItemsNode(node);
  return restItemsNode(node);
}

/** The schema of items past the tuple prefix: items (2020-12) / additionalItems (draft-07) / unevaluatedItems. */
export function restItemsNode(node: SchemaNode): SchemaNode {
  const items = keyword(node, 'items');
  if (Array.isArray(items)) {
    if (has(node, 'additionalItems')) return child(node, 'additionalItems');
  } else if (items !== undefined) return child(node, 'items');
  if (has(node, 'unevaluatedItems') && evaluatingApplicators(node, 'unevaluatedItems').length === 0) return child(node, 'unevaluatedItems');
  return { document: node.document, pointer: `${node.pointer}/items`, schema: true };
}

/** How many tuple positions a node defines. */
export function tupleLength(node: SchemaNode): number {
  const prefix = keyword(node, 'prefixItems');
  if (Array.isArray(prefix)) return prefix.length;
  const items = keyword(node, 'items');
  return Array.isArray(items) ? items.length : 0;
}

/** Token used in data paths for "any property not listed in `properties`". */
export const UNLISTED = '+';
/** Token used in data paths for "any item of the array". */
export const ANY_ITEM = '*';

/**
 * A whole event valid under `root` (the writer) with `leaf` placed at `dataPath`, or undefined
 * when none could be built. The caller verifies it with ajv against both schemas.
 */
export function embedValue(root: SchemaNode, dataPath: readonly string[], leaf: unknown, validators: NodeValidators): unknown {
  if (dataPath.length === 0) return leaf;
  const [token = '', ...rest] = dataPath;
  const position = /^\[(\d+)\]$/.exec(token);
  if (token === ANY_ITEM || position) {
    const index = position ? Number(position[1]) : tupleLength(root);
    const inner = embedValue(token === ANY_ITEM ? restItemsNode(root) : itemNode(root, index), rest, leaf, validators);
    if (inner === undefined) return undefined;
    const length = Math.max(index + 1, numberOr(keyword(root, 'minItems'), 0));
    const array: unknown[] = [];
    for (let at = 0; at < length; at += 1) array.push(at === index ? inner : generateValue(itemNode(root, at), validators));
    return array;
  }
  const base = generateValue(root, validators, 'object');
  if (!isSchemaObject(base)) return undefined;
  const name = token === UNLISTED ? unlistedName(root) : token;
  const inner = embedValue(governingNode(root, name, validators.matches), rest, leaf, validators);
  if (inner === undefined) return undefined;
  const result = { ...base };
  Object.defineProperty(result, name, { value: inner, enumerable: true, writable: true, configurable: true });
  return result;
}

/**
 * A property name a pattern matches, used in data paths and examples (`^x-` → `x-`); UNLISTED
 * when none is found.
 */
export function patternExample(pattern: string, matches: NodeValidators['matches']): string {
  const candidates = [pattern.replace(/^\^/, '').replace(/\$$/, '').replace(/[\\.*+?()[\]{}|]/g, ''), 'a', 'x', 'key', '0'];
  return candidates.find((candidate) => candidate !== '' && matches(pattern, candidate)) ?? UNLISTED;
}

/** A property name that neither schema lists: where "any other property" examples go. */
export function unlistedName(...nodes: SchemaNode[]): string {
  const taken = new Set(nodes.flatMap((node) => Object.keys((keyword(node, 'properties') as object | undefined) ?? {})));
  let name = 'unlistedProperty';
  while (taken.has(name)) name = `${name}_`;
  return name;
}
