import { describe, expect, it } from 'vitest';
import { evaluateSimple } from '../../../src/compat/validators.js';
import { check, explain, valid } from './ajv-oracle.js';

/**
 * Regression: ajv (no multipleOfPrecision, as the SDK, the flow and the check compile versions)
 * accepts a value when value / multipleOf is exactly an integer in floating point. The
 * multipleOf rule and evaluateSimple allowed a 1e-9 slack instead, so a "looser" decimal step
 * was taken as a superset when it is not, and an enum value was checked against the reader as
 * ajv does not. Found by a review.
 */
describe('multipleOf with decimal steps', () => {
  const obj = (amount: object) => ({ type: 'object', properties: { amount } });

  it('cents (0.01) → tenths of a cent (0.001) is not BACKWARD compatible: 0.35 breaks, and an example says so', () => {
    const [v1, v2] = [obj({ type: 'number', multipleOf: 0.01 }), obj({ type: 'number', multipleOf: 0.001 })];
    const event = { amount: 0.35 };
    expect([valid(v1, event), valid(v2, event)]).toEqual([true, false]);
    const result = check([v1, v2], 'BACKWARD', 'STRICT');
    expect(result.verdict, explain(result)).toBe('incompatible');
    const example = result.findings.find((finding) => finding.code === 'MULTIPLE_OF_CHANGED')?.params.example;
    expect([valid(v1, example as object), valid(v2, example as object)]).toEqual([true, false]);
    // Steps whose ratio is exact in floating point stay compatible.
    for (const [writer, reader] of [[0.5, 0.25], [0.2, 0.1], [6, 3]]) {
      const exact = check([obj({ type: 'number', multipleOf: writer }), obj({ type: 'number', multipleOf: reader })], 'BACKWARD', 'STRICT');
      expect(exact.verdict, explain(exact)).toBe('compatible');
    }
  });

  it('an enum value is checked against the reader as ajv checks it', () => {
    const [v1, v2] = [obj({ enum: [0.3] }), obj({ type: 'number', multipleOf: 0.1 })];
    const event = { amount: 0.3 };
    expect([valid(v1, event), valid(v2, event)]).toEqual([true, false]);
    const result = check([v1, v2], 'BACKWARD', 'STRICT');
    expect(result.verdict, explain(result)).not.toBe('compatible');
  });

  it('evaluateSimple (the engine\'s fast path for leaf subschemas) agrees with ajv on multipleOf', () => {
    for (const [step, value] of [[0.1, 0.3], [0.1, 0.2], [0.01, 0.35], [0.001, 0.35], [1, 1e21], [1, 1e20], [3, 9]]) {
      const schema = { type: 'number', multipleOf: step };
      expect(evaluateSimple(schema, value), `${value} / ${step}`).toBe(valid(schema, value));
    }
  });
});
