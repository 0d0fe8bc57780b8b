import { describe, expect, it } from 'vitest';
import { check, explain, valid } from './ajv-oracle.js';

/**
 * Regression: an enum's integral values counted as type `number` too, as if `[1, 2, 3]` admitted
 * 1.5, so the type rule said `{enum: [1, 2, 3]}` allows numbers `type: integer` rejects: adding
 * `type: integer` beside the same enum failed as TYPE_CHANGED under the catalog default, and
 * `enum [1, 2, 3]` → `type: integer` was undecided. No example could exist. Found by a review.
 */
describe('the types of an enum of integers', () => {
  const levels = { type: 'object', properties: { level: { enum: [1, 2, 3] } } };
  const integer = { type: 'object', properties: { level: { type: 'integer' } } };

  it('reads enum [1, 2, 3] as integers: type integer takes every event of it', () => {
    for (const level of [1, 2, 3]) expect(valid(integer, { level })).toBe(true);
    const result = check([levels, integer], 'BACKWARD', 'STRICT');
    expect(result.verdict, explain(result)).toBe('compatible');
    expect(check([levels, integer], 'BACKWARD', 'DEFAULT').findings.map((finding) => finding.code)).not.toContain('TYPE_CHANGED');
  });

  it('passes `type: integer` added beside the same enum under the catalog default', () => {
    const typed = { type: 'object', properties: { level: { type: 'integer', enum: [1, 2, 3] } } };
    const result = check([levels, typed], 'FULL_TRANSITIVE', 'DEFAULT');
    expect(result.verdict, explain(result)).toBe('compatible');
  });

  it('still refuses an enum with a fraction read as integer, and an integer enum read as a narrower one', () => {
    const withFraction = { type: 'object', properties: { level: { enum: [1, 1.5] } } };
    expect(valid(integer, { level: 1.5 })).toBe(false);
    expect(check([withFraction, integer], 'BACKWARD', 'STRICT').verdict).toBe('incompatible');
    const narrower = { type: 'object', properties: { level: { type: 'integer', maximum: 2 } } };
    expect(check([levels, narrower], 'BACKWARD', 'STRICT').verdict).toBe('incompatible');
  });
});
