import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestRepo } from '../../support/git-repo.js';
import { SUBJECT_YAML, check, codes } from './helpers.js';

/**
 * `schemaflow check` on a pull request whose new version makes the comparison with a registered
 * one fan out (src/compat/budget.ts): the pair stops with COMPAT_BUDGET_EXCEEDED, an error that
 * names the file and both versions, instead of running for minutes; an override reviewed on the
 * base branch lets it through like any compatibility finding.
 */
describe('the comparison budget in check', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());

  const SUBJECT = 'catalog/apps/ledger';
  const described = (schema: Record<string, unknown>) => ({ description: 'A field.', ...schema });
  const version = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', description: 'A ledger entry.', type: 'object', properties, ...extra });
  const names = (count: number, prefix: string) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);

  /** Registers `first` as version 1 on a branch of main; the caller writes version 2 and checks against it. */
  function registered(first: string, run: () => void): void {
    repo.write(`${SUBJECT}/subject.yaml`, SUBJECT_YAML);
    repo.write(`${SUBJECT}/1.json`, first);
    repo.commit('register apps-ledger 1');
    try {
      run();
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  }

  it('stops a version narrowing 4,900 properties to one 70,000-value enum with one error, and skips its cross-check', () => {
    const fields = names(4_900, 'p');
    registered(version(Object.fromEntries(fields.map((name) => [name, described({ type: 'string' })]))), () => {
      repo.write(`${SUBJECT}/2.json`, version(Object.fromEntries(fields.map((name) => [name, described({ $ref: '#/$defs/E' })])), { $defs: { E: { type: 'string', enum: names(70_000, 'v') } } }));
      const report = check(repo, 'HEAD');
      const budget = report.findings.filter((finding) => finding.code === 'COMPAT_BUDGET_EXCEEDED');
      expect(budget.map((finding) => [finding.severity, finding.file, finding.params.against])).toEqual([['error', `${SUBJECT}/2.json`, 'version 1']]);
      expect(budget[0]?.message).toMatch(/^Comparing version 2 \(new\) with version 1 \(old\) takes more work than a compatibility check may do \(20,000,000 units\), so it stopped at \/p\d+, /);
      // The ENUM_ADDED findings made before it stopped are kept: each is a real incompatibility.
      expect(new Set(codes(report, 'error'))).toEqual(new Set(['ENUM_ADDED', 'COMPAT_BUDGET_EXCEEDED']));
      const pair = report.crossCheck.find((entry) => entry.subject === 'apps-ledger');
      expect(pair?.forms.new).toEqual({ ok: false, reason: 'the rule walk ran out of its budget on this pair' });
    });
  }, 60_000);

  it('lets a reviewed override of COMPAT_BUDGET_EXCEEDED from the base branch through, as info', () => {
    // Ten required properties per level, 14 levels: an example event of 10^14 values, refused before ajv sees it.
    const levels: Record<string, unknown> = { L0: { type: 'string' } };
    for (let level = 1; level <= 14; level += 1) {
      const fields = names(10, 'f');
      levels[`L${level}`] = { type: 'object', required: fields, properties: Object.fromEntries(fields.map((name) => [name, described({ $ref: `#/$defs/L${level - 1}` })])) };
    }
    const ledger = (maxLength?: number) => version({ a: described({ $ref: '#/$defs/L14' }), b: described({ type: 'string', ...(maxLength ? { maxLength } : {}) }) }, { required: ['a', 'b'], $defs: levels });
    registered(ledger(), () => {
      repo.write(`${SUBJECT}/2.json`, ledger(3));
      expect(codes(check(repo, 'HEAD'), 'error')).toEqual(['COMPAT_BUDGET_EXCEEDED']);

      repo.write('catalog/overrides.yaml', 'overrides:\n  - subject: apps-ledger\n    version: 2\n    rule: COMPAT_BUDGET_EXCEEDED\n    reason: b is only ever three letters; reviewed with all consumers in DATA-7.\n');
      repo.remove(`${SUBJECT}/2.json`);
      repo.commit('platform reviews the exception');
      try {
        repo.write(`${SUBJECT}/2.json`, ledger(3));
        const report = check(repo, 'HEAD');
        expect(codes(report, 'error')).toEqual([]);
        expect(report.findings.find((finding) => finding.code === 'COMPAT_BUDGET_EXCEEDED')?.severity).toBe('info');
      } finally {
        repo.git('reset', '-q', '--hard', 'HEAD~1');
      }
    });
  }, 60_000);
});
