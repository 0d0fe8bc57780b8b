import { describe, expect, it } from 'vitest';
import type { SchemaNode } from '../../src/compat/model.js';
import { summarizeChange } from '../../src/compat/summary.js';

const node = (schema: Record<string, unknown>): SchemaNode => ({ document: { label: 'x.json', root: schema, locate: () => ({ line: 1, col: 1 }) }, pointer: '', schema });
const codes = (count: number, from = 0): string[] => Array.from({ length: count }, (_, index) => `code-${from + index}`);
const withCodes = (values: unknown[]): SchemaNode => node({ type: 'object', properties: { code: { type: 'string', enum: values } } });

describe('summarizeChange', () => {
  it('shows a short enum whole, before and after', () => {
    expect(summarizeChange(withCodes(['a', 'b']), withCodes(['a']))).toEqual(['values of /code: ["a","b"] → ["a"]']);
  });

  it('names what a long enum gained and lost instead of writing both lists', () => {
    const before = codes(5_000);
    const after = [...codes(4_990), ...codes(12, 9_000)];
    const [line, ...rest] = summarizeChange(withCodes(before), withCodes(after));
    expect(rest).toEqual([]);
    expect(line).toBe(`values of /code: 5000 → 5002 values; added ${codes(10, 9_000).map((value) => JSON.stringify(value)).join(', ')} and 2 more; removed ${codes(10, 4_990).map((value) => JSON.stringify(value)).join(', ')}`);
  });

  it('says when a long enum is only reordered, added or dropped', () => {
    expect(summarizeChange(withCodes(codes(100)), withCodes(codes(100).reverse()))).toEqual(['values of /code: 100 → 100 values (reordered)']);
    expect(summarizeChange(node({ type: 'object', properties: { code: { type: 'string' } } }), withCodes(codes(100)))).toEqual(['values of /code: any → 100 values']);
    expect(summarizeChange(withCodes(codes(100)), node({ type: 'object', properties: { code: { type: 'string' } } }))).toEqual(['values of /code: 100 values → any']);
  });

  it('compares enum values as JSON values, whatever their key order', () => {
    const objects = (count: number, reversed: boolean): unknown[] => Array.from({ length: count }, (_, index) => (reversed ? { b: index, a: 'x'.repeat(10) } : { a: 'x'.repeat(10), b: index }));
    expect(summarizeChange(withCodes(objects(20, false)), withCodes(objects(21, true)))).toEqual(['values of /code: 20 → 21 values; added {"b":20,"a":"xxxxxxxxxx"}']);
  });

  it('keeps at most 40 lines and counts the rest', () => {
    const properties = Object.fromEntries(codes(3_000).map((name) => [name, { type: 'string' }]));
    const lines = summarizeChange(node({ type: 'object', properties: {} }), node({ type: 'object', properties }));
    expect(lines).toHaveLength(41);
    expect(lines[0]).toBe('added /code-0 (string, optional)');
    expect(lines[40]).toBe("and 2960 more changes (the pull request's diff has every one)");
  });

  it('lists added and removed properties and required changes, in the schema order', () => {
    const before = node({ type: 'object', required: ['a'], properties: { a: { type: 'string' }, b: { type: 'integer' }, gone: { type: 'boolean' } } });
    const after = node({ type: 'object', required: ['b', 7], properties: { a: { type: 'string' }, b: { type: 'integer' }, fresh: { type: 'string' } } });
    expect(summarizeChange(before, after)).toEqual(['added /fresh (string, optional)', 'removed /gone (boolean)', '/b is now required', '/a is now optional']);
  });
});
