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

describe('bundleSchema: the file\'s own definitions', () => {
  const transactions = { type: 'object', description: 't', required: ['id'], properties: { id: { type: 'string', description: 'i' } }, $defs: { Money: { type: 'integer' } } };
  const users = ($defs: Record<string, unknown>) => ({
    type: 'object',
    description: 'u',
    properties: { count: { description: 'c', $ref: '#/$defs/payments.transactions.v1' }, tx: { description: 't', $ref: '../../payments/transactions/1.json' } },
    $defs,
  });
  const bundleOf = (root: Record<string, unknown>) => bundleSchema('apps/users/1.json', root, (path) => (path === 'payments/transactions/1.json' ? transactions : undefined)) as Record<string, unknown>;

  // Regression: a definition named like the key of a referenced file (<team>.<name>.v<N>) was
  // overwritten by that file, so the manifest's schema took { count: <a transaction> } and
  // refused the { count: 3 } the checked file accepts.
  it('keeps a definition named like a bundle key, and embeds the referenced file under another name', () => {
    const small = { type: 'integer', maximum: 10 };
    const schema = bundleOf(users({ 'payments.transactions.v1': small }));
    expect(schema.$defs).toEqual({ 'payments.transactions.v1': small, 'payments.transactions.v1.bundled': transactions });
    expect((schema.properties as Record<string, Record<string, unknown>>).tx?.$ref).toBe('#/$defs/payments.transactions.v1.bundled');
    const validate = validatorOf(schema);
    expect(validate({ count: 3, tx: { id: 't' } })).toBe(true);
    expect(validate({ count: { id: 't' }, tx: { id: 't' } })).toBe(false);
    expect(validate({ count: 3, tx: {} })).toBe(false);
  });

  it('picks the first free name when the next one is taken too, the same on every run', () => {
    const taken = { 'payments.transactions.v1': { type: 'integer' }, 'payments.transactions.v1.bundled': { type: 'string' } };
    const schema = bundleOf(users(taken));
    expect(Object.keys(schema.$defs as object)).toEqual([...Object.keys(taken), 'payments.transactions.v1.bundled.2']);
    expect(bundleOf(users(taken))).toEqual(schema);
  });

  it('keeps the plain key, byte for byte, when the file has no definition of that name', () => {
    const root = { type: 'object', description: 'u', properties: { tx: { description: 't', $ref: '../../payments/transactions/1.json' } }, $defs: { Other: { type: 'integer' } } };
    expect(JSON.stringify(bundleOf(root))).toBe(JSON.stringify({ ...root, properties: { tx: { description: 't', $ref: '#/$defs/payments.transactions.v1' } }, $defs: { Other: { type: 'integer' }, 'payments.transactions.v1': transactions } }));
  });
});
