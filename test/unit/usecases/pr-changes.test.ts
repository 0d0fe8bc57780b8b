import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openRepository } from '../../../src/adapters/git/repository.js';
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

