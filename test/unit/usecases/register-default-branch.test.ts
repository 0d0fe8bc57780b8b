import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultBranchRef } from '../../../src/adapters/git/default-branch.js';
import { openRepository } from '../../../src/adapters/git/repository.js';
import { createFileStore } from '../../../src/adapters/lake/file-store.js';
import { createPatternSandbox } from '../../../src/adapters/pattern-sandbox.js';
import { parseManifest } from '../../../src/manifest/parse.js';
import { registerCatalog } from '../../../src/usecases/register.js';
import { createTestRepo } from '../../support/git-repo.js';

/**
 * Regression: neither actions/register nor `schemaflow register` checked the branch, and
 * register.yml's workflow_dispatch takes any. Registering a pull request's branch published its
 * unmerged versions with IDs; once main moved on without that commit, every registration of
 * main failed as HISTORY_REWRITTEN, and main's own next version got the ID the branch's had.
 */
const repo = createTestRepo();
const dir = mkdtempSync(join(tmpdir(), 'schemaflow-default-branch-'));
afterAll(() => {
  repo.dispose();
  rmSync(dir, { recursive: true, force: true });
});
const manifests = createFileStore(dir);
const register = (dryRun = false, defaultBranch = 'main') => registerCatalog({ repository: openRepository(repo.root), manifests, untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', dryRun, reconcile: false, defaultBranch });
const usersWith = (extra: string): string => {
  const schema = JSON.parse(readFileSync(join(repo.root, 'catalog/apps/users/3.json'), 'utf8')) as { properties: Record<string, unknown> };
  schema.properties[extra] = { description: `The ${extra}.`, type: 'string' };
  return JSON.stringify(schema, null, 2);
};
const latestCommit = (): string => parseManifest(readFileSync(join(dir, 'latest.json')), 'latest.json').sourceCommit;

describe('registration and the default branch', () => {
  it('refuses to publish a commit that is not on the default branch, plans it, and main registers after', async () => {
    expect((await register()).publish.status).toBe('published');
    const mainBefore = repo.git('rev-parse', 'main').trim();

    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('catalog/apps/users/4.json', usersWith('nickname'));
    repo.commit('users v4 (a pull request, not merged)');
    await expect(register()).rejects.toMatchObject({ code: 'NOT_ON_DEFAULT_BRANCH', exitCode: 2, message: expect.stringContaining(`is not on main (${mainBefore.slice(0, 12)}): registration publishes commits of the default branch only`) as unknown });
    expect(latestCommit()).toBe(mainBefore);
    // A dry run changes nothing, so it may show what the branch would register.
    expect((await register(true)).newVersions).toEqual([{ subject: 'apps-users', version: 4, id: expect.any(Number) as unknown }]);

    repo.git('checkout', '-q', 'main');
    repo.write('catalog/apps/users/4.json', usersWith('country'));
    repo.commit('users v4 (another pull request, merged)');
    expect((await register()).publish.status).toBe('published');
    expect(latestCommit()).toBe(repo.git('rev-parse', 'HEAD').trim());
  });

  it('registers a commit behind the tip (a newer push landed meanwhile), and says when the branch is not there', async () => {
    const behind = repo.git('rev-parse', 'HEAD').trim();
    repo.write('catalog/apps/users/README.md', '# Users\n');
    repo.commit('docs');
    repo.git('checkout', '-q', behind);
    try {
      expect(['unchanged', 'superseded']).toContain((await register()).publish.status);
    } finally {
      repo.git('checkout', '-q', 'main');
    }
    await expect(register(false, 'origin/trunk')).rejects.toMatchObject({ code: 'DEFAULT_BRANCH_UNKNOWN', message: expect.stringContaining('origin/trunk, the default branch, does not resolve in this clone') as unknown });
  });
});

describe('defaultBranchRef', () => {
  it("takes GitHub's default_branch from the event in Actions, else origin/HEAD when the clone has it", () => {
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ repository: { default_branch: 'trunk' } }));
    const repository = openRepository(repo.root);
    expect(defaultBranchRef({ GITHUB_ACTIONS: 'true', GITHUB_EVENT_PATH: event }, repository)).toBe('origin/trunk');
    // No remote: nothing to compare with (the demo's repository).
    expect(defaultBranchRef({}, repository)).toBeUndefined();
    const clone = join(dir, 'clone');
    repo.git('clone', '-q', repo.root, clone);
    expect(existsSync(join(clone, '.git'))).toBe(true);
    expect(defaultBranchRef({}, openRepository(clone))).toBe('origin/HEAD');
  });

  it('keeps register.yml on the default branch, with every pending run queued', () => {
    const workflow = parse(readFileSync(new URL('../../../.github/workflows/register.yml', import.meta.url), 'utf8')) as { concurrency: Record<string, unknown>; jobs: { register: { if?: string } } };
    expect(workflow.concurrency).toEqual({ group: 'schemaflow-register', 'cancel-in-progress': false, queue: 'max' });
    expect(workflow.jobs.register.if).toBe("github.ref == format('refs/heads/{0}', github.event.repository.default_branch)");
  });
});
