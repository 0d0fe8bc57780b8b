import { describe, expect, it } from 'vitest';
import { check, explain, valid } from './ajv-oracle.js';

/**
 * Regression: ajv-formats (asserted wherever a version is compiled, addSchemaFormats) has number
 * formats: int32 (integers from -2^31 to 2^31 - 1), int64 (any integer), float and double (any
 * number). The format rule returned unless the writer admitted strings, so a number format
 * added or narrowed was never compared. Found by a review.
 */
describe('number formats', () => {
  const obj = (qty: object) => ({ type: 'object', properties: { qty } });

  it('adding format int32 to an integer is not BACKWARD compatible, with 2^31 as the example', () => {
    const [v1, v2] = [obj({ type: 'integer' }), obj({ type: 'integer', format: 'int32' })];
    const event = { qty: 2147483648 };
    expect([valid(v1, event), valid(v2, event)]).toEqual([true, false]);
    const result = check([v1, v2], 'BACKWARD', 'STRICT');
    expect(result.verdict, explain(result)).toBe('incompatible');
    expect(result.findings.find((finding) => finding.code === 'FORMAT_CHANGED')?.params.example).toEqual(event);
  });

  it('int64 → int32 is not compatible under the catalog default; int32 → int64 is BACKWARD compatible', () => {
    const [v1, v2] = [obj({ type: 'integer', format: 'int64' }), obj({ type: 'integer', format: 'int32' })];
    const event = { qty: 2147483648 };
    expect([valid(v1, event), valid(v2, event)]).toEqual([true, false]);
    const result = check([v1, v2], 'FULL_TRANSITIVE', 'DEFAULT');
    expect(result.verdict, explain(result)).not.toBe('compatible');
    expect(check([v2, v1], 'BACKWARD', 'STRICT').verdict).toBe('compatible');
  });

  it('int64 on a number rejects fractions; an integer range within int32, or double, is compatible', () => {
    const [v1, v2] = [obj({ type: 'number' }), obj({ type: 'number', format: 'int64' })];
    expect([valid(v1, { qty: 0.5 }), valid(v2, { qty: 0.5 })]).toEqual([true, false]);
    expect(check([v1, v2], 'BACKWARD', 'STRICT').verdict).toBe('incompatible');
    expect(check([obj({ type: 'integer', minimum: 0, maximum: 1000 }), obj({ type: 'integer', format: 'int32' })], 'BACKWARD', 'STRICT').verdict).toBe('compatible');
    expect(check([obj({ type: 'number' }), obj({ type: 'number', format: 'double' })], 'BACKWARD', 'STRICT').verdict).toBe('compatible');
  });
});
