import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { flagsFromInputs } from '../../src/actions/inputs.js';
import { resolveInEnvironment } from '../../src/adapters/catalog-environment.js';
import { SCAFFOLD_WORKFLOWS, onBranch, pinWorkflow, scaffoldRepository } from '../../src/catalog/repository-scaffold.js';
import { runSchemaflow } from '../support/cli.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
const scratch = (): string => {
  const root = mkdtempSync(join(tmpdir(), 'schemaflow-init-'));
  roots.push(root);
  return root;
};
const env = { PATH: process.env.PATH, HOME: process.env.HOME };
const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@x', ...args], { cwd, encoding: 'utf8' });

interface Workflow {
  jobs: Record<string, { steps: Array<{ uses?: string }> }>;
}
const actionsUsed = (file: string): string[] => Object.values((parse(readFileSync(file, 'utf8')) as Workflow).jobs).flatMap((job) => job.steps.map((step) => step.uses ?? '')).filter((uses) => uses.includes('schemaflow'));

describe('schemaflow init', () => {
  it('scaffolds a catalog repository whose check passes, with workflows pinned to the released actions', { timeout: 60_000 }, async () => {
    const parent = scratch();
    const result = await runSchemaflow(['init', 'acme-catalog', '--org', 'acme'], { cwd: parent, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('initialized a git repository in acme-catalog (branch main)');
    const root = join(parent, 'acme-catalog');
    expect(actionsUsed(join(root, '.github/workflows/pr-check.yml'))).toEqual(['acme/schemaflow/actions/check@v1']);
    expect(actionsUsed(join(root, '.github/workflows/register.yml'))).toEqual(['acme/schemaflow/actions/register@v1']);
    expect(actionsUsed(join(root, '.github/workflows/flow.yml'))).toEqual(['acme/schemaflow/actions/flow@v1', 'acme/schemaflow/actions/flow@v1']); // the shards, then the closing job
    // Regression: `schemaflow site` pointed at .github/workflows/site.yml, which init did not scaffold.
    const site = parse(readFileSync(join(root, '.github/workflows/site.yml'), 'utf8')) as { on: { workflow_run: { workflows: string[] } }; jobs: Record<string, { steps: Array<{ run?: string }> }> };
    expect(site.on.workflow_run.workflows).toEqual([(parse(readFileSync(join(root, '.github/workflows/register.yml'), 'utf8')) as { name: string }).name]);
    const runs = Object.values(site.jobs).flatMap((job) => job.steps.map((step) => step.run ?? '')).filter(Boolean);
    const [install, build] = [runs.findIndex((run) => run.startsWith('npm ci')), runs.findIndex((run) => run.startsWith('npx schemaflow site'))];
    expect(install).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThan(install); // the CLI of package.json, installed first
    expect(readFileSync(join(root, '.github/CODEOWNERS'), 'utf8')).toContain('/catalog/catalog.yaml   @acme/platform');
    // Regression: the next steps and the README said `npx schemaflow` in a repository that did not
    // have it, and schemaflow is not on npm: npx would fetch whatever package holds the name.
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))).toEqual(expect.objectContaining({ private: true, devDependencies: { schemaflow: 'github:acme/schemaflow#v1' } }));
    for (const steps of [result.stdout, readFileSync(join(root, 'README.md'), 'utf8')]) {
      expect(steps).toMatch(/^ *npm install +#/m);
      expect(steps.search(/^ *npm install /m)).toBeLessThan(steps.search(/^ *npx schemaflow /m));
    }

    // As the printed next steps say: commit the scaffold, add an event, check it.
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'catalog: scaffold');
    const clean = await runSchemaflow(['check'], { cwd: root, env });
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    const created = await runSchemaflow(['new', 'orders/order-placed', '--owners', '@acme/orders', '--description', 'An order was placed.'], { cwd: root, env });
    expect(created.code, created.stderr).toBe(0);
    const checked = await runSchemaflow(['check', '--format', 'json'], { cwd: root, env });
    expect(checked.code, checked.stdout).toBe(0);
    const report = JSON.parse(checked.stdout) as { subjects: Array<{ subject: string; isNew: boolean; newVersions: number[] }>; summary: { errors: number } };
    expect(report.subjects).toEqual([expect.objectContaining({ subject: 'orders-order-placed', isNew: true, newVersions: [1] })]);
    expect(report.summary.errors).toBe(0);
  });

  it('never overwrites a file, and refuses bad names with exit 2', { timeout: 60_000 }, async () => {
    const root = scratch();
    writeFileSync(join(root, 'README.md'), 'ours\n');
    const refused = await runSchemaflow(['init', '--org', 'acme'], { cwd: root, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('already has README.md; nothing was written');
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe('ours\n');
    expect(() => readFileSync(join(root, 'catalog/catalog.yaml'))).toThrow();
    // Regression: --platform-team took owners that subject.yaml refuses (@-x), and --org names ending in a hyphen.
    for (const args of [['--org', 'bad org'], ['--org', 'acme-'], ['--ref', '-x'], ['--platform-team', 'platform'], ['--platform-team', '@-x'], ['--platform-team', '@acme-/platform'], ['a', 'b']]) {
      const bad = await runSchemaflow(['init', ...args], { cwd: root, env });
      expect(bad.code, args.join(' ')).toBe(2);
    }
  });

  // Regression: without --org the note said "rerun with --org <owner> or edit .github/workflows/",
  // but rerunning is FILES_EXIST, and your-org is in CODEOWNERS, the README and package.json too.
  it('names every file holding the your-org placeholder without --org, with a command that replaces it', { timeout: 60_000 }, async () => {
    const parent = scratch();
    const result = await runSchemaflow(['init', 'my catalog'], { cwd: parent, env });
    expect(result.code, result.stderr).toBe(0);
    const root = join(parent, 'my catalog');
    const holding = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === '.git' ? [] : holding(path);
        return readFileSync(path, 'utf8').includes('your-org') ? [path.slice(root.length + 1)] : [];
      });
    const placed = holding(root).sort();
    expect(placed).toEqual(expect.arrayContaining(['.github/CODEOWNERS', '.github/workflows/pr-check.yml', 'README.md', 'package.json']));
    const [note = '', command = ''] = result.stderr.split('\n');
    const named = /It is in (.*): replace it in each/.exec(note)?.[1]?.split(/, | and /) ?? [];
    expect(named.sort()).toEqual(placed);
    expect(command).toMatch(/^ {2}perl -pi -e 's\/your-org\/<owner>\/g' /);
    execFileSync('sh', ['-c', command.replace('<owner>', 'acme')], { cwd: parent });
    expect(holding(root)).toEqual([]);
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))).toMatchObject({ devDependencies: { schemaflow: 'github:acme/schemaflow#v1' } });
  });

  // Regression: a file where init makes a directory (dir itself, dir/.github) was an unexpected
  // EEXIST error after `git init` and the first files, which stayed behind.
  it('refuses a file where a directory must go (exit 2, naming it) before git init or any write', { timeout: 60_000 }, async () => {
    const root = realpathSync(scratch());
    writeFileSync(join(root, 'a-file'), '');
    const notDir = await runSchemaflow(['init', 'a-file', '--org', 'acme'], { cwd: root, env });
    expect({ code: notDir.code, stdout: notDir.stdout }).toEqual({ code: 2, stdout: '' });
    expect(notDir.stderr).toContain(`schemaflow: error: init a-file: ${join(root, 'a-file')} is not a directory, so ${join(root, 'a-file/catalog/catalog.yaml')} cannot be created. Move what is in the way, or run init in another directory. Nothing was written.`);
    mkdirSync(join(root, 'd'));
    writeFileSync(join(root, 'd/.github'), '');
    const blocked = await runSchemaflow(['init', 'd', '--org', 'acme'], { cwd: root, env });
    expect({ code: blocked.code, stdout: blocked.stdout }).toEqual({ code: 2, stdout: '' });
    expect(blocked.stderr).toContain(`init d: ${join(root, 'd/.github')} is not a directory, so ${join(root, 'd/.github/CODEOWNERS')} cannot be created.`);
    expect(readdirSync(join(root, 'd'))).toEqual(['.github']);
  });

  // Regression: init in a subdirectory of a repository wrote .github/ there, where GitHub never reads it.
  it('refuses a directory below the top of a repository (exit 2, naming both), and scaffolds at the top', { timeout: 60_000 }, async () => {
    const top = realpathSync(scratch());
    git(top, 'init', '-q', '-b', 'main');
    mkdirSync(join(top, 'services'));
    for (const [cwd, args, target] of [[join(top, 'services'), [], join(top, 'services')], [top, ['acme-catalog'], join(top, 'acme-catalog')]] as const) {
      const refused = await runSchemaflow(['init', ...args, '--org', 'acme'], { cwd, env });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain(`${target} is inside the git repository ${top}, and GitHub reads workflows and CODEOWNERS only at the top of a repository: ${join(target, '.github')} would never run, ${join(top, '.github')} would.`);
      expect(refused.stderr).toContain(`Run schemaflow init in ${top}`);
      expect(refused.stderr).toContain(`(git init ${target})`);
    }
    expect(readdirSync(top).sort()).toEqual(['.git', 'services']);
    expect(readdirSync(join(top, 'services'))).toEqual([]);
    const atTop = await runSchemaflow(['init', '--org', 'acme'], { cwd: top, env });
    expect(atTop.code, atTop.stderr).toBe(0);
    expect(readFileSync(join(top, '.github/workflows/pr-check.yml'), 'utf8')).toContain('acme/schemaflow/actions/check@v1');
  });

  // Regression: register.yml and site.yml ran on pushes to `main` only, whatever the repository's
  // branch: init in a repository on `master` (a plain `git init` on most machines, as init's own
  // advice says to run) scaffolded a registration and a site that never ran, and said nothing.
  it('scaffolds workflows that run on the default branch of the repository it joins', { timeout: 60_000 }, async () => {
    const branchesOf = (root: string, name: string): unknown[] => {
      const on = (parse(readFileSync(join(root, '.github/workflows', name), 'utf8')) as { on: Record<string, { branches?: unknown[] } | null> }).on;
      return Object.values(on).flatMap((trigger) => trigger?.branches ?? []);
    };
    const top = realpathSync(scratch());
    git(top, '-c', 'init.defaultBranch=master', 'init', '-q');
    const onMaster = await runSchemaflow(['init', '--org', 'acme'], { cwd: top, env });
    expect(onMaster.code, onMaster.stderr).toBe(0);
    expect(branchesOf(top, 'register.yml')).toEqual(['master']);
    expect(branchesOf(top, 'site.yml')).toEqual(['master']);
    expect(readFileSync(join(top, 'README.md'), 'utf8')).toContain('Branch protection on `master`');
    expect(onMaster.stdout).toContain('register.yml and site.yml run on pushes to master');
    // A clone takes the branch its remote's HEAD names, not the branch checked out.
    const remote = realpathSync(scratch());
    git(remote, 'init', '-q', '-b', 'trunk');
    git(remote, 'commit', '-q', '--allow-empty', '-m', 'first');
    const clone = join(realpathSync(scratch()), 'clone');
    git(dirname(clone), 'clone', '-q', remote, clone);
    git(clone, 'switch', '-q', '-c', 'add-catalog');
    const inClone = await runSchemaflow(['init', '--org', 'acme'], { cwd: clone, env });
    expect(inClone.code, inClone.stderr).toBe(0);
    expect(branchesOf(clone, 'register.yml')).toEqual(['trunk']);
    // A new repository is on main, as before.
    const parent = scratch();
    expect((await runSchemaflow(['init', 'fresh', '--org', 'acme'], { cwd: parent, env })).code).toBe(0);
    expect(branchesOf(join(parent, 'fresh'), 'register.yml')).toEqual(['main']);
  });

  // Regression: CODEOWNERS left package.json and package-lock.json to anyone: they decide the code
  // site.yml installs and runs (npm ci, with its install scripts) holding the OIDC identity that
  // registration publishes the manifest with, so a pull request could swap the CLI unreviewed by
  // the platform team.
  it('gives the platform team the files that decide what code the workflows run', () => {
    const workflows = Object.fromEntries(SCAFFOLD_WORKFLOWS.map((name) => [name, readFileSync(new URL(`../../.github/workflows/${name}`, import.meta.url), 'utf8')])) as Record<(typeof SCAFFOLD_WORKFLOWS)[number], string>;
    const files = new Map(scaffoldRepository({ org: 'acme', ref: 'v1', platformTeam: '@acme/platform', workflows }).map((file) => [file.file, file.content]));
    // GitHub's rule: the last matching line wins; an anchored /dir/ owns everything below it.
    const rules = (files.get('.github/CODEOWNERS') ?? '').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')).map((line) => line.trim().split(/\s+/));
    const ownersOf = (path: string): string[] => rules.filter(([pattern = '']) => pattern === `/${path}` || (pattern.endsWith('/') && `/${path}`.startsWith(pattern))).at(-1)?.slice(1) ?? [];
    for (const path of ['package.json', 'package-lock.json', '.npmrc', '.github/workflows/site.yml', '.github/CODEOWNERS', 'catalog/catalog.yaml', '.gitattributes']) expect({ path, owners: ownersOf(path) }).toEqual({ path, owners: ['@acme/platform'] });
  });

  // Regression: google-github-actions/auth, given the OIDC token that reaches the manifest bucket
  // and the lake, ran from a mutable tag (@v2): whoever moves the tag runs code with it.
  it('pins every action from outside GitHub and schemaflow to a full commit SHA', () => {
    const workflows = Object.fromEntries(SCAFFOLD_WORKFLOWS.map((name) => [name, readFileSync(new URL(`../../.github/workflows/${name}`, import.meta.url), 'utf8')])) as Record<(typeof SCAFFOLD_WORKFLOWS)[number], string>;
    const files = scaffoldRepository({ org: 'acme', ref: 'v1', platformTeam: '@acme/platform', workflows }).filter((file) => file.file.startsWith('.github/workflows/'));
    const thirdParty = files.flatMap((file) => Object.values((parse(file.content) as Workflow).jobs).flatMap((job) => job.steps.map((step) => step.uses ?? ''))).filter((uses) => uses !== '' && !uses.startsWith('actions/') && !uses.startsWith('acme/schemaflow/'));
    expect(thirdParty.length).toBeGreaterThan(0);
    for (const uses of thirdParty) expect(uses).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  // Regression: register.yml passed the manifest-url variable and env: prod, whose catalog.yaml
  // location won, so registration published where flow.yml (the variable) never read.
  it('scaffolds workflows in which registration publishes where the flow reads the manifest', () => {
    const workflows = Object.fromEntries(SCAFFOLD_WORKFLOWS.map((name) => [name, readFileSync(new URL(`../../.github/workflows/${name}`, import.meta.url), 'utf8')])) as Record<(typeof SCAFFOLD_WORKFLOWS)[number], string>;
    const files = scaffoldRepository({ org: 'acme', ref: 'v1', platformTeam: '@acme/platform', workflows });
    const root = scratch();
    for (const file of files) {
      mkdirSync(join(root, dirname(file.file)), { recursive: true });
      writeFileSync(join(root, file.file), file.content);
    }
    type Steps = { jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }> };
    const inputsOf = (name: string, action: string): Array<Record<string, string>> => Object.values((parse(readFileSync(join(root, '.github/workflows', name), 'utf8')) as Steps).jobs).flatMap((job) => job.steps.filter((step) => step.uses?.includes(`/actions/${action}@`)).map((step) => step.with ?? {}));
    const [register] = inputsOf('register.yml', 'register');
    const flows = inputsOf('flow.yml', 'flow');
    expect(register?.['manifest-url']).toBeDefined();
    // As the runner passes them, with each repository variable set to a location of its own.
    const withVariables = (inputs: Record<string, string> | undefined): Record<string, string> => Object.fromEntries(Object.entries(inputs ?? {}).map(([name, value]) => [name, String(value).replace(/\$\{\{ vars\.(\w+) \}\}/g, (_, variable: string) => `gs://${variable.toLowerCase().replace(/_/g, '-')}/x`)]));
    const inputs = withVariables(register);
    const environment = inputs.env === undefined ? undefined : { name: inputs.env, given: 'input env', directory: root };
    const published = resolveInEnvironment(['manifestUrl'], { env: {}, flags: flagsFromInputs(['manifestUrl'], (name) => inputs[name] ?? '') }, environment).values.manifestUrl;
    expect(flows.length).toBeGreaterThan(0);
    for (const flow of flows) expect(withVariables(flow)['manifest-url']).toBe(published);
  });

  // Regression: pr-check ran only on `paths: ['catalog/**']`, so the required status stayed pending
  // on a pull request touching only CODEOWNERS or a workflow (it could never merge), and its job
  // was named `check` while the READMEs say to require `catalog check`.
  it('scaffolds a pull-request check that runs on every pull request, as the status the READMEs name', () => {
    const workflows = Object.fromEntries(SCAFFOLD_WORKFLOWS.map((name) => [name, readFileSync(new URL(`../../.github/workflows/${name}`, import.meta.url), 'utf8')])) as Record<(typeof SCAFFOLD_WORKFLOWS)[number], string>;
    const files = new Map(scaffoldRepository({ org: 'acme', ref: 'v1', platformTeam: '@acme/platform', workflows }).map((file) => [file.file, file.content]));
    const prCheck = parse(files.get('.github/workflows/pr-check.yml') ?? '') as { on: { pull_request: Record<string, unknown> | null }; jobs: Record<string, { name?: string }> };
    expect(Object.keys(prCheck.on)).toEqual(['pull_request']);
    expect(prCheck.on.pull_request ?? {}).not.toHaveProperty('paths');
    expect(prCheck.on.pull_request ?? {}).not.toHaveProperty('paths-ignore');
    const statuses = Object.entries(prCheck.jobs).map(([id, job]) => job.name ?? id);
    const ownReadme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const readme of [files.get('README.md') ?? '', ownReadme]) {
      const required = [...readme.matchAll(/require[s]? the `([^`]+)` status/g)].map((match) => match[1]);
      expect(required.length).toBeGreaterThan(0);
      for (const status of required) expect(statuses).toContain(status);
    }
  });

  it('pins only local action steps and keeps every other line of the workflow', () => {
    for (const name of SCAFFOLD_WORKFLOWS) {
      const own = readFileSync(new URL(`../../.github/workflows/${name}`, import.meta.url), 'utf8');
      const pinned = pinWorkflow(own, 'acme', 'v2');
      expect(pinned.split('\n')).toHaveLength(own.split('\n').length);
      expect(pinned).not.toContain('./actions/');
      expect(pinned.replace(/acme\/schemaflow\/actions\/([a-z]+)@v2/g, './actions/$1')).toBe(own);
    }
    expect(onBranch('    branches: [main] # the default branch\n    branches: [main, next]\n', 'rel+1')).toBe('    branches: ["rel\\\\+1"] # the default branch\n    branches: [main, next]\n');
    expect(pinWorkflow('      - uses: ./actions/check\n\n      - uses: actions/checkout@v4 # ./actions/check\n', 'o', 'v1')).toBe('      - uses: o/schemaflow/actions/check@v1\n\n      - uses: actions/checkout@v4 # ./actions/check\n');
  });
});
