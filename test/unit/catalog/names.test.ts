import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestRepo } from '../../support/git-repo.js';
import { SUBJECT_YAML, check, codes, schema } from './helpers.js';

/**
 * Regression: a subject's directory names were checked only when the directory was missing on
 * the base branch, and a README.md at any depth was ignored. So one pull request merged
 * `catalog/Bad Team/x y/README.md` ("0 subjects"), and the next added subject.yaml and 1.json
 * there without a finding: `Bad Team-x y` was registered, a topic name Kafka refuses.
 */
describe('subject names are checked whenever a subject is written', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());

  const BAD = 'catalog/Bad Team/x y';
  const NAME_CODES = ['INVALID_SUBJECT_NAME', 'INVALID_TEAM_NAME'];

  it('a README.md in a badly named subject directory is reported', () => {
    repo.write(`${BAD}/README.md`, '# x y\n');
    const report = check(repo);
    expect(codes(report, 'error').sort()).toEqual(NAME_CODES);
    expect(report.findings[0]?.file).toBe(`${BAD}/`);
  });

  it.each([
    ['a README.md', 'README.md'],
    ['a stray file', 'notes.txt'],
  ])('the first version is checked when %s put the directory on the base branch first', (_, file) => {
    repo.write(`${BAD}/${file}`, 'placeholder\n');
    repo.commit(`merge ${file} first`);
    try {
      repo.write(`${BAD}/subject.yaml`, SUBJECT_YAML);
      repo.write(`${BAD}/1.json`, schema());
      const report = check(repo, 'HEAD');
      expect(codes(report, 'error').sort()).toEqual(NAME_CODES);
      expect(report.subjects).toMatchObject([{ subject: 'Bad Team-x y', isNew: true, newVersions: [1] }]);
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('a README.md below a subject directory is a stray file, not exempt', () => {
    repo.write('catalog/apps/users/docs/README.md', '# notes\n');
    expect(codes(check(repo))).toEqual(['STRAY_FILE']);
  });

  it('README.md stays allowed at the catalog root, in a team and in a subject', () => {
    repo.write('catalog/README.md', '# catalog\n');
    repo.write('catalog/apps/README.md', '# apps\n');
    repo.write('catalog/apps/users/README.md', '# users\n');
    expect(codes(check(repo))).toEqual([]);
  });
});
