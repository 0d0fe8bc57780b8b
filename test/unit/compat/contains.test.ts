import { describe, expect, it } from 'vitest';
import { check, explain, valid } from './ajv-oracle.js';

/**
 * Regression: the contains rule took "the writer's contains implies the reader's, the writer's
 * maxContains is no higher" as proof of the reader's maxContains. That proves minContains only:
 * items the reader's wider contains counts and the writer's does not are not bounded by the
 * writer's maxContains. Found by a review.
 */
describe('maxContains', () => {
  const roles = (contains: object, maxContains = 1) => ({ type: 'object', properties: { roles: { type: 'array', items: { type: 'string' }, contains, maxContains } } });

  it('"at most one primary" → "at most one primary or main" is not BACKWARD compatible, with an example', () => {
    const [v1, v2] = [roles({ const: 'primary' }), roles({ enum: ['primary', 'main'] })];
    const event = { roles: ['primary', 'main'] };
    expect([valid(v1, event), valid(v2, event)]).toEqual([true, false]);
    const result = check([v1, v2], 'BACKWARD', 'STRICT');
    expect(result.verdict, explain(result)).toBe('incompatible');
    const example = result.findings.find((finding) => finding.code === 'CONTAINS_ADDED')?.params.example;
    expect(example).toBeDefined();
    expect([valid(v1, example as object), valid(v2, example as object)]).toEqual([true, false]);
  });

  it('the same contains with a lower maxContains is caught; the same one, or a higher maximum, is compatible', () => {
    expect(check([roles({ const: 'primary' }, 3), roles({ const: 'primary' }, 2)], 'BACKWARD', 'STRICT').verdict).toBe('incompatible');
    expect(check([roles({ const: 'primary' }), roles({ const: 'primary' })], 'BACKWARD', 'STRICT').verdict).toBe('compatible');
    expect(check([roles({ const: 'primary' }, 2), roles({ const: 'primary' }, 3)], 'BACKWARD', 'STRICT').verdict).toBe('compatible');
  });
});
