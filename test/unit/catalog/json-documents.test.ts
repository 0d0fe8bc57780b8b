import { describe, expect, it } from 'vitest';
import { parseJsonDocument } from '../../../src/catalog/documents.js';

const parse = (text: string) => {
  const parsed = parseJsonDocument('catalog/apps/things/1.json', new TextEncoder().encode(text));
  if (!parsed.ok) throw new Error(parsed.findings[0]?.message);
  return parsed.document;
};

/**
 * Findings are placed by locating their pointer in the file. An object's properties are looked
 * up by name (one index per object): searching an object of 25,000 properties for each of
 * 25,000 findings at them took 20 s of a check of one version.
 */
describe('locating a pointer in a JSON document', () => {
  it('finds each of 25,000 properties of one object at its own line', () => {
    const names = Array.from({ length: 25_000 }, (_, index) => `p${index}`);
    const document = parse(JSON.stringify({ type: 'object', properties: Object.fromEntries(names.map((name) => [name, {}])) }, null, 2));
    // Line 1 `{`, 2 `"type"`, 3 `"properties": {`, then `    "p0": {},` and so on.
    names.forEach((name, index) => expect(document.locate(`/properties/${name}`)).toEqual({ line: 4 + index, col: name.length + 9 }));
  });

  it('reads escaped tokens, and stops at the deepest node a pointer reaches', () => {
    const document = parse(JSON.stringify({ properties: { 'a/b': { type: 'string' }, 'c~d': { type: 'integer' }, constructor: { type: 'null' } } }, null, 2).replace('"constructor"', '"__proto__"'));
    expect(document.locate('/properties/a~1b/type')).toEqual({ line: 4, col: 15 });
    expect(document.locate('/properties/c~0d/type')).toEqual({ line: 7, col: 15 });
    expect(document.locate('/properties/__proto__/type')).toEqual({ line: 10, col: 15 });
    expect(document.locate('/properties/missing/type')).toEqual({ line: 2, col: 17 });
    expect(document.locate('/properties/constructor')).toEqual({ line: 2, col: 17 });
    expect(document.locate('/properties/toString')).toEqual({ line: 2, col: 17 });
  });
});
