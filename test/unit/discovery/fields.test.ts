import { describe, expect, it } from 'vitest';
import { extractFields, type SchemaField } from '../../../src/discovery/fields.js';

type Row = Pick<SchemaField, 'pointer' | 'type' | 'required'> & Partial<SchemaField>;

/** [case, schema, pii pointers, expected rows (pointer, type, required, and any other field given)]. */
const CASES: ReadonlyArray<readonly [string, unknown, readonly string[], readonly Row[]]> = [
  [
    'top-level properties with types, formats, enums and required',
    { type: 'object', required: ['id', 'kind'], properties: { id: { type: 'string', format: 'uuid', description: 'Id.' }, kind: { enum: ['a', 'b'] }, score: { type: ['number', 'null'] }, flag: { const: true } } },
    [],
    [
      { pointer: '/id', type: 'string', format: 'uuid', required: true, description: 'Id.', depth: 0 },
      { pointer: '/kind', type: 'string', required: true, values: ['a', 'b'] },
      { pointer: '/score', type: 'number | null', required: false },
      { pointer: '/flag', type: 'boolean', required: false, values: [true] },
    ],
  ],
  [
    'nested objects and arrays of objects',
    { type: 'object', properties: { address: { type: 'object', required: ['city'], properties: { city: { type: 'string' }, zip: { type: 'string' } } }, lines: { type: 'array', items: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' }, qty: { type: 'integer' } } } }, tags: { type: 'array', items: { type: 'string' } } } },
    [],
    [
      { pointer: '/address', type: 'object', required: false, depth: 0 },
      { pointer: '/address/city', type: 'string', required: true, depth: 1 },
      { pointer: '/address/zip', type: 'string', required: false },
      { pointer: '/lines', type: 'array of object', required: false },
      { pointer: '/lines/*/sku', type: 'string', required: true, depth: 1 },
      { pointer: '/lines/*/qty', type: 'integer', required: false },
      { pointer: '/tags', type: 'array of string', required: false },
    ],
  ],
  [
    '$ref into $defs (bundled cross-file form), the property’s own description winning',
    {
      type: 'object',
      required: ['amount'],
      properties: { amount: { $ref: '#/$defs/payments.transactions.v1/$defs/Money', description: 'Refunded amount.' }, fee: { $ref: '#/$defs/payments.transactions.v1/$defs/Money' } },
      $defs: { 'payments.transactions.v1': { $defs: { Money: { type: 'object', description: 'Money.', required: ['minor', 'currency'], properties: { minor: { type: 'integer' }, currency: { type: 'string', pattern: '^[A-Z]{3}$' } } } } } },
    },
    [],
    [
      { pointer: '/amount', type: 'object', required: true, description: 'Refunded amount.' },
      { pointer: '/amount/minor', type: 'integer', required: true },
      { pointer: '/amount/currency', type: 'string', required: true },
      { pointer: '/fee', type: 'object', required: false, description: 'Money.' },
      { pointer: '/fee/minor', type: 'integer', required: true },
      { pointer: '/fee/currency', type: 'string', required: true },
    ],
  ],
  [
    'draft-07 definitions, escaped pointer tokens, a root $ref',
    { $ref: '#/definitions/Event', definitions: { Event: { type: 'object', required: ['a/b'], properties: { 'a/b': { $ref: '#/definitions/Name' }, 'c~d': { type: 'boolean' } } }, Name: { type: 'string', maxLength: 10 } } },
    [],
    [
      { pointer: '/a~1b', name: 'a/b', type: 'string', required: true },
      { pointer: '/c~0d', name: 'c~d', type: 'boolean', required: false },
    ],
  ],
  [
    'allOf merges properties and required; anyOf/oneOf branches are never required',
    {
      type: 'object',
      required: ['id'],
      allOf: [{ required: ['at'], properties: { at: { type: 'string', format: 'date-time' } } }, { properties: { id: { type: 'string' } } }],
      oneOf: [{ required: ['card'], properties: { card: { type: 'string' } } }, { required: ['iban'], properties: { iban: { type: 'string' } } }],
      properties: { note: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
    },
    [],
    [
      { pointer: '/note', type: 'string | null', required: false },
      { pointer: '/at', type: 'string', format: 'date-time', required: true },
      { pointer: '/id', type: 'string', required: true },
      { pointer: '/card', type: 'string', required: false },
      { pointer: '/iban', type: 'string', required: false },
    ],
  ],
  [
    'the same property in two branches becomes one row with both types',
    { type: 'object', oneOf: [{ properties: { value: { type: 'string' } } }, { properties: { value: { type: 'integer' } } }] },
    [],
    [{ pointer: '/value', type: 'string | integer', required: false }],
  ],
  [
    'a recursive definition is listed once, not expanded forever',
    { $ref: '#/$defs/Node', $defs: { Node: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } } } } },
    [],
    [
      { pointer: '/name', type: 'string', required: true },
      { pointer: '/children', type: 'array of object', required: false },
    ],
  ],
  [
    'PII from the subject’s pointers and from x-pii',
    { type: 'object', properties: { email: { type: 'string', 'x-pii': true }, name: { type: 'string' }, user: { type: 'object', properties: { ip: { type: 'string' } } } } },
    ['/name', '/user/ip'],
    [
      { pointer: '/email', type: 'string', required: false, pii: true },
      { pointer: '/name', type: 'string', required: false, pii: true },
      { pointer: '/user', type: 'object', required: false, pii: false },
      { pointer: '/user/ip', type: 'string', required: false, pii: true },
    ],
  ],
  ['no properties, a missing $ref target and non-schemas', { type: 'object', properties: { broken: { $ref: '#/$defs/Nope' }, odd: true } }, [], [{ pointer: '/broken', type: 'any', required: false }, { pointer: '/odd', type: 'any', required: false }]],
  ['not a schema at all', 'hello', [], []],
];

describe('extractFields', () => {
  it.each(CASES)('%s', (_name, schema, pii, expected) => {
    const { fields } = extractFields(schema, pii);
    expect(fields.map((field) => field.pointer)).toEqual(expected.map((row) => row.pointer));
    fields.forEach((field, index) => expect(field).toMatchObject(expected[index] ?? {}));
  });

  it('stays bounded on hostile nesting', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let depth = 0; depth < 200; depth += 1) schema = { type: 'object', properties: { deeper: schema } };
    const { fields } = extractFields(schema);
    expect(fields.length).toBeGreaterThan(10);
    expect(fields.length).toBeLessThanOrEqual(34);
  });
});
