import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openRepository } from '../../../src/adapters/git/repository.js';
import { buildCatalogManifest } from '../../../src/usecases/build-manifest.js';
import { prChanges } from '../../../src/usecases/pr-changes.js';
import { createTestRepo } from '../../support/git-repo.js';
import { SUBJECT_YAML, check, codes } from '../catalog/helpers.js';

/**
 * The change summary beside the findings. Regression (found by a review): a new version whose
 * content is JSON null made the check action die building it ("Cannot convert undefined or
 * null to object") after the CLI had reported SCHEMA_INVALID; nothing was written.
 */
describe('the pull-request change summary', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());

  it.each(['null', '5', '"x"', '[]'])('describes a new version %s as not a schema instead of crashing', (content) => {
    repo.write('catalog/apps/users/4.json', content);
    repo.write('catalog/apps/fresh/subject.yaml', SUBJECT_YAML);
    repo.write('catalog/apps/fresh/1.json', content);
    const report = check(repo);
    expect(codes(report, 'error')).toContain('SCHEMA_INVALID');
    const { changes, plan } = prChanges(openRepository(repo.root), report);
    expect(changes.get('apps-users')).toEqual(['version 4: not a JSON Schema (see the findings); no change summary']);
    expect(changes.get('apps-fresh')).toEqual(['version 1: not a JSON Schema (see the findings); no change summary']);
    expect(plan).toBeUndefined();
  });
});

// Regression: the provisional plan compared the catalog with the base branch's manifest alone,
// so a topic config the pull request removes was left out of it (drift, whose warnings it drops).
it('shows a topic config the pull request removes as a change to (unset)', () => {
  const repo = createTestRepo();
  try {
    const yaml = readFileSync(join(repo.root, 'catalog/apps/users/subject.yaml'), 'utf8');
    repo.write('catalog/apps/users/subject.yaml', yaml.replace('  partitions: 6', '  partitions: 6\n  configs:\n    max.message.bytes: "2000000"'));
    repo.commit('users with a larger max.message.bytes');
    repo.write('catalog/apps/users/subject.yaml', yaml);
    expect(prChanges(openRepository(repo.root), check(repo)).plan?.topics).toEqual(['change topic apps-users: max.message.bytes 2000000 → (unset)']);
  } finally {
    repo.dispose();
  }
});


/**
 * Regression: the provisional IDs started after the highest ID in the base branch's manifest,
 * but registration never gives an ID twice: a version that landed on the base branch and was
 * deleted later (the commits of a pull request merged with "Rebase and merge" land one by one)
 * keeps its ID out of use, so the plan promised an ID registration would not give.
 */
it('plans the IDs registration gives after a version that landed and was deleted on the base branch', () => {
  const repo = createTestRepo();
  try {
    const users3 = JSON.parse(repo.git('show', 'HEAD:catalog/apps/users/3.json')) as { properties: Record<string, unknown> };
    users3.properties.nickname = { description: 'A nickname.', type: 'string' };
    const users4 = JSON.stringify(users3, null, 2);
    repo.write('catalog/apps/users/4.json', users4);
    repo.commit('a commit of a rebase-merged pull request adds version 4');
    repo.remove('catalog/apps/users/4.json');
    repo.commit('and the next one of it takes it back');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('catalog/apps/users/4.json', users4);
    repo.commit('version 4 again');
    const repository = openRepository(repo.root);
    const planned = prChanges(repository, check(repo)).plan?.newVersions;
    repo.git('checkout', '-q', 'main');
    repo.git('merge', '-q', '--no-ff', '-m', 'merge feature', 'feature');
    const registered = buildCatalogManifest(repository, { catalogDir: 'catalog' }).registrations.find((entry) => entry.subject === 'apps-users' && entry.version === 4);
    expect(planned).toEqual([{ subject: 'apps-users', version: 4, id: registered?.id }]);
  } finally {
    repo.dispose();
  }
});

/** Regression: a version whose predecessor is missing (VERSION_GAP) was summarized as "first version". */
it('does not call a version after a gap its subject\'s first version', () => {
  const repo = createTestRepo();
  try {
    repo.write('catalog/apps/users/5.json', repo.git('show', 'HEAD:catalog/apps/users/3.json'));
    const report = check(repo);
    expect(codes(report, 'error')).toContain('VERSION_GAP');
    expect(prChanges(openRepository(repo.root), report).changes.get('apps-users')).toEqual(['version 5: no change summary (there is no version 4)']);
  } finally {
    repo.dispose();
  }
});
