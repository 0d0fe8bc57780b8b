import { describe, expect, it } from 'vitest';
import { check, explain, valid } from './ajv-oracle.js';

/**
 * Regression: the conditional, not and dependencies rules took the same text on both sides as
 * the same constraint, also when it held a `$ref`: `then: {$ref: '#/$defs/Card'}` names each
 * version's own Card, so a changed Card was never compared (walk.ts's own shortcut guards this
 * with mentionsRef). Found by a review.
 */
describe('if/then/else, not and dependentSchemas through a changed $ref', () => {
  const withThen = (card: object) => ({
    type: 'object',
    properties: { kind: { type: 'string' }, code: { type: 'string' } },
    required: ['kind'],
    if: { properties: { kind: { const: 'card' } } },
    then: { $ref: '#/$defs/Card' },
    $defs: { Card: card },
  });
  const withNot = (reserved: object) => ({ type: 'object', properties: { name: { type: 'string', not: { $ref: '#/$defs/Reserved' } } }, $defs: { Reserved: reserved } });
  const withDependency = (t: object) => ({ type: 'object', properties: { card: { type: 'string' }, cvv: { type: 'string' } }, dependentSchemas: { card: { $ref: '#/$defs/T' } }, $defs: { T: t } });

  it('then: an enum value removed from the referenced definition is caught (catalog default FULL_TRANSITIVE/DEFAULT)', () => {
    const [v1, v2] = [withThen({ type: 'object', properties: { code: { enum: ['A', 'B'] } } }), withThen({ type: 'object', properties: { code: { enum: ['A'] } } })];
    const event = { kind: 'card', code: 'B' };
    expect([valid(v1, event), valid(v2, event)]).toEqual([true, false]); // v1 data that v2 consumers reject
    const result = check([v1, v2], 'FULL_TRANSITIVE', 'DEFAULT');
    expect(result.verdict, explain(result)).not.toBe('compatible');
    // The other way is safe: v2's Card is within v1's, so v2's events are v1's.
    expect(check([v2, v1], 'BACKWARD', 'STRICT').verdict).toBe('compatible');
  });

  it('not: a value added to the referenced excluded list is caught', () => {
    const [a, b] = [withNot({ type: 'string', enum: ['admin'] }), withNot({ type: 'string', enum: ['admin', 'root'] })];
    const event = { name: 'root' };
    expect([valid(a, event), valid(b, event)]).toEqual([true, false]);
    const result = check([a, b], 'FULL_TRANSITIVE', 'DEFAULT');
    expect(result.verdict, explain(result)).not.toBe('compatible');
    expect(check([b, a], 'BACKWARD', 'STRICT').verdict).toBe('compatible');
  });

  it('dependentSchemas: a tightened referenced definition is caught', () => {
    const [a, b] = [withDependency({ type: 'object', properties: { cvv: { type: 'string', maxLength: 4 } } }), withDependency({ type: 'object', properties: { cvv: { type: 'string', maxLength: 3 } } })];
    const event = { card: 'x', cvv: '1234' };
    expect([valid(a, event), valid(b, event)]).toEqual([true, false]);
    const result = check([a, b], 'FULL_TRANSITIVE', 'DEFAULT');
    expect(result.verdict, explain(result)).not.toBe('compatible');
    expect(check([b, a], 'BACKWARD', 'STRICT').verdict).toBe('compatible');
  });

  it('an unchanged referenced definition is still compatible', () => {
    const card = withThen({ type: 'object', properties: { code: { enum: ['A', 'B'] } } });
    const not = withNot({ type: 'string', enum: ['admin'] });
    const dependency = withDependency({ type: 'object', properties: { cvv: { type: 'string', maxLength: 4 } } });
    for (const schema of [card, not, dependency]) expect(check([schema, structuredClone(schema)], 'FULL_TRANSITIVE', 'STRICT').verdict).toBe('compatible');
  });
});
