import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCompatibility, type VersionInput } from '../../../src/compat/engine.js';

/**
 * Property-based check of the engine against ajv: for generated (writer, reader) schema pairs,
 * when the engine says BACKWARD-compatible under STRICT, every value generated from the writer
 * and accepted by ajv must be accepted by the reader; when it gives an example, ajv must
 * confirm it (valid under the writer, invalid under the reader).
 */

/** Keywords the schema generator can produce; the run asserts each one appeared. */
const COVERAGE = [
  'type', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'multipleOf', 'minLength', 'maxLength', 'pattern', 'format',
  'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems', 'uniqueItems', 'anyOf', 'oneOf', 'allOf', 'not',
] as const;

type Schema = Record<string, unknown>;

const PATTERNS = ['^[a-z]+$', '^[a-z0-9]+$', '^[0-9]{2,4}$', 'b', '^a'];
const FORMATS = ['date', 'email', 'uuid'];
const NAMES = ['a', 'b', 'c'];

const leaf: fc.Arbitrary<Schema> = fc.oneof(
  fc.record({ type: fc.constant('integer'), minimum: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }), maximum: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }), multipleOf: fc.option(fc.constantFrom(1, 2, 3, 4), { nil: undefined }) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('number'), exclusiveMinimum: fc.option(fc.constantFrom(-1, 0, 0.5), { nil: undefined }), maximum: fc.option(fc.constantFrom(1, 2.5, 10), { nil: undefined }) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('string'), minLength: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), maxLength: fc.option(fc.integer({ min: 2, max: 6 }), { nil: undefined }), pattern: fc.option(fc.constantFrom(...PATTERNS), { nil: undefined }), format: fc.option(fc.constantFrom(...FORMATS), { nil: undefined }) }, { requiredKeys: ['type'] }),
  fc.record({ enum: fc.uniqueArray(fc.constantFrom('x', 'y', 'z', 1, 2, null, true), { minLength: 1, maxLength: 4 }) }),
  fc.record({ const: fc.constantFrom('x', 1, true) }),
  fc.record({ type: fc.constantFrom('boolean', 'null', ['string', 'null'], ['integer', 'string']) }),
).map((schema) => Object.fromEntries(Object.entries(schema).filter(([, value]) => value !== undefined)));

const schemaArb: fc.Arbitrary<Schema> = fc.letrec<{ node: Schema }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      type: fc.constant('object'),
      properties: fc.dictionary(fc.constantFrom(...NAMES), tie('node'), { maxKeys: 3 }),
      required: fc.subarray(NAMES, { maxLength: 2 }),
      additionalProperties: fc.option(fc.constantFrom(false, { type: 'string' }), { nil: undefined }),
    }).map((schema) => Object.fromEntries(Object.entries(schema).filter(([, value]) => value !== undefined))),
    fc.record({ type: fc.constant('array'), items: tie('node'), minItems: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }), maxItems: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }), uniqueItems: fc.option(fc.boolean(), { nil: undefined }) }).map((schema) => Object.fromEntries(Object.entries(schema).filter(([, value]) => value !== undefined))),
    fc.record({ anyOf: fc.array(leaf, { minLength: 1, maxLength: 3 }) }),
    fc.record({ oneOf: fc.array(leaf, { minLength: 1, maxLength: 3 }) }),
    fc.record({ allOf: fc.array(leaf, { minLength: 1, maxLength: 2 }) }),
    fc.record({ type: fc.constant('string'), not: fc.record({ enum: fc.uniqueArray(fc.constantFrom('x', 'y', 'ab'), { minLength: 1, maxLength: 2 }) }) }),
  ),
})).node;

/** A mutation of a schema, so reader and writer are related (as consecutive versions are). */
const pairArb: fc.Arbitrary<[Schema, Schema]> = fc.oneof(
  fc.tuple(schemaArb, schemaArb),
  schemaArb.chain((writer) => fc.tuple(fc.constant(writer), mutate(writer))),
);

function mutate(schema: Schema): fc.Arbitrary<Schema> {
  return fc.oneof(
    fc.constant(schema),
    leaf.map((extra) => ({ ...schema, ...extra })),
    fc.constantFrom(...Object.keys(schema)).map((key) => Object.fromEntries(Object.entries(schema).filter(([name]) => name !== key))),
    schemaArb.map((replacement) => (schema.properties ? { ...schema, properties: { ...(schema.properties as Schema), c: replacement } } : schema)),
  );
}

const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
addFormats.default(ajv);
const compile = (schema: Schema) => ajv.compile(schema);

const samples: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('', 'a', 'ab', 'abc', '12', '123', 'x', 'y', 'z', '2024-05-01', 'ada@example.com', '123e4567-e89b-12d3-a456-426614174000', 0, 1, 2, 3, 4, -1, 0.5, 2.5, 10, 11, true, false, null, [], [1, 1], ['x', 'x'], {}),
  fc.record({ a: fc.jsonValue({ maxDepth: 1 }), b: fc.jsonValue({ maxDepth: 1 }), c: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }),
);

const version = (name: string, root: Schema): VersionInput => ({ name, file: `${name}.json`, document: { label: name, root, locate: () => ({ line: 1, col: 1 }) } });

function keywordsOf(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) value.forEach((item) => keywordsOf(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) {
      found.add(key);
      keywordsOf(entry, found);
    }
  }
}

describe('compatibility engine, property-based', () => {
  it('never calls an incompatible pair compatible, and every example is confirmed by ajv', () => {
    const seen = new Set<string>();
    let compatible = 0;
    let incompatible = 0;
    fc.assert(
      fc.property(pairArb, fc.array(samples, { minLength: 40, maxLength: 60 }), ([writer, reader], values) => {
        keywordsOf([writer, reader], seen);
        const result = checkCompatibility(version('new', reader), [version('old', writer)], { mode: 'BACKWARD', policy: 'STRICT' });
        const validWriter = compile(writer);
        const validReader = compile(reader);
        if (result.verdict === 'compatible') {
          compatible += 1;
          for (const value of values) if (validWriter(value)) expect(validReader(value), `${JSON.stringify(value)} for ${JSON.stringify([writer, reader])}`).toBe(true);
        } else if (result.verdict === 'incompatible') incompatible += 1;
        for (const finding of result.findings) {
          if (!('example' in finding.params)) continue;
          expect(validWriter(finding.params.example), JSON.stringify([writer, reader, finding.params.example])).toBe(true);
          expect(validReader(finding.params.example), JSON.stringify([writer, reader, finding.params.example])).toBe(false);
        }
      }),
      { numRuns: 400, seed: 20261201 },
    );
    for (const keyword of COVERAGE) expect(seen, `the generator never produced ${keyword}`).toContain(keyword);
    expect(compatible).toBeGreaterThan(20);
    expect(incompatible).toBeGreaterThan(20);
  }, 120_000);
});
