/**
 * Every setting schemaflow reads, in one table: the README's configuration table is rendered
 * from it (a test keeps the two equal), the CLI derives its flags from it and the actions their
 * inputs. Precedence is flag > environment variable > default (DESIGN.md §8), where a catalog.yaml
 * environment named by `--env` replaces the default of the settings in ENVIRONMENT_SETTINGS.
 */

import { FLOW_GROUP } from '../domain/names.js';

/** How a raw string value is checked and converted. */
export type SettingKind =
  | { readonly type: 'string' }
  | { readonly type: 'secret' }
  | { readonly type: 'boolean' }
  | { readonly type: 'port' }
  | { readonly type: 'brokers' }
  | { readonly type: 'host' }
  /** A Kafka consumer group id that is not one of the flow's per-run read groups (those are deleted once empty). */
  | { readonly type: 'group' }
  | { readonly type: 'path' }
  /** A directory inside the git repository, relative to its root: normalized (`./catalog/` → `catalog`). */
  | { readonly type: 'repo-path' }
  | { readonly type: 'url'; readonly schemes: readonly string[] }
  | { readonly type: 'enum'; readonly values: readonly string[] };

/** What a default may depend on: the environment and the settings resolved before it. */
export interface DefaultContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly raw: (key: SettingKey) => string | undefined;
}

export interface Setting {
  readonly key: SettingKey;
  /** Environment variable, always `SCHEMAFLOW_…`. */
  readonly env: string;
  /** Command-line flag without the dashes; absent for secrets, which never go on a command line. */
  readonly flag?: string;
  /** The GitHub Action input that sets it (actions/register, actions/flow), when actions use it. */
  readonly actionInput?: string;
  readonly kind: SettingKind;
  /** The default as the README states it. */
  readonly defaultText: string;
  /** The default value; undefined means "unset" (the feature is off or uses its own default). */
  readonly defaultValue: (context: DefaultContext) => string | undefined;
  /**
   * A catalog.yaml environment's value of this setting goes with its value of that one: it is
   * ignored when a flag or variable gives that one another value (the state belongs to its lake:
   * `--env prod --lake file:///tmp/x` must not advance prod's state, while prod's lake named by
   * SCHEMAFLOW_LAKE_URL too keeps prod's state).
   */
  readonly environmentWith?: SettingKey;
  readonly description: string;
}

export type SettingKey =
  | 'kafkaBrokers'
  | 'kafkaSaslMechanism'
  | 'kafkaSaslUsername'
  | 'kafkaSaslPassword'
  | 'kafkaSsl'
  | 'manifestUrl'
  | 'lakeUrl'
  | 'stateUrl'
  | 'statsdHost'
  | 'positionsGroup'
  | 'gcsEndpoint'
  | 'devDir'
  | 'devControllerPort'
  | 'devGcsPort'
  | 'cacheDir'
  | 'catalogDir';

/**
 * The settings a catalog.yaml environment may name (catalog.schema.json `environments`): with
 * `--env`, its values stand in for their defaults. A command reading one of them takes `--env`.
 */
export const ENVIRONMENT_SETTINGS = ['manifestUrl', 'lakeUrl', 'stateUrl'] as const satisfies readonly SettingKey[];

const constant = (value: string | undefined) => (): string | undefined => value;

/** The settings, in the order the README lists them. */
export const SETTINGS: readonly Setting[] = [
  {
    key: 'catalogDir',
    actionInput: 'catalog-dir',
    env: 'SCHEMAFLOW_CATALOG_DIR',
    flag: 'catalog',
    kind: { type: 'repo-path' },
    defaultText: '`catalog`',
    defaultValue: constant('catalog'),
    description: 'The catalog directory, relative to the root of the git repository (`./catalog/` reads as `catalog`; an absolute path or `..` is refused, and `check` exits 2 when the directory is in neither the working tree nor the base branch).',
  },
  {
    key: 'kafkaBrokers',
    actionInput: 'kafka-brokers',
    env: 'SCHEMAFLOW_KAFKA_BROKERS',
    flag: 'brokers',
    kind: { type: 'brokers' },
    defaultText: '`127.0.0.1:19092`',
    defaultValue: constant('127.0.0.1:19092'),
    description:
      'Kafka bootstrap brokers, comma-separated `host:port`. The default is where `schemaflow dev up` starts its broker.',
  },
  {
    key: 'kafkaSaslMechanism',
    actionInput: 'kafka-sasl-mechanism',
    env: 'SCHEMAFLOW_KAFKA_SASL_MECHANISM',
    flag: 'sasl-mechanism',
    kind: { type: 'enum', values: ['plain', 'scram-sha-256', 'scram-sha-512'] },
    defaultText: 'unset (no SASL)',
    defaultValue: constant(undefined),
    description: 'SASL mechanism for the brokers: `plain`, `scram-sha-256` or `scram-sha-512`.',
  },
  {
    key: 'kafkaSaslUsername',
    actionInput: 'kafka-sasl-username',
    env: 'SCHEMAFLOW_KAFKA_SASL_USERNAME',
    flag: 'sasl-username',
    kind: { type: 'string' },
    defaultText: 'unset',
    defaultValue: constant(undefined),
    description: 'SASL user name; required when a mechanism is set, refused without one (SASL would be off).',
  },
  {
    key: 'kafkaSaslPassword',
    actionInput: 'kafka-sasl-password',
    env: 'SCHEMAFLOW_KAFKA_SASL_PASSWORD',
    kind: { type: 'secret' },
    defaultText: 'unset',
    defaultValue: constant(undefined),
    description: 'SASL password; environment only, so it never shows in a process list or shell history. Required when a mechanism is set, refused without one.',
  },
  {
    key: 'kafkaSsl',
    actionInput: 'kafka-ssl',
    env: 'SCHEMAFLOW_KAFKA_SSL',
    flag: 'ssl',
    kind: { type: 'boolean' },
    defaultText: '`false`',
    defaultValue: constant('false'),
    description: 'Connect to the brokers over TLS (`true`/`false`).',
  },
  {
    key: 'manifestUrl',
    actionInput: 'manifest-url',
    env: 'SCHEMAFLOW_MANIFEST_URL',
    flag: 'manifest-url',
    kind: { type: 'url', schemes: ['file', 'gs', 'https'] },
    defaultText: '`file://./.schemaflow/manifests`',
    defaultValue: constant('file://./.schemaflow/manifests'),
    description: 'Where registration publishes manifests and where readers load `latest.json` from: the folder that holds them, never a `.json` file in it (exit 2). `https://` for readers only: `register` and `plan` refuse it, exit 2.',
  },
  {
    key: 'lakeUrl',
    actionInput: 'lake-url',
    env: 'SCHEMAFLOW_LAKE_URL',
    flag: 'lake',
    kind: { type: 'url', schemes: ['file', 'gs'] },
    defaultText: '`file://./lake`',
    defaultValue: constant('file://./lake'),
    description: 'Root of the data lake: `gs://bucket/prefix` in production, a local directory by default.',
  },
  {
    key: 'stateUrl',
    actionInput: 'state-url',
    env: 'SCHEMAFLOW_STATE_URL',
    flag: 'state',
    kind: { type: 'url', schemes: ['file', 'gs'] },
    defaultText: '`<lake>/_state/`',
    defaultValue: ({ raw }) => `${(raw('lakeUrl') ?? 'file://./lake').trim().replace(/\/+$/, '')}/_state/`,
    environmentWith: 'lakeUrl',
    description: 'Where the flow keeps its per-partition state.',
  },
  {
    key: 'statsdHost',
    actionInput: 'statsd-host',
    env: 'SCHEMAFLOW_STATSD_HOST',
    flag: 'statsd-host',
    kind: { type: 'host' },
    defaultText: 'unset (metrics off)',
    defaultValue: constant(undefined),
    description: 'StatsD `host[:port]` (UDP, port 8125 when omitted; an IPv6 address in brackets, `[::1]:8125`) for flow metrics.',
  },
  {
    key: 'positionsGroup',
    actionInput: 'positions-group',
    env: 'SCHEMAFLOW_POSITIONS_GROUP',
    flag: 'positions-group',
    kind: { type: 'group' },
    defaultText: `\`${FLOW_GROUP}\``,
    defaultValue: constant(FLOW_GROUP),
    description: 'The consumer group the flow commits its lake\'s positions to, for lag tools (it never has members). One per lake: two lakes archiving the same cluster need two groups.',
  },
  {
    key: 'gcsEndpoint',
    actionInput: 'gcs-endpoint',
    env: 'SCHEMAFLOW_GCS_ENDPOINT',
    flag: 'gcs-endpoint',
    kind: { type: 'url', schemes: ['http', 'https'] },
    defaultText: 'unset (Google Cloud Storage)',
    defaultValue: constant(undefined),
    description:
      'GCS API endpoint, for emulators such as the one `schemaflow dev up` starts (`http://127.0.0.1:4443`).',
  },
  {
    key: 'devDir',
    env: 'SCHEMAFLOW_DEV_DIR',
    flag: 'dev-dir',
    kind: { type: 'path' },
    defaultText: '`.schemaflow/dev`',
    defaultValue: constant('.schemaflow/dev'),
    description: '`dev up`: where the local services keep their data, logs and pid files.',
  },
  {
    key: 'devControllerPort',
    env: 'SCHEMAFLOW_DEV_CONTROLLER_PORT',
    flag: 'controller-port',
    kind: { type: 'port' },
    defaultText: '`19093`',
    defaultValue: constant('19093'),
    description: "`dev up`: the local broker's KRaft controller port (its client port comes from the brokers setting).",
  },
  {
    key: 'devGcsPort',
    env: 'SCHEMAFLOW_DEV_GCS_PORT',
    flag: 'gcs-port',
    kind: { type: 'port' },
    defaultText: '`4443`',
    defaultValue: constant('4443'),
    description: '`dev up`: the port of the local GCS emulator.',
  },
  {
    key: 'cacheDir',
    env: 'SCHEMAFLOW_CACHE_DIR',
    flag: 'cache-dir',
    kind: { type: 'path' },
    defaultText: '`$XDG_CACHE_HOME/schemaflow` or `~/.cache/schemaflow`',
    defaultValue: ({ env }) =>
      env.XDG_CACHE_HOME
        ? `${env.XDG_CACHE_HOME}/schemaflow`
        : env.HOME
          ? `${env.HOME}/.cache/schemaflow`
          : '.schemaflow/cache',
    description:
      '`dev up`: the Kafka classpath and the emulator binary (jars stay in Maven\'s `~/.m2`, Go modules in its module cache).',
  },
];

/** The setting with this key. */
export function findSetting(key: SettingKey): Setting {
  const setting = SETTINGS.find((candidate) => candidate.key === key);
  if (!setting) throw new Error(`unknown setting ${key}`);
  return setting;
}

/** Every way of giving a flow setting, for a message that says what to set: `SCHEMAFLOW_X (--x; actions/flow input x)`. */
export function flowSettingWays(key: SettingKey): string {
  const { env, flag, actionInput } = findSetting(key);
  return `${env} (--${flag ?? key}; actions/flow input ${actionInput ?? key})`;
}
