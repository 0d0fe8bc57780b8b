import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { mergeSchemas } from '../../../src/catalog/merge-all-of.js';
import { schemaAtFragment } from '../../../src/catalog/schema-walk.js';
import { checkCompatibility, type VersionInput } from '../../../src/compat/engine.js';
import { createWorkBudget, WorkBudgetExceeded } from '../../../src/domain/work-budget.js';

/**
 * Folding allOf into one schema must not widen it. Regression: keywords that read their
 * siblings (items after prefixItems, unevaluatedProperties after what its object evaluated)
 * changed meaning once put next to another branch's keywords, so the new (reader) version
 * looked wider than it is and a break passed.
 */
const version = (name: string, root: unknown): VersionInput => ({ name, file: `catalog/apps/orders/${name}.json`, document: { label: name, root, locate: () => ({ line: 1, col: 1 }) } });
const valid = (schema: object, value: unknown): boolean => new Ajv2020({ strict: false }).compile(schema)(value) === true;
const noRefs = (): unknown => undefined;

const tuple = { type: 'array', prefixItems: [{ type: ['string', 'integer'] }], minItems: 1, maxItems: 1 };
const tupleOfStrings = { allOf: [tuple, { items: { type: 'string' } }] };
const closed = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false };
const closedByBranch = { type: 'object', allOf: [{ properties: { a: { type: 'string' } } }, { unevaluatedProperties: false }] };

describe('allOf folding', () => {
  it('refuses to put one branch’s items after another branch’s prefixItems', () => {
    expect(valid(tupleOfStrings, [1])).toBe(false);
    expect(mergeSchemas([tupleOfStrings], noRefs)).toBeUndefined();
    const result = checkCompatibility(version('2', tupleOfStrings), [version('1', tuple)], { mode: 'BACKWARD', policy: 'STRICT' });
    expect(result.verdict, result.findings.map((finding) => finding.message).join('\n')).toBe('incompatible');
    const example = result.findings[0]?.params.example;
    expect(result.findings[0]).toMatchObject({ code: 'TYPE_NARROWED', file: 'catalog/apps/orders/2.json', params: { dataPath: '/[0]' } });
    expect([valid(tuple, example), valid(tupleOfStrings, example)]).toEqual([true, false]);
  });

  it('refuses to let a branch’s unevaluatedProperties see another branch’s properties', () => {
    expect(valid(closedByBranch, { a: 'x' })).toBe(false);
    expect(mergeSchemas([closedByBranch], noRefs)).toBeUndefined();
    const result = checkCompatibility(version('2', closedByBranch), [version('1', closed)], { mode: 'BACKWARD', policy: 'STRICT' });
    expect(result.verdict, result.findings.map((finding) => finding.message).join('\n')).toBe('incompatible');
    const finding = result.findings.find((entry) => entry.code === 'PROPERTY_NOT_ALLOWED');
    expect(finding).toMatchObject({ file: 'catalog/apps/orders/2.json', params: { dataPath: '/a' } });
    expect([valid(closed, finding?.params.example), valid(closedByBranch, finding?.params.example)]).toEqual([true, false]);
  });

  it('still folds a parent’s unevaluatedProperties over its branches (it sees what they evaluate)', () => {
    const parent = { type: 'object', allOf: [{ properties: { a: { type: 'string' } } }], unevaluatedProperties: false };
    expect(mergeSchemas([parent], noRefs)).toEqual({ type: 'object', properties: { a: { type: 'string' } }, unevaluatedProperties: false });
    expect(checkCompatibility(version('2', parent), [version('1', closed)], { mode: 'FULL', policy: 'STRICT' }).verdict).toBe('compatible');
  });

  it('still proves a closed object split across allOf accepts nothing', () => {
    const split = { type: 'object', required: ['a'], allOf: [{ properties: { a: { type: 'string' } } }, { additionalProperties: false }] };
    expect(mergeSchemas([split], noRefs)).toBe(false);
  });
  // Regression: a branch whose $ref the resolver could not follow came back undefined and was
  // skipped like `true`, so the fold (and the comparison) went on without it.
  it('never takes a branch it cannot resolve for `true`: the fold is refused, unless the rest accepts nothing', () => {
    expect(mergeSchemas([{ type: 'integer', allOf: [{ $ref: 'other.json#/$defs/X' }] }], noRefs)).toBeUndefined();
    expect(mergeSchemas([{ type: 'integer', allOf: [{ $ref: 'other.json#/$defs/X' }, { type: 'string' }] }], noRefs)).toBe(false);
    const counts = (n: object) => ({ type: 'object', properties: { n } });
    const result = checkCompatibility(version('2', counts({ type: 'integer', allOf: [{ $ref: 'other.json#/$defs/X' }] })), [version('1', counts({ type: 'integer' }))], { mode: 'BACKWARD', policy: 'STRICT' });
    expect(result.verdict, result.findings.map((finding) => finding.message).join('\n')).toBe('undecided');
    expect(result.findings.map((finding) => [finding.code, finding.params.dataPath])).toEqual([['COMPAT_UNDECIDED', '/n']]);
  });

  it('spends a budget, when given one, on every schema merged and reference followed: a fold that fans out stops', () => {
    // Each definition's allOf uses the one before it ten times: 10^8 schemas from a few hundred bytes.
    const $defs: Record<string, unknown> = { D0: { type: 'string' } };
    for (let level = 1; level <= 8; level += 1) $defs[`D${level}`] = { allOf: Array.from({ length: 10 }, () => ({ $ref: `#/$defs/D${level - 1}` })) };
    const fanning = { type: 'object', properties: { a: { $ref: '#/$defs/D8' } }, $defs };
    const resolve = (ref: string): unknown => schemaAtFragment(fanning, ref.slice(1));
    const budget = createWorkBudget<'fold'>(100_000);
    expect(() => mergeSchemas([fanning], resolve, budget)).toThrow(WorkBudgetExceeded);
    expect(budget.total).toBeLessThanOrEqual(100_000 + 2);
    // Three levels fold within it, to the same schema as without one.
    const small = { ...fanning, properties: { a: { $ref: '#/$defs/D3' } } };
    const within = createWorkBudget<'fold'>(100_000);
    expect(mergeSchemas([small], resolve, within)).toEqual(mergeSchemas([small], resolve));
    expect(within.total).toBeGreaterThan(1_000);
  });

  // Regression: comparing a keyword's values on both branches was free, and the text of both
  // was written out first, so two definitions holding the same large list, one per branch
  // under each of 300 properties, wrote 48 million names for 2,410 units (4 to 8 seconds).
  describe('spends on every value it compares, by its size', () => {
    const names = (count: number, prefix: string) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);
    /** An allOf of two branches whose properties use D1 and D2, two copies of one definition. */
    const twoCopies = <T>(definition: T, properties: number) => {
      const props = (ref: string) => Object.fromEntries(names(properties, 'p').map((name) => [name, { $ref: ref }]));
      const schema = { type: 'object', allOf: [{ properties: props('#/$defs/D1') }, { properties: props('#/$defs/D2') }], $defs: { D1: definition, D2: structuredClone(definition) } };
      return { schema, resolve: (ref: string): unknown => schemaAtFragment(schema, ref.slice(1)) };
    };
    const LIMIT = 2_000_000;

    // Passed by at most the units of one value's text: a name costs 1, the whole list of
    // required names (710,000 characters) 11,000.
    it.each([
      { what: 'the same 80,000-name enum', definition: { type: 'string', enum: names(80_000, 'v') }, past: 1 },
      { what: 'the same 80,000 required names', definition: { type: 'object', required: names(80_000, 'r') }, past: 12_000 },
    ])('stops an allOf of 300 properties each using one of two copies of $what', ({ definition, past }) => {
      const { schema, resolve } = twoCopies(definition, 300);
      const budget = createWorkBudget<'fold'>(LIMIT);
      expect(() => mergeSchemas([schema], resolve, budget)).toThrow(WorkBudgetExceeded);
      expect(budget.total).toBeLessThanOrEqual(LIMIT + past);
    });

    it('still folds such copies, within it, to the first copy, for a handful of properties', () => {
      const definition = { type: 'string', enum: names(80_000, 'v') };
      const { schema, resolve } = twoCopies(definition, 5);
      const budget = createWorkBudget<'fold'>(LIMIT);
      const merged = mergeSchemas([schema], resolve, budget);
      expect(merged).toEqual(mergeSchemas([schema], resolve));
      expect(merged && (merged.properties as Record<string, { enum: unknown }>).p4?.enum).toBe(schema.$defs.D1.enum);
      // Each property compares both lists once, about a unit per name: 5 × 160,000.
      expect(budget.total).toBeGreaterThan(5 * 160_000);
      expect(budget.total).toBeLessThan(5 * 160_000 + 1_000);
    });
  });

  it('intersects two large enums in one pass over each', () => {
    const values = (from: number, count: number) => Array.from({ length: count }, (_, index) => ({ id: from + index }));
    const budget = createWorkBudget<'fold'>(1_000_000);
    expect(mergeSchemas([{ allOf: [{ enum: values(0, 50_000) }, { enum: values(49_998, 50_000) }] }], noRefs, budget)).toEqual({ enum: [{ id: 49_998 }, { id: 49_999 }] });
    expect(budget.total).toBeLessThan(110_000);
  });
});
