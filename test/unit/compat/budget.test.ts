import { describe, expect, it } from 'vitest';
import { parseJsonDocument } from '../../../src/catalog/documents.js';
import { COMPARISON_BUDGET, type CompatWork } from '../../../src/compat/budget.js';
import { schemaDocumentOf } from '../../../src/compat/documents.js';
import { checkCompatibility, type CompatOptions, type VersionInput } from '../../../src/compat/engine.js';
import { createNodeValidators, type NodeValidators } from '../../../src/compat/validators.js';
import { truncate } from '../../../src/compat/walk.js';

/**
 * The comparison budget (src/compat/budget.ts): a version file is hostile and may be 1 MiB, and
 * the engine's work is not bounded by its size. Each schema below is small and fans out; each
 * comparison must stop with COMPAT_BUDGET_EXCEEDED (undecided, failing closed) after a bounded
 * amount of work, counted here, never timed. Ordinary large schemas keep their verdicts.
 */
function version(number: number, schema: unknown): VersionInput {
  const file = `catalog/apps/things/${number}.json`;
  // Indented when that fits the 1 MiB a version file may have, for real lines in findings.
  const indented = JSON.stringify(schema, null, 2);
  const parsed = parseJsonDocument(file, new TextEncoder().encode(indented.length <= 1_048_576 ? indented : JSON.stringify(schema)));
  if (!parsed.ok) throw new Error(parsed.findings[0].message);
  return { name: `version ${number}`, file, document: schemaDocumentOf(parsed.document, `apps/things/${number}.json`) };
}

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });
const names = (count: number, prefix: string) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);

/** Real validators that count the values they are asked about. */
function countingValidators(): NodeValidators & { readonly calls: number } {
  const validators = createNodeValidators();
  let calls = 0;
  return {
    addDocument: (document) => validators.addDocument(document),
    matches: (pattern, text) => validators.matches(pattern, text),
    valid(node, value) {
      calls += 1;
      return validators.valid(node, value);
    },
    get calls() {
      return calls;
    },
  };
}

/** `count` properties, each a reference to `ref`. */
const usingEach = (count: number, ref: string) => Object.fromEntries(names(count, 'p').map((name) => [name, { $ref: ref }]));

/** `levels` definitions, each using the one before it `fanOut` times under `keyword`: fanOut^levels paths to D0. */
function fanningDefinitions(levels: number, fanOut: number, keyword: 'anyOf' | 'allOf', leaf: unknown): Record<string, unknown> {
  const definitions: Record<string, unknown> = { D0: leaf };
  for (let level = 1; level <= levels; level += 1) definitions[`D${level}`] = { [keyword]: Array.from({ length: fanOut }, () => ({ $ref: `#/$defs/D${level - 1}` })) };
  return definitions;
}

interface HostileCase {
  readonly name: string;
  readonly old: unknown;
  readonly next: unknown;
  readonly options?: Partial<CompatOptions>;
  /** The kind of work whose spend passed the limit. */
  readonly work: CompatWork;
}

const LIMIT = 2_000_000;

const CASES: HostileCase[] = [
  {
    name: 'references doubling through anyOf, 30 levels (2^30 paths), DEFAULT policy',
    old: object({ a: { $ref: '#/$defs/D30' } }, { $defs: fanningDefinitions(30, 2, 'anyOf', { type: 'string', maxLength: 4 }) }),
    next: object({ a: { $ref: '#/$defs/D30' } }, { $defs: fanningDefinitions(30, 2, 'anyOf', { type: 'string', maxLength: 3 }) }),
    work: 'structure',
  },
  {
    name: 'references doubling through anyOf, 30 levels, STRICT policy (an example checked against 2^30 paths)',
    old: object({ a: { $ref: '#/$defs/D30' } }, { $defs: fanningDefinitions(30, 2, 'anyOf', { type: 'string', maxLength: 4 }) }),
    next: object({ a: { $ref: '#/$defs/D30' } }, { $defs: fanningDefinitions(30, 2, 'anyOf', { type: 'string', maxLength: 3 }) }),
    options: { policy: 'STRICT' },
    work: 'compile',
  },
  {
    name: 'an allOf of ten references per level, 8 levels (10^8 schemas to fold)',
    old: object({ a: { $ref: '#/$defs/D8' } }, { $defs: fanningDefinitions(8, 10, 'allOf', { type: 'string', maxLength: 4 }) }),
    next: object({ a: { $ref: '#/$defs/D8' } }, { $defs: fanningDefinitions(8, 10, 'allOf', { type: 'string', maxLength: 3 }) }),
    work: 'fold',
  },
  {
    // Regression: comparing the two copies was free (2,410 fold units for 300 properties of 80,000 names).
    name: 'an allOf of two branches of 300 properties, each using one of two copies of a 40,000-name enum (24 million names compared)',
    old: object(Object.fromEntries(names(300, 'p').map((name) => [name, { type: 'string' }]))),
    next: object({}, { allOf: [{ properties: usingEach(300, '#/$defs/E1') }, { properties: usingEach(300, '#/$defs/E2') }], $defs: { E1: { type: 'string', enum: names(40_000, 'v') }, E2: { type: 'string', enum: names(40_000, 'v') } } }),
    work: 'fold',
  },
  {
    name: 'an anyOf of 3,000 branches against another of 3,000 (9 million pairs)',
    old: object({ u: { anyOf: Array.from({ length: 3000 }, (_, index) => ({ type: 'string', minLength: index, maxLength: index })) } }),
    next: object({ u: { anyOf: Array.from({ length: 3000 }, (_, index) => ({ type: 'string', minLength: index + 1, maxLength: index + 1 })) } }),
    // The 2,999 branches both versions have are matched by their text (isBranchOfReader): what
    // runs out is combining each writer branch with its siblings before it is compared.
    work: 'fold',
  },
  {
    name: 'required arrays of minItems 1000, nested 6 deep (an example event of 10^18 values)',
    old: object({ a: { type: 'string', maxLength: 3 } }),
    next: object({ a: { type: 'string' }, b: [1, 2, 3, 4, 5, 6].reduce<unknown>((items) => ({ type: 'array', minItems: 1000, items }), { type: 'string' }) }, { required: ['b'] }),
    work: 'validate',
  },
  {
    name: 'ten required properties per level through references, 14 levels (a subschema of 10^14 values)',
    old: object({ a: { $ref: '#/$defs/L14' }, b: { type: 'string' } }, { required: ['a', 'b'], $defs: requiredLevels(14) }),
    next: object({ a: { $ref: '#/$defs/L14' }, b: { type: 'string', maxLength: 3 } }, { required: ['a', 'b'], $defs: requiredLevels(14) }),
    work: 'compile',
  },
  {
    name: '400 patterns whose automata reach the 20,000-state limit',
    old: object(Object.fromEntries(names(400, 'p').map((name, index) => [name, { type: 'string', pattern: `(a|b)*a(a|b){${19 + (index % 5)}}$` }]))),
    next: object(Object.fromEntries(names(400, 'p').map((name, index) => [name, { type: 'string', pattern: `(a|b)*a(a|b){${20 + (index % 5)}}$` }]))),
    work: 'pattern',
  },
];

function requiredLevels(levels: number): Record<string, unknown> {
  const definitions: Record<string, unknown> = { L0: { type: 'string' } };
  for (let level = 1; level <= levels; level += 1) {
    const fields = names(10, 'f');
    definitions[`L${level}`] = { type: 'object', required: fields, properties: Object.fromEntries(fields.map((field) => [field, { $ref: `#/$defs/L${level - 1}` }])) };
  }
  return definitions;
}

describe('the comparison budget', () => {
  it.each(CASES)('$name: stops, undecided, with COMPAT_BUDGET_EXCEEDED', (testCase) => {
    const validators = countingValidators();
    const next = version(2, testCase.next);
    const result = checkCompatibility(next, [version(1, testCase.old)], { mode: 'FULL', policy: 'DEFAULT', ...testCase.options, budget: LIMIT, validators });
    const finding = result.findings.find((candidate) => candidate.code === 'COMPAT_BUDGET_EXCEEDED');
    expect(finding, result.findings.map((candidate) => candidate.code).join(', ')).toBeDefined();
    expect(result.exhausted).toEqual(['version 1']);
    expect(finding?.severity).toBe('error');
    expect(finding?.params).toMatchObject({ against: 'version 1', limit: LIMIT, work: testCase.work, undecided: true });
    // Bounded: the values ajv was asked about are far fewer than the units spent.
    expect(validators.calls).toBeLessThan(LIMIT);
  });

  it('names both versions, the place and the kind of work, and says how to fix it or let it through', () => {
    const old = version(1, object({ a: { $ref: '#/$defs/D8' } }, { $defs: fanningDefinitions(8, 10, 'allOf', { type: 'string', maxLength: 4 }) }));
    const next = version(2, object({ a: { $ref: '#/$defs/D8' } }, { $defs: fanningDefinitions(8, 10, 'allOf', { type: 'string', maxLength: 3 }) }));
    const [finding] = checkCompatibility(next, [old], { mode: 'BACKWARD', policy: 'STRICT', budget: 100_000 }).findings;
    expect(finding).toMatchObject({ code: 'COMPAT_BUDGET_EXCEEDED', file: 'catalog/apps/things/2.json', pointer: '/properties/a', params: { dataPath: '/a', newPointer: '/properties/a' } });
    expect(finding?.message).toContain('Comparing version 2 (new) with version 1 (old) takes more work than a compatibility check may do (100,000 units), so it stopped at /a, folding allOf branches');
    expect(finding?.message).toContain('override of COMPAT_BUDGET_EXCEEDED');
    expect(finding?.line).toBeGreaterThan(1);
  });

  it('gives each earlier version its own budget', () => {
    const branches = (offset: number) => Array.from({ length: 3000 }, (_, index) => ({ type: 'string', minLength: index + offset, maxLength: index + offset }));
    // Closed and without `u`: comparing with it never reaches the branches.
    const plain = version(1, object({ b: { type: 'string' } }, { additionalProperties: false }));
    const wide = version(2, object({ u: { anyOf: branches(0) }, b: { type: 'string' } }));
    const result = checkCompatibility(version(3, object({ u: { anyOf: branches(1) }, b: { type: 'string', maxLength: 3 } })), [plain, wide], { mode: 'BACKWARD_TRANSITIVE', policy: 'STRICT', budget: LIMIT });
    expect(result.exhausted).toEqual(['version 2']);
    expect(result.verdict).toBe('incompatible');
    expect(result.findings.map((finding) => [finding.code, finding.params.against])).toEqual([
      ['COMPAT_BUDGET_EXCEEDED', 'version 2'],
      ['LENGTH_NARROWED', 'version 1'],
    ]);
  });

  it('is deterministic: the same comparison stops at the same place after the same work', () => {
    const testCase = CASES[0] as HostileCase;
    const run = () => checkCompatibility(version(2, testCase.next), [version(1, testCase.old)], { mode: 'FULL', policy: 'DEFAULT', budget: LIMIT }).findings.find((finding) => finding.code === 'COMPAT_BUDGET_EXCEEDED')?.params;
    expect(run()).toEqual(run());
  });

  it('writes only the head of a large value into a message, as JSON.stringify would start it', () => {
    const values = names(80_000, 'v');
    let read = 0;
    const counted = new Proxy(values, {
      get(target, key, receiver): unknown {
        if (typeof key === 'string' && /^\d+$/.test(key)) read += 1;
        return Reflect.get(target, key, receiver);
      },
    });
    expect(truncate(counted)).toBe(`${JSON.stringify(values).slice(0, 79)}…`);
    expect(read).toBeLessThan(100);
    for (const value of [values.slice(0, 3), { a: [1, { b: 'x'.repeat(200) }], c: null }, 'é'.repeat(100), Infinity, undefined]) {
      const text = value === undefined ? 'undefined' : JSON.stringify(value);
      expect(truncate(value)).toBe(text.length > 80 ? `${[...text.slice(0, 79)].join('')}…` : text);
    }
  });

  describe('leaves ordinary large schemas alone', () => {
    it('10,000 properties, one added: compatible, within a fifth of the budget', () => {
      const properties = Object.fromEntries(names(10_000, 'p').map((name) => [name, { type: 'string' }]));
      const result = checkCompatibility(version(2, object({ ...properties, added: { type: 'string' } })), [version(1, object(properties))], { mode: 'FULL_TRANSITIVE', policy: 'DEFAULT' });
      expect(result.verdict).toBe('compatible');
      expect(result.spent).toBeLessThan(COMPARISON_BUDGET / 5);
    });

    // Regression: each name was searched for in the other side's list of names, and a tombstone
    // in the earlier version's: 25,000 properties gaining 25,000 took 88 s for 8.3 million units.
    it('25,000 properties gaining 25,000 optional ones: compatible, each name looked up, not searched', () => {
      const kept = Object.fromEntries(names(25_000, 'p').map((name) => [name, {}]));
      const added = Object.fromEntries(names(25_000, 'q').map((name) => [name, { type: 'string' }]));
      const result = checkCompatibility(version(2, object({ ...kept, ...added })), [version(1, object(kept))], { mode: 'FULL', policy: 'DEFAULT' });
      expect(result.verdict).toBe('compatible');
      expect(result.spent).toBeLessThan(COMPARISON_BUDGET / 2);
    });

    it('an 80,000-value enum added, shortened or kept: the enum findings, within a tenth of the budget', () => {
      const values = names(80_000, 'v');
      const check = (old: unknown, next: unknown) => checkCompatibility(version(2, object({ s: next })), [version(1, object({ s: old }))], { mode: 'FULL', policy: 'STRICT' });
      const added = check({ type: 'string' }, { type: 'string', enum: values });
      expect(added.findings.map((finding) => [finding.code, finding.params.example])).toEqual([['ENUM_ADDED', { s: '' }]]);
      const shortened = check({ type: 'string', enum: values }, { type: 'string', enum: values.slice(1) });
      expect(shortened.findings.map((finding) => [finding.code, finding.params.example])).toEqual([['ENUM_VALUE_REMOVED', { s: 'v0' }]]);
      expect(check({ type: 'string', enum: values }, { type: 'string', enum: [...values].reverse() }).verdict).toBe('compatible');
      for (const result of [added, shortened]) expect(result.spent).toBeLessThan(COMPARISON_BUDGET / 10);
    });

    it('a 4,900-property version narrowing one shared 80,000-value enum in a handful of places: its findings, no budget finding', () => {
      const props = (narrowed: number) => Object.fromEntries(names(4_900, 'p').map((name, index) => [name, index < narrowed ? { $ref: '#/$defs/E' } : { type: 'string' }]));
      const defs = { $defs: { E: { type: 'string', enum: names(80_000, 'v') } } };
      const result = checkCompatibility(version(2, object(props(5), defs)), [version(1, object(props(0), defs))], { mode: 'FULL', policy: 'DEFAULT' });
      expect(result.findings.map((finding) => finding.code)).toEqual(Array.from({ length: 5 }, () => 'ENUM_ADDED'));
      expect(result.spent).toBeLessThan(COMPARISON_BUDGET / 2);
    });

    // Regression: each of the enum's values was checked against the reader's union at every
    // place, and the structural walk copied every place it had seen for each union branch it
    // tried: 400 unchanged nullable references to a 5,000-code enum stopped with
    // COMPAT_BUDGET_EXCEEDED, a false failure that blocked the pull request.
    it('4,000 unchanged nullable references to a 5,000-value enum: compatible, no value checked; a change still found', () => {
      const codes = names(5_000, 'c');
      const nullable = (count: number, reader: Record<string, unknown> = {}, union = 'anyOf') => object(Object.fromEntries(names(count, 'p').map((name) => [name, { [union]: [{ $ref: '#/$defs/Code' }, { type: 'null' }], ...reader }])), { $defs: { Code: { type: 'string', enum: codes } } });
      for (const union of ['anyOf', 'oneOf']) {
        const validators = countingValidators();
        const kept = checkCompatibility(version(2, nullable(4_000, {}, union)), [version(1, nullable(4_000, {}, union))], { mode: 'FULL', policy: 'DEFAULT', validators });
        expect(kept.findings).toEqual([]);
        expect(validators.calls).toBe(0);
        expect(kept.spent).toBeLessThan(COMPARISON_BUDGET / 2);
      }
      // A keyword beside the reader's anyOf constrains the branch too: the values are checked.
      const bounded = checkCompatibility(version(2, nullable(3, { maxLength: 2 })), [version(1, nullable(3))], { mode: 'BACKWARD', policy: 'STRICT' });
      expect(bounded.findings.map((finding) => [finding.code, finding.params.example])).toEqual(names(3, 'p').map((name) => ['VALUE_REJECTED', { [name]: 'c10' }]));
      // Under oneOf, a branch whose values another branch also accepts is not taken: such a value is rejected.
      const both = object({ p: { oneOf: [{ $ref: '#/$defs/Code' }, { type: 'string' }] } }, { $defs: { Code: { type: 'string', enum: codes } } });
      const once = object({ p: { $ref: '#/$defs/Code' } }, { $defs: { Code: { type: 'string', enum: codes } } });
      expect(checkCompatibility(version(2, both), [version(1, once)], { mode: 'BACKWARD', policy: 'STRICT' }).verdict).toBe('incompatible');
    });
  });
});
