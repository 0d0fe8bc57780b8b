import { describe, expect, it } from 'vitest';
import { checkCompatibility, type CompatOptions, type VersionInput } from '../../../src/compat/engine.js';
import { jsonEqual } from '../../../src/compat/model.js';
import { ValueIdentities } from '../../../src/compat/values.js';

const names = (count: number, prefix: string) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);
const version = (number: number, root: unknown): VersionInput => ({ name: `version ${number}`, file: `catalog/apps/things/${number}.json`, document: { label: `apps/things/${number}.json`, root, locate: () => ({ line: 1, col: 1 }) } });

describe('ValueIdentities', () => {
  const pairs: Array<[unknown, unknown]> = [
    [{ a: 1, b: [1, 'x', null] }, { b: [1, 'x', null], a: 1 }],
    [{ a: 1 }, { a: 1, b: 2 }],
    [[1, 2], [2, 1]],
    [[], {}],
    [[{ a: [] }], [{ a: [] }]],
    [[{ a: [] }], [{ a: {} }]],
    [0, -0],
    [1, '1'],
    [null, {}],
    [[Infinity], [Infinity]],
    [[Infinity], [null]],
    [['a', { b: 'c' }], ['a', { b: 'c' }]],
    [{ '': { '#1': 2 } }, { '': { '#1': 2 } }],
    [['#1'], [{}]],
  ];
  it.each(pairs)('decides %j and %j equal exactly when jsonEqual does', (a, b) => {
    const values = new ValueIdentities();
    expect(values.same(a, b)).toBe(jsonEqual(a, b));
    expect(values.same(structuredClone(a), b)).toBe(jsonEqual(a, b));
    expect(values.idOf(a) === values.idOf(b)).toBe(jsonEqual(a, b));
  });

  it.each([{ $ref: '#/x' }, { a: [{ b: { $ref: 'x' } }] }, ['$ref'], { properties: { $ref: {} } }, ['"$ref'], ['$refs'], { a: 'x$ref' }, { title: 'a "$ref" here' }, 1, null, '$ref'])('finds "$ref" in %j as a search of its JSON text does', (value) => {
    expect(new ValueIdentities().mentionsRef(value)).toBe(JSON.stringify(value).includes('"$ref"'));
  });

  // Regression: a subschema holding $dynamicRef was taken to mean the same wherever its text was,
  // but its target depends on the path that reached it.
  it.each([{ $dynamicRef: '#' }, { a: { $recursiveRef: '#' } }, { $dynamicRefs: '#' }, { title: 'x$dynamicRef' }])('finds the dynamic references in %j as a search of its JSON text does', (value) => {
    const text = JSON.stringify(value);
    expect(new ValueIdentities().mentionsRef(value)).toBe(text.includes('"$dynamicRef"') || text.includes('"$recursiveRef"'));
  });
});

/**
 * Regression: one large value shared by every property of both versions was read again at each
 * place the walks met it in a new schema object (an allOf folded per property), uncounted: 4,900
 * properties of `allOf: [{$ref}]` to one 80,000-name enum took 176 s for 2.5 million units. The
 * enum here counts the reads of its entries; however many properties share it, it is read as
 * often (once for its types, its identity, and so on), and the verdicts stay.
 */
describe('reads a large value shared by many places as often as one place does', () => {
  const ENUM = 2_000;

  /** A list of names whose entries count their reads. */
  function countedList(reads: { count: number }): string[] {
    return new Proxy(names(ENUM, 'v'), {
      get(target, key, receiver): unknown {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads.count += 1;
        return Reflect.get(target, key, receiver);
      },
    });
  }

  const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });
  const each = (count: number, make: () => unknown) => Object.fromEntries(names(count, 'p').map((name) => [name, make()]));
  const viaAllOf = () => ({ allOf: [{ $ref: '#/$defs/X' }] });
  const described = () => ({ description: 'now described', allOf: [{ $ref: '#/$defs/X' }] });

  interface Case {
    readonly name: string;
    /** The definition X each property reaches, around the counted list. */
    readonly definition: (list: string[]) => unknown;
    /** Old and new version, given X and the number of properties. */
    readonly versions: (x: () => unknown, count: number) => unknown[];
    readonly options?: Partial<CompatOptions>;
  }

  const enumDefinition = (list: string[]) => ({ type: 'string', enum: list });
  // Each property folded to a new object; the new version adds a property.
  const plusOne = (property: () => unknown) => (x: () => unknown, count: number) => [object(each(count, property), { $defs: { X: x() } }), object({ ...each(count, property), z: { type: 'string' } }, { $defs: { X: x() } })];
  // The new version describes each property: the folded pair differs, so the rules compare the keyword that holds the list.
  const describedEach = (x: () => unknown, count: number) => [object(each(count, viaAllOf), { $defs: { X: x() } }), object(each(count, described), { $defs: { X: x() } })];

  const CASES: Case[] = [
    { name: 'an enum reached through allOf by each property', definition: enumDefinition, versions: plusOne(viaAllOf) },
    { name: 'an enum reached through allOf by the items of each property', definition: enumDefinition, versions: plusOne(() => ({ type: 'array', items: viaAllOf() })) },
    { name: 'an enum reached through allOf by the patternProperties of each property', definition: enumDefinition, versions: plusOne(() => ({ type: 'object', patternProperties: { '^x': viaAllOf() } })) },
    {
      name: 'an enum reached by each property of an allOf at the root',
      definition: enumDefinition,
      versions: (x, count) => [object({}, { allOf: [{ properties: each(count, () => ({ $ref: '#/$defs/X' })) }], $defs: { X: x() } }), object({}, { allOf: [{ properties: { ...each(count, () => ({ $ref: '#/$defs/X' })), z: { type: 'string' } } }], $defs: { X: x() } })],
    },
    { name: 'a contentSchema (a keyword compared by equality)', definition: (list) => ({ type: 'string', contentMediaType: 'application/json', contentSchema: { enum: list } }), versions: describedEach },
    { name: 'a not', definition: (list) => ({ type: 'string', not: { enum: list } }), versions: describedEach },
    { name: 'an if/then', definition: (list) => ({ type: 'string', if: { enum: list }, then: { minLength: 1 } }), versions: describedEach },
    { name: 'a dependentSchemas', definition: (list) => ({ type: 'object', dependentSchemas: { a: { properties: { b: { enum: list } } } } }), versions: describedEach },
    {
      // Version 2 dropped the properties; version 3 adds them back, each compared with its tombstone in version 1.
      name: 'properties added back, each compared with its tombstone',
      definition: enumDefinition,
      versions: (x, count) => [
        object(each(count, () => ({ $ref: '#/$defs/X' })), { $defs: { X: x() } }),
        object({ kept: { type: 'string' } }, { $defs: { X: x() } }),
        object({ kept: { type: 'string' } }, { allOf: [{ properties: each(count, () => ({ $ref: '#/$defs/X' })) }], $defs: { X: x() } }),
      ],
      options: { mode: 'BACKWARD_TRANSITIVE' },
    },
  ];

  function run(testCase: Case, count: number) {
    const reads = { count: 0 };
    const roots = testCase.versions(() => testCase.definition(countedList(reads)), count);
    const versions = roots.map((root, index) => version(index + 1, root));
    const next = versions.pop() as VersionInput;
    const result = checkCompatibility(next, versions, { mode: 'FULL', policy: 'DEFAULT', ...testCase.options });
    return { reads: reads.count, verdict: result.verdict, spent: result.spent, findings: result.findings.map((finding) => finding.code) };
  }

  it.each(CASES)('$name', (testCase) => {
    const few = run(testCase, 10);
    const many = run(testCase, 40);
    expect([few.verdict, many.verdict, ...many.findings]).toEqual(['compatible', 'compatible']);
    // Read a handful of times in all, whether 10 or 40 properties share it (before: 40 properties read it 4 times as often as 10).
    expect(many.reads).toBe(few.reads);
    expect(many.reads).toBeLessThanOrEqual(10 * 2 * ENUM);
    // The walks' own work is still counted per property.
    expect(many.spent).toBeGreaterThan(3 * few.spent);
  });
});
