import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestRepo } from '../../support/git-repo.js';
import { SUBJECT_YAML, check, codes } from './helpers.js';

/**
 * `schemaflow check` follows a `$ref` to another version file wherever ajv does: into arrays
 * (`#/$defs/L/allOf/0`) as into objects, in the rule walk and in the DEFAULT policy's walk alike.
 * The subjects use the catalog default (FULL_TRANSITIVE, DEFAULT).
 */
describe('references to other version files', () => {
  const repo = createTestRepo();
  const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'object', description: 'An event.', properties, ...extra }, null, 2);
  repo.write('catalog/apps/money/subject.yaml', SUBJECT_YAML);
  repo.write(
    'catalog/apps/money/1.json',
    object({ x: { type: 'string', description: 'x' } }, { $defs: { L: { allOf: [{ type: 'integer', minimum: 0 }] }, Amount: { type: 'integer' }, Line: { type: 'object', properties: { sku: { type: 'string', description: 's' }, quantity: { type: 'integer', description: 'q' } } }, Natural: { type: 'integer', minimum: 0 }, Wrapper: { type: 'object', properties: { v: { description: 'v', $ref: '#/$defs/Natural' } } } } }),
  );
  repo.write('catalog/apps/ledger/subject.yaml', SUBJECT_YAML);
  repo.write('catalog/apps/ledger/1.json', object({ n: { type: 'integer', description: 'n' }, amount: { description: 'a', $ref: '../money/1.json#/$defs/Amount' }, line: { description: 'l', $ref: '../money/1.json#/$defs/Line' } }));
  repo.write('catalog/apps/wallet/subject.yaml', SUBJECT_YAML);
  repo.write('catalog/apps/wallet/1.json', object({ w: { description: 'w', type: 'object', properties: { v: { description: 'v', type: 'integer' } } } }));
  repo.commit('money, ledger and wallet');
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());

  const ledger2 = (change: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    object({ n: { type: 'integer', description: 'n' }, amount: { description: 'a', $ref: '../money/1.json#/$defs/Amount' }, line: { description: 'l', $ref: '../money/1.json#/$defs/Line' }, ...change }, extra);

  // Regression: the pointer stopped at the array, the branch came back undefined and the allOf
  // fold dropped it as if it were `true`, so the narrowed range passed.
  it('an allOf branch reached through an array index of another file narrows the range, as a local copy does', () => {
    repo.write('catalog/apps/ledger/2.json', ledger2({ n: { type: 'integer', description: 'n', allOf: [{ $ref: '../money/1.json#/$defs/L/allOf/0' }] } }));
    expect(codes(check(repo))).toEqual(['RANGE_NARROWED']);
    repo.write('catalog/apps/ledger/2.json', ledger2({ n: { type: 'integer', description: 'n', allOf: [{ $ref: '#/$defs/L/allOf/0' }] } }, { $defs: { L: { allOf: [{ type: 'integer', minimum: 0 }] } } }));
    expect(codes(check(repo))).toEqual(['RANGE_NARROWED']);
  });

  // Regression: folding another file's definition into an allOf copied its local `$ref`s into
  // the referring file, where `#/$defs/Natural` named that file's own, wider, definition.
  it('a definition of another file folded into an allOf resolves its own references in that file', () => {
    repo.write('catalog/apps/wallet/2.json', object({ w: { description: 'w', type: 'object', allOf: [{ $ref: '../money/1.json#/$defs/Wrapper' }] } }, { $defs: { Natural: { type: 'integer' } } }));
    const report = check(repo);
    expect(codes(report)).toEqual(['RANGE_NARROWED']);
    // Proven by an event ajv checked against both versions, the reference resolved in money/1.json.
    expect(report.findings[0]?.params).toMatchObject({ dataPath: '/w/v', example: { w: { v: -1 } } });
  });

  // Regression: the DEFAULT policy's walk followed only local refs, through objects only.
  it('DEFAULT sees a type widened and a property removed behind a reference to another file', () => {
    // The base branch's rules judge a change: BACKWARD is committed first.
    repo.write('catalog/apps/ledger/subject.yaml', `${SUBJECT_YAML}compatibility:\n  mode: BACKWARD\n  policy: DEFAULT\n`);
    repo.commit('ledger is BACKWARD');
    try {
      repo.write('catalog/apps/money/2.json', object({ x: { type: 'string', description: 'x' } }, { $defs: { Amount: { type: 'number' }, Line: { type: 'object', properties: { sku: { type: 'string', description: 's' } } } } }));
      repo.write('catalog/apps/ledger/2.json', ledger2({ amount: { description: 'a', $ref: '../money/2.json#/$defs/Amount' }, line: { description: 'l', $ref: '../money/2.json#/$defs/Line' } }));
      const report = check(repo, 'HEAD');
      const ledger = report.findings.filter((finding) => finding.file === 'catalog/apps/ledger/2.json');
      expect(ledger.map((finding) => [finding.code, finding.params.dataPath]).sort(), report.findings.map((finding) => finding.message).join('\n')).toEqual([
        ['PROPERTY_REMOVED', '/line/quantity'],
        ['TYPE_WIDENED', '/amount'],
      ]);
      // The pointers name the new file's own places: the references that lead elsewhere.
      expect(ledger.map((finding) => finding.pointer).sort()).toEqual(['/properties/amount', '/properties/line']);
    } finally {
      repo.reset();
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('replacing a reference to another file with an identical copy in the file’s own $defs changes nothing', () => {
    repo.write(
      'catalog/apps/ledger/2.json',
      ledger2({ amount: { description: 'a', $ref: '#/$defs/Amount' }, line: { description: 'l', $ref: '#/$defs/Line' } }, { $defs: { Amount: { type: 'integer' }, Line: { type: 'object', properties: { sku: { type: 'string', description: 's' }, quantity: { type: 'integer', description: 'q' } } } } }),
    );
    const report = check(repo);
    expect(codes(report), report.findings.map((finding) => finding.message).join('\n')).toEqual([]);
  });
  // Regression: the `not` rule merged the writer with the reader's excluded schema and resolved
  // the writer's `#/$defs/A` in the reader's file (an integer there, a string in the writer's), so
  // the merge looked empty and the change passed although {"p": ""} breaks it.
  it('a writer’s local reference keeps naming its own file when the not rule merges it with the reader', () => {
    repo.write('catalog/apps/notes/subject.yaml', `${SUBJECT_YAML}compatibility:\n  mode: BACKWARD\n  policy: STRICT\n`);
    repo.write('catalog/apps/notes/1.json', object({ p: { description: 'p', $ref: '#/$defs/A' } }, { $defs: { A: { type: 'string' } } }));
    repo.commit('notes v1');
    try {
      repo.write('catalog/apps/notes/2.json', object({ p: { description: 'p' } }, { not: { required: ['p'], properties: { p: { type: 'string', description: 'p' } } }, $defs: { A: { type: 'integer' } } }));
      const report = check(repo, 'HEAD');
      expect(codes(report), report.findings.map((finding) => `${finding.code} ${finding.message}`).join('\n')).toEqual(['NOT_EXCLUDED']);
      expect(report.findings[0]?.params).toMatchObject({ example: { p: '' } });
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });
});
