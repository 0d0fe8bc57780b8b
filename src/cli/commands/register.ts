import { defaultBranchRef } from '../../adapters/git/default-branch.js';
import { openRepository } from '../../adapters/git/repository.js';
import { openObjectStore } from '../../adapters/lake/object-store.js';
import { createPatternSandbox } from '../../adapters/pattern-sandbox.js';
import { REGISTRATION_SETTINGS, withTopicAdmin, type RegistrationSettings } from '../../adapters/registration-ports.js';
import { CLI_MANIFEST_NAMES, manifestOrigin, refuseReadOnlyManifest } from '../../config/manifest-hint.js';
import type { SettingSource } from '../../config/resolve.js';
import { registerCatalog, type RegisterReport } from '../../usecases/register.js';
import { defineCommand, environmentOption, FORMAT_OPTION, outputFormat, type Io } from '../command.js';

function print(report: RegisterReport, io: Io, location: string): void {
  io.out(`manifest serial ${report.manifest.serial} of ${report.manifest.sourceCommit.slice(0, 12)}${report.previousSerial !== undefined ? ` (last published: serial ${report.previousSerial})` : ' (first registration)'}`);
  io.out(report.newVersions.length === 0 ? 'new versions: none' : 'new versions:');
  for (const version of report.newVersions) io.out(`  ${version.subject} v${version.version} → ID ${version.id}`);
  io.out(report.changes.length === 0 ? 'manifest changes: none' : 'manifest changes:');
  for (const change of report.changes) io.out(`  ${change}`);
  io.out(`topics${report.topics.live ? '' : ' (provisional: computed from git, not from the cluster)'}:`);
  if (report.topics.actions.length === 0) io.out('  no change');
  for (const action of report.topics.actions) {
    if (action.kind === 'create') io.out(`  create ${action.topic} (${action.partitions ?? 'default'} partitions, replication ${action.replicationFactor ?? 'default'}${Object.keys(action.configs).length > 0 ? `, ${Object.entries(action.configs).map(([key, value]) => `${key}=${value}`).join(', ')}` : ''})`);
    else if (action.kind === 'alter-configs') io.out(`  alter ${action.topic}: ${action.changes.map((change) => `${change.key} ${change.from ?? '(unset)'} → ${change.to ?? '(unset)'}`).join(', ')}`);
    else io.out(`  partitions ${action.topic}: ${action.from} → ${action.to}`);
  }
  for (const warning of report.topics.warnings) io.out(`  warning: ${warning}`);
  const publish = report.publish;
  if (publish.status === 'published') io.out(`published ${publish.keys.join(' and ')} to ${location}`);
  else if (publish.status === 'unchanged') io.out(`manifest unchanged (serial ${publish.serial}): nothing to publish`);
  else if (publish.status === 'superseded') io.out(`superseded by ${publish.by}: a newer commit is already registered; nothing changed`);
  else io.out('dry run: nothing was created, altered or published');
}

function runRegistration(dryRun: boolean, requireCluster: boolean) {
  return async ({ options, config, sources, env, io }: { options: { readonly env?: string; readonly reconcile?: boolean; readonly format?: string }; config: RegistrationSettings; sources: Readonly<Record<'manifestUrl', SettingSource>>; env: Readonly<Record<string, string | undefined>>; io: Io }): Promise<number> => {
    const format = outputFormat(options.format);
    // The environment's manifestUrl, when it names one, is already config.manifestUrl's default (runCli).
    const environment = options.env;
    refuseReadOnlyManifest(manifestOrigin(config, sources.manifestUrl, environment, CLI_MANIFEST_NAMES));
    const repository = openRepository(process.cwd(), 'plan and register build the manifest from the catalog as committed and its history, so run them in a clone of the catalog repository');
    const defaultBranch = defaultBranchRef(env, repository);
    // A relative file:// location is read from where the command runs, as every reader of it (produce, flow, show…) reads it: from the repository's root, registration run in a subdirectory published where no reader looked.
    const manifests = openObjectStore(config.manifestUrl, { ...(config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {}), cwd: process.cwd() });
    const report = await withTopicAdmin(config, requireCluster, (topics) =>
      registerCatalog({ repository, manifests, untrustedPatterns: createPatternSandbox(), ...(topics ? { topics } : {}) }, { catalogDir: config.catalogDir, ...(environment ? { environment } : {}), dryRun, reconcile: options.reconcile === true, ...(defaultBranch ? { defaultBranch } : {}) }),
    );
    if (format === 'json') io.out(JSON.stringify({ ...report, manifest: { serial: report.manifest.serial, sourceCommit: report.manifest.sourceCommit, environment: report.manifest.environment } }, null, 2));
    else print(report, io, manifests.location);
    return 0;
  };
}

const register = defineCommand({
  name: 'register',
  summary: 'on the default branch: re-verify, assign IDs, create/alter topics, publish the manifest',
  settings: REGISTRATION_SETTINGS,
  registration: true,
  options: {
    'dry-run': { type: 'boolean', description: 'plan with live state, change nothing' },
    reconcile: { type: 'boolean', description: 'also revert topic configs the catalog does not explain (drift)' },
    env: environmentOption(REGISTRATION_SETTINGS, 'its topic overrides'),
  },
  details: 'Exit 0: published, unchanged, or superseded by a newer commit; 1: refused (a finding, a rewritten history, an unreachable broker) with nothing published; 2: bad configuration.',
  run: ({ options, config, sources, env, io }) => runRegistration(options['dry-run'] === true, true)({ options, config, sources, env, io }),
});

const plan = defineCommand({
  name: 'plan',
  summary: 'what registration would do: IDs, topics to create or change, manifest serial',
  settings: REGISTRATION_SETTINGS,
  registration: true,
  options: {
    env: environmentOption(REGISTRATION_SETTINGS, 'its topic overrides'),
    reconcile: { type: 'boolean', description: 'plan the removal of drift too' },
    format: FORMAT_OPTION,
  },
  details: 'Reads the cluster when it is reachable; otherwise the plan is provisional (every topic a creation). Changes nothing.',
  run: ({ options, config, sources, env, io }) => runRegistration(true, false)({ options, config, sources, env, io }),
});

/** `schemaflow register` and `schemaflow plan`. */
export const registerCommands = [plan, register];
