import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestRepo } from '../../support/git-repo.js';
import { check, codes, schema } from './helpers.js';

/** A pull request is judged by the base branch's rules (DESIGN.md §3). */
describe('rules come from the base branch', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());

  const undocumented = JSON.stringify({ type: 'object', properties: { occurredAt: { type: 'string', format: 'date-time' } } });

  it('a PR cannot loosen its own gate: lint levels it adds do not apply to it', () => {
    repo.write('catalog/catalog.yaml', 'lint:\n  MISSING_DESCRIPTION: off\n');
    repo.write('catalog/apps/orders/subject.yaml', 'description: Orders.\nowners: ["@acme/shop"]\n');
    repo.write('catalog/apps/orders/1.json', undocumented);
    const report = check(repo);
    expect(codes(report)).toContain('CONFIG_CHANGED');
    expect(codes(report, 'error').filter((code) => code === 'MISSING_DESCRIPTION')).toHaveLength(2);
  });

  it('once merged, the new level applies to later PRs', () => {
    repo.write('catalog/catalog.yaml', 'lint:\n  MISSING_DESCRIPTION: off\n  PII_UNDECIDED: error\n');
    repo.commit('platform lowers MISSING_DESCRIPTION');
    try {
      repo.write('catalog/apps/orders/subject.yaml', 'description: Orders.\nowners: ["@acme/shop"]\n');
      repo.write('catalog/apps/orders/1.json', JSON.stringify({ type: 'object', properties: { email: { type: 'string' } } }));
      const report = check(repo, 'HEAD');
      expect(codes(report)).not.toContain('MISSING_DESCRIPTION');
      expect(report.findings.find((finding) => finding.code === 'PII_UNDECIDED')?.severity).toBe('error');
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('a subject retired on the base branch takes no new version, even if the PR reactivates it', () => {
    const subject = repo.git('show', 'HEAD:catalog/payments/refunds/subject.yaml');
    repo.write('catalog/payments/refunds/subject.yaml', subject.replace('status: deprecated', 'status: retired'));
    repo.commit('retire refunds');
    try {
      repo.write('catalog/payments/refunds/subject.yaml', subject.replace('status: deprecated', 'status: active'));
      repo.write('catalog/payments/refunds/2.json', repo.git('show', 'HEAD:catalog/payments/refunds/1.json'));
      const report = check(repo, 'HEAD');
      expect(codes(report, 'error')).toEqual(['SUBJECT_RETIRED']);
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('compares with the base as it is now: a version registered on base after the fork counts as modified', () => {
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('catalog/apps/users/4.json', schema({ mine: { description: 'Mine.', type: 'string' } }));
    repo.commit('feature adds users v4');
    repo.git('checkout', '-q', 'main');
    repo.write('catalog/apps/users/4.json', schema({ theirs: { description: 'Theirs.', type: 'string' } }));
    repo.commit('main registers a different users v4');
    repo.git('checkout', '-q', 'feature');
    try {
      const report = check(repo, 'main');
      expect(codes(report, 'error')).toEqual(['VERSION_MODIFIED']);
      expect(report.findings[0]?.message).toContain('add the change as catalog/apps/users/5.json');
    } finally {
      repo.git('checkout', '-q', 'main');
      repo.git('reset', '-q', '--hard', 'HEAD~1');
      repo.git('branch', '-q', '-D', 'feature');
    }
  });

  it('files the branch did not touch are not reported, even when base moved on', () => {
    repo.git('checkout', '-q', '-b', 'feature');
    repo.git('checkout', '-q', 'main');
    repo.write('catalog/apps/users/4.json', schema({ later: { description: 'Later.', type: 'string' } }));
    repo.commit('main moves on');
    repo.git('checkout', '-q', 'feature');
    try {
      expect(check(repo, 'main').findings).toEqual([]);
    } finally {
      repo.git('checkout', '-q', 'main');
      repo.git('reset', '-q', '--hard', 'HEAD~1');
      repo.git('branch', '-q', '-D', 'feature');
    }
  });

  it('honours a reviewed override from the base branch and prints it; an override added in the PR does not apply', () => {
    const users3 = JSON.parse(repo.git('show', 'HEAD:catalog/apps/users/3.json')) as { properties: Record<string, unknown> };
    delete users3.properties.displayName;
    const override = 'overrides:\n  - subject: apps-users\n    version: 4\n    rule: PROPERTY_REMOVED\n    pointer: /displayName\n    reason: Never populated; all consumers confirmed in DATA-123.\n';

    repo.write('catalog/overrides.yaml', override);
    repo.write('catalog/apps/users/4.json', JSON.stringify(users3, null, 2));
    const unreviewed = check(repo);
    expect(codes(unreviewed, 'error')).toEqual(['PROPERTY_REMOVED']);
    expect(codes(unreviewed)).toContain('CONFIG_CHANGED');

    repo.reset();
    repo.write('catalog/overrides.yaml', override);
    repo.commit('platform reviews an exception');
    try {
      repo.write('catalog/apps/users/4.json', JSON.stringify(users3, null, 2));
      const report = check(repo, 'HEAD');
      expect(codes(report, 'error')).toEqual([]);
      const honoured = report.findings.find((finding) => finding.code === 'PROPERTY_REMOVED');
      expect(honoured?.severity).toBe('info');
      expect(honoured?.message).toContain('Overridden by overrides.yaml: Never populated; all consumers confirmed in DATA-123.');
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('reports an override that could never match: unknown rule, subject or version, with the closest names', () => {
    const entry = (subject: string, version: number, rule: string) => `  - subject: ${subject}\n    version: ${version}\n    rule: ${rule}\n    reason: Reviewed with all consumers in DATA-123.\n`;
    repo.write('catalog/overrides.yaml', `overrides:\n${entry('apps-users', 4, 'PROPERTY_REMOVED')}${entry('apps-users', 4, 'PROPERTY_REMOVE')}${entry('apps-user', 1, 'TYPE_CHANGED')}${entry('apps-users', 9, 'ENUM_VALUE_REMOVED')}${entry('apps-users', 3, 'VERSION_MODIFIED')}`);
    const findings = check(repo).findings.filter((finding) => finding.code.startsWith('OVERRIDE_'));
    expect(findings.map((finding) => [finding.code, finding.severity, finding.file, finding.line, finding.col])).toEqual([
      ['OVERRIDE_UNKNOWN_RULE', 'error', 'catalog/overrides.yaml', 8, 11],
      ['OVERRIDE_UNKNOWN_SUBJECT', 'error', 'catalog/overrides.yaml', 10, 14],
      ['OVERRIDE_UNKNOWN_VERSION', 'error', 'catalog/overrides.yaml', 15, 14],
      ['OVERRIDE_UNKNOWN_RULE', 'error', 'catalog/overrides.yaml', 20, 11],
    ]);
    expect(findings[0]?.message).toBe('catalog/overrides.yaml overrides[1] names rule PROPERTY_REMOVE, which is not a compatibility finding code, so it would never match. Did you mean PROPERTY_REMOVED? The codes are listed in the README (Compatibility).');
    expect(findings[1]?.message).toContain('names subject apps-user, which is not in the catalog, so it would never match. Did you mean apps-users?');
    expect(findings[2]?.message).toContain('names version 9 of apps-users, which has versions 1 to 3; an override is for an existing version or the next one (4).');
    expect(findings[3]?.message).toContain('names rule VERSION_MODIFIED, a catalog rule that no override can let through');
  });

  /** Regression: a pointer that is no RFC 6901 pointer (`displayName`, `#/displayName`) was taken, and never matched a finding. */
  it.each(['displayName', '#/displayName'])('reports an override pointer %s that is no JSON Pointer, at its line', (pointer) => {
    repo.write('catalog/overrides.yaml', `overrides:\n  - subject: apps-users\n    version: 4\n    rule: PROPERTY_REMOVED\n    pointer: "${pointer}"\n    reason: Never populated; all consumers confirmed in DATA-123.\n`);
    const invalid = check(repo).findings.filter((finding) => finding.code.startsWith('OVERRIDE'));
    expect(invalid.map((finding) => [finding.code, finding.severity, finding.line, finding.col])).toEqual([['OVERRIDE_POINTER_INVALID', 'error', 5, 14]]);
    expect(invalid[0]?.message).toBe(`catalog/overrides.yaml overrides[0] has pointer ${JSON.stringify(pointer)}, which is no JSON Pointer (RFC 6901: empty, or starting with /), so it would never match. Write /displayName: the schema pointer or data path a finding names.`);
  });

  it('reports an invalid overrides.yaml in the change', () => {
    repo.write('catalog/overrides.yaml', 'overrides:\n  - subject: apps-users\n    rule: X\n');
    expect(codes(check(repo))).toEqual(expect.arrayContaining(['OVERRIDES_INVALID', 'CONFIG_CHANGED']));
  });
});

/**
 * Regression: catalog.schema.json accepts an environment with a stateUrl but no lakeUrl, which
 * every command reading the flow state refuses with --env at run time only. The pull request
 * that writes one now gets an error on catalog.yaml; a catalog that already holds one stays
 * mergeable (a warning where catalog.yaml changes otherwise, nothing where it does not).
 */
describe('an environment with a state but no lake', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());

  const catalogYaml = (): string => repo.git('show', 'HEAD:catalog/catalog.yaml');
  const staging = (state: string): string => `${catalogYaml()}  staging:\n    manifestUrl: gs://acme-schemaflow/staging\n    stateUrl: ${state}\n`;
  const findingsOf = (base = 'main') => check(repo, base).findings.filter((finding) => finding.code === 'ENVIRONMENT_STATE_WITHOUT_LAKE').map((finding) => [finding.severity, finding.pointer, finding.message]);
  const MESSAGE = 'catalog/catalog.yaml environment "staging" names a stateUrl but no lakeUrl, so every command that reads the flow state refuses --env staging: a flow state belongs to one lake. Add lakeUrl (the lake whose state it is) beside it, or drop stateUrl (the state then follows the lake: <lake>/_state/).';

  it('is an error on the pull request that writes it, naming the environment and the fix', () => {
    repo.write('catalog/catalog.yaml', staging('gs://acme-lake/staging-state'));
    expect(findingsOf()).toEqual([['error', '/environments/staging/stateUrl', MESSAGE]]);
    // Naming the lake, or dropping the state, passes.
    repo.write('catalog/catalog.yaml', `${staging('gs://acme-lake/staging-state')}    lakeUrl: gs://acme-lake/staging\n`);
    expect(findingsOf()).toEqual([]);
    expect(codes(check(repo), 'error')).toEqual([]);
  });

  it('keeps a catalog that already holds one mergeable: a warning where catalog.yaml changes elsewhere, nothing where it does not', () => {
    repo.write('catalog/catalog.yaml', staging('gs://acme-lake/staging-state'));
    repo.commit('staging, merged before the rule');
    try {
      repo.write('catalog/catalog.yaml', catalogYaml().replace('PII_UNDECIDED: warning', 'PII_UNDECIDED: error'));
      expect(findingsOf('HEAD')).toEqual([['warning', '/environments/staging/stateUrl', `${MESSAGE} (It is so on HEAD (${repo.git('rev-parse', '--short=7', 'HEAD').trim()}) already; this pull request does not change environments.staging.)`]]);
      expect(codes(check(repo, 'HEAD'), 'error')).toEqual([]);

      repo.reset();
      repo.write('catalog/apps/users/README.md', '# Users\n');
      expect(codes(check(repo, 'HEAD'))).toEqual([]);

      // Editing that environment, still without a lake, is this pull request's doing.
      repo.write('catalog/catalog.yaml', catalogYaml().replace('gs://acme-lake/staging-state', 'gs://acme-lake/state'));
      expect(findingsOf('HEAD').map(([severity]) => severity)).toEqual(['error']);
    } finally {
      repo.reset();
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });
});
