import type { CatalogSettings, SubjectSettings, TopicSettings } from '../catalog/config-files.js';
import { toPointer } from '../domain/finding.js';
import { compareText } from '../domain/text-order.js';
import { walkSchema } from '../catalog/schema-walk.js';
import { MANIFEST_FORMAT, type Manifest, type ManifestSubject, type ManifestVersion } from './types.js';

export interface SubjectInput {
  readonly team: string;
  readonly name: string;
  readonly settings: SubjectSettings;
  readonly versions: readonly ManifestVersion[];
}

/** Named settings that are Kafka topic configs too: a layer's `configs` may set either form. */
const CONFIG_ALIASES = { retentionMs: 'retention.ms', cleanupPolicy: 'cleanup.policy' } as const;

/**
 * Topic settings as applied: catalog defaults, then the subject's, then the environment's, a
 * later layer winning per setting. `retentionMs` and `configs['retention.ms']` are one setting
 * (so are `cleanupPolicy` and `cleanup.policy`): a subject's `configs['retention.ms']` replaces
 * the catalog's `retentionMs`, and within one layer the named form wins, as it always did.
 */
export function topicSettingsFor(catalog: CatalogSettings, subject: SubjectSettings, environment: string | undefined): TopicSettings {
  const layers = [catalog.topic, subject.topic ?? {}, (environment !== undefined && Object.hasOwn(catalog.environments, environment) ? catalog.environments[environment]?.topic : undefined) ?? {}];
  const merged: Record<string, unknown> = {};
  const configs: Record<string, string> = {};
  for (const layer of layers) {
    // Configs first, then named settings: a layer's named form replaces its own config form.
    for (const [key, value] of Object.entries(layer.configs ?? {})) {
      configs[key] = value;
      for (const [name, config] of Object.entries(CONFIG_ALIASES)) if (config === key) delete merged[name];
    }
    for (const [key, value] of Object.entries(layer)) {
      if (key === 'configs' || value === undefined) continue;
      merged[key] = value;
      if (key in CONFIG_ALIASES) delete configs[CONFIG_ALIASES[key as keyof typeof CONFIG_ALIASES]];
    }
  }
  const ordered: Record<string, unknown> = {};
  for (const key of ['partitions', 'replicationFactor', 'retentionMs', 'cleanupPolicy']) if (merged[key] !== undefined) ordered[key] = merged[key];
  if (Object.keys(configs).length > 0) ordered.configs = Object.fromEntries(Object.keys(configs).sort().map((key) => [key, configs[key]]));
  return ordered;
}

/** Instance pointers of properties marked `x-pii: true`, at any depth along `properties`. */
function markedPii(schema: unknown): string[] {
  const pointers: string[] = [];
  walkSchema(schema, ({ schema: node, instanceTokens, propertyName }) => {
    if (propertyName !== undefined && instanceTokens && node['x-pii'] === true) pointers.push(toPointer(instanceTokens));
  });
  return pointers;
}

/**
 * The manifest for a catalog at one commit. Deterministic: subjects by name, versions by number,
 * keys in a fixed order and nothing taken from the clock, so the same commit gives the same bytes.
 */
export function buildManifest(input: { sourceCommit: string; serial: number; environment: string | undefined; catalog: CatalogSettings; subjects: readonly SubjectInput[] }): Manifest {
  const subjects: ManifestSubject[] = [...input.subjects]
    .sort((a, b) => compareText(`${a.team}-${a.name}`, `${b.team}-${b.name}`))
    .map((subject) => {
      const name = `${subject.team}-${subject.name}`;
      const versions = [...subject.versions].sort((a, b) => a.version - b.version);
      const pii = [...new Set([...subject.settings.pii, ...versions.flatMap((version) => markedPii(version.schema))])].sort();
      return {
        subject: name,
        team: subject.team,
        name: subject.name,
        topic: name,
        description: subject.settings.description,
        owners: [...subject.settings.owners],
        status: subject.settings.status,
        compatibility: { ...input.catalog.compatibility, ...subject.settings.compatibility },
        topicConfig: topicSettingsFor(input.catalog, subject.settings, input.environment),
        eventTime: subject.settings.eventTime ?? null,
        pii,
        lakePath: `${name}/`,
        versions: versions.map((version) => ({ version: version.version, id: version.id, fingerprint: version.fingerprint, path: version.path, registeredIn: version.registeredIn, schema: version.schema })),
      };
    });
  return { format: MANIFEST_FORMAT, serial: input.serial, sourceCommit: input.sourceCommit, environment: input.environment ?? 'default', subjects };
}

/** The manifest's bytes: 2-space JSON with a final newline. */
export function serializeManifest(manifest: Manifest): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
}
