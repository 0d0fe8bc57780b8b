import { afterAll, expect, it } from 'vitest';
import { createTestRepo } from '../../support/git-repo.js';
import { SUBJECT_YAML, check, schema } from './helpers.js';

/**
 * Regression: a pattern recheck cannot analyse (a backreference) was only PATTERN_UNCHECKED, a
 * warning, so the versions holding it were compiled and compared; comparing builds an example
 * event with a `code` of `'a'.repeat(minLength)`, and this pattern backtracks 2^40 times on it:
 * the check hung until the job's timeout, with no word on why. Patterns not proved safe now run
 * in the check's sandbox.
 */
it('reports PATTERN_TIMEOUT, not a hung check, when comparing runs an unanalysable pattern too long', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  const pattern = '^(a|a)*\\1b$';
  const code = { description: 'A code.', type: 'string', minLength: 40, pattern };
  repo.write('catalog/apps/codes/subject.yaml', SUBJECT_YAML);
  repo.write('catalog/apps/codes/1.json', schema({ code, n: { description: 'N.', type: 'integer' } }, { required: ['code'] }));
  // A narrower n: the finding's example event is built, code included.
  repo.write('catalog/apps/codes/2.json', schema({ code, n: { description: 'N.', type: 'integer', maximum: 5 } }, { required: ['code'] }));

  const started = performance.now();
  const report = check(repo);
  expect(performance.now() - started).toBeLessThan(30_000);
  const timeouts = report.findings.filter((finding) => finding.code === 'PATTERN_TIMEOUT');
  expect(timeouts.map((finding) => [finding.file, finding.severity])).toEqual([['catalog/apps/codes/2.json', 'error']]);
  expect(timeouts[0]?.message).toContain('catalog/apps/codes/2.json was not compared with the versions before it');
  expect(timeouts[0]?.message).toContain(`The pattern ${JSON.stringify(pattern)} was stopped: it took longer than 1000 ms on one value of 40 characters.`);
  expect(timeouts[0]?.params).toMatchObject({ pattern });
  // The pattern's own findings say where it is written.
  expect(report.findings.filter((finding) => finding.code === 'PATTERN_UNCHECKED').map((finding) => [finding.file, finding.pointer])).toEqual([
    ['catalog/apps/codes/1.json', '/properties/code/pattern'],
    ['catalog/apps/codes/2.json', '/properties/code/pattern'],
  ]);
});

it('compares versions whose lookaround patterns are fast as before, through the sandbox', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  repo.write('catalog/apps/ids/subject.yaml', SUBJECT_YAML);
  repo.write('catalog/apps/ids/1.json', schema({ id: { description: 'An ID.', type: 'string', pattern: '^(?=.*\\d)[a-z0-9]{4,12}$' } }));
  repo.commit('ids 1');
  // Narrower than version 1 (a digit first): readers of version 2 reject some events of version 1.
  repo.write('catalog/apps/ids/2.json', schema({ id: { description: 'An ID.', type: 'string', pattern: '^(?=\\d)[a-z0-9]{4,12}$' } }));
  const report = check(repo);
  expect(report.findings.filter((finding) => finding.code === 'PATTERN_TIMEOUT')).toEqual([]);
  expect(report.findings.filter((finding) => finding.severity === 'error').map((finding) => finding.code)).toContain('PATTERN_UNDECIDABLE');
});
