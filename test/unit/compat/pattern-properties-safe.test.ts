import { describe, expect, it } from 'vitest';
import { check, explain, valid } from './ajv-oracle.js';

/**
 * Regression: whenever the two sides' patternProperties keys differed, the pair was undecided
 * (fails closed), even where no unlisted name needs lining up: removing patternProperties from
 * an open model, or opening an extension namespace on a closed one, failed as incompatible.
 * Found by a review.
 */
describe('patternProperties changes that need no lining up', () => {
  it('passes removing patternProperties from an open model', () => {
    const v1 = { type: 'object', properties: { a: { type: 'string' } }, patternProperties: { '^x-': { type: 'string' } } };
    const v2 = { type: 'object', properties: { a: { type: 'string' } } };
    const result = check([v1, v2], 'BACKWARD', 'STRICT');
    expect(result.verdict, explain(result)).toBe('compatible');
  });

  it('passes opening an extension namespace on a closed model', () => {
    const v1 = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false };
    const v2 = { ...v1, patternProperties: { '^x-': { type: 'string' } } };
    const result = check([v1, v2], 'BACKWARD', 'STRICT');
    expect(result.verdict, explain(result)).toBe('compatible');
  });

  it('still refuses a pattern added to an open model that narrows the names it matches', () => {
    const v1 = { type: 'object', properties: { a: { type: 'string' } } };
    const v2 = { ...v1, patternProperties: { '^x-': { type: 'integer' } } };
    expect(valid(v1, { 'x-b': 'text' }) && !valid(v2, { 'x-b': 'text' })).toBe(true);
    expect(check([v1, v2], 'BACKWARD', 'STRICT').verdict).not.toBe('compatible');
  });

  it('still refuses closing a model that had patterns', () => {
    const v1 = { type: 'object', properties: { a: { type: 'string' } }, patternProperties: { '^x-': { type: 'string' } }, additionalProperties: false };
    const v2 = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false };
    expect(valid(v1, { 'x-b': 'text' }) && !valid(v2, { 'x-b': 'text' })).toBe(true);
    expect(check([v1, v2], 'BACKWARD', 'STRICT').verdict).not.toBe('compatible');
  });
});
