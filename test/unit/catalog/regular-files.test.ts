import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openRepository } from '../../../src/adapters/git/repository.js';
import { buildCatalogManifest } from '../../../src/usecases/build-manifest.js';
import { createTestRepo, type TestRepo } from '../../support/git-repo.js';
import { check, codes, schema } from './helpers.js';

/** A gitlink (mode 160000) at `path`, with the empty directory a checkout leaves for it. */
function addSubmodule(repo: TestRepo, path: string): void {
  repo.git('update-index', '--add', '--cacheinfo', `160000,${repo.git('rev-parse', 'HEAD').trim()},${path}`);
  mkdirSync(join(repo.root, path), { recursive: true });
}

/**
 * Every catalog entry git lists must be a regular file (DESIGN.md §10). Regression (found by a
 * review): a submodule named catalog/apps/users/4.json passed the check as "1 new version, 0
 * errors" and then wedged registration.
 */
describe('catalog entries that are not regular files', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());

  it('a git submodule named like a version file is an error naming it, not a silent skip', () => {
    addSubmodule(repo, 'catalog/apps/users/4.json');
    const report = check(repo);
    expect(codes(report, 'error')).toEqual(['NOT_REGULAR_FILE']);
    const finding = report.findings[0];
    expect(finding).toMatchObject({ file: 'catalog/apps/users/4.json', line: 1, col: 1, params: { kind: 'directory' } });
    expect(finding?.message).toMatch(/catalog\/apps\/users\/4\.json is a directory.*submodule.*git rm --cached catalog\/apps\/users\/4\.json/);
  });

  it('a submodule in place of subject.yaml or catalog.yaml is an error too', () => {
    repo.git('rm', '-q', '--cached', 'catalog/catalog.yaml');
    repo.remove('catalog/catalog.yaml');
    addSubmodule(repo, 'catalog/catalog.yaml');
    repo.write('catalog/apps/orders/1.json', schema());
    addSubmodule(repo, 'catalog/apps/orders/subject.yaml');
    const report = check(repo);
    expect(report.findings.filter((finding) => finding.code === 'NOT_REGULAR_FILE').map((finding) => finding.file)).toEqual(['catalog/apps/orders/subject.yaml', 'catalog/catalog.yaml']);
  });

  it('a nested git repository named like a version file is an error', () => {
    const nested = join(repo.root, 'catalog/apps/users/4.json');
    try {
      mkdirSync(nested, { recursive: true });
      repo.git('-C', nested, 'init', '-q');
      repo.write('catalog/apps/users/4.json/x.json', '{}');
      repo.git('-C', nested, 'add', 'x.json');
      repo.git('-C', nested, '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'nested');
      const report = check(repo);
      expect(codes(report, 'error')).toEqual(['NOT_REGULAR_FILE']);
      expect(report.findings[0]).toMatchObject({ file: 'catalog/apps/users/4.json' });
    } finally {
      repo.remove('catalog/apps/users/4.json');
    }
  });

  it('a symbolic link keeps its own code', () => {
    repo.symlink('/etc/passwd', 'catalog/apps/users/4.json');
    expect(codes(check(repo), 'error')).toEqual(['SYMLINK_NOT_ALLOWED']);
  });

  it('manifest build names a submodule already on the default branch and says how to recover', () => {
    addSubmodule(repo, 'catalog/apps/users/4.json');
    repo.commit('a submodule lands on main');
    try {
      const added = repo.git('rev-parse', 'HEAD').trim();
      expect(() => buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog' })).toThrow(
        new RegExp(`catalog/apps/users/4\\.json is a git submodule \\(gitlink, mode 160000\\) at ${added.slice(0, 12)}, not a regular file.*added in ${added.slice(0, 12)}`, 's'),
      );
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('manifest build refuses a submodule in place of catalog.yaml instead of using the defaults', () => {
    repo.git('rm', '-q', '--cached', 'catalog/catalog.yaml');
    repo.remove('catalog/catalog.yaml');
    addSubmodule(repo, 'catalog/catalog.yaml');
    repo.commit('catalog.yaml becomes a submodule');
    try {
      expect(() => buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog' })).toThrow(/catalog\/catalog\.yaml is a git submodule \(gitlink, mode 160000\) at HEAD \([0-9a-f]{7}\), not a regular file/);
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });
});
