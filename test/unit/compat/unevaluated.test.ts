import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { checkCompatibility, type VersionInput } from '../../../src/compat/engine.js';

/**
 * unevaluatedProperties / unevaluatedItems next to applicators. Regression: they were ignored
 * whenever the node also had anyOf/oneOf/if/not/allOf, so closing a model that way passed
 * check and compat although ajv rejects old events under the new version.
 */
const version = (name: string, root: unknown): VersionInput => ({ name, file: `catalog/apps/orders/${name}.json`, document: { label: name, root, locate: () => ({ line: 1, col: 1 }) } });
const valid = (schema: object, value: unknown): boolean => new Ajv2020({ strict: false }).compile(schema)(value) === true;
const messages = (result: ReturnType<typeof checkCompatibility>): string => result.findings.map((finding) => finding.message).join('\n');

const order = { type: 'object', properties: { orderId: { type: 'string' } } };

describe('unevaluated* next to applicators', () => {
  it('the reviewer’s repro: anyOf + unevaluatedProperties: false closes the model (decided, with an example ajv confirms)', () => {
    const closed = { ...order, anyOf: [{ type: 'object' }], unevaluatedProperties: false };
    expect(valid(closed, { orderId: '1', note: 'x' })).toBe(false);
    for (const [mode, policy] of [['BACKWARD', 'STRICT'], ['FULL_TRANSITIVE', 'DEFAULT']] as const) {
      const result = checkCompatibility(version('2', closed), [version('1', order)], { mode, policy });
      expect(result.verdict, messages(result)).toBe('incompatible');
      const finding = result.findings.find((entry) => entry.code === 'MODEL_CLOSED');
      expect(finding).toMatchObject({ file: 'catalog/apps/orders/2.json', params: { direction: 'BACKWARD', dataPath: '/<any other property>' } });
      expect([valid(order, finding?.params.example), valid(closed, finding?.params.example)]).toEqual([true, false]);
    }
  });

  it('unevaluatedItems next to oneOf closes a tuple', () => {
    const old = { type: 'array', prefixItems: [{ type: 'string' }] };
    const closed = { ...old, oneOf: [{ type: 'array' }], unevaluatedItems: false };
    const result = checkCompatibility(version('2', closed), [version('1', old)], { mode: 'BACKWARD', policy: 'STRICT' });
    expect(result.verdict, messages(result)).toBe('incompatible');
    const example = result.findings[0]?.params.example;
    expect([valid(old, example), valid(closed, example)]).toEqual([true, false]);
  });

  it('a tagged union closed by unevaluatedProperties is compared branch by branch with it', () => {
    const variant = (kind: string, extra: Record<string, unknown>) => ({ properties: { kind: { const: kind }, ...extra }, required: ['kind'] });
    const union = (a: Record<string, unknown>) => ({ type: 'object', oneOf: [variant('a', a), variant('b', { y: { type: 'integer' } })], unevaluatedProperties: false });
    const before = union({ x: { type: 'string' } });
    const renamed = union({ z: { type: 'string' } });
    const result = checkCompatibility(version('2', renamed), [version('1', before)], { mode: 'BACKWARD', policy: 'STRICT' });
    expect(result.verdict, messages(result)).toBe('incompatible');
    expect(valid(renamed, { kind: 'a', x: 's' })).toBe(false);
    const widened = union({ x: { type: 'string' }, w: { type: 'string' } });
    const same = checkCompatibility(version('2', widened), [version('1', before)], { mode: 'BACKWARD', policy: 'STRICT' });
    expect(same.verdict, messages(same)).toBe('compatible');
  });

  it('next to if/then that evaluates properties it is undecided, not accepted', () => {
    const conditional = { ...order, if: { required: ['orderId'] }, then: { properties: { note: {} } }, unevaluatedProperties: false };
    const result = checkCompatibility(version('2', conditional), [version('1', order)], { mode: 'BACKWARD', policy: 'STRICT' });
    expect(result.verdict, messages(result)).toBe('undecided');
    expect(result.findings[0]).toMatchObject({ code: 'COMPAT_UNDECIDED', file: 'catalog/apps/orders/2.json', params: { undecided: true } });
    expect(result.findings[0]?.message).toContain('"unevaluatedProperties": false next to "then"');
    expect(result.findings[0]?.message).toContain('fails closed');
  });

  it('an unchanged schema with unevaluatedProperties next to if/then stays compatible', () => {
    const conditional = { ...order, if: { required: ['orderId'] }, then: { properties: { note: { type: 'string' } } }, unevaluatedProperties: false };
    expect(checkCompatibility(version('2', conditional), [version('1', conditional)], { mode: 'FULL', policy: 'STRICT' }).verdict).toBe('compatible');
  });
});
