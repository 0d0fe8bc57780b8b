import { Ajv, _, type KeywordCxt, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CATALOG_URI, VOCABULARY, addSchemaFormats, dialectOf } from '../catalog/schema-compiler.js';
import { isSchemaObject } from '../catalog/schema-walk.js';
import type { WorkBudget } from '../domain/work-budget.js';
import type { PatternMatcher } from '../ports.js';
import { inEnum, isMultipleOf, jsonEqual, resolveRef, sizeOf, type RefResolver, type SchemaDocument, type SchemaNode } from './model.js';

/**
 * Exact membership: is a value valid under a subschema, as ajv (formats asserted) decides? Each
 * document is added once under its own URI and subschemas are compiled as `$ref`s into it, so
 * local references inside them resolve. Used to find and verify example values.
 */
export interface NodeValidators {
  valid(node: SchemaNode, value: unknown): boolean;
  /**
   * Whether a pattern (`u` flag) matches a text, as `patternProperties` decides which names it
   * governs; false when it does not compile. Compiled as `valid` compiles patterns.
   */
  readonly matches: (pattern: string, text: string) => boolean;
  /**
   * Registers a document that others reference (cross-file `$ref`), before any validation that
   * may reach it: its label must be its catalog path for relative references to resolve.
   */
  addDocument(document: SchemaDocument): void;
}

/** Compiles a pattern (`u` flag) into what `pattern` and `patternProperties` test values with. */
export type PatternCompiler = (pattern: string) => PatternMatcher;

/** `new RegExp(pattern, 'u')`, each pattern compiled once. */
export function nativePatterns(): PatternCompiler {
  const compiled = new Map<string, RegExp>();
  return (pattern) => {
    let regExp = compiled.get(pattern);
    if (!regExp) {
      regExp = new RegExp(pattern, 'u');
      compiled.set(pattern, regExp);
    }
    return regExp;
  };
}

export interface NodeValidatorOptions {
  /**
   * How patterns are compiled, in ajv's validators and in evaluateSimple alike. Default:
   * nativePatterns. The check passes one that runs patterns nobody proved safe in a sandbox.
   */
  readonly patterns?: PatternCompiler;
}

export function createNodeValidators(options: NodeValidatorOptions = {}): NodeValidators {
  const patterns = options.patterns ?? nativePatterns();
  // ajv's code.regExp engine: only the matcher's `test` is called; `code` matters to standalone code only.
  const regExp = Object.assign((pattern: string) => patterns(pattern), { code: 'schemaflow-patterns' });
  const instances = new Map<string, Ajv>();
  const uris = new Map<SchemaDocument, string>();
  const compiled = new Map<string, ValidateFunction | null>();
  const syntheticCompiled = new WeakMap<object, ValidateFunction | null>();
  let counter = 0;

  const ajvFor = (document: SchemaDocument): Ajv => {
    const dialect = isSchemaObject(document.root) ? dialectOf(document.root) : { ok: true as const, dialect: '2020-12' as const };
    const name = dialect.ok ? dialect.dialect : '2020-12';
    let ajv = instances.get(name);
    if (!ajv) {
      // allErrors: without it ajv nests one block per property, and a schema of ~2,000 properties overflows the stack when called (ajv-validator/ajv#1581); logger off: a failed compile is handled, not printed.
      // validateSchema off: every version was checked against its meta-schema before it is compared.
      const ajvOptions = { strict: false, allowUnionTypes: true, validateFormats: true, allErrors: true, logger: false, validateSchema: false, code: { regExp } } as const;
      ajv = name === '2020-12' ? new Ajv2020(ajvOptions) : new Ajv(ajvOptions);
      // ajv checks enum members one by one; here a large enum is a set (inEnum), the same membership.
      ajv.removeKeyword('enum');
      ajv.addKeyword({ keyword: 'enum', schemaType: 'array', code: enumCode });
      addSchemaFormats(ajv);
      for (const keyword of VOCABULARY) ajv.addKeyword({ keyword, schemaType: 'boolean' });
      instances.set(name, ajv);
    }
    return ajv;
  };

  const taken = new Set<string>();
  // A document's URI is the catalog base plus its label (its catalog path), so relative
  // references between version files resolve to each other; a clash gets a unique prefix.
  const uriOf = (document: SchemaDocument): string => {
    let uri = uris.get(document);
    if (!uri) {
      const path = document.label.replace(/[^A-Za-z0-9._/-]/g, '_').replace(/^\/+/, '');
      uri = `${CATALOG_URI}${path}`;
      while (taken.has(uri)) {
        counter += 1;
        uri = `${CATALOG_URI}${counter}/${path}`;
      }
      register(document, uri);
    }
    return uri;
  };

  const register = (document: SchemaDocument, uri: string): void => {
    uris.set(document, uri);
    taken.add(uri);
    const root = document.root;
    const schema = isSchemaObject(root) ? Object.fromEntries(Object.entries(root).filter(([key]) => key !== '$id' && key !== '$schema')) : root;
    ajvFor(document).addSchema(schema as object, uri);
  };

  return {
    addDocument(document) {
      uriOf(document);
    },
    matches(pattern, text) {
      let matcher: PatternMatcher;
      try {
        matcher = patterns(pattern);
      } catch {
        return false;
      }
      return matcher.test(text);
    },
    valid(node, value) {
      if (node.schema === true) return true;
      if (node.schema === false) return false;
      const simple = evaluateSimple(node.schema, value, patterns);
      if (simple !== undefined) return simple;
      const uri = uriOf(node.document);
      if (node.synthetic) {
        // Built by the engine: compiled on its own, next to its document so relative and
        // local references still resolve ($defs copied in).
        let validate = syntheticCompiled.get(node.schema);
        if (validate === undefined) {
          const root = isSchemaObject(node.document.root) ? node.document.root : {};
          counter += 1;
          const schema = { ...node.schema, $id: `${uri}.synthetic-${counter}`, ...(root.$defs ? { $defs: root.$defs } : {}), ...(root.definitions ? { definitions: root.definitions } : {}) };
          delete (schema as Record<string, unknown>).$schema;
          try {
            validate = ajvFor(node.document).compile(schema);
          } catch {
            validate = null;
          }
          syntheticCompiled.set(node.schema, validate);
        }
        return validate ? validate(value) === true : false;
      }
      const key = `${uri}#${node.pointer}`;
      let validate = compiled.get(key);
      if (validate === undefined) {
        // The pointer is already RFC 6901-escaped (~0, ~1); the fragment also needs RFC 3986 escaping.
        const fragment = node.pointer.split('/').map((token) => encodeURIComponent(token)).join('/');
        try {
          validate = ajvFor(node.document).compile({ $ref: `${uri}#${fragment}` });
        } catch {
          validate = null;
        }
        compiled.set(key, validate);
      }
      return validate ? validate(value) === true : false;
    },
  };
}

/**
 * The `enum` keyword as generated code calling inEnum (a keyword with `compile` instead made
 * ajv's code generation six times slower for a schema that inlines one enum in 4,900 places).
 */
function enumCode(cxt: KeywordCxt): void {
  const member = cxt.gen.scopeValue('func', { ref: inEnum });
  cxt.fail(_`!${member}(${cxt.schemaValue}, ${cxt.data})`);
}

/** Keywords a leaf subschema may have for it to be evaluated here, without compiling it. */
const SIMPLE = new Set(['type', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern']);
const IGNORED = new Set(['$schema', '$comment', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'x-pii', 'x-event-time']);

/** Whether a subschema is evaluated here (evaluateSimple) rather than compiled by ajv. */
function isSimple(schema: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(schema).every((key) => SIMPLE.has(key) || IGNORED.has(key));
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return false;
  }
}

/**
 * JSON Schema semantics of the simple value keywords, for leaf subschemas (the common case):
 * compiling every small subschema with ajv would dominate the cost of a comparison. Undefined
 * when the node has any other keyword (then ajv decides).
 */
export function evaluateSimple(schema: Readonly<Record<string, unknown>>, value: unknown, patterns: PatternCompiler = nativePatterns()): boolean | undefined {
  if (!isSimple(schema)) return undefined;
  const type = schema.type;
  if (type !== undefined && ![type].flat().some((entry) => typeof entry === 'string' && typeMatches(entry, value))) return false;
  if (Array.isArray(schema.enum) && !inEnum(schema.enum, value)) return false;
  if ('const' in schema && !jsonEqual(schema.const, value)) return false;
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return false;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return false;
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) return false;
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) return false;
    if (typeof schema.multipleOf === 'number' && !isMultipleOf(value, schema.multipleOf)) return false;
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) return false;
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) return false;
    if (typeof schema.pattern === 'string') {
      let matcher: PatternMatcher;
      try {
        matcher = patterns(schema.pattern);
      } catch {
        return undefined;
      }
      // Outside the try: a sandboxed pattern that runs out of time throws PatternTimeoutError to the check.
      if (!matcher.test(value)) return false;
    }
  }
  return true;
}

/** Keywords whose value maps names to subschemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas', 'dependencies']);
/** Keywords ajv never walks while validating (definitions are reached through references). */
const NOT_WALKED = new Set(['$defs', 'definitions', 'default', 'examples']);
/** References followed in a row before a weight counts as past any budget. */
const MAX_WEIGHT_DEPTH = 1_000;

/**
 * Validators that spend a comparison's budget (budget.ts) before each check: a `validate` step
 * per JSON value checked, plus one per value of the subschema — its keywords and values, every
 * reference it reaches counted at each use, an enum as one set lookup — which bounds what ajv
 * walks for a value; and the first time the comparison checks against a subschema ajv compiles,
 * a `compile` step per value of it. Spent before ajv runs, so a subschema whose references fan
 * out (2^N paths to one definition) is refused before ajv would follow them all.
 */
export function meterValidators(validators: NodeValidators, budget: WorkBudget<'validate' | 'compile'>, resolve?: RefResolver): NodeValidators {
  // Made on first use: most comparisons check no value at all.
  let weights: WeakMap<object, number> | undefined;
  let compiled: WeakSet<object> | undefined;
  const weigh = (schema: unknown, document: SchemaDocument, trail: Set<object>): number => {
    weights ??= new WeakMap();
    if (typeof schema !== 'object' || schema === null) return 1;
    const known = weights.get(schema);
    if (known !== undefined) return known;
    // A recursive schema is walked once per level of the value, which the value's size counts.
    if (trail.has(schema)) return 1;
    if (trail.size > MAX_WEIGHT_DEPTH) return Number.MAX_SAFE_INTEGER;
    trail.add(schema);
    let weight = 1;
    for (const [key, entry] of Array.isArray(schema) ? schema.entries() : Object.entries(schema)) {
      if (NOT_WALKED.has(String(key))) continue;
      if (key === 'enum') weight += 1;
      else if (key === 'const') weight += sizeOf(entry);
      else if (key === '$ref' && typeof entry === 'string') {
        const target = resolveRef({ document, pointer: '', schema: true }, entry, resolve);
        weight += target ? weigh(target.schema, target.document, trail) : 1;
      } else if (SCHEMA_MAPS.has(String(key)) && isSchemaObject(entry)) {
        for (const subschema of Object.values(entry)) weight += weigh(subschema, document, trail);
      } else weight += weigh(entry, document, trail);
      if (weight >= Number.MAX_SAFE_INTEGER) break;
    }
    trail.delete(schema);
    weight = Math.min(weight, Number.MAX_SAFE_INTEGER);
    weights.set(schema, weight);
    return weight;
  };
  return {
    addDocument: (document) => validators.addDocument(document),
    matches: (pattern, text) => validators.matches(pattern, text),
    valid(node, value) {
      const weight = weigh(node.schema, node.document, new Set());
      compiled ??= new WeakSet();
      if (typeof node.schema === 'object' && !isSimple(node.schema) && !compiled.has(node.schema)) {
        budget.spend('compile', weight);
        compiled.add(node.schema);
      }
      budget.spend('validate', sizeOf(value) + weight);
      return validators.valid(node, value);
    },
  };
}
