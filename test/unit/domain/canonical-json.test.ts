import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { mergeSchemas } from '../../../src/catalog/merge-all-of.js';
import { jsonEqual } from '../../../src/compat/model.js';
import { evaluateSimple } from '../../../src/compat/validators.js';
import { canonicalize, jsonKey } from '../../../src/domain/canonical-json.js';

/**
 * One canonical text (src/domain/canonical-json.ts): the RFC 8785 form fingerprints hash
 * (canonicalize), and the same form, total, that compares values (jsonKey: enum members, a
 * keyword on two allOf branches). The fold and the engine's const check each wrote their own,
 * with JSON.stringify, which writes a number JSON cannot (1e400 parses to Infinity) as `null`.
 */
const DIRECTORY = new URL('../../fixtures/compat/', import.meta.url);
const documents = readdirSync(DIRECTORY)
  .filter((file) => file.endsWith('.json'))
  .flatMap((file) => (JSON.parse(readFileSync(new URL(file, DIRECTORY), 'utf8')) as Array<{ old: unknown; new: unknown }>).flatMap((entry) => [entry.old, entry.new]));

describe('the canonical JSON text', () => {
  it('is the RFC 8785 form for every JSON value, in both its uses', () => {
    expect(documents.length).toBeGreaterThan(300);
    for (const value of documents) expect(jsonKey(value)).toBe(canonicalize(value));
    expect(canonicalize({ b: [1, 2.5, 1e21, -0], a: { d: 'é\n', c: null }, 10: true, 2: false })).toBe('{"10":true,"2":false,"a":{"c":null,"d":"é\\n"},"b":[1,2.5,1e+21,0]}');
  });

  it('writes a list of plain values as JSON.stringify does, holes and values JSON cannot write aside', () => {
    const plain = ['v0', 'é\u2028', '\ud800', 1.5, -0, 1e21, true, null];
    expect(canonicalize(plain)).toBe(JSON.stringify(plain));
    expect(jsonKey([1, Infinity, undefined])).toBe('[1,Infinity,undefined]');
    // eslint-disable-next-line no-sparse-arrays -- a hole is no plain value: written entry by entry, as before
    expect(jsonKey([1, , 2])).toBe('[1,,2]');
  });

  it('keeps a number JSON cannot write apart from null when comparing, and refuses it when hashing', () => {
    const [infinite, nested] = [JSON.parse('1e400') as number, JSON.parse('{"a":-1e400}') as unknown];
    expect(jsonKey(infinite)).toBe('Infinity');
    expect(jsonKey(nested)).toBe('{"a":-Infinity}');
    expect(jsonKey(nested)).not.toBe(jsonKey({ a: null }));
    expect(() => canonicalize(nested)).toThrow('-Infinity cannot be canonicalised (RFC 8785)');
    expect(() => canonicalize({ a: undefined })).toThrow('a undefined cannot be canonicalised (RFC 8785)');
  });

  // Regression: the allOf fold and the engine's own check of `const` took 1e400 for null, where
  // ajv and the engine's enum test (jsonEqual, inEnum) do not: the fold kept a value the allOf
  // rejects (wider than the schema), the const check accepted one ajv rejects.
  it('is how the fold, the engine and ajv all compare 1e400 with null', () => {
    const noRefs = (): unknown => undefined;
    const ajv = new Ajv2020({ strict: false });
    const constant = JSON.parse('{"const":{"a":1e400}}') as Record<string, unknown>;
    expect(ajv.compile(constant)({ a: null })).toBe(false);
    expect(jsonEqual(constant.const, { a: null })).toBe(false);
    expect(evaluateSimple(constant, { a: null })).toBe(false);
    expect(evaluateSimple(constant, { a: Infinity })).toBe(true);
    expect(mergeSchemas([JSON.parse('{"allOf":[{"const":1e400},{"const":null}]}')], noRefs)).toBe(false);
    const both = JSON.parse('{"allOf":[{"enum":[1e400,1]},{"enum":[null,1]}]}') as object;
    expect(mergeSchemas([both], noRefs)).toEqual({ enum: [1] });
    expect([null, 1, Infinity].map((value) => ajv.compile(both)(value))).toEqual([false, true, false]);
  });
});
