import { describe, expect, it } from 'vitest';
import { check, explain, valid } from './ajv-oracle.js';

/**
 * Regression: DEFAULT lets an optional property added to an open model through unless its name
 * is a tombstone, and tombstoneOf looked for the name only in `properties` along a path of
 * properties and `items`. A name an earlier version defined under `then`/`else` or
 * `dependentSchemas`, or below `prefixItems` or `additionalProperties`, was not seen, so
 * re-declaring it with another type passed. Found by a review.
 */
describe('DEFAULT tombstones of names an earlier version defined outside `properties`', () => {
  it('a name defined in `then` and re-added at the top with another type fails under FULL_TRANSITIVE/DEFAULT', () => {
    const v1 = {
      type: 'object',
      properties: { kind: { type: 'string' } },
      required: ['kind'],
      if: { properties: { kind: { const: 'card' } } },
      then: { properties: { last4: { type: 'integer' } } },
    };
    const v2 = { ...v1, properties: { ...v1.properties, last4: { type: 'string' } } };
    const event = { kind: 'card', last4: 1234 };
    expect([valid(v1, event), valid(v2, event)]).toEqual([true, false]);
    expect(check([v1, v2], 'FULL_TRANSITIVE', 'STRICT').verdict).toBe('incompatible');
    const result = check([v1, v2], 'FULL_TRANSITIVE', 'DEFAULT');
    expect(result.verdict, explain(result)).not.toBe('compatible');
    // Re-added with the schema it had is no tombstone.
    const same = { ...v1, properties: { ...v1.properties, last4: { type: 'integer' } } };
    expect(check([v1, same], 'BACKWARD', 'DEFAULT').verdict).toBe('compatible');
  });

  it('a name defined in `dependentSchemas` and re-added with another type fails under FULL_TRANSITIVE/DEFAULT', () => {
    const v1 = { type: 'object', properties: { card: { type: 'string' } }, dependentSchemas: { card: { properties: { cvv: { type: 'integer' } } } } };
    const v2 = { ...v1, properties: { ...v1.properties, cvv: { type: 'string' } } };
    const event = { card: 'x', cvv: 123 };
    expect([valid(v1, event), valid(v2, event)]).toEqual([true, false]);
    const result = check([v1, v2], 'FULL_TRANSITIVE', 'DEFAULT');
    expect(result.verdict, explain(result)).not.toBe('compatible');
  });

  it('a name defined in draft-07 schema `dependencies` and re-added with another type fails under FULL_TRANSITIVE/DEFAULT', () => {
    const v1 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { card: { type: 'string' } }, dependencies: { card: { properties: { cvv: { type: 'integer' } } } } };
    const v2 = { ...v1, properties: { ...v1.properties, cvv: { type: 'string' } } };
    const result = check([v1, v2], 'FULL_TRANSITIVE', 'DEFAULT');
    expect(result.verdict, explain(result)).not.toBe('compatible');
  });

  it('a tombstone under prefixItems (v1 → removed in v2 → re-added with another type in v3) fails under BACKWARD/DEFAULT', () => {
    const tuple = (first: object) => ({ type: 'object', properties: { l: { type: 'array', prefixItems: [first], items: false, minItems: 1 } } });
    const v1 = tuple({ type: 'object', properties: { b: { type: 'integer' } } });
    const v2 = tuple({ type: 'object' });
    const v3 = tuple({ type: 'object', properties: { b: { type: 'string' } } });
    const event = { l: [{ b: 1 }] };
    expect([valid(v1, event), valid(v3, event)]).toEqual([true, false]);
    const result = check([v1, v2, v3], 'BACKWARD', 'DEFAULT');
    expect(result.verdict, explain(result)).not.toBe('compatible');
  });

  it('a tombstone under additionalProperties fails under BACKWARD/DEFAULT', () => {
    const map = (value: object) => ({ type: 'object', properties: { m: { type: 'object', additionalProperties: value } } });
    const v1 = map({ type: 'object', properties: { b: { type: 'integer' } } });
    const v2 = map({ type: 'object' });
    const v3 = map({ type: 'object', properties: { b: { type: 'string' } } });
    const event = { m: { x: { b: 1 } } };
    expect([valid(v1, event), valid(v3, event)]).toEqual([true, false]);
    const result = check([v1, v2, v3], 'BACKWARD', 'DEFAULT');
    expect(result.verdict, explain(result)).not.toBe('compatible');
  });
});
