import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_LOCATIONS } from '../../src/catalog/config-files.js';
import catalogSchema from '../../src/catalog/schemas/catalog.schema.json' with { type: 'json' };
import { resolveSettings, type EnvironmentLayer } from '../../src/config/resolve.js';
import { ENVIRONMENT_SETTINGS, SETTINGS, type SettingKey } from '../../src/config/settings.js';
import { UsageError } from '../../src/domain/errors.js';

describe('resolveSettings', () => {
  it('takes a flag over the environment over the default', () => {
    const env = { SCHEMAFLOW_LAKE_URL: 'gs://env-bucket/lake', SCHEMAFLOW_KAFKA_BROKERS: '10.0.0.1:9092,10.0.0.2:9092' };
    const { values, sources } = resolveSettings(['lakeUrl', 'kafkaBrokers', 'manifestUrl'], {
      env,
      flags: { lakeUrl: 'file:///tmp/flag-lake' },
    });
    expect(values.lakeUrl).toBe('file:///tmp/flag-lake');
    expect(sources.lakeUrl).toBe('flag');
    expect(values.kafkaBrokers).toEqual(['10.0.0.1:9092', '10.0.0.2:9092']);
    expect(sources.kafkaBrokers).toBe('env');
    expect(values.manifestUrl).toBe('file://./.schemaflow/manifests');
    expect(sources.manifestUrl).toBe('default');
  });

  it('treats an empty environment variable as unset', () => {
    const { values, sources } = resolveSettings(['kafkaBrokers'], { env: { SCHEMAFLOW_KAFKA_BROKERS: '' } });
    expect(values.kafkaBrokers).toEqual(['127.0.0.1:19092']);
    expect(sources.kafkaBrokers).toBe('default');
  });

  it('has the embedded defaults of DESIGN.md §8', () => {
    const { values } = resolveSettings(['kafkaBrokers', 'kafkaSsl', 'manifestUrl', 'lakeUrl', 'stateUrl', 'statsdHost', 'gcsEndpoint'], { env: {} });
    expect(values).toEqual({
      kafkaBrokers: ['127.0.0.1:19092'],
      kafkaSsl: false,
      manifestUrl: 'file://./.schemaflow/manifests',
      lakeUrl: 'file://./lake',
      stateUrl: 'file://./lake/_state/',
      statsdHost: undefined,
      gcsEndpoint: undefined,
    });
  });

  // Regression: show --lake /tmp/x also reported the default SCHEMAFLOW_STATE_URL, which the user never set.
  it('reports a bad setting once, not again as the default derived from it', () => {
    const problems = (keys: Parameters<typeof resolveSettings>[0], flags: Partial<Record<SettingKey, string>>): string => {
      try {
        resolveSettings(keys, { env: {}, flags });
      } catch (error) {
        return (error as Error).message;
      }
      return 'no problem';
    };
    const lake = '--lake="/tmp/x": expected a URL starting with file://, gs://';
    expect(problems(['lakeUrl', 'stateUrl'], { lakeUrl: '/tmp/x' })).toBe(`invalid configuration:\n  - ${lake}`);
    expect(problems(['stateUrl'], { lakeUrl: '/tmp/x' })).toBe(`invalid configuration:\n  - ${lake}`);
    expect(problems(['lakeUrl', 'stateUrl'], { lakeUrl: '/tmp/x', stateUrl: 'nope' })).toBe(`invalid configuration:\n  - ${lake}\n  - --state="nope": expected a URL starting with file://, gs://`);
  });

  it('derives the state location from the lake, whichever way the lake was given', () => {
    expect(resolveSettings(['stateUrl'], { env: {}, flags: { lakeUrl: 'gs://bkt/prefix/' } }).values.stateUrl).toBe('gs://bkt/prefix/_state/');
    expect(resolveSettings(['stateUrl'], { env: { SCHEMAFLOW_LAKE_URL: 'gs://bkt' } }).values.stateUrl).toBe('gs://bkt/_state/');
    expect(resolveSettings(['stateUrl'], { env: { SCHEMAFLOW_LAKE_URL: 'gs://bkt', SCHEMAFLOW_STATE_URL: 'gs://sss/x' } }).values.stateUrl).toBe('gs://sss/x');
  });

  // Regression: a gs:// location whose bucket GCS cannot have (capitals, one or two letters, a
  // leading dot) passed the check; the store then refused it naming neither the flag nor the
  // variable nor why, and the SDK loader asked GCS for it as MANIFEST_UNREADABLE (exit 1).
  it('refuses a gs:// location whose bucket name GCS does not allow, naming the setting and the rule', () => {
    let caught: unknown;
    try {
      resolveSettings(['lakeUrl', 'stateUrl', 'manifestUrl'], { env: { SCHEMAFLOW_MANIFEST_URL: 'gs://Acme-Schemas/manifests' }, flags: { lakeUrl: 'gs://ab/lake', stateUrl: 'gs://.acme/state' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    const rule = 'a GCS bucket name is 3 to 63 lowercase letters, digits, hyphens, underscores and dots (up to 222 with dots, 63 between two), starting and ending with a letter or digit';
    expect((caught as UsageError).message).toBe(
      [
        'invalid configuration:',
        `  - --lake="gs://ab/lake": names the bucket "ab", but ${rule}`,
        `  - --state="gs://.acme/state": names the bucket ".acme", but ${rule}`,
        `  - SCHEMAFLOW_MANIFEST_URL="gs://Acme-Schemas/manifests": names the bucket "Acme-Schemas", but ${rule}`,
      ].join('\n'),
    );
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}`;
    expect(resolveSettings(['lakeUrl'], { env: {}, flags: { lakeUrl: `gs://${long}/lake` } }).values.lakeUrl).toBe(`gs://${long}/lake`);
    expect(() => resolveSettings(['lakeUrl'], { env: {}, flags: { lakeUrl: `gs://${'a'.repeat(64)}` } })).toThrow(/names the bucket "a{64}"/);
    expect(() => resolveSettings(['lakeUrl'], { env: {}, flags: { lakeUrl: `gs://a.${'b'.repeat(64)}` } })).toThrow(/names the bucket/);
  });

  // Regression: a manifest location naming the file (the SDK's form, gs://…/manifests/latest.json)
  // was taken as a folder: readers looked for latest.json/latest.json, and registration published
  // latest.json/1.json and latest.json/latest.json, where no reader given that location looked.
  it('refuses a manifest location that names a .json file, with the folder that holds it', () => {
    let caught: unknown;
    try {
      resolveSettings(['manifestUrl'], { env: {}, flags: { manifestUrl: 'gs://acme-schemaflow/manifests/latest.json' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).message).toBe(
      'invalid configuration:\n  - --manifest-url="gs://acme-schemaflow/manifests/latest.json": expected the folder that holds latest.json and <serial>.json, not a file in it: gs://acme-schemaflow/manifests',
    );
    expect(() => resolveSettings(['manifestUrl'], { env: { SCHEMAFLOW_MANIFEST_URL: 'file://./.schemaflow/manifests/7.json/' } })).toThrow('SCHEMAFLOW_MANIFEST_URL="file://./.schemaflow/manifests/7.json/": expected the folder that holds latest.json and <serial>.json, not a file in it: file://./.schemaflow/manifests');
    expect(resolveSettings(['manifestUrl'], { env: { SCHEMAFLOW_MANIFEST_URL: 'https://schemas.example.com/manifests/' } }).values.manifestUrl).toBe('https://schemas.example.com/manifests/');
  });

  it('puts the cache under XDG_CACHE_HOME, else HOME', () => {
    expect(resolveSettings(['cacheDir'], { env: { XDG_CACHE_HOME: '/x', HOME: '/h' } }).values.cacheDir).toBe('/x/schemaflow');
    expect(resolveSettings(['cacheDir'], { env: { HOME: '/h' } }).values.cacheDir).toBe('/h/.cache/schemaflow');
  });

  it('converts booleans, ports and enums', () => {
    const { values } = resolveSettings(['kafkaSsl', 'devGcsPort', 'kafkaSaslMechanism', 'kafkaSaslUsername', 'kafkaSaslPassword'], {
      env: { SCHEMAFLOW_KAFKA_SSL: 'YES', SCHEMAFLOW_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', SCHEMAFLOW_KAFKA_SASL_USERNAME: 'u', SCHEMAFLOW_KAFKA_SASL_PASSWORD: 'p' },
      flags: { devGcsPort: '8443' },
    });
    expect(values).toMatchObject({ kafkaSsl: true, devGcsPort: 8443, kafkaSaslMechanism: 'scram-sha-512' });
  });

  it('reports every bad value at once, naming the variable or flag and the expected form', () => {
    let caught: unknown;
    try {
      resolveSettings(['kafkaBrokers', 'kafkaSsl', 'lakeUrl', 'devGcsPort', 'statsdHost'], {
        env: { SCHEMAFLOW_KAFKA_BROKERS: 'localhost', SCHEMAFLOW_KAFKA_SSL: 'maybe', SCHEMAFLOW_STATSD_HOST: 'statsd:notaport' },
        flags: { lakeUrl: 's3://bucket', devGcsPort: '0' },
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    const error = caught as UsageError;
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('SCHEMAFLOW_KAFKA_BROKERS="localhost": expected comma-separated host:port pairs');
    expect(error.message).toContain('SCHEMAFLOW_KAFKA_SSL="maybe": expected true or false');
    expect(error.message).toContain('--lake="s3://bucket": expected a URL starting with file://, gs://');
    expect(error.message).toContain('--gcs-port="0": expected a port number from 1 to 65535');
    expect(error.message).toContain('SCHEMAFLOW_STATSD_HOST="statsd:notaport": expected host or host:port');
  });

  it('requires a user name and password when SASL is on', () => {
    expect(() => resolveSettings(['kafkaSaslMechanism'], { env: { SCHEMAFLOW_KAFKA_SASL_MECHANISM: 'plain' } })).toThrow(
      'invalid configuration:\n  - SCHEMAFLOW_KAFKA_SASL_MECHANISM="plain" turns SASL on, which needs a user name: give --sasl-username or SCHEMAFLOW_KAFKA_SASL_USERNAME\n  - SCHEMAFLOW_KAFKA_SASL_MECHANISM="plain" turns SASL on, which needs a password: give SCHEMAFLOW_KAFKA_SASL_PASSWORD',
    );
  });

  // Regression: SASL turned on by --sasl-mechanism (or an action's input) was reported as
  // "SCHEMAFLOW_KAFKA_SASL_MECHANISM is set", which the user never set, and named only the
  // variables for the user name and password, not --sasl-username nor the action's inputs.
  it('names how SASL was turned on and every way to give what it needs', () => {
    const problems = (input: Parameters<typeof resolveSettings>[1]): string => {
      try {
        resolveSettings(['kafkaSaslMechanism', 'kafkaSaslUsername', 'kafkaSaslPassword'], input);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no problem';
    };
    expect(problems({ env: {}, flags: { kafkaSaslMechanism: 'plain' } })).toBe(
      'invalid configuration:\n  - --sasl-mechanism="plain" turns SASL on, which needs a user name: give --sasl-username or SCHEMAFLOW_KAFKA_SASL_USERNAME\n  - --sasl-mechanism="plain" turns SASL on, which needs a password: give SCHEMAFLOW_KAFKA_SASL_PASSWORD',
    );
    expect(problems({ env: {}, flags: { kafkaSaslMechanism: 'scram-sha-512', kafkaSaslUsername: 'u' }, flagLabel: (setting) => `input ${setting.actionInput ?? setting.key}` })).toBe(
      'invalid configuration:\n  - input kafka-sasl-mechanism="scram-sha-512" turns SASL on, which needs a password: give input kafka-sasl-password or SCHEMAFLOW_KAFKA_SASL_PASSWORD',
    );
  });

  // Regression: a user name and password given without a mechanism were dropped without a word,
  // and the client connected without SASL: a SASL listener then closes the connection, and the
  // run failed with a connection error that says nothing of SASL.
  it('refuses a SASL user name or password given without a mechanism, never printing the password', () => {
    let caught: unknown;
    try {
      resolveSettings(['kafkaSaslMechanism', 'kafkaSaslUsername', 'kafkaSaslPassword'], { env: { SCHEMAFLOW_KAFKA_SASL_PASSWORD: 'hunter2' }, flags: { kafkaSaslUsername: 'svc' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).message).toBe(
      [
        'invalid configuration:',
        '  - --sasl-username is given, but SASL is off: set --sasl-mechanism or SCHEMAFLOW_KAFKA_SASL_MECHANISM to plain, scram-sha-256 or scram-sha-512, or leave the user name and password out',
        '  - SCHEMAFLOW_KAFKA_SASL_PASSWORD is given, but SASL is off: set --sasl-mechanism or SCHEMAFLOW_KAFKA_SASL_MECHANISM to plain, scram-sha-256 or scram-sha-512, or leave the user name and password out',
      ].join('\n'),
    );
    // Asked for alone (the user name without the mechanism), nothing is compared.
    expect(resolveSettings(['kafkaSaslUsername'], { env: { SCHEMAFLOW_KAFKA_SASL_USERNAME: 'svc' } }).values.kafkaSaslUsername).toBe('svc');
  });

  it('never reads a setting it was not asked for', () => {
    expect(() => resolveSettings(['devDir'], { env: { SCHEMAFLOW_KAFKA_SSL: 'garbage' } })).not.toThrow();
  });

  it('takes a positions group of Kafka’s group-id characters, never one named like the flow’s read groups', () => {
    expect(resolveSettings(['positionsGroup'], { env: {} }).values.positionsGroup).toBe('schemaflow-flow');
    expect(resolveSettings(['positionsGroup'], { env: { SCHEMAFLOW_POSITIONS_GROUP: ' backfill.lake_2-flow ' } }).values.positionsGroup).toBe('backfill.lake_2-flow');
    for (const [value, expected] of [
      ['schemaflow-flow-run-mine', 'expected a group not starting with schemaflow-flow-run-'],
      ['lake b', 'expected a consumer group id of 1 to 249 letters, digits, dots, underscores and hyphens'],
      ['g'.repeat(250), 'expected a consumer group id of 1 to 249'],
    ]) {
      expect(() => resolveSettings(['positionsGroup'], { env: { SCHEMAFLOW_POSITIONS_GROUP: value } })).toThrow(expected);
    }
  });

  it('accepts bracketed IPv6 brokers and rejects bare ones', () => {
    expect(resolveSettings(['kafkaBrokers'], { env: { SCHEMAFLOW_KAFKA_BROKERS: '[::1]:9092' } }).values.kafkaBrokers).toEqual(['[::1]:9092']);
    expect(() => resolveSettings(['kafkaBrokers'], { env: { SCHEMAFLOW_KAFKA_BROKERS: '::1:9092' } })).toThrow(UsageError);
  });
});

describe('resolveSettings in a catalog.yaml environment (--env)', () => {
  const staging = (values: Partial<Record<SettingKey, string>>): EnvironmentLayer => ({ name: 'staging', file: 'catalog/catalog.yaml', values });
  const locations = ['manifestUrl', 'lakeUrl', 'stateUrl'] as const;
  const environment = staging({ manifestUrl: 'gs://staging/manifests', lakeUrl: 'gs://staging-lake/events', stateUrl: 'gs://staging-state/flow' });

  it('puts the environment’s values in place of the defaults', () => {
    const { values, sources } = resolveSettings(locations, { env: {}, environment });
    expect(values).toEqual({ manifestUrl: 'gs://staging/manifests', lakeUrl: 'gs://staging-lake/events', stateUrl: 'gs://staging-state/flow' });
    expect(sources).toEqual({ manifestUrl: 'environment', lakeUrl: 'environment', stateUrl: 'environment' });
  });

  it('takes a flag, then a variable, over the environment’s value', () => {
    const { values, sources } = resolveSettings(locations, { env: { SCHEMAFLOW_LAKE_URL: 'gs://variable-lake', SCHEMAFLOW_STATE_URL: '' }, flags: { manifestUrl: 'file:///tmp/flag-manifests' }, environment });
    // The environment's state goes with its lake: a lake given another way takes its own state.
    expect(values).toEqual({ manifestUrl: 'file:///tmp/flag-manifests', lakeUrl: 'gs://variable-lake', stateUrl: 'gs://variable-lake/_state/' });
    expect(sources).toEqual({ manifestUrl: 'flag', lakeUrl: 'env', stateUrl: 'default' });
  });

  it('never pairs the environment’s state with a lake given by a flag or variable, so another lake cannot advance the environment’s state', () => {
    expect(resolveSettings(['lakeUrl', 'stateUrl'], { env: {}, flags: { lakeUrl: 'file:///tmp/x' }, environment }).values).toEqual({ lakeUrl: 'file:///tmp/x', stateUrl: 'file:///tmp/x/_state/' });
    // A state given as explicitly as the lake is the user's pairing.
    expect(resolveSettings(['stateUrl'], { env: { SCHEMAFLOW_STATE_URL: 'gs://sss/flow' }, flags: { lakeUrl: 'file:///tmp/x' }, environment }).values.stateUrl).toBe('gs://sss/flow');
    // The environment's own lake given by a flag or variable (as the flow workflow passes it) keeps its state.
    expect(resolveSettings(['stateUrl'], { env: { SCHEMAFLOW_LAKE_URL: 'gs://staging-lake/events/' }, environment }).values.stateUrl).toBe('gs://staging-state/flow');
    expect(resolveSettings(['stateUrl'], { env: {}, flags: { lakeUrl: 'gs://staging-lake/events' }, environment }).values.stateUrl).toBe('gs://staging-state/flow');
    // The manifest does not go with the lake: it is the environment's unless given too.
    expect(resolveSettings(['manifestUrl'], { env: {}, flags: { lakeUrl: 'file:///tmp/x' }, environment }).values.manifestUrl).toBe('gs://staging/manifests');
  });

  it('derives the state from the environment’s lake when the environment names no state', () => {
    const lakeOnly = staging({ lakeUrl: 'gs://staging-lake/events/' });
    expect(resolveSettings(['stateUrl'], { env: {}, environment: lakeOnly }).values.stateUrl).toBe('gs://staging-lake/events/_state/');
    expect(resolveSettings(['stateUrl'], { env: {}, environment: lakeOnly }).sources.stateUrl).toBe('default');
    // The lake as resolved: a variable's lake wins over the environment's, and the state follows it.
    expect(resolveSettings(['stateUrl'], { env: { SCHEMAFLOW_LAKE_URL: 'gs://variable-lake' }, environment: lakeOnly }).values.stateUrl).toBe('gs://variable-lake/_state/');
  });

  it('keeps the built-in default of a setting the environment does not name', () => {
    const { values, sources } = resolveSettings(locations, { env: {}, environment: staging({}) });
    expect(values).toEqual({ manifestUrl: 'file://./.schemaflow/manifests', lakeUrl: 'file://./lake', stateUrl: 'file://./lake/_state/' });
    expect(sources).toEqual({ manifestUrl: 'default', lakeUrl: 'default', stateUrl: 'default' });
  });

  it('checks the environment’s values as any other, naming catalog.yaml, the environment and the key, each once', () => {
    expect(() => resolveSettings(['lakeUrl', 'stateUrl', 'manifestUrl'], { env: {}, environment: staging({ lakeUrl: 's3://staging-lake', manifestUrl: 'ftp://x/manifests' }) })).toThrow(
      'invalid configuration:\n  - catalog/catalog.yaml environments.staging.lakeUrl="s3://staging-lake": expected a URL starting with file://, gs://\n  - catalog/catalog.yaml environments.staging.manifestUrl="ftp://x/manifests": expected a URL starting with file://, gs://, https://',
    );
    // A bad value the flag replaces is never read.
    expect(resolveSettings(['lakeUrl'], { env: {}, flags: { lakeUrl: 'file:///tmp/lake' }, environment: staging({ lakeUrl: 's3://staging-lake' }) }).values.lakeUrl).toBe('file:///tmp/lake');
  });

  it('lets an environment name only the settings that are locations', () => {
    expect([...ENVIRONMENT_SETTINGS]).toEqual([...ENVIRONMENT_LOCATIONS]);
    const schema = catalogSchema.properties.environments.additionalProperties.properties;
    expect(Object.keys(schema).filter((key) => key !== 'topic')).toEqual([...ENVIRONMENT_SETTINGS]);
  });
});

describe('the settings table', () => {
  it('names every variable SCHEMAFLOW_* and gives no secret a flag', () => {
    for (const setting of SETTINGS) {
      expect(setting.env).toMatch(/^SCHEMAFLOW_[A-Z_]+$/);
      if (setting.kind.type === 'secret') expect(setting.flag).toBeUndefined();
    }
    expect(new Set(SETTINGS.map((setting) => setting.flag).filter(Boolean)).size).toBe(SETTINGS.filter((setting) => setting.flag).length);
  });
});

