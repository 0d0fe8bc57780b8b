import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openRepository } from '../../../src/adapters/git/repository.js';
import { checkCatalog, type CheckReport } from '../../../src/usecases/check-catalog.js';
import { prChanges } from '../../../src/usecases/pr-changes.js';
import { registerCatalog } from '../../../src/usecases/register.js';
import { createFileStore } from '../../../src/adapters/lake/file-store.js';
import { createTestRepo, type TestRepo } from '../../support/git-repo.js';
import { createPatternSandbox } from '../../../src/adapters/pattern-sandbox.js';

/*
 * The action and registration check HEAD's commit, not its checkout. Regression (found by a
 * review): a pull request added `catalog/apps/users/4.json ident` to .gitattributes, and git's
 * checkout expanded the span `$Id:…$` of the committed 4.json, so the check read a harmless
 * title while the commit, which registration publishes, closed the model.
 */
let repo: TestRepo;
let work: string;
let clone: string;
const HIDDEN = '"title": "$Id:","additionalProperties":false,"default":"$"';

beforeAll(() => {
  repo = createTestRepo();
  work = mkdtempSync(join(tmpdir(), 'schemaflow-check-commit-'));
  repo.git('switch', '-q', '-c', 'pr');
  const v3 = readFileSync(join(repo.root, 'catalog/apps/users/3.json'), 'utf8');
  expect(v3).toContain('"title": "UserChanged"');
  repo.write('catalog/apps/users/4.json', v3.replace('"title": "UserChanged"', HIDDEN));
  repo.commit('version 4');
  // Only the attribute is added after: re-adding 4.json would store its cleaned bytes.
  repo.write('.gitattributes', 'catalog/apps/users/4.json ident\n');
  repo.git('add', '.gitattributes');
  repo.git('commit', '-q', '-m', 'attributes');
  clone = join(work, 'pr');
  execFileSync('git', ['clone', '-q', '-b', 'pr', repo.root, clone]);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  repo.dispose();
});

const errorsOn = (report: CheckReport, file: string): string[] => report.findings.filter((finding) => finding.severity === 'error' && finding.file === file).map((finding) => finding.code);

it('judges the bytes the commit holds and refuses a file its checkout rewrites (CHECKOUT_DIFFERS)', () => {
  const file = 'catalog/apps/users/4.json';
  expect(readFileSync(join(clone, file), 'utf8')).not.toContain(HIDDEN);
  const repository = openRepository(clone);
  const head = repository.resolveCommit('HEAD') ?? '';
  const report = checkCatalog(repository, { catalogDir: 'catalog', untrustedPatterns: createPatternSandbox(), baseCandidates: ['origin/main'], head: { ref: 'HEAD', commit: head } });
  expect(report.head).toEqual({ ref: 'HEAD', commit: head });
  const codes = errorsOn(report, file);
  expect(codes).toContain('CHECKOUT_DIFFERS');
  // The closed model of the commit is judged (the checkout's title alone would pass).
  expect(codes.filter((code) => code !== 'CHECKOUT_DIFFERS')).not.toEqual([]);
  const finding = report.findings.find((entry) => entry.code === 'CHECKOUT_DIFFERS');
  expect(finding?.message).toBe(`${file} on disk is not what HEAD (${head.slice(0, 7)}) holds, even as git would store it: a .gitattributes rule (ident, a filter) rewrites it on checkout, or it was edited since. Registration publishes the commit's bytes, which this check judged, while the checkout shows other ones; remove the rule for files under the catalog (git check-attr -a ${file} names it).`);
  // The summary beside the findings reads the same commit.
});

it('reads the working tree without a head commit, as the CLI does for uncommitted edits', () => {
  const report = checkCatalog(openRepository(clone), { catalogDir: 'catalog', untrustedPatterns: createPatternSandbox(), baseCandidates: ['origin/main'] });
  expect(report.head).toBeUndefined();
  expect(report.findings.map((finding) => finding.code)).not.toContain('CHECKOUT_DIFFERS');
});

it('summarizes the versions of the commit checked, whatever is on disk', () => {
  const own = createTestRepo();
  try {
    own.git('switch', '-q', '-c', 'next');
    const v3 = JSON.parse(readFileSync(join(own.root, 'catalog/apps/users/3.json'), 'utf8')) as { properties: Record<string, unknown> };
    v3.properties.nickname = { description: 'What the user likes to be called.', type: 'string' };
    own.write('catalog/apps/users/4.json', JSON.stringify(v3, null, 2));
    own.commit('version 4');
    own.write('catalog/apps/users/4.json', 'null');
    const repository = openRepository(own.root);
    const report = checkCatalog(repository, { catalogDir: 'catalog', untrustedPatterns: createPatternSandbox(), baseCandidates: ['main'], head: { ref: 'HEAD', commit: repository.resolveCommit('HEAD') ?? '' } });
    // The version judged is the commit's (valid); the edit on disk is only named.
    expect(report.findings.filter((finding) => finding.severity === 'error').map((finding) => finding.code)).toEqual(['CHECKOUT_DIFFERS']);
    const summary = prChanges(repository, report).changes.get('apps-users') ?? [];
    expect(summary.join('\n')).toContain('nickname');
    expect(summary.join('\n')).not.toContain('not a JSON Schema');
  } finally {
    own.dispose();
  }
});

// Regression (found by a review): bytes were compared as they are, so a clone with
// core.autocrlf=true (Git for Windows' default) had every changed file CHECKOUT_DIFFERS, and
// registration refused a clean clone.
it('takes a CRLF checkout of LF files as the commit, in the check and in registration', async () => {
  const crlf = join(work, 'crlf');
  execFileSync('git', ['clone', '-q', '-c', 'core.autocrlf=true', '-b', 'pr', repo.root, crlf]);
  const users = readFileSync(join(crlf, 'catalog/apps/users/1.json'), 'utf8');
  expect(users).toContain('\r\n');
  const repository = openRepository(crlf);
  const head = repository.resolveCommit('HEAD') ?? '';
  const report = checkCatalog(repository, { catalogDir: 'catalog', untrustedPatterns: createPatternSandbox(), baseCandidates: ['origin/main'], head: { ref: 'HEAD', commit: head } });
  // Only the ident file differs once cleaned; the CRLF ones do not.
  expect(report.findings.filter((finding) => finding.code === 'CHECKOUT_DIFFERS').map((finding) => finding.file)).toEqual(['catalog/apps/users/4.json']);
  const first = join(work, 'crlf-main');
  execFileSync('git', ['clone', '-q', '-c', 'core.autocrlf=true', '-b', 'main', repo.root, first]);
  const registered = await registerCatalog({ repository: openRepository(first), manifests: createFileStore(join(work, 'crlf-manifests')), untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', dryRun: true, reconcile: false });
  expect(registered.publish.status).toBe('dry-run');
  expect(registered.newVersions.length).toBeGreaterThan(0);
});
