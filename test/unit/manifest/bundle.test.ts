import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { bundleSchema } from '../../../src/manifest/bundle.js';

/** Bundles `apps/users/1.json` from the given catalog files, as the manifest builder does. */
function bundle(files: Record<string, unknown>): Record<string, unknown> {
  const read = (catalogPath: string): unknown => files[catalogPath];
  return bundleSchema('apps/users/1.json', read('apps/users/1.json'), read) as Record<string, unknown>;
}

/** The bundle on its own, with no other schema loaded (as producers and the flow compile it). */
const validatorOf = (schema: Record<string, unknown>) => new Ajv2020({ strict: false }).compile(schema);

const money = (properties: Record<string, unknown>) => ({ type: 'object', description: 'm', properties, $defs: { M: { type: 'integer', minimum: 0 } } });

describe('bundleSchema', () => {
  // Regression: a property called `default`, `const`, `enum` or `examples` was taken for that
  // keyword, so the $refs below it were copied as found.
  it('inlines a cross-file $ref below a property named like a data keyword', () => {
    const schema = bundle({
      'apps/money/1.json': money({ x: { type: 'string', description: 'x' } }),
      'apps/users/1.json': {
        type: 'object',
        description: 'u',
        properties: Object.fromEntries(['default', 'const', 'enum', 'examples'].map((name) => [name, { description: 'd', $ref: '../money/1.json#/$defs/M' }])),
      },
    });
    expect(JSON.stringify(schema)).not.toContain('../money/1.json');
    const validate = validatorOf(schema);
    expect(validate({ default: 5, const: 1, enum: 2, examples: 3 })).toBe(true);
    expect(validate({ default: -1 })).toBe(false);
    expect(validate({ examples: 'five' })).toBe(false);
  });

  it('rewrites a local $ref of an embedded file below such a property to that file\'s definitions', () => {
    const schema = bundle({
      'apps/money/1.json': money({ default: { description: 'x', $ref: '#/$defs/M' } }),
      'apps/users/1.json': { type: 'object', description: 'u', properties: { m: { description: 'o', $ref: '../money/1.json' } }, $defs: { M: { type: 'string' } } },
    });
    const validate = validatorOf(schema);
    expect(validate({ m: { default: 3 } })).toBe(true);
    expect(validate({ m: { default: 'three' } })).toBe(false);
  });

  it('leaves data positions as found, $ref-shaped values included, and keeps a __proto__ property an own property', () => {
    const data = { $ref: '../money/1.json#/$defs/M' };
    const schema = bundle({
      'apps/money/1.json': money({}),
      'apps/users/1.json': {
        type: 'object',
        description: 'u',
        default: data,
        examples: [data],
        properties: JSON.parse('{"__proto__": {"description": "p", "$ref": "../money/1.json#/$defs/M"}, "doc": {"description": "d", "const": {"$ref": "#/x"}, "enum": [{"$ref": "#/x"}]}}') as Record<string, unknown>,
      },
    });
    expect(schema.default).toEqual(data);
    expect(schema.examples).toEqual([data]);
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(properties, '__proto__')).toBe(true);
    expect(properties['__proto__']?.$ref).toBe('#/$defs/apps.money.v1/$defs/M');
    expect(properties.doc).toEqual({ description: 'd', const: { $ref: '#/x' }, enum: [{ $ref: '#/x' }] });
  });
});
