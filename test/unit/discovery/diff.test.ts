import { describe, expect, it } from 'vitest';
import { describeFieldChange, diffFields } from '../../../src/discovery/diff.js';
import { extractFields } from '../../../src/discovery/fields.js';

const event = (properties: Record<string, unknown>, required: string[] = []): unknown => ({ type: 'object', required, properties });

/** [case, old schema, new schema, the changes as a person reads them, in order]. */
const CASES: ReadonlyArray<readonly [string, unknown, unknown, readonly string[]]> = [
  ['nothing changed', event({ id: { type: 'string' } }, ['id']), event({ id: { type: 'string' } }, ['id']), []],
  ['an optional field added', event({ id: { type: 'string' } }), event({ id: { type: 'string' }, locale: { type: 'string' } }), ['added /locale (string, optional)']],
  ['a required PII field added', event({}), event({ email: { type: 'string', format: 'email', 'x-pii': true } }, ['email']), ['added /email (string (email), required, PII)']],
  ['a field removed', event({ id: { type: 'string' }, old: { type: 'integer' } }), event({ id: { type: 'string' } }), ['removed /old (integer)']],
  ['a type widened', event({ n: { type: 'integer' } }), event({ n: { type: 'number' } }), ['/n: type integer → number']],
  ['nullable', event({ n: { type: 'string' } }), event({ n: { type: ['string', 'null'] } }), ['/n: type string → string | null']],
  ['a format changed', event({ at: { type: 'string', format: 'date' } }), event({ at: { type: 'string', format: 'date-time' } }), ['/at: type string (date) → string (date-time)']],
  ['now required', event({ id: { type: 'string' } }), event({ id: { type: 'string' } }, ['id']), ['/id: optional → required']],
  ['now optional', event({ id: { type: 'string' } }, ['id']), event({ id: { type: 'string' } }), ['/id: required → optional']],
  ['enum values added and removed', event({ kind: { enum: ['a', 'b'] } }), event({ kind: { enum: ['b', 'c', 'd'] } }), ['/kind: values gained "c", "d", values lost "a"']],
  ['an enum appears', event({ kind: { type: 'string' } }), event({ kind: { type: 'string', enum: ['x'] } }), ['/kind: values any value → "x"']],
  ['an enum goes away', event({ kind: { type: 'string', enum: ['x'] } }), event({ kind: { type: 'string' } }), ['/kind: values "x" → any value']],
  ['enum reordered only', event({ kind: { enum: ['a', 'b'] } }), event({ kind: { enum: ['b', 'a'] } }), []],
  ['marked PII', event({ ip: { type: 'string' } }), event({ ip: { type: 'string', 'x-pii': true } }), ['/ip: not PII → PII']],
  ['description reworded', event({ id: { type: 'string', description: 'Id.' } }), event({ id: { type: 'string', description: 'The id.' } }), ['/id: description reworded']],
  [
    'several aspects of one field, and nested fields',
    event({ money: { type: 'object', properties: { minor: { type: 'integer' } } } }),
    event({ money: { type: 'object', required: ['minor', 'currency'], properties: { minor: { type: ['integer', 'null'] }, currency: { type: 'string' } } } }),
    ['/money/minor: type integer → integer | null; optional → required', 'added /money/currency (string, required)'],
  ],
  [
    'added and changed in the new order, removed last in the old order',
    event({ a: { type: 'string' }, b: { type: 'string' }, c: { type: 'string' } }),
    event({ z: { type: 'string' }, c: { type: 'integer' } }),
    ['added /z (string, optional)', '/c: type string → integer', 'removed /a (string)', 'removed /b (string)'],
  ],
];

describe('diffFields', () => {
  it.each(CASES)('%s', (_name, before, after, expected) => {
    expect(diffFields(extractFields(before).fields, extractFields(after).fields).map(describeFieldChange)).toEqual(expected);
  });

  it('gives the values added and removed as data', () => {
    const [change] = diffFields(extractFields(event({ kind: { enum: ['a', 1] } })).fields, extractFields(event({ kind: { enum: [1, 'b'] } })).fields);
    expect(change).toMatchObject({ kind: 'changed', pointer: '/kind', valuesAdded: ['b'], valuesRemoved: ['a'], aspects: [{ aspect: 'values', from: '"a", 1', to: '1, "b"' }] });
  });
});
