import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRepository } from '../../adapters/git/repository.js';
import { nameProblems } from '../../catalog/layout.js';
import { scaffoldSubject } from '../../catalog/scaffold.js';
import { SchemaflowError, UsageError } from '../../domain/errors.js';
import { subjectOf } from '../../domain/names.js';
import { createJsdDiffer } from '../../adapters/jsd/differ.js';
import { checkCatalog } from '../../usecases/check-catalog.js';
import { crossCheckCatalog } from '../../usecases/cross-check.js';
import { defineCommand } from '../command.js';
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
    "judged by the base branch's catalog.yaml. Exit 0: no errors; 1: errors found; 2: bad invocation,",
    'base branch missing or shallow clone (fetch with fetch-depth: 0).',
  ].join('\n'),
  async run({ options, config, env, io }) {
    const format = (options.format ?? 'text') as FindingFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(options.format)}`);
    const repository = openRepository(process.cwd());
    const differ = createJsdDiffer({ timeoutMs: 2_000 });
    try {
      const checked = checkCatalog(repository, {
        catalogDir: config.catalogDir,
        baseCandidates: baseCandidates(options.base, env),
        differ,
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
    const [target, ...extra] = positionals;
    const match = /^([^/]+)\/([^/]+)$/.exec(target ?? '');
    if (!match || extra.length > 0) throw new UsageError('expected exactly one <team>/<name>, e.g. `schemaflow new payments/order-placed`');
    const [, team = '', name = ''] = match;
    const problems = nameProblems(team, name);
    if (problems.length > 0) throw new UsageError(problems.map((problem) => problem.message).join('\n'));
    const repository = openRepository(process.cwd());
    const dir = join(repository.root, config.catalogDir, team, name);
    if (existsSync(dir)) throw new SchemaflowError('SUBJECT_EXISTS', `${config.catalogDir}/${team}/${name} already exists; add a version file there instead.`);
    mkdirSync(dir, { recursive: true });
    const owners = options.owners !== undefined ? options.owners.split(',').map((owner) => owner.trim()).filter(Boolean) : undefined;
    const description = options.description;
    for (const file of scaffoldSubject(team, name, { ...(description ? { description } : {}), ...(owners ? { owners } : {}) })) {
      writeFileSync(join(dir, file.file), file.content, { flag: 'wx' });
      io.out(`created ${config.catalogDir}/${team}/${name}/${file.file}`);
    }
    io.out(`next: edit the description and owners, add properties to 1.json, then run \`schemaflow check\`; the topic will be ${subjectOf(team, name)}.`);
    return Promise.resolve(0);
  },
});

/** `schemaflow check` and `schemaflow new`. */
export const catalogCommands = [check, create];
