import { UsageError } from '../domain/errors.js';
import { decodeFileUrl } from '../domain/file-url.js';
import { decodeGsUrl } from '../domain/gs-url.js';
import { RUN_GROUP_PREFIX } from '../domain/names.js';
import { SETTINGS, findSetting, type Setting, type SettingKey } from './settings.js';

/** Resolved, checked values of every setting. */
export interface Config {
  kafkaBrokers: string[];
  kafkaSaslMechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' | undefined;
  kafkaSaslUsername: string | undefined;
  kafkaSaslPassword: string | undefined;
  kafkaSsl: boolean;
  manifestUrl: string;
  lakeUrl: string;
  stateUrl: string;
  statsdHost: string | undefined;
  positionsGroup: string;
  gcsEndpoint: string | undefined;
  devDir: string;
  devControllerPort: number;
  devGcsPort: number;
  cacheDir: string;
  catalogDir: string;
}

/**
 * Where a resolved value came from: its flag (or action input), its environment variable, the
 * catalog.yaml environment the command runs in (`--env`), or the built-in default.
 */
export type SettingSource = 'flag' | 'env' | 'environment' | 'default';

/**
 * The values a catalog.yaml environment names (`environments.<name>` in `file`): they stand in for
 * the built-in defaults of the settings of those names, below flags and variables.
 */
export interface EnvironmentLayer {
  /** The environment's name, as `--env` gave it. */
  readonly name: string;
  /** catalog.yaml as messages show it (`catalog/catalog.yaml`). */
  readonly file: string;
  /** Raw values by setting key: checked like any other value, and named by file, environment and key. */
  readonly values: Partial<Record<SettingKey, string>>;
  /**
   * Whether two values name one location as the command would open them (a relative `file://`
   * from where it runs, say); without it, values equal but for spaces and trailing slashes.
   */
  readonly sameLocation?: (a: string, b: string) => boolean;
}

export interface ResolveInput {
  /** Raw flag values by setting key, as parsed from the command line. */
  readonly flags?: Partial<Record<SettingKey, string>>;
  /** The process environment (injected: this module never reads `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How messages name where `flags` came from (default `--<flag>`; actions say `input <name>`). */
  readonly flagLabel?: (setting: Setting) => string;
  /** The catalog.yaml environment the command runs in, when one is named: its values replace the defaults. */
  readonly environment?: EnvironmentLayer;
}

export interface Resolved<K extends SettingKey> {
  readonly values: Pick<Config, K>;
  readonly sources: Record<K, SettingSource>;
}

/**
 * Resolves the given settings with precedence flag > environment variable > the catalog.yaml
 * environment's value > default, and checks every value. A default derived from another setting
 * (the state from the lake) follows that setting as resolved, the environment's value included;
 * an environment's value that goes with another setting's (environmentWith: its state with its
 * lake) gives way when a flag or variable gives that one another value.
 * All problems are reported at once, each naming the flag, variable or catalog.yaml key and the
 * expected form; a setting not asked for is never read, so a bad unrelated variable cannot break
 * a command.
 */
export function resolveSettings<K extends SettingKey>(keys: readonly K[], input: ResolveInput): Resolved<K> {
  // A Set: a problem is reported once, however many settings it spoils.
  const problems = new Set<string>();
  type Raw = { raw: string | undefined; source: SettingSource; label: string; dependsOn: readonly SettingKey[] };
  const rawCache = new Map<SettingKey, Raw>();

  /** Whether a flag or variable gives `key` a location other than the environment's. */
  const setElsewhere = (key: SettingKey | undefined): boolean => {
    if (key === undefined) return false;
    const { raw, source } = rawOf(key);
    if (source !== 'flag' && source !== 'env') return false;
    const own = input.environment?.values[key];
    const bare = (value: string): string => value.trim().replace(/\/+$/, '');
    return raw === undefined || own === undefined || !(input.environment?.sameLocation ?? ((a, b) => bare(a) === bare(b)))(raw, own);
  };

  const rawOf = (key: SettingKey): Raw => {
    const cached = rawCache.get(key);
    if (cached) return cached;
    const setting = findSetting(key);
    const flagValue = input.flags?.[key];
    const envValue = input.env[setting.env];
    const environment = input.environment;
    const environmentValue = environment?.values[key];
    let entry: Raw;
    if (flagValue !== undefined) entry = { raw: flagValue, source: 'flag', label: input.flagLabel ? input.flagLabel(setting) : `--${setting.flag ?? key}`, dependsOn: [] };
    else if (envValue !== undefined && envValue !== '') entry = { raw: envValue, source: 'env', label: setting.env, dependsOn: [] };
    else if (environment && environmentValue !== undefined && !setElsewhere(setting.environmentWith)) entry = { raw: environmentValue, source: 'environment', label: `${environment.file} environments.${environment.name}.${key}`, dependsOn: [] };
    else {
      const dependsOn: SettingKey[] = [];
      const raw = setting.defaultValue({ env: input.env, raw: (other) => (dependsOn.push(other), rawOf(other).raw) });
      entry = { raw, source: 'default', label: `the default of ${setting.env}`, dependsOn };
    }
    rawCache.set(key, entry);
    return entry;
  };

  /** Why a setting's value is bad, if it is: a default derived from a bad setting (the state from the lake) is that setting's problem, never a second one the user did not set. */
  const problemOf = (key: SettingKey): { problem?: string; value?: unknown } => {
    const { raw, label, dependsOn } = rawOf(key);
    for (const other of dependsOn) {
      const { problem } = problemOf(other);
      if (problem !== undefined) return { problem };
    }
    if (raw === undefined) return { value: undefined };
    const parsed = parseValue(findSetting(key), raw);
    return parsed.ok ? { value: parsed.value } : { problem: `${label}=${JSON.stringify(raw)}: ${parsed.expected}` };
  };

  const values: Record<string, unknown> = {};
  const sources = {} as Record<K, SettingSource>;
  for (const key of keys) {
    sources[key] = rawOf(key).source;
    const { problem, value } = problemOf(key);
    if (problem !== undefined) problems.add(problem);
    else values[key] = value;
  }

  // Named as it was given (a flag, an action's input or the variable), with every way to give what it needs: the password has no flag, but an action input.
  const ways = (setting: Setting): string => {
    const flag = input.flagLabel ? (setting.actionInput !== undefined ? input.flagLabel(setting) : undefined) : setting.flag !== undefined ? `--${setting.flag}` : undefined;
    return flag === undefined ? setting.env : `${flag} or ${setting.env}`;
  };
  const saslMechanism = findSetting('kafkaSaslMechanism');
  if (keys.includes('kafkaSaslMechanism' as K) && values.kafkaSaslMechanism === undefined && rawOf('kafkaSaslMechanism').raw === undefined) {
    // A user name or password without a mechanism would be dropped and the client connect without
    // SASL: a SASL listener closes such a connection, and the error says nothing of SASL. The value itself is never printed (a password).
    for (const given of ['kafkaSaslUsername', 'kafkaSaslPassword'] as const) {
      if (keys.includes(given as K) && rawOf(given).raw !== undefined) {
        const words = saslMechanism.kind.type === 'enum' ? saslMechanism.kind.values : [];
        problems.add(`${rawOf(given).label} is given, but SASL is off: set ${ways(saslMechanism)} to ${words.join(', ').replace(/, ([^,]*)$/, ' or $1')}, or leave the user name and password out`);
      }
    }
  }
  if (keys.includes('kafkaSaslMechanism' as K) && values.kafkaSaslMechanism !== undefined) {
    const mechanism = rawOf('kafkaSaslMechanism');
    for (const [needed, what] of [['kafkaSaslUsername', 'user name'], ['kafkaSaslPassword', 'password']] as const) {
      if (rawOf(needed).raw === undefined) {
        problems.add(`${mechanism.label}=${JSON.stringify(mechanism.raw)} turns SASL on, which needs a ${what}: give ${ways(findSetting(needed))}`);
      }
    }
  }

  if (problems.size > 0) {
    throw new UsageError(`invalid configuration:\n  - ${[...problems].join('\n  - ')}`, { code: 'CONFIG_INVALID' });
  }
  return { values: values as Pick<Config, K>, sources };
}

type Parsed = { ok: true; value: unknown } | { ok: false; expected: string };

const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)$/;

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : undefined;
}

function splitHostPort(text: string): { host: string; port: string | undefined } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(text);
  return { host: match?.[1] ?? '', port: match?.[2] };
}

function parseValue(setting: Setting, raw: string): Parsed {
  const text = raw.trim();
  const kind = setting.kind;
  switch (kind.type) {
    case 'string':
    case 'secret':
    case 'path':
      return text === '' ? { ok: false, expected: 'expected a non-empty value' } : { ok: true, value: text };
    case 'repo-path': {
      // Git names paths from the repository's root without `./`: `./catalog/` must be `catalog`,
      // or every path under it would be cut at the wrong place.
      const segments = text.replace(/\\/g, '/').split('/').filter((segment) => segment !== '' && segment !== '.');
      if (text.startsWith('/') || /^[A-Za-z]:/.test(text)) return { ok: false, expected: 'expected a directory relative to the root of the git repository (such as catalog), not an absolute path' };
      if (segments.includes('..')) return { ok: false, expected: 'expected a directory inside the git repository, relative to its root (such as catalog), without ..' };
      return segments.length === 0 ? { ok: false, expected: 'expected a directory inside the git repository (the repository root itself cannot be the catalog)' } : { ok: true, value: segments.join('/') };
    }
    case 'boolean': {
      const lowered = text.toLowerCase();
      if (['true', '1', 'yes'].includes(lowered)) return { ok: true, value: true };
      if (['false', '0', 'no'].includes(lowered)) return { ok: true, value: false };
      return { ok: false, expected: 'expected true or false' };
    }
    case 'port': {
      const port = parsePort(text);
      return port === undefined ? { ok: false, expected: 'expected a port number from 1 to 65535' } : { ok: true, value: port };
    }
    case 'brokers': {
      const brokers = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
      const bad = brokers.filter((broker) => {
        const { host, port } = splitHostPort(broker);
        return !HOST.test(host) || port === undefined || parsePort(port) === undefined;
      });
      if (brokers.length === 0 || bad.length > 0) {
        return { ok: false, expected: `expected comma-separated host:port pairs such as 127.0.0.1:19092${bad.length > 0 ? ` (bad: ${bad.join(', ')})` : ''}` };
      }
      return { ok: true, value: brokers };
    }
    case 'host': {
      const { host, port } = splitHostPort(text);
      if (!HOST.test(host) || (port !== undefined && parsePort(port) === undefined)) {
        // An IPv6 address without brackets: its colons cannot be told from a port's.
        const ipv6 = !text.startsWith('[') && text.split(':').length > 2 ? `; an IPv6 address goes in brackets, [${text}] or [${text}]:8125` : '';
        return { ok: false, expected: `expected host or host:port, such as 127.0.0.1:8125${ipv6}` };
      }
      return { ok: true, value: text };
    }
    case 'group':
      // The characters (and length) of a topic name, which every lag tool takes; the flow's read groups are deleted once they have no member.
      if (text === '' || text.length > 249 || !/^[A-Za-z0-9._-]+$/.test(text)) return { ok: false, expected: 'expected a consumer group id of 1 to 249 letters, digits, dots, underscores and hyphens' };
      if (text.startsWith(RUN_GROUP_PREFIX)) return { ok: false, expected: `expected a group not starting with ${RUN_GROUP_PREFIX}: the flow's per-run read groups are named so, and every run deletes those without members` };
      return { ok: true, value: text };
    case 'url': {
      const written = /^([a-z][a-z0-9+.-]*):\/\/./i.exec(text)?.[1];
      if (written === undefined || !kind.schemes.includes(written.toLowerCase())) {
        return { ok: false, expected: `expected a URL starting with ${kind.schemes.map((s) => `${s}://`).join(', ')}` };
      }
      // RFC 3986 §3.1 lets a reader take FILE:// as file://, but every reader here matches the
      // scheme as written (gs:// as GCS writes it, file:// through decodeFileUrl): refused once, here.
      if (written !== written.toLowerCase()) return { ok: false, expected: `expected the scheme in lowercase: ${written.toLowerCase()}://${text.slice(written.length + 3)}` };
      // A file:// path is decoded wherever it is opened (decodeFileUrl): a bad escape or a host is this value's problem, named once.
      const file = decodeFileUrl(text);
      if (file && !file.ok) return { ok: false, expected: file.problem };
      // A bucket GCS cannot have is this value's problem too, named here rather than by the store or a request that fails later.
      const gs = decodeGsUrl(text);
      if (gs && !gs.ok) return { ok: false, expected: gs.problem };
      // The manifest location is a folder (registration writes <serial>.json and latest.json in it, readers add /latest.json): the SDK's form, naming the file, would put them under a folder of that name.
      const jsonFile = setting.key === 'manifestUrl' ? /^([a-z]+:\/\/.+?)\/+[^/]*\.json\/*$/i.exec(text) : null;
      if (jsonFile) return { ok: false, expected: `expected the folder that holds latest.json and <serial>.json, not a file in it: ${jsonFile[1] ?? ''}` };
      return { ok: true, value: text };
    }
    case 'enum':
      return kind.values.includes(text.toLowerCase())
        ? { ok: true, value: text.toLowerCase() }
        : { ok: false, expected: `expected one of ${kind.values.join(', ')}` };
  }
}

/** The README's configuration table (markdown), rendered from {@link SETTINGS}. */
export function renderSettingsTable(): string {
  const rows = SETTINGS.map((setting) =>
    `| \`${setting.key}\` | \`${setting.env}\` | ${setting.flag ? `\`--${setting.flag}\`` : '—'} | ${setting.actionInput ? `\`${setting.actionInput}\`` : '—'} | ${setting.defaultText} | ${setting.description} |`,
  );
  return ['| setting | env var | flag | action input | default | meaning |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** An action's inputs as its action.yml declares them. */
export interface ActionInputs {
  readonly action: string;
  readonly inputs: Readonly<Record<string, { readonly description?: string; readonly required?: boolean; readonly default?: string }>>;
}

/**
 * The README's table of every input of every action (read from actions/<name>/action.yml by the
 * caller): the inputs that are settings point at the settings table, the others are the action's own.
 */
export function renderActionInputsTable(actions: readonly ActionInputs[]): string {
  const settingOf = new Map(SETTINGS.filter((setting) => setting.actionInput).map((setting) => [setting.actionInput ?? '', setting]));
  const rows = actions.flatMap(({ action, inputs }) =>
    Object.entries(inputs).map(([name, input]) => {
      const setting = settingOf.get(name);
      const fallback = input.default !== undefined ? `\`${input.default}\`` : setting && !input.required ? setting.defaultText : '—';
      const text = (input.description ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
      return `| \`actions/${action}\` | \`${name}\` | ${input.required ? 'yes' : 'no'} | ${fallback} | ${setting ? `setting \`${setting.key}\` (\`${setting.env}\`). ` : ''}${text} |`;
    }),
  );
  return ['| action | input | required | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

