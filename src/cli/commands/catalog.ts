import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { defaultBranchOf, initRepository, openRepository, workTreeTopLevel } from '../../adapters/git/repository.js';
import { SCAFFOLD_WORKFLOWS, cliDependency, scaffoldRepository, type ScaffoldWorkflow } from '../../catalog/repository-scaffold.js';
import { fileLakeNameProblem } from '../../archive/layout.js';
import { nameProblems } from '../../catalog/layout.js';
import { OWNER_PATTERN } from '../../catalog/config-files.js';
import { scaffoldOptionProblems, scaffoldSubject } from '../../catalog/scaffold.js';
import { SchemaflowError, UsageError } from '../../domain/errors.js';
import { subjectOf } from '../../domain/names.js';
import { createJsdDiffer } from '../../adapters/jsd/differ.js';
import { createPatternSandbox } from '../../adapters/pattern-sandbox.js';
import { checkCatalog } from '../../usecases/check-catalog.js';
import { crossCheckCatalog } from '../../usecases/cross-check.js';
import { defineCommand, oneOf } from '../command.js';
import { checkFilesCreatable, prepareDirectory } from '../output-path.js';
import { formatReport, type FindingFormat } from '../format-findings.js';

const FORMATS: readonly FindingFormat[] = ['text', 'json', 'github'];

/** The base refs to try: --base, else the PR's base branch in Actions, else origin/HEAD, else main. */
function baseCandidates(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string[] {
  if (flag) return [flag];
  const prBase = env.GITHUB_BASE_REF;
  if (prBase) return [`origin/${prBase}`, prBase];
  return ['origin/HEAD', 'main'];
}

const check = defineCommand({
  name: 'check',
  summary: 'check the catalog change against the base branch: layout, lint, immutability',
  settings: ['catalogDir'],
  options: {
    base: { type: 'string', valueName: 'ref', description: 'base branch to compare with [default: origin/$GITHUB_BASE_REF, else origin/HEAD, else main]' },
    format: { type: 'string', valueName: 'text|json|github', description: 'output format; github prints workflow-command annotations [default: text]' },
  },
  details: [
    'Compares the working tree with the base branch and reports every problem in what changed,',
    "judged by the base branch's catalog.yaml. In GitHub Actions (GITHUB_ACTIONS=true) it checks HEAD's commit, as the",
    'check action does: what a merge registers, not files a .gitattributes rule rewrote on checkout (CHECKOUT_DIFFERS).',
    'Exit 0: no errors; 1: errors found; 2: bad invocation,',
    'base branch missing, or a shallow clone (check out with fetch-depth: 0, or run git fetch --unshallow).',
  ].join('\n'),
  async run({ options, config, env, io }) {
    const format = oneOf(options.format, FORMATS, 'text', 'format');
    const repository = openRepository(process.cwd(), 'the check compares the catalog with the base branch, so run it in a clone of the catalog repository');
    const differ = createJsdDiffer({ timeoutMs: 2_000 });
    try {
      const head = env.GITHUB_ACTIONS === 'true' ? repository.resolveCommit('HEAD') : undefined;
      const checked = checkCatalog(repository, {
        catalogDir: config.catalogDir,
        baseCandidates: baseCandidates(options.base, env),
        differ,
        untrustedPatterns: createPatternSandbox(),
        ...(head ? { head: { ref: 'HEAD', commit: head } } : {}),
      });
      const report = await crossCheckCatalog(checked, differ);
      for (const line of formatReport(report, format)) io.out(line);
      return report.findings.some((finding) => finding.severity === 'error') ? 1 : 0;
    } finally {
      await differ.close();
    }
  },
});

const create = defineCommand({
  name: 'new',
  summary: 'scaffold a subject (subject.yaml and 1.json) that passes `check`',
  args: '<team>/<name>',
  settings: ['catalogDir'],
  options: {
    description: { type: 'string', valueName: 'text', description: 'what one event means [default: a TODO to edit]' },
    owners: { type: 'string', valueName: '@org/team,…', description: 'comma-separated GitHub owners [default: @<team>]' },
  },
  async run({ positionals, options, config, io }) {
    const match = /^([^/]+)\/([^/]+)$/.exec(positionals[0] ?? '');
    if (!match) throw new UsageError('expected one <team>/<name>, e.g. `schemaflow new payments/order-placed`');
    const [, team = '', name = ''] = match;
    const problems = nameProblems(team, name);
    if (problems.length > 0) throw new UsageError(problems.map((problem) => problem.message).join('\n'));
    const owners = options.owners?.split(',').map((owner) => owner.trim()).filter(Boolean);
    const subjectOptions = { ...(options.description !== undefined ? { description: options.description } : {}), ...(owners ? { owners } : {}) };
    const optionProblems = scaffoldOptionProblems(team, name, subjectOptions);
    if (optionProblems.length > 0) throw new UsageError(`${optionProblems.join('\n')}\nNothing was written.`);
    const repository = openRepository(process.cwd(), `new writes the subject into ${config.catalogDir}/ at the top of the catalog repository, so run it in a clone of that repository (or start one with schemaflow init)`);
    const dir = join(repository.root, config.catalogDir, team, name);
    const files = scaffoldSubject(team, name, subjectOptions);
    const label = `new ${team}/${name}`;
    // Checked before the first write: both files are written, or neither.
    checkFilesCreatable(files.map((file) => join(dir, file.file)), label, `Move or rename what is in the way: the subject's files go in ${config.catalogDir}/${team}/${name}/. Nothing was written.`);
    if (existsSync(dir)) throw new SchemaflowError('SUBJECT_EXISTS', `${config.catalogDir}/${team}/${name} already exists; add a version file there instead.`);
    prepareDirectory(dir, label);
    for (const file of files) {
      writeFileSync(join(dir, file.file), file.content, { flag: 'wx' });
      io.out(`created ${config.catalogDir}/${team}/${name}/${file.file}`);
    }
    io.out(`next: edit the description and owners, add properties to 1.json, then run \`schemaflow check\`; the topic will be ${subjectOf(team, name)}.`);
    // Kafka and GCS take the name, so it is written; `check` warns the same (TOPIC_NAME_TOO_LONG_FOR_FILE_LAKE).
    const fileLake = fileLakeNameProblem(team, name);
    if (fileLake) io.err(`warning: TOPIC_NAME_TOO_LONG_FOR_FILE_LAKE: ${fileLake.message}`);
    return Promise.resolve(0);
  },
});

/** `path` as one word of a POSIX shell command: quoted when it holds anything but letters, digits and ./_-. */
function shellWord(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** A GitHub user or organization name: up to 39 letters, digits and hyphens, starting and ending with a letter or digit. */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/;

/**
 * GitHub reads `.github/workflows/` and `.github/CODEOWNERS` only at the top of a repository: a
 * scaffold in a subdirectory of one would never run its checks. Exit 2, nothing written.
 */
function refuseBelowRepositoryTop(root: string): void {
  const top = workTreeTopLevel(root);
  if (top === undefined || (existsSync(root) && realpathSync(root) === top)) return;
  throw new UsageError(
    `${root} is inside the git repository ${top}, and GitHub reads workflows and CODEOWNERS only at the top of a repository: ${join(root, '.github')} would never run, ${join(top, '.github')} would. ` +
      `Run schemaflow init in ${top} to keep the catalog in that repository, or make ${root} a repository of its own first (git init ${root}). Nothing was written.`,
    { code: 'NOT_REPOSITORY_TOP' },
  );
}

const init = defineCommand({
  name: 'init',
  summary: 'scaffold a company catalog repository: catalog/, CODEOWNERS, the four workflows and a package.json for the CLI',
  args: '[dir]',
  settings: [],
  options: {
    org: { type: 'string', valueName: 'owner', description: 'GitHub owner of the schemaflow repository the workflows call [default: your-org, to replace]' },
    ref: { type: 'string', valueName: 'tag', description: 'release of the actions the workflows pin and of the CLI package.json installs [default: v1]' },
    'platform-team': { type: 'string', valueName: '@org/team', description: 'reviewers of the rules and workflows in CODEOWNERS [default: @<org>/platform]' },
  },
  details: [
    'Writes catalog/catalog.yaml, .github/CODEOWNERS, .github/workflows/{pr-check,register,flow,site}.yml (the actions',
    'pinned to <org>/schemaflow/actions/<name>@<ref>; site publishes `schemaflow site` to GitHub Pages), a README, a .gitignore and a package.json whose devDependency is the CLI',
    'of the same release (github:<org>/schemaflow#<ref>: schemaflow is not on npm) into dir (default: the current directory),',
    'and runs `git init` when dir is not in a repository (branch main). In a repository, register.yml and site.yml run on',
    'pushes to its default branch (origin/HEAD, else the branch checked out). Existing files are never overwritten (exit 1, nothing written).',
    'dir must be the top of its repository, where GitHub reads .github/: inside a repository, anywhere else is exit 2.',
    'A file where a directory must go (dir itself, dir/.github, dir/catalog) is exit 2, naming it; nothing written.',
  ].join('\n'),
  run({ positionals, options, io }) {
    const org = options.org ?? 'your-org';
    if (!OWNER.test(org)) throw new UsageError(`--org must be a GitHub user or organization name, not ${JSON.stringify(org)}`);
    const ref = options.ref ?? 'v1';
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(ref)) throw new UsageError(`--ref must be a tag or branch name, not ${JSON.stringify(ref)}`);
    const platformTeam = options['platform-team'] ?? `@${org}/platform`;
    // CODEOWNERS names the same owners as subject.yaml: the rule `check` holds owners to.
    if (!OWNER_PATTERN.test(platformTeam)) throw new UsageError(`--platform-team must be @user or @org/team as subject.yaml owners are (the user or org starts and ends with a letter or digit), not ${JSON.stringify(platformTeam)}`);
    const root = resolve(positionals[0] ?? '.');
    const label = `init ${positionals[0] ?? '.'}`;
    // schemaflow's own workflows ship in the package: the scaffold runs exactly what this repository runs.
    const workflows = Object.fromEntries(SCAFFOLD_WORKFLOWS.map((name) => [name, readFileSync(new URL(`../../../.github/workflows/${name}`, import.meta.url), 'utf8')])) as Record<ScaffoldWorkflow, string>;
    const scaffold = (branch: string): Array<{ file: string; content: string }> => scaffoldRepository({ org, ref, platformTeam, workflows, branch });
    // Every path is checked before `git init` and the first write: all of the scaffold is written, or nothing.
    checkFilesCreatable(scaffold('main').map((file) => join(root, file.file)), label, 'Move what is in the way, or run init in another directory. Nothing was written.');
    refuseBelowRepositoryTop(root);
    // In a repository of its own, registration and the site run on pushes to its default branch; a new one is on main.
    const branch = (existsSync(root) ? defaultBranchOf(root) : undefined) ?? 'main';
    const files = scaffold(branch);
    const taken = files.filter((file) => existsSync(join(root, file.file))).map((file) => file.file);
    if (taken.length > 0) throw new SchemaflowError('FILES_EXIST', `${root} already has ${taken.join(', ')}; nothing was written. Run init in an empty directory, or move those files away.`);
    prepareDirectory(root, label);
    const created = initRepository(root);
    const shown = relative(process.cwd(), root) || '.';
    for (const file of files) {
      prepareDirectory(dirname(join(root, file.file)), label);
      writeFileSync(join(root, file.file), file.content, { flag: 'wx' });
      io.out(`created ${join(shown, file.file)}`);
    }
    if (created) io.out(`initialized a git repository in ${shown} (branch main)`);
    else if (branch !== 'main') io.out(`register.yml and site.yml run on pushes to ${branch}, this repository's default branch (origin/HEAD, else the branch checked out)`);
    // Rerunning with --org is no way out: the files are there now (FILES_EXIST). Name each one holding the placeholder.
    const placeholders = options.org === undefined ? files.filter((file) => file.content.includes(org)).map((file) => file.file) : [];
    if (placeholders.length > 0) {
      const listed = placeholders.length === 1 ? placeholders.join('') : `${placeholders.slice(0, -1).join(', ')} and ${placeholders.at(-1) ?? ''}`;
      io.err(`note: ${org} stands for your GitHub organization, the owner of the schemaflow repository the workflows call and package.json installs (--org). It is in ${listed}: replace it in each (init never writes over a file, so rerunning it with --org does not), e.g.`);
      io.err(`  perl -pi -e 's/${org}/<owner>/g' ${placeholders.map((file) => shellWord(join(shown, file))).join(' ')}`);
    }
    io.out('');
    io.out('next:');
    if (shown !== '.') io.out(`  cd ${shellWord(shown)}`);
    io.out(`  npm install                                        # the CLI from package.json (${cliDependency({ org, ref })}; not on npm), built on install: a few minutes the first time`);
    io.out('  git add -A && git commit -m "catalog: scaffold"   # the base the first pull request is checked against, with package-lock.json');
    io.out('  npx schemaflow new <team>/<name>                   # your first event, then: npx schemaflow check');
    io.out('  set the repository variable SCHEMAFLOW_MANIFEST_URL (gs://bucket/manifests, where registration publishes and the flow reads) and edit .github/CODEOWNERS (one line per team); see README.md');
    return Promise.resolve(0);
  },
});

/** `schemaflow check`, `schemaflow new` and `schemaflow init`. */
export const catalogCommands = [check, create, init];
