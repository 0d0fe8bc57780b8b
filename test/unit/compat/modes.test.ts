import { describe, expect, it } from 'vitest';
import { parseJsonDocument } from '../../../src/catalog/documents.js';
import { schemaDocumentOf } from '../../../src/compat/documents.js';
import { checkCompatibility, type VersionInput } from '../../../src/compat/engine.js';

/** Versions as real parsed files, so positions are real too. */
function version(number: number, schema: unknown): VersionInput {
  const file = `catalog/apps/things/${number}.json`;
  const parsed = parseJsonDocument(file, new TextEncoder().encode(JSON.stringify(schema, null, 2)));
  if (!parsed.ok) throw new Error(parsed.findings[0].message);
  return { name: `version ${number}`, file, document: schemaDocumentOf(parsed.document, `apps/things/${number}.json`) };
}

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });

describe('modes', () => {
  const v1 = version(1, object({ n: { type: 'string' } }));
  const v2 = version(2, object({ n: { type: 'integer' } })); // registered when the subject was NONE
  const v3 = version(3, object({ n: { type: 'integer' }, m: {} }));

  it('BACKWARD compares with the previous version only; _TRANSITIVE with every earlier one', () => {
    expect(checkCompatibility(v3, [v1, v2], { mode: 'BACKWARD', policy: 'STRICT' }).verdict).toBe('compatible');
    const transitive = checkCompatibility(v3, [v1, v2], { mode: 'BACKWARD_TRANSITIVE', policy: 'STRICT' });
    expect(transitive.verdict).toBe('incompatible');
    expect(transitive.findings.map((finding) => [finding.code, finding.params.against])).toEqual([['TYPE_CHANGED', 'version 1']]);
    expect(transitive.pairs).toBe(2);
  });

  it('FULL checks both directions and NONE checks nothing', () => {
    const widened = version(2, object({ n: { type: 'number' } }));
    const narrow = version(1, object({ n: { type: 'integer' } }));
    expect(checkCompatibility(widened, [narrow], { mode: 'BACKWARD', policy: 'STRICT' }).verdict).toBe('compatible');
    expect(checkCompatibility(widened, [narrow], { mode: 'FORWARD', policy: 'STRICT' }).verdict).toBe('incompatible');
    const full = checkCompatibility(widened, [narrow], { mode: 'FULL', policy: 'STRICT' });
    expect(full.findings.map((finding) => [finding.code, finding.params.direction])).toEqual([['TYPE_WIDENED', 'FORWARD']]);
    expect(checkCompatibility(v2, [v1], { mode: 'NONE', policy: 'DEFAULT' })).toEqual({ findings: [], verdict: 'compatible', pairs: 0, exhausted: [], spent: 0 });
  });

  it('DEFAULT: a removed property fails in every mode, even where sets say compatible', () => {
    const before = version(1, object({ a: { type: 'string' }, b: { type: 'integer' } }));
    const after = version(2, object({ a: { type: 'string' } }));
    for (const mode of ['BACKWARD', 'FORWARD', 'FULL', 'FULL_TRANSITIVE'] as const) {
      const result = checkCompatibility(after, [before], { mode, policy: 'DEFAULT' });
      expect(result.findings.map((finding) => finding.code), mode).toEqual(['PROPERTY_REMOVED']);
    }
    expect(checkCompatibility(after, [before], { mode: 'BACKWARD', policy: 'STRICT' }).verdict).toBe('compatible');
  });

  it('DEFAULT: an optional property re-added with another schema is tombstoned by an earlier version', () => {
    const first = version(1, object({ a: { type: 'integer' } }));
    const second = version(2, object({}));
    const again = version(3, object({ a: { type: 'string' } }));
    const same = version(3, object({ a: { type: 'integer', description: 'Back, unchanged.' } }));
    const result = checkCompatibility(again, [first, second], { mode: 'BACKWARD', policy: 'DEFAULT' });
    expect(result.findings.map((finding) => finding.code)).toEqual(['PROPERTY_ADDED_TO_OPEN_MODEL']);
    expect(result.findings[0]?.message).toContain('"a" was {"type":"integer"} in version 1');
    expect(checkCompatibility(same, [first, second], { mode: 'BACKWARD', policy: 'DEFAULT' }).verdict).toBe('compatible');
  });

  // Regression: the tombstone compared schemas with every key named like an annotation removed at
  // any depth, so a property named title, or a const holding one, compared equal whatever it was.
  it('DEFAULT: a re-added property differs by what its names and values say, annotations aside', () => {
    const first = version(1, object({ a: object({ title: { type: 'integer' } }), b: { const: { description: 'x' } } }));
    const second = version(2, object({}));
    const changed = version(3, object({ a: object({ title: { type: 'string' } }), b: { const: { description: 'y' } } }));
    const result = checkCompatibility(changed, [first, second], { mode: 'BACKWARD', policy: 'DEFAULT' });
    expect(result.findings.map((finding) => [finding.code, finding.pointer])).toEqual([
      ['PROPERTY_ADDED_TO_OPEN_MODEL', '/properties/a'],
      ['PROPERTY_ADDED_TO_OPEN_MODEL', '/properties/b'],
    ]);
    const annotated = version(3, object({ a: object({ title: { type: 'integer', title: 'Title.' } }, { description: 'Back.' }), b: { const: { description: 'x' }, description: 'Back.' } }));
    expect(checkCompatibility(annotated, [first, second], { mode: 'BACKWARD', policy: 'DEFAULT' }).verdict).toBe('compatible');
  });

  // Regression: a $ref below the re-added property was compared by its text, though each version's reference names its own definition.
  it('DEFAULT: a re-added property differs when a reference below it names another definition, and not for a recursive one kept', () => {
    const nested = (definition: unknown) => ({ ...object({ a: object({ y: { $ref: '#/$defs/A' } }) }), $defs: { A: definition } });
    const second = version(2, object({}));
    const redefined = checkCompatibility(version(3, nested({ type: 'string' })), [version(1, nested({ type: 'integer' })), second], { mode: 'BACKWARD', policy: 'DEFAULT' });
    expect(redefined.findings.map((finding) => [finding.code, finding.pointer])).toEqual([['PROPERTY_ADDED_TO_OPEN_MODEL', '/properties/a']]);
    expect(checkCompatibility(version(3, nested({ type: 'integer', description: 'Kept.' })), [version(1, nested({ type: 'integer' })), second], { mode: 'BACKWARD', policy: 'DEFAULT' }).findings.map((f) => f.message)).toEqual([]);
    const tree = { ...object({ a: { $ref: '#/$defs/Node' } }), $defs: { Node: object({ children: { type: 'array', items: { $ref: '#/$defs/Node' } } }) } };
    expect(checkCompatibility(version(3, tree), [version(1, tree), second], { mode: 'BACKWARD', policy: 'DEFAULT' }).findings.map((f) => f.message)).toEqual([]);
  });
});

describe('findings', () => {
  it('name old and new values, the mode in reader/writer terms, both pointers, the position and a verified example', () => {
    const old = version(3, object({ status: { description: 'Order status.', enum: ['NEW', 'SHIPPED'] } }, { required: ['status'] }));
    const next = version(4, object({ status: { description: 'Order status.', enum: ['NEW'] } }, { required: ['status'] }));
    const [finding] = checkCompatibility(next, [old], { mode: 'BACKWARD', policy: 'DEFAULT' }).findings;
    expect(finding).toMatchObject({
      code: 'ENUM_VALUE_REMOVED',
      severity: 'error',
      file: 'catalog/apps/things/4.json',
      pointer: '/properties/status',
      line: 4,
      col: 15,
      params: { mode: 'BACKWARD', direction: 'BACKWARD', against: 'version 3', oldPointer: '/properties/status', newPointer: '/properties/status', dataPath: '/status', example: { status: 'SHIPPED' } },
    });
    expect(finding?.message).toBe(
      'At /status, version 3 (old) allows "SHIPPED" (["NEW","SHIPPED"]) but version 4 (new) allows only ["NEW"]. Under BACKWARD, consumers reading with version 4 (new) cannot read events written with version 3 (old), e.g. {"status":"SHIPPED"}.',
    );
  });

  // Large enums are split into a set and the node without them (the rule scanned the enum for each
  // value); the verdicts are those of small ones, other keywords, object values and key order included.
  it('judge a large enum as a small one: values removed, values another keyword rejects, objects in any key order', () => {
    const names = (count: number, extra: unknown[] = []) => [...Array.from({ length: count }, (_, index) => `name-${index}`), ...extra];
    for (const size of [3, 40, 5_000]) {
      const old = version(1, object({ n: { enum: names(size, [{ a: 1, b: 2 }]) } }, { required: ['n'] }));
      const removed = version(2, object({ n: { enum: names(size - 1, [{ b: 2, a: 1 }]) } }, { required: ['n'] }));
      const narrowed = version(2, object({ n: { enum: names(size, [{ b: 2, a: 1 }]), maxLength: 6 } }, { required: ['n'] }));
      const same = version(2, object({ n: { enum: [{ b: 2, a: 1 }, ...names(size)] } }, { required: ['n'] }));
      const codes = (next: VersionInput) => checkCompatibility(next, [old], { mode: 'BACKWARD', policy: 'STRICT' }).findings.map((finding) => [finding.code, finding.params.example]);
      expect(codes(removed), `${size}`).toEqual([['ENUM_VALUE_REMOVED', { n: `name-${size - 1}` }]]);
      // maxLength 6 rejects name-10 and on, which only the larger enums hold.
      expect(codes(narrowed)[0], `${size}`).toEqual(size > 10 ? ['VALUE_REJECTED', { n: 'name-10' }] : undefined);
      expect(codes(same), `${size}`).toEqual([]);
    }
  });

  it('judge a large enum holding a number JSON parses to Infinity (1e400) as any other: it crashed the check', () => {
    const parsed = (number: number, members: string): VersionInput => {
      const file = `catalog/apps/things/${number}.json`;
      const document = parseJsonDocument(file, new TextEncoder().encode(`{"type": "object", "required": ["n"], "properties": {"n": {"enum": [${members}]}}}`));
      if (!document.ok) throw new Error(document.findings[0].message);
      return { name: `version ${number}`, file, document: schemaDocumentOf(document.document, `apps/things/${number}.json`) };
    };
    const numbers = Array.from({ length: 40 }, (_, index) => index + 1).join(', ');
    const result = checkCompatibility(parsed(2, `1e400, ${numbers}`), [parsed(1, `0, ${numbers}`)], { mode: 'BACKWARD', policy: 'STRICT' });
    expect(result.findings.map((finding) => [finding.code, finding.params.example])).toEqual([['ENUM_VALUE_REMOVED', { n: 0 }]]);
  });

  it('say when nothing can be decided, and fail closed', () => {
    const old = version(1, { type: 'string', pattern: '^(?=.*[0-9]).{8,}$' });
    const next = version(2, { type: 'string', pattern: '^(?=.*[0-9])(?=.*[a-z]).{8,}$' });
    const result = checkCompatibility(next, [old], { mode: 'BACKWARD', policy: 'STRICT' });
    expect(result.verdict).toBe('undecided');
    expect(result.findings[0]).toMatchObject({ code: 'PATTERN_UNDECIDABLE', params: { undecided: true } });
    expect(result.findings[0]?.message).toContain('fails closed');
  });
});

/** Regression (found by a review): REQUIRED_ADDED was placed at 1:1, the object, not its `required`. */
describe('where a required change is placed', () => {
  const lineOf = (text: string, needle: string, from = 0): number => text.slice(0, text.indexOf(needle, from)).split('\n').length;

  it('BACKWARD: at the new version\'s required entry; FORWARD: at its required array; pointers unchanged', () => {
    const old = version(1, object({ a: { type: 'string' }, b: { type: 'string' } }, { required: ['a'] }));
    const added = version(2, object({ a: { type: 'string' }, b: { type: 'string' } }, { required: ['a', 'b'] }));
    const text = JSON.stringify(object({ a: { type: 'string' }, b: { type: 'string' } }, { required: ['a', 'b'] }), null, 2);
    const backward = checkCompatibility(added, [old], { mode: 'BACKWARD', policy: 'STRICT' }).findings.find((finding) => finding.code === 'REQUIRED_ADDED');
    expect(backward).toMatchObject({ pointer: '', line: lineOf(text, '"b"', text.indexOf('"required"')), col: 5, params: { newPointer: '' } });

    const forward = checkCompatibility(old, [added], { mode: 'FORWARD', policy: 'STRICT' }).findings.find((finding) => finding.code === 'REQUIRED_ADDED');
    const oldText = JSON.stringify(object({ a: { type: 'string' }, b: { type: 'string' } }, { required: ['a'] }), null, 2);
    expect(forward).toMatchObject({ pointer: '', line: lineOf(oldText, '"required"'), params: { newPointer: '' } });
  });
});
