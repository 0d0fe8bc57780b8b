import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runSchemaflow } from '../support/cli.js';
import { createTestRepo } from '../support/git-repo.js';

describe('schemaflow check and new', () => {
  const repo = createTestRepo();
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runSchemaflow(args, { cwd: repo.root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());

  // Regression (found by a review): a file name with line breaks printed lines of its own, and a
  // runner obeys a line starting with :: (a fake ::error annotation, ::add-mask::, ::stop-commands::).
  it('prints each finding on one line: a line break in a file name cannot start a workflow command', async () => {
    repo.write('catalog/apps/users/x\n::error file=README.md,title=Approved::All good, merge it\n.txt', 'x');
    const result = await run(['check']);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('::'))).toEqual([]);
    expect(result.stdout).toContain('catalog/apps/users/x\\u000a::error file=README.md,title=Approved::All good, merge it\\u000a.txt:1:1  warning  STRAY_FILE  ');
  });

  it('passes a clean change with exit 0 and says what it compared', async () => {
    const result = await run(['check']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^check passed: 0 subjects changed \(0 new versions\) against main \([0-9a-f]{7}\): 0 errors, 0 warnings$/m);
  });

  it('reports errors as file:line:col lines and exits 1', async () => {
    repo.write('catalog/apps/users/1.json', '{"changed": true}');
    repo.write('catalog/apps/users/4.json', '{"type": "object",}');
    const result = await run(['check']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('catalog/apps/users/1.json:1:1  error  VERSION_MODIFIED  catalog/apps/users/1.json is registered on main');
    expect(result.stdout).toMatch(/catalog\/apps\/users\/4\.json:1:19 {2}error {2}INVALID_JSON/);
    expect(result.stdout).toMatch(/check FAILED: .* 2 errors, 0 warnings$/m);
  });

  it('takes the catalog directory however it is spelled, and refuses one that is not there', async () => {
    repo.write('catalog/apps/users/4.json', '{"type": "object",}');
    for (const spelling of ['./catalog', 'catalog/', './catalog//']) {
      const result = await run(['check', '--catalog', spelling]);
      expect(result.code, spelling).toBe(1);
      expect(result.stdout, spelling).toMatch(/catalog\/apps\/users\/4\.json:1:19 {2}error {2}INVALID_JSON/);
    }
    const typo = await run(['check', '--catalog', 'catalgo']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('there is no directory catalgo/ in the working tree or on main');
    const absolute = await run(['check'], { SCHEMAFLOW_CATALOG_DIR: join(repo.root, 'catalog') });
    expect(absolute.code).toBe(2);
    expect(absolute.stderr).toContain('expected a directory relative to the root of the git repository (such as catalog), not an absolute path');
  });

  it('prints JSON with --format json', async () => {
    repo.write('catalog/apps/users/notes.txt', 'x');
    const result = await run(['check', '--format', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { summary: { errors: number; warnings: number }; findings: Array<{ code: string; file: string }> };
    expect(report.summary).toEqual({ errors: 0, warnings: 1, infos: 0 });
    expect(report.findings[0]).toMatchObject({ code: 'STRAY_FILE', file: 'catalog/apps/users/notes.txt' });
  });

  it('prints workflow-command annotations with --format github, escaped', async () => {
    repo.write('catalog/apps/users/4.json', '{"type": "object",}');
    const result = await run(['check', '--format', 'github']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^::error file=catalog\/apps\/users\/4\.json,line=1,col=19,title=INVALID_JSON::catalog\/apps\/users\/4\.json is not valid JSON/m);
  });

  it('exits 2 for an unknown format, a missing base, or outside a repository', async () => {
    expect((await run(['check', '--format', 'xml'])).code).toBe(2);
    const missing = await run(['check', '--base', 'origin/nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('the base branch was not found (tried origin/nope)');
    expect(missing.stderr).toContain('fetch-depth: 0');
    const outside = mkdtempSync(join(tmpdir(), 'schemaflow-nogit-'));
    try {
      const result = await runSchemaflow(['check'], { cwd: outside, env: { PATH: process.env.PATH, HOME: outside, GIT_CEILING_DIRECTORIES: tmpdir() } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('is not inside a git repository; the check compares the catalog with the base branch');
      // Regression: new said the check's reason (it compares with the base branch) for needing a repository.
      const created = await runSchemaflow(['new', 'apps/order-placed'], { cwd: outside, env: { PATH: process.env.PATH, HOME: outside, GIT_CEILING_DIRECTORIES: tmpdir() } });
      expect(created.code).toBe(2);
      expect(created.stderr).toContain(`${outside} is not inside a git repository; new writes the subject into catalog/ at the top of the catalog repository, so run it in a clone of that repository (or start one with schemaflow init).`);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('uses origin/$GITHUB_BASE_REF in Actions, and refuses a shallow clone with the fetch-depth and --unshallow fixes', async () => {
    const clones = mkdtempSync(join(tmpdir(), 'schemaflow-clones-'));
    try {
      const full = join(clones, 'full');
      execFileSync('git', ['clone', '-q', `file://${repo.root}`, full]);
      const inActions = await runSchemaflow(['check'], { cwd: full, env: { PATH: process.env.PATH, HOME: clones, GITHUB_BASE_REF: 'main' } });
      expect(inActions.code).toBe(0);
      expect(inActions.stdout).toContain('against origin/main');
      // In Actions the commit is checked, as the action does: an edit on disk is not what a merge registers.
      writeFileSync(join(full, 'catalog/apps/users/1.json'), `${readFileSync(join(full, 'catalog/apps/users/1.json'), 'utf8')} `);
      const edited = await runSchemaflow(['check', '--format', 'json'], { cwd: full, env: { PATH: process.env.PATH, HOME: clones, GITHUB_BASE_REF: 'main', GITHUB_ACTIONS: 'true' } });
      expect((JSON.parse(edited.stdout) as { findings: Array<{ code: string; file: string }> }).findings.map((finding) => `${finding.code} ${finding.file}`)).toEqual([]);
      const local = await runSchemaflow(['check', '--format', 'json'], { cwd: full, env: { PATH: process.env.PATH, HOME: clones, GITHUB_BASE_REF: 'main' } });
      expect((JSON.parse(local.stdout) as { findings: Array<{ code: string }> }).findings.map((finding) => finding.code)).toContain('VERSION_MODIFIED');

      const shallow = join(clones, 'shallow');
      execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.root}`, shallow]);
      const result = await runSchemaflow(['check'], { cwd: shallow, env: { PATH: process.env.PATH, HOME: clones } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('shallow clone');
      expect(result.stderr).toContain('fetch-depth: 0');
      expect(result.stderr).toContain('git fetch --unshallow');
    } finally {
      rmSync(clones, { recursive: true, force: true });
    }
  });

  it('new scaffolds a subject that passes check, and refuses bad or existing names', async () => {
    const created = await run(['new', 'apps/order-placed', '--owners', '@acme/shop,@alice']);
    expect(created.code).toBe(0);
    expect(existsSync(join(repo.root, 'catalog/apps/order-placed/subject.yaml'))).toBe(true);
    const checked = await run(['check', '--format', 'json']);
    expect(checked.code).toBe(0);
    const report = JSON.parse(checked.stdout) as { findings: unknown[]; subjects: Array<{ subject: string; isNew: boolean; newVersions: number[] }> };
    expect(report.findings).toEqual([]);
    expect(report.subjects).toEqual([expect.objectContaining({ subject: 'apps-order-placed', isNew: true, newVersions: [1] })]);

    expect((await run(['new', 'apps/order-placed'])).code).toBe(1);
    const bad = await run(['new', 'Apps/x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a valid team name');
    expect((await run(['new'])).code).toBe(2);
  });

  it('new warns, as check does, when a file lake could not archive the subject, and still writes it', async () => {
    const name = `u${'x'.repeat(200)}`;
    const created = await run(['new', `apps/${name}`]);
    expect(created.code).toBe(0);
    expect(existsSync(join(repo.root, `catalog/apps/${name}/1.json`))).toBe(true);
    expect(created.stderr).toContain(`warning: TOPIC_NAME_TOO_LONG_FOR_FILE_LAKE: The subject apps-${name.slice(0, 35)}… is 206 characters: a file lake (file://) cannot archive any of its partitions`);
    expect(created.stderr).toContain('Shorten the directory name to at most 194 characters');
    const checked = JSON.parse((await run(['check', '--format', 'json'])).stdout) as { findings: Array<{ code: string; message: string }> };
    expect(checked.findings.map((finding) => finding.code)).toEqual(['TOPIC_NAME_TOO_LONG_FOR_FILE_LAKE']);
    expect(created.stderr).toContain(checked.findings[0]?.message);

    const fits = await run(['new', 'apps/order-placed']);
    expect(fits.stderr).toBe('');
  });

  // Regression: a file where the team's directory goes was an unexpected ENOTDIR error with a stack.
  it('new refuses a file where the subject\'s directory must go, exit 2, naming it, and writes nothing', async () => {
    repo.write('catalog/billing', 'x');
    const result = await run(['new', 'billing/foo']);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    expect(result.stderr).toContain(`schemaflow: error: new billing/foo: ${join(repo.root, 'catalog/billing')} is not a directory, so ${join(repo.root, 'catalog/billing/foo/subject.yaml')} cannot be created. Move or rename what is in the way: the subject's files go in catalog/billing/foo/. Nothing was written.`);
    expect(readFileSync(join(repo.root, 'catalog/billing'), 'utf8')).toBe('x');
  });

  it('new refuses owners or a description that check would refuse, naming the flag, and writes nothing', async () => {
    const cases: Array<[string[], string]> = [
      [['--owners', 'acme'], '--owners: "acme" is not a GitHub user or team; expected @user or @org/team'],
      [['--owners', '@ok,acme/payments'], '--owners: "acme/payments" is not a GitHub user or team'],
      [['--owners', '@acme/shop,@acme/shop'], '--owners lists "@acme/shop" more than once'],
      [['--owners', ' , '], '--owners names no owner'],
      // Refused with every command's empty options, before the command runs.
      [['--description', ''], '--description was given an empty value'],
    ];
    for (const [options, message] of cases) {
      const result = await run(['new', 'apps/order-placed', ...options]);
      expect(result.code, options.join(' ')).toBe(2);
      expect(result.stderr, options.join(' ')).toContain(message);
      if (options[1] !== '') expect(result.stderr, options.join(' ')).toContain('Nothing was written.');
      expect(existsSync(join(repo.root, 'catalog/apps/order-placed')), options.join(' ')).toBe(false);
    }
  });
});
