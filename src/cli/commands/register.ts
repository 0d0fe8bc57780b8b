import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafkaClient } from '../../adapters/kafka/client.js';
import { createTopicAdmin } from '../../adapters/kafka/topic-admin.js';
import { openRepository } from '../../adapters/git/repository.js';
import { openObjectStore } from '../../adapters/lake/object-store.js';
import { readCatalogSettings } from '../../catalog/config-files.js';
import { parseYamlDocument } from '../../catalog/documents.js';
import type { Config } from '../../config/resolve.js';
import { SchemaflowError, UsageError } from '../../domain/errors.js';
import type { TopicAdmin } from '../../topics/plan.js';
import { registerCatalog, type RegisterReport } from '../../usecases/register.js';
import { defineCommand, type Io } from '../command.js';

type Settings = Pick<Config, 'catalogDir' | 'kafkaBrokers' | 'kafkaSaslMechanism' | 'kafkaSaslUsername' | 'kafkaSaslPassword' | 'kafkaSsl' | 'manifestUrl' | 'gcsEndpoint'>;
const SETTINGS = ['catalogDir', 'kafkaBrokers', 'kafkaSaslMechanism', 'kafkaSaslUsername', 'kafkaSaslPassword', 'kafkaSsl', 'manifestUrl', 'gcsEndpoint'] as const;

/** The manifest location: the environment's in catalog.yaml when --env names one that sets it. */
function manifestUrlFor(root: string, config: Settings, environment: string | undefined): string {
  if (!environment) return config.manifestUrl;
  const file = join(config.catalogDir, 'catalog.yaml');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(join(root, file));
  } catch {
    throw new UsageError(`--env ${environment} needs ${file}`, { code: 'CONFIG_INVALID' });
  }
  const parsed = parseYamlDocument(file, bytes);
  const settings = parsed.ok ? readCatalogSettings(parsed.document).settings : undefined;
  const entry = settings?.environments[environment];
  if (!entry) throw new UsageError(`environment ${JSON.stringify(environment)} is not in ${file}`, { code: 'CONFIG_INVALID' });
  return entry.manifestUrl ?? config.manifestUrl;
}

async function withTopicAdmin<T>(config: Settings, required: boolean, use: (topics: TopicAdmin | undefined) => Promise<T>): Promise<T> {
  const admin = createKafkaClient(config, 'schemaflow-register').admin();
  try {
    await admin.connect();
  } catch (error) {
    if (required) throw new SchemaflowError('KAFKA_UNREACHABLE', `cannot reach the Kafka brokers ${config.kafkaBrokers.join(',')}: ${error instanceof Error ? error.message : String(error)}. Nothing was created or published. Runners must reach the brokers (see the README: SASL_SSL or self-hosted runners).`, { cause: error, retriable: true });
    return use(undefined);
  }
  try {
    return await use(createTopicAdmin(admin));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function print(report: RegisterReport, io: Io, location: string): void {
  io.out(`manifest serial ${report.manifest.serial} of ${report.manifest.sourceCommit.slice(0, 12)}${report.previousSerial !== undefined ? ` (last published: serial ${report.previousSerial})` : ' (first registration)'}`);
  io.out(report.newVersions.length === 0 ? 'new versions: none' : 'new versions:');
  for (const version of report.newVersions) io.out(`  ${version.subject} v${version.version} → ID ${version.id}`);
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
  return async ({ options, config, io }: { options: Readonly<Record<string, string | boolean | undefined>>; config: Settings; io: Io }): Promise<number> => {
    const repository = openRepository(process.cwd());
    const environment = typeof options.env === 'string' ? options.env : undefined;
    const location = manifestUrlFor(repository.root, config, environment);
    const manifests = openObjectStore(location, { ...(config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {}), cwd: repository.root });
    const report = await withTopicAdmin(config, requireCluster, (topics) =>
      registerCatalog({ repository, manifests, ...(topics ? { topics } : {}) }, { catalogDir: config.catalogDir, ...(environment ? { environment } : {}), dryRun, reconcile: options.reconcile === true }),
    );
    if (options.format === 'json') io.out(JSON.stringify({ ...report, manifest: { serial: report.manifest.serial, sourceCommit: report.manifest.sourceCommit, environment: report.manifest.environment } }, null, 2));
    else print(report, io, manifests.location);
    return 0;
  };
}

const register = defineCommand({
  name: 'register',
  summary: 'on the default branch: re-verify, assign IDs, create/alter topics, publish the manifest',
  settings: SETTINGS,
  options: {
    'dry-run': { type: 'boolean', description: 'plan with live state, change nothing' },
    reconcile: { type: 'boolean', description: 'also revert topic configs the catalog does not explain (drift)' },
    env: { type: 'string', valueName: 'name', description: 'a catalog.yaml environment: its topic overrides and manifest location' },
  },
  details: 'Exit 0: published, unchanged, or superseded by a newer commit; 1: refused (a finding, a rewritten history, an unreachable broker) with nothing published; 2: bad configuration.',
  run: ({ options, config, io }) => runRegistration(options['dry-run'] === true, true)({ options, config, io }),
});

const plan = defineCommand({
  name: 'plan',
  summary: 'what registration would do: IDs, topics to create or change, manifest serial',
  settings: SETTINGS,
  options: {
    env: { type: 'string', valueName: 'name', description: 'a catalog.yaml environment' },
    reconcile: { type: 'boolean', description: 'plan the removal of drift too' },
    format: { type: 'string', valueName: 'text|json', description: 'output format [default: text]' },
  },
  details: 'Reads the cluster when it is reachable; otherwise the plan is provisional (every topic a creation). Changes nothing.',
  run: ({ options, config, io }) => runRegistration(true, false)({ options, config, io }),
});

/** `schemaflow register` and `schemaflow plan`. */
export const registerCommands = [plan, register];
