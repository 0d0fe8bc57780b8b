import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCatalogSettings, type CatalogSettings } from '../catalog/config-files.js';
import { parseYamlDocument } from '../catalog/documents.js';
import type { Config, SettingSource } from '../config/resolve.js';
import { SchemaflowError, UsageError, messageOf } from '../domain/errors.js';
import type { TopicAdmin } from '../topics/plan.js';
import { createKafkaClient } from './kafka/client.js';
import { createTopicAdmin } from './kafka/topic-admin.js';

/* Wiring shared by the register command and the register action: config -> adapters. */

/** The settings registration reads. */
export type RegistrationSettings = Pick<Config, 'catalogDir' | 'kafkaBrokers' | 'kafkaSaslMechanism' | 'kafkaSaslUsername' | 'kafkaSaslPassword' | 'kafkaSsl' | 'manifestUrl' | 'gcsEndpoint'>;
export const REGISTRATION_SETTINGS = ['catalogDir', 'kafkaBrokers', 'kafkaSaslMechanism', 'kafkaSaslUsername', 'kafkaSaslPassword', 'kafkaSsl', 'manifestUrl', 'gcsEndpoint'] as const;

/** An environment of a catalog.yaml (`file`, as `shown` in messages); `missing-file` when there is no such file. */
export function readEnvironment(file: string, shown: string, name: string): CatalogSettings['environments'][string] | 'missing-file' | undefined {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    return 'missing-file';
  }
  const parsed = parseYamlDocument(shown, bytes);
  return parsed.ok ? readCatalogSettings(parsed.document).settings?.environments[name] : undefined;
}

/**
 * The manifest location, by the precedence of every setting (README, Configuration): the flag
 * (or action input) `manifest-url`, else `SCHEMAFLOW_MANIFEST_URL`, else the `manifestUrl` of the
 * catalog.yaml environment `--env` names, which stands in for the default, else the default.
 * `source` is where the resolved `manifestUrl` came from. The environment is checked either way.
 */
export function manifestUrlFor(root: string, config: RegistrationSettings, environment: string | undefined, source: SettingSource): string {
  if (!environment) return config.manifestUrl;
  const file = join(config.catalogDir, 'catalog.yaml');
  const entry = readEnvironment(join(root, file), file, environment);
  if (entry === 'missing-file') throw new UsageError(`--env ${environment} needs ${file}`, { code: 'CONFIG_INVALID' });
  if (!entry) throw new UsageError(`environment ${JSON.stringify(environment)} is not in ${file}`, { code: 'CONFIG_INVALID' });
  return source === 'default' ? (entry.manifestUrl ?? config.manifestUrl) : config.manifestUrl;
}

export async function withTopicAdmin<T>(config: RegistrationSettings, required: boolean, use: (topics: TopicAdmin | undefined) => Promise<T>): Promise<T> {
  const admin = createKafkaClient(config, 'schemaflow-register').admin();
  try {
    await admin.connect();
  } catch (error) {
    if (required) throw new SchemaflowError('KAFKA_UNREACHABLE', `cannot reach the Kafka brokers ${config.kafkaBrokers.join(',')}: ${messageOf(error)}. Nothing was created or published. Runners must reach the brokers (see the README: SASL_SSL or self-hosted runners).`, { cause: error, retriable: true });
    return use(undefined);
  }
  try {
    return await use(createTopicAdmin(admin));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

