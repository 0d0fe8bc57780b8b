import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseManifest } from '../../src/manifest/parse.js';
import { runSchemaflow } from '../support/cli.js';
import { createTestRepo } from '../support/git-repo.js';
import { uniqueName } from './support/names.js';

/**
 * `schemaflow register` as the registration workflow runs it: a real repository, the real
 * broker, manifests in a local directory or the GCS emulator.
 */
const team = uniqueName('r').replace(/[^a-z0-9]/g, '').slice(0, 20);
const repo = createTestRepo({ withCatalog: false });
const directory = mkdtempSync(join(tmpdir(), 'schemaflow-register-'));
afterAll(() => {
  repo.dispose();
  rmSync(directory, { recursive: true, force: true });
});

const schema = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', description: 'An order event.', type: 'object', required: ['occurredAt'], properties: { occurredAt: { description: 'When.', type: 'string', format: 'date-time' }, ...extra } }, null, 2);
repo.write('catalog/catalog.yaml', 'compatibility:\n  mode: FULL_TRANSITIVE\n  policy: DEFAULT\ntopic:\n  partitions: 2\n  replicationFactor: 3\n  retentionMs: 86400000\n');
repo.write(`catalog/${team}/orders/subject.yaml`, 'description: Orders.\nowners: ["@acme/shop"]\ntopic:\n  partitions: 3\n');
repo.write(`catalog/${team}/orders/1.json`, schema());
repo.write(`catalog/${team}/payments/subject.yaml`, 'description: Payments.\nowners: ["@acme/pay"]\n');
repo.write(`catalog/${team}/payments/1.json`, schema());
repo.commit('first subjects');
const first = repo.git('rev-parse', 'HEAD').trim();

const env = (overrides: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  SCHEMAFLOW_KAFKA_BROKERS: inject('kafkaBrokers').join(','),
  SCHEMAFLOW_MANIFEST_URL: `file://${directory}/manifests-store`,
  ...overrides,
});
const register = (args: string[] = [], overrides: Record<string, string> = {}) => runSchemaflow(['register', ...args], { cwd: repo.root, env: env(overrides) });
const latest = () => parseManifest(readFileSync(join(directory, 'manifests-store/latest.json')), 'latest.json');
const kafka = new Kafka({ brokers: inject('kafkaBrokers'), clientId: 'register-test', logLevel: logLevel.NOTHING });

describe('schemaflow register', () => {
  it('registers a fresh catalog: IDs, topics, manifest; a re-run is a no-op', async () => {
    const result = await register();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(first registration)');
    expect(result.stdout).toContain(`${team}-orders v1 → ID 1`);
    expect(result.stdout).toContain(`${team}-payments v1 → ID 2`);
    expect(result.stdout).toContain(`create ${team}-orders (3 partitions, replication 1, retention.ms=86400000)`);
    expect(result.stdout).toContain('replicationFactor 3 is more than the 1 broker(s)');
    expect(result.stdout).toMatch(/published 1\.json and latest\.json/);
    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [`${team}-orders`, `${team}-payments`] });
    await admin.disconnect();
    expect(metadata.topics.map((topic) => [topic.name, topic.partitions.length]).sort()).toEqual([[`${team}-orders`, 3], [`${team}-payments`, 2]]);
    expect(latest()).toMatchObject({ serial: 1, sourceCommit: first });

    const again = await register();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('new versions: none');
    expect(again.stdout).toContain('no change');
    expect(again.stdout).toContain('manifest unchanged (serial 1)');
  });

  it('a new version adds exactly one ID; --dry-run changes nothing', async () => {
    repo.write(`catalog/${team}/orders/2.json`, schema({ note: { description: 'A note.', type: 'string' } }));
    repo.commit('orders v2');
    const dry = await register(['--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`${team}-orders v2 → ID 3`);
    expect(dry.stdout).toContain('dry run: nothing was created, altered or published');
    expect(latest().serial).toBe(1);

    const real = await register();
    expect(real.code).toBe(0);
    expect(real.stdout.match(/→ ID/g)).toHaveLength(1);
    expect(real.stdout).toContain(`+ ${team}-orders v2 (ID 3)`);
    expect(latest().serial).toBe(2);
    expect(latest().subjects.flatMap((subject) => subject.versions.map((version) => version.id)).sort()).toEqual([1, 2, 3]);
  });

  it('refuses without publishing: an unreachable broker, a modified registered version', async () => {
    repo.write(`catalog/${team}/payments/2.json`, schema({ amount: { description: 'Amount.', type: 'integer' } }));
    repo.commit('payments v2');
    const unreachable = await register([], { SCHEMAFLOW_KAFKA_BROKERS: '127.0.0.1:1' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('KAFKA_UNREACHABLE: cannot reach the Kafka brokers 127.0.0.1:1');
    expect(latest().serial).toBe(2);

    repo.write(`catalog/${team}/orders/1.json`, schema({ sneaky: { description: 'Edited in place.', type: 'string' } }));
    repo.commit('edit a registered version on main');
    const refused = await register();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('REGISTRATION_REFUSED');
    expect(refused.stderr).toContain('VERSION_MODIFIED');
    expect(latest().serial).toBe(2);
    repo.git('reset', '-q', '--hard', 'HEAD~1');
  });

  it('an older commit registering after a newer one is superseded; two racing processes publish once', async () => {
    const racing = await Promise.all([register(), register()]);
    expect(racing.map((result) => result.code)).toEqual([0, 0]);
    expect(racing.map((result) => result.stdout).join('\n').match(/published 3\.json/g)).toHaveLength(1);
    expect(latest().serial).toBe(3);
    const newest = repo.git('rev-parse', 'HEAD').trim();
    repo.git('checkout', '-q', first);
    try {
      const old = await register();
      expect(old.code).toBe(0);
      expect(old.stdout).toContain(`superseded by ${newest}`);
      expect(latest().serial).toBe(3);
    } finally {
      repo.git('checkout', '-q', 'main');
    }
  });

  it('refuses a rewritten history of the default branch', async () => {
    const head = repo.git('rev-parse', 'HEAD').trim();
    repo.git('reset', '-q', '--hard', first);
    repo.write(`catalog/${team}/orders/2.json`, schema({ other: { description: 'Another v2.', type: 'integer' } }));
    repo.commit('force-pushed v2');
    try {
      const rewritten = await register();
      expect(rewritten.code).toBe(1);
      expect(rewritten.stderr).toContain('HISTORY_REWRITTEN');
      expect(latest().serial).toBe(3);
    } finally {
      repo.git('reset', '-q', '--hard', head);
    }
  });

  it('publishes to GCS (the emulator) and plans without a cluster as provisional', async () => {
    const bucket = uniqueName('registry');
    await new Storage({ apiEndpoint: inject('gcsEndpoint'), projectId: 'schemaflow-test' }).createBucket(bucket);
    const gcs = { SCHEMAFLOW_MANIFEST_URL: `gs://${bucket}/prod`, SCHEMAFLOW_GCS_ENDPOINT: inject('gcsEndpoint') };
    const published = await register([], gcs);
    expect(published.code).toBe(0);
    expect(published.stdout).toContain(`to gs://${bucket}/prod`);
    const [bytes] = await new Storage({ apiEndpoint: inject('gcsEndpoint'), projectId: 'schemaflow-test' }).bucket(bucket).file('prod/latest.json').download();
    expect(parseManifest(bytes, 'gcs latest').serial).toBe(3);

    const plan = await runSchemaflow(['plan'], { cwd: repo.root, env: env({ SCHEMAFLOW_KAFKA_BROKERS: '127.0.0.1:1' }) });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('(provisional: computed from git, not from the cluster)');
  });
});
