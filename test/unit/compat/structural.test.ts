import { describe, expect, it } from 'vitest';
import { parseJsonDocument } from '../../../src/catalog/documents.js';
import { schemaDocumentOf } from '../../../src/compat/documents.js';
import { checkCompatibility, type VersionInput } from '../../../src/compat/engine.js';

/**
 * DEFAULT's structural rules (a removed property, a changed type) at every subschema position
 * the engine walks, not only `properties` and `items`. Regression: a property removed inside
 * `additionalProperties` passed `check` under FULL_TRANSITIVE/DEFAULT, because the FORWARD
 * finding was dropped as "covered by PROPERTY_REMOVED" and the structural walk never saw it.
 */
function version(number: number, schema: unknown): VersionInput {
  const file = `catalog/apps/orders/${number}.json`;
  const parsed = parseJsonDocument(file, new TextEncoder().encode(JSON.stringify(schema, null, 2)));
  if (!parsed.ok) throw new Error(parsed.findings[0].message);
  return { name: `version ${number}`, file, document: schemaDocumentOf(parsed.document, `apps/orders/${number}.json`) };
}

const quantity = { type: 'object', properties: { quantity: { type: 'integer' }, sku: { type: 'string' } } };
const withoutQuantity = { type: 'object', properties: { sku: { type: 'string' } } };

/** [name, old, new, data path of the removed property, pointer in the new file]. */
const CASES: ReadonlyArray<readonly [string, (line: object) => unknown, string, string]> = [
  ['additionalProperties', (line) => ({ type: 'object', properties: { items: { type: 'object', additionalProperties: line } } }), '/items/<any other property>/quantity', '/properties/items/additionalProperties'],
  ['patternProperties', (line) => ({ type: 'object', patternProperties: { '^line-': line } }), '/line-/quantity', '/patternProperties/^line-'],
  ['prefixItems', (line) => ({ type: 'object', properties: { lines: { type: 'array', prefixItems: [line] } } }), '/lines/[0]/quantity', '/properties/lines/prefixItems/0'],
  ['draft-07 tuple items', (line) => ({ type: 'object', properties: { lines: { type: 'array', items: [line] } } }), '/lines/[0]/quantity', '/properties/lines/items/0'],
  ['additionalItems', (line) => ({ type: 'object', properties: { lines: { type: 'array', items: [{ type: 'string' }], additionalItems: line } } }), '/lines/*/quantity', '/properties/lines/additionalItems'],
  ['contains', (line) => ({ type: 'object', properties: { lines: { type: 'array', contains: line } } }), '/lines/*/quantity', '/properties/lines/contains'],
  ['$defs through $ref', (line) => ({ type: 'object', properties: { line: { $ref: '#/$defs/line' } }, $defs: { line } }), '/line/quantity', '/$defs/line'],
  ['anyOf branch', (line) => ({ type: 'object', properties: { line: { anyOf: [line, { type: 'string' }] } } }), '/line/quantity', '/properties/line/anyOf/0'],
  ['oneOf branch', (line) => ({ type: 'object', properties: { line: { oneOf: [{ type: 'string' }, line] } } }), '/line/quantity', '/properties/line/oneOf/1'],
  ['dependentSchemas', (line) => ({ type: 'object', properties: { kind: { type: 'string' } }, dependentSchemas: { kind: { properties: { line } } } }), '/line/quantity', '/dependentSchemas/kind/properties/line'],
  ['then', (line) => ({ type: 'object', if: { required: ['line'] }, then: { properties: { line } } }), '/line/quantity', '/then/properties/line'],
  ['else', (line) => ({ type: 'object', if: { required: ['x'] }, then: {}, else: { properties: { line } } }), '/line/quantity', '/else/properties/line'],
];

describe('DEFAULT: a removed property is reported wherever it sits', () => {
  it.each(CASES)('inside %s', (_, shape, dataPath, pointer) => {
    const result = checkCompatibility(version(2, shape(withoutQuantity)), [version(1, shape(quantity))], { mode: 'FULL_TRANSITIVE', policy: 'DEFAULT' });
    const removed = result.findings.filter((finding) => finding.code === 'PROPERTY_REMOVED');
    expect(result.verdict).toBe('incompatible');
    expect(removed.map((finding) => [finding.file, finding.pointer, finding.params.dataPath]), result.findings.map((finding) => finding.message).join('\n')).toEqual([['catalog/apps/orders/2.json', pointer, dataPath]]);
    expect(removed[0]?.message).toContain(`At ${dataPath}, "quantity" ("integer") is in version 1 (old) but not in version 2 (new)`);
  });

  it('the reviewer’s repro: quantity deleted inside additionalProperties fails under the catalog default', () => {
    const line = (properties: object) => ({ type: 'object', properties: { items: { type: 'object', additionalProperties: { type: 'object', properties } } } });
    const result = checkCompatibility(version(2, line({})), [version(1, line({ quantity: { type: 'integer' } }))], { mode: 'FULL_TRANSITIVE', policy: 'DEFAULT' });
    expect(result.findings.map((finding) => finding.code)).toEqual(['PROPERTY_REMOVED']);
  });

  it('a type widened inside additionalProperties fails in every mode, as one inside properties does', () => {
    const map = (type: string) => ({ type: 'object', additionalProperties: { type } });
    const result = checkCompatibility(version(2, map('number')), [version(1, map('integer'))], { mode: 'BACKWARD', policy: 'DEFAULT' });
    expect(result.findings.map((finding) => [finding.code, finding.params.dataPath])).toEqual([['TYPE_WIDENED', '/<any other property>']]);
    expect(checkCompatibility(version(2, map('number')), [version(1, map('integer'))], { mode: 'BACKWARD', policy: 'STRICT' }).verdict).toBe('compatible');
  });

  it('reordered anyOf branches remove nothing', () => {
    const a = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    const b = { type: 'object', properties: { b: { type: 'integer' } }, required: ['b'] };
    const result = checkCompatibility(version(2, { anyOf: [b, a] }), [version(1, { anyOf: [a, b] })], { mode: 'FULL_TRANSITIVE', policy: 'DEFAULT' });
    expect(result.findings.filter((finding) => finding.code === 'PROPERTY_REMOVED')).toEqual([]);
  });

  // Regression: DEFAULT's walk read a local pointer through objects only, so a definition
  // reached through an array index was never compared and both changes below passed BACKWARD.
  it('follows a local $ref into an array (#/$defs/L/anyOf/0), as ajv does', () => {
    const shape = (line: object) => ({ type: 'object', properties: { line: { $ref: '#/$defs/L/anyOf/0' } }, $defs: { L: { anyOf: [line] } } });
    const widened = { type: 'object', properties: { quantity: { type: 'number' }, sku: { type: 'string' } } };
    for (const [changed, code, dataPath] of [[withoutQuantity, 'PROPERTY_REMOVED', '/line/quantity'], [widened, 'TYPE_WIDENED', '/line/quantity']] as const) {
      const result = checkCompatibility(version(2, shape(changed)), [version(1, shape(quantity))], { mode: 'BACKWARD', policy: 'DEFAULT' });
      expect(result.findings.map((finding) => [finding.code, finding.params.dataPath]), result.findings.map((finding) => finding.message).join('\n')).toEqual([[code, dataPath]]);
    }
  });

  it('a removal the structural walk leaves out (the whole additionalProperties schema dropped) still fails: the FORWARD finding is kept', () => {
    const old = version(1, { type: 'object', additionalProperties: { properties: { quantity: { type: 'integer' } } } });
    const result = checkCompatibility(version(2, { type: 'object' }), [old], { mode: 'FULL_TRANSITIVE', policy: 'DEFAULT' });
    expect(result.verdict).toBe('incompatible');
    expect(result.findings.map((finding) => [finding.code, finding.params.direction, finding.params.dataPath])).toEqual([['PROPERTY_ADDED_TO_OPEN_MODEL', 'FORWARD', '/<any other property>/quantity']]);
  });
});
