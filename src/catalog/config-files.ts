import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { closestNames } from '../domain/closest-names.js';
import { toPointer, type Finding } from '../domain/finding.js';
import type { ParsedDocument } from './documents.js';
import { findingAt } from './finding-builder.js';
import { RULES, type Level, type RuleCode } from './rules.js';
import catalogSchema from './schemas/catalog.schema.json' with { type: 'json' };
import subjectSchema from './schemas/subject.schema.json' with { type: 'json' };

/** An owner as subject.yaml accepts it (subject.schema.json `owners.items.pattern`): `@user` or `@org/team`. */
export const OWNER_PATTERN = new RegExp(subjectSchema.properties.owners.items.pattern, 'u');

export type CompatibilityMode = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';
export type CompatibilityPolicy = 'STRICT' | 'DEFAULT';

export interface TopicSettings {
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly retentionMs?: number;
  readonly cleanupPolicy?: string;
  readonly configs?: Readonly<Record<string, string>>;
}

/** catalog.yaml, with defaults filled in. */
export interface CatalogSettings {
  readonly compatibility: { readonly mode: CompatibilityMode; readonly policy: CompatibilityPolicy };
  readonly lint: Readonly<Record<string, Level>>;
  readonly topic: TopicSettings;
  readonly environments: Readonly<Record<string, EnvironmentSettings>>;
}

/** One environment of catalog.yaml (`environments.<name>`): locations and topic overrides. */
export interface EnvironmentSettings {
  readonly manifestUrl?: string;
  readonly lakeUrl?: string;
  readonly stateUrl?: string;
  readonly topic?: TopicSettings;
}

/** The keys of an environment that name a location: each stands in for the default of the setting of that name. */
export const ENVIRONMENT_LOCATIONS = ['manifestUrl', 'lakeUrl', 'stateUrl'] as const satisfies ReadonlyArray<keyof EnvironmentSettings>;

/** Environment `name` of a catalog.yaml: its settings, or why it cannot be used. */
export type EnvironmentRead =
  | { readonly status: 'found'; readonly environment: EnvironmentSettings }
  | { readonly status: 'unknown'; readonly known: readonly string[] }
  | { readonly status: 'invalid'; readonly findings: readonly Finding[] };

/** subject.yaml. */
export interface SubjectSettings {
  readonly description: string;
  readonly owners: readonly string[];
  readonly status: 'active' | 'deprecated' | 'retired';
  readonly compatibility?: { readonly mode?: CompatibilityMode; readonly policy?: CompatibilityPolicy };
  readonly topic?: TopicSettings;
  readonly eventTime?: { readonly field: string; readonly format: 'rfc3339' | 'epoch-millis' };
  readonly pii: readonly string[];
}

/** The catalog default: the talk's rule for data that lives in a lake for years (DESIGN.md §3). */
export const DEFAULT_CATALOG_SETTINGS: CatalogSettings = {
  compatibility: { mode: 'FULL_TRANSITIVE', policy: 'DEFAULT' },
  lint: {},
  topic: {},
  environments: {},
};

let validators: { catalog: ValidateFunction; subject: ValidateFunction; environment: ValidateFunction } | undefined;

function validatorsFor(): { catalog: ValidateFunction; subject: ValidateFunction; environment: ValidateFunction } {
  if (!validators) {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    ajv.addSchema(catalogSchema);
    ajv.addSchema(subjectSchema);
    validators = {
      catalog: ajv.getSchema(catalogSchema.$id) as ValidateFunction,
      subject: ajv.getSchema(subjectSchema.$id) as ValidateFunction,
      environment: ajv.getSchema(`${catalogSchema.$id}#/properties/environments/additionalProperties`) as ValidateFunction,
    };
  }
  return validators;
}

function schemaFindings(document: ParsedDocument, code: RuleCode, errors: readonly ErrorObject[], schemaName: string): Finding[] {
  return errors.map((error) => {
    const where = error.instancePath || '(top level)';
    const params = error.params as Record<string, unknown>;
    const detail =
      error.keyword === 'additionalProperties'
        ? `unknown key "${String(params.additionalProperty)}"`
        : error.keyword === 'enum'
          ? `${error.message ?? 'invalid'}: ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`
          : (error.message ?? 'invalid');
    const pointer = error.keyword === 'additionalProperties' ? `${error.instancePath}/${String(params.additionalProperty)}` : error.instancePath;
    return findingAt(document, code, pointer, `${document.file} ${where}: ${detail} (see ${schemaName}).`, { keyword: error.keyword });
  });
}

/** Reads catalog.yaml: findings for anything that does not match its schema; settings when it does. */
export function readCatalogSettings(document: ParsedDocument): { settings?: CatalogSettings; findings: Finding[] } {
  const { catalog } = validatorsFor();
  if (!catalog(document.value ?? {})) {
    return { findings: schemaFindings(document, 'CATALOG_CONFIG_INVALID', catalog.errors ?? [], 'catalog.schema.json') };
  }
  const value = (document.value ?? {}) as Partial<CatalogSettings>;
  const findings: Finding[] = [];
  for (const code of Object.keys(value.lint ?? {})) {
    const rule = (RULES as Record<string, { configurable: boolean } | undefined>)[code];
    if (!rule?.configurable) {
      findings.push(findingAt(document, 'LINT_UNKNOWN_RULE', `/lint/${code}`, rule ? `${document.file} sets a level for ${code}, which protects the registry and cannot be changed; remove it.` : `${document.file} sets a level for ${code}, which is not a rule; check the spelling (rules are listed in the README).`, { rule: code }));
    }
  }
  // The schema accepts it, so a base branch that holds one still has its rules read; commands
  // refuse it at run time (resolveInEnvironment), and the check where catalog.yaml changes.
  for (const [name, environment] of Object.entries(value.environments ?? {})) {
    if (environment.stateUrl === undefined || environment.lakeUrl !== undefined) continue;
    findings.push(findingAt(document, 'ENVIRONMENT_STATE_WITHOUT_LAKE', toPointer(['environments', name, 'stateUrl']), `${document.file} environment ${JSON.stringify(name)} names a stateUrl but no lakeUrl, so every command that reads the flow state refuses --env ${name}: a flow state belongs to one lake. Add lakeUrl (the lake whose state it is) beside it, or drop stateUrl (the state then follows the lake: <lake>/_state/).`, { environment: name }));
  }
  findings.push(...topicConfigFindings(document, value.topic, ['topic']));
  for (const [name, environment] of Object.entries(value.environments ?? {})) findings.push(...topicConfigFindings(document, environment.topic, ['environments', name, 'topic']));
  return {
    findings,
    settings: {
      compatibility: { ...DEFAULT_CATALOG_SETTINGS.compatibility, ...value.compatibility },
      lint: value.lint ?? {},
      topic: value.topic ?? {},
      environments: value.environments ?? {},
    },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads environment `name` of catalog.yaml (for `--env`). Only that environment's entry is
 * checked, against its part of catalog.schema.json: a problem elsewhere in the file (a lint
 * level, another environment) is `check`'s to report and cannot stop a command run in this one.
 * A location that is a string but not a URL schemaflow reads is left to the setting it stands in
 * for, which checks it as it checks a flag's value and names the file, environment and key.
 */
export function readEnvironmentSettings(document: ParsedDocument, name: string): EnvironmentRead {
  const environments = isRecord(document.value) ? document.value.environments : undefined;
  if (!isRecord(environments) || !Object.hasOwn(environments, name)) return { status: 'unknown', known: isRecord(environments) ? Object.keys(environments) : [] };
  const entry = environments[name];
  const { environment } = validatorsFor();
  const locations: readonly string[] = ENVIRONMENT_LOCATIONS.map((key) => `/${key}`);
  const errors = environment(entry) ? [] : (environment.errors ?? []).filter((error) => !(error.keyword === 'pattern' && locations.includes(error.instancePath)));
  if (errors.length > 0) {
    const at = toPointer(['environments', name]);
    return { status: 'invalid', findings: schemaFindings(document, 'CATALOG_CONFIG_INVALID', errors.map((error) => ({ ...error, instancePath: `${at}${error.instancePath}` })), 'catalog.schema.json') };
  }
  return { status: 'found', environment: entry as EnvironmentSettings };
}

/** Reads subject.yaml: findings for anything that does not match its schema; settings when it does. */
export function readSubjectSettings(document: ParsedDocument): { settings?: SubjectSettings; findings: Finding[] } {
  const { subject } = validatorsFor();
  if (!subject(document.value)) {
    return { findings: schemaFindings(document, 'SUBJECT_CONFIG_INVALID', subject.errors ?? [], 'subject.schema.json') };
  }
  const value = document.value as Omit<SubjectSettings, 'status' | 'pii'> & { status?: SubjectSettings['status']; pii?: string[] };
  return { findings: topicConfigFindings(document, value.topic, ['topic']), settings: { ...value, status: value.status ?? 'active', pii: value.pii ?? [] } };
}

/**
 * The topic configs Apache Kafka 4.1 takes (org.apache.kafka.common.config.TopicConfig, and the
 * two replication throttles it also takes per topic). The schema accepts any dotted name.
 */
const KAFKA_TOPIC_CONFIGS = [
  'cleanup.policy', 'compression.gzip.level', 'compression.lz4.level', 'compression.type', 'compression.zstd.level', 'delete.retention.ms', 'file.delete.delay.ms', 'flush.messages', 'flush.ms',
  'follower.replication.throttled.replicas', 'index.interval.bytes', 'leader.replication.throttled.replicas', 'local.retention.bytes', 'local.retention.ms', 'max.compaction.lag.ms', 'max.message.bytes',
  'message.downconversion.enable', 'message.timestamp.after.max.ms', 'message.timestamp.before.max.ms', 'message.timestamp.type', 'min.cleanable.dirty.ratio', 'min.compaction.lag.ms', 'min.insync.replicas',
  'preallocate', 'remote.log.copy.disable', 'remote.log.delete.on.disable', 'remote.storage.enable', 'retention.bytes', 'retention.ms', 'segment.bytes', 'segment.index.bytes', 'segment.jitter.ms', 'segment.ms',
  'unclean.leader.election.enable',
];
const KNOWN_TOPIC_CONFIGS = new Set(KAFKA_TOPIC_CONFIGS);

/**
 * A warning for each `configs` name Kafka does not know: a broker refuses an unknown topic config
 * (INVALID_CONFIG), so registration would fail on merge when it creates or alters the topic.
 * A warning, configurable off: a vendor's brokers (Confluent's `confluent.*`) know more.
 */
function topicConfigFindings(document: ParsedDocument, topic: { configs?: Readonly<Record<string, string>> } | undefined, at: readonly string[]): Finding[] {
  return Object.keys(topic?.configs ?? {})
    .filter((name) => !KNOWN_TOPIC_CONFIGS.has(name))
    .map((name) => {
      const [closest] = closestNames(KAFKA_TOPIC_CONFIGS, name, 1);
      return findingAt(
        document,
        'TOPIC_CONFIG_UNKNOWN',
        toPointer([...at, 'configs', name]),
        `${document.file} sets the topic config ${JSON.stringify(name)}, which Apache Kafka 4.1 does not know${closest ? ` (did you mean ${JSON.stringify(closest)}?)` : ''}: a broker refuses it (INVALID_CONFIG), so registration would fail on merge when it creates or alters the topic. Correct the name, or, if your brokers know it (a vendor's own config), set TOPIC_CONFIG_UNKNOWN to off in catalog.yaml.`,
        { config: name },
      );
    });
}

/**
 * Applies catalog.yaml lint levels (from the base branch) to findings: `off` drops a finding,
 * `error`/`warning` replace the default severity. Only configurable rules are affected.
 */
export function applyLevels(findings: readonly Finding[], levels: Readonly<Record<string, Level>>): Finding[] {
  return findings.flatMap((finding) => {
    const rule = (RULES as Record<string, { configurable: boolean } | undefined>)[finding.code];
    const level = rule?.configurable ? levels[finding.code] : undefined;
    if (level === undefined) return [finding];
    if (level === 'off') return [];
    return [{ ...finding, severity: level }];
  });
}
