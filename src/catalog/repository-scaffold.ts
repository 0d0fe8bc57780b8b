/**
 * `schemaflow init`: the files of a company's catalog repository. The four workflows of DESIGN.md
 * §8 are schemaflow's own (.github/workflows/pr-check.yml, register.yml, flow.yml, site.yml,
 * shipped in the package), with each `uses: ./actions/<name>` pinned to a release of the
 * published actions, so the scaffold runs exactly what schemaflow's own repository runs. The CLI
 * comes from the same release through package.json (site.yml runs it after `npm ci`): schemaflow
 * is not on npm, so `npx schemaflow` works only where it is installed (elsewhere npx would fetch
 * whatever package holds that name on the registry).
 */

/**
 * The workflows `init` writes, by file name: the check, registration and the flow each call the
 * action of the same role; site publishes `schemaflow site` to GitHub Pages after registration.
 */
export const SCAFFOLD_WORKFLOWS = ['pr-check.yml', 'register.yml', 'flow.yml', 'site.yml'] as const;
export type ScaffoldWorkflow = (typeof SCAFFOLD_WORKFLOWS)[number];

export interface RepositoryScaffoldOptions {
  /** The GitHub owner of the schemaflow repository whose actions the workflows call. */
  readonly org: string;
  /** The release the workflows pin, e.g. `v1`. */
  readonly ref: string;
  /** Who reviews the rules (catalog.yaml, overrides, workflows), e.g. `@acme/platform`. */
  readonly platformTeam: string;
  /** The repository's default branch, whose pushes register.yml and site.yml run on [default: main]. */
  readonly branch?: string;
  /** schemaflow's own workflow files, by name. */
  readonly workflows: Readonly<Record<ScaffoldWorkflow, string>>;
}

const LOCAL_ACTION = /^([ \t]*(?:-[ \t]+)?uses:[ \t]+)\.\/actions\/([a-z-]+)[ \t]*$/gm;

/** A workflow of schemaflow's repository as a catalog repository calls it: `<org>/schemaflow/actions/<name>@<ref>`. */
export function pinWorkflow(text: string, org: string, ref: string): string {
  return text.replace(LOCAL_ACTION, (_, prefix: string, name: string) => `${prefix}${org}/schemaflow/actions/${name}@${ref}`);
}

const ON_MAIN = /^([ \t]*branches:[ \t]*)\[main\]([ \t]*(?:#.*)?)$/gm;

/**
 * A workflow that runs on pushes to `main` (register.yml, and site.yml after it) as a repository
 * whose default branch is `branch` needs it: GitHub matches the filter against the pushed branch,
 * so on any other branch the workflow would never run, and say nothing.
 */
export function onBranch(text: string, branch: string): string {
  // GitHub's filter patterns give * ? + ! a meaning: escaped (a branch name can hold + and !; git refuses * ? [ \ and spaces).
  const pattern = branch.replace(/[*?+!]/g, '\\$&');
  const item = /^[A-Za-z0-9._/-]+$/.test(pattern) ? pattern : JSON.stringify(pattern);
  return text.replace(ON_MAIN, (_, prefix: string, rest: string) => `${prefix}[${item}]${rest}`);
}

const CATALOG_YAML = `# schemaflow catalog defaults. Every subject lives in <team>/<name>/ (subject.yaml + 1.json, 2.json, …)
# and becomes the Kafka topic <team>-<name>. A pull request is judged by the base branch's copy
# of this file, so a change here applies from the next pull request on.

compatibility:
  # Never remove an attribute, never change a type; every new version must read and be read by
  # every earlier one: data in the lake lives for years.
  mode: FULL_TRANSITIVE
  policy: DEFAULT

# Levels per lint rule code: error (fails the check), warning (reported), off.
lint:
  MISSING_DESCRIPTION: error
  PII_UNDECIDED: warning

# Topic settings every subject gets unless its subject.yaml says otherwise.
topic:
  partitions: 3
  replicationFactor: 3
  retentionMs: 604800000 # 7 days: the lake keeps history, Kafka only the recent past
  cleanupPolicy: delete

# Per environment (--env; the register workflow passes env: prod): topic-setting overrides, and
# manifestUrl, lakeUrl and stateUrl, which stand in for the defaults of commands run with --env
# (a flag wins over the variable, the variable over these: --manifest-url, SCHEMAFLOW_MANIFEST_URL
# and so on). The workflows pass the repository variables SCHEMAFLOW_MANIFEST_URL and
# SCHEMAFLOW_LAKE_URL, so registration publishes where the flow reads.
environments:
  prod: {}
`;

function codeOwners(platformTeam: string): string {
  return [
    '# Each team owns its directory of the catalog; the platform team owns the rules and the automation.',
    '# Add a line per team: /catalog/<team>/ @<org>/<team>',
    `/catalog/catalog.yaml   ${platformTeam}`,
    `/catalog/overrides.yaml ${platformTeam}`,
    `/.github/               ${platformTeam}`,
    '# .gitattributes can rewrite catalog files on checkout (ident, filters): the check refuses that (CHECKOUT_DIFFERS), and the platform team reviews it.',
    `/.gitattributes         ${platformTeam}`,
    '# The CLI site.yml installs (npm ci, install scripts included) and runs with the OIDC identity registration publishes with.',
    `/package.json           ${platformTeam}`,
    `/package-lock.json      ${platformTeam}`,
    `/.npmrc                 ${platformTeam}`,
    '',
  ].join('\n');
}

function readme(options: RepositoryScaffoldOptions): string {
  return `# Event catalog

Every event the company produces, as JSON Schema, managed by [schemaflow](https://github.com/${options.org}/schemaflow).
A pull request is the registration API: \`catalog check\` explains every problem on the pull
request; on merge, registration assigns immutable IDs, creates the Kafka topics (topic =
\`<team>-<name>\`) and publishes the manifest; every hour the flow archives each topic into the lake.

## Add an event

The schemaflow CLI comes from package.json: \`${cliDependency(options)}\`, the release the
workflows pin. schemaflow is not on npm, so npm fetches it from GitHub and builds it (a few
minutes the first time), and \`npx schemaflow\` works only after \`npm install\`.

\`\`\`sh
npm install                                                       # once per clone
npx schemaflow new <team>/<name> --owners @${options.org}/<team>   # subject.yaml and 1.json
npx schemaflow check                                              # what the pull request check will say
\`\`\`

Edit the description, owners and properties, open a pull request, and merge once the check passes
and a code owner approved. A new version of an event is the next file (\`2.json\`); a merged
version never changes.

## Set up once

- Branch protection on \`${options.branch ?? 'main'}\`: require the \`catalog check\` status and a code-owner review.
- Repository variables: \`KAFKA_BROKERS\`, \`SCHEMAFLOW_MANIFEST_URL\`, \`SCHEMAFLOW_LAKE_URL\`,
  \`SCHEMAFLOW_STATSD_HOST\` (optional), \`GCP_WORKLOAD_IDENTITY_PROVIDER\`, \`GCP_SERVICE_ACCOUNT\`;
  secrets \`KAFKA_USERNAME\` and \`KAFKA_PASSWORD\`.
- Runners must reach the brokers (SASL_SSL endpoints, or self-hosted runners in their network).
- The searchable catalog on GitHub Pages (\`.github/workflows/site.yml\`, after each registration):
  Settings → Pages → Source: GitHub Actions, and read access to the manifest bucket (and the
  lake, for freshness) for \`GCP_SERVICE_ACCOUNT\`.
`;
}

/** The npm spec of the CLI at the release the workflows pin: schemaflow's GitHub repository at `ref`. */
export function cliDependency(options: Pick<RepositoryScaffoldOptions, 'org' | 'ref'>): string {
  return `github:${options.org}/schemaflow#${options.ref}`;
}

function packageJson(options: RepositoryScaffoldOptions): string {
  const manifest = {
    private: true, // a repository of schemas, never a package to publish
    description: 'The event catalog: JSON Schemas managed by schemaflow, whose CLI (npx schemaflow) is installed from its GitHub release.',
    devDependencies: { schemaflow: cliDependency(options) },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * The files of a new catalog repository, relative to its root: catalog.yaml, CODEOWNERS, a
 * README, a package.json installing the CLI of release `ref`, a .gitignore and the four
 * workflows, their actions pinned to `<org>/schemaflow/actions/<name>@<ref>`, running on pushes
 * to `branch`.
 */
export function scaffoldRepository(options: RepositoryScaffoldOptions): Array<{ file: string; content: string }> {
  return [
    { file: 'catalog/catalog.yaml', content: CATALOG_YAML },
    { file: '.github/CODEOWNERS', content: codeOwners(options.platformTeam) },
    ...SCAFFOLD_WORKFLOWS.map((name) => ({ file: `.github/workflows/${name}`, content: onBranch(pinWorkflow(options.workflows[name], options.org, options.ref), options.branch ?? 'main') })),
    { file: 'README.md', content: readme(options) },
    { file: 'package.json', content: packageJson(options) },
    { file: '.gitignore', content: '.schemaflow/\nlake/\nnode_modules/\n' },
  ];
}
