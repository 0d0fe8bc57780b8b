import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTopicAdmin } from '../../src/adapters/kafka/topic-admin.js';
import { runSchemaflow } from '../support/cli.js';
import { createTestRepo } from '../support/git-repo.js';
import { uniqueName } from './support/names.js';

/** `schemaflow register` applying the catalog's topic settings to the real broker. */
const team = uniqueName('ts').replace(/[^a-z0-9]/g, '').slice(0, 20);
const repo = createTestRepo({ withCatalog: false });
const directory = mkdtempSync(join(tmpdir(), 'schemaflow-topic-settings-'));
afterAll(() => {
  repo.dispose();
  rmSync(directory, { recursive: true, force: true });
});
const schema = JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', description: 'An event.', type: 'object', properties: { at: { description: 'When.', type: 'string' } } }, null, 2);
const register = () => runSchemaflow(['register'], { cwd: repo.root, env: { ...process.env, SCHEMAFLOW_KAFKA_BROKERS: inject('kafkaBrokers').join(','), SCHEMAFLOW_MANIFEST_URL: `file://${directory}/manifests` } });
const kafka = new Kafka({ brokers: inject('kafkaBrokers'), clientId: 'topic-settings-test', logLevel: logLevel.NOTHING });
const published = (): string | undefined => (existsSync(join(directory, 'manifests/latest.json')) ? readFileSync(join(directory, 'manifests/latest.json'), 'utf8') : undefined);
const liveTopics = async (names: string[]) => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await createTopicAdmin(admin).describe(names);
  } finally {
    await admin.disconnect();
  }
};
repo.write('catalog/catalog.yaml', 'compatibility:\n  mode: FULL_TRANSITIVE\n  policy: DEFAULT\ntopic:\n  partitions: 1\n  replicationFactor: 1\n');

describe('topic settings at registration', () => {
  // Regression: planTopics compared the catalog with the live topic alone, so a config the
  // catalog set and then dropped was "drift ... set on the cluster but not in the catalog; kept"
  // on every registration, while latest.json said the setting was unset (DESIGN.md §4: setting
  // changes in the catalog are applied).
  it('a topic config removed from subject.yaml is removed from the topic, and real drift is kept', async () => {
    repo.write(`catalog/${team}/shipments/subject.yaml`, 'description: Shipments.\nowners: ["@acme/ship"]\ntopic:\n  configs:\n    max.message.bytes: "2000000"\n');
    repo.write(`catalog/${team}/shipments/1.json`, schema);
    repo.commit('shipments with a larger max.message.bytes');
    const first = await register();
    expect(first.code, first.stderr).toBe(0);
    // Drift: a config set on the cluster that the catalog never set.
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: `${team}-shipments`, configEntries: [{ name: 'max.message.bytes', value: '2000000' }, { name: 'segment.ms', value: '3600000' }] }] });
    } finally {
      await admin.disconnect();
    }

    repo.write(`catalog/${team}/shipments/subject.yaml`, 'description: Shipments.\nowners: ["@acme/ship"]\n');
    repo.commit('shipments: back to the broker default');
    const second = await register();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`alter ${team}-shipments: max.message.bytes 2000000 → (unset)`);
    expect(second.stdout).toContain(`drift — segment.ms=3600000 set on the cluster but not in the catalog; kept`);
    expect(second.stdout).not.toContain('max.message.bytes=2000000');
    expect((await liveTopics([`${team}-shipments`])).get(`${team}-shipments`)?.configs).toEqual({ 'segment.ms': '3600000' });
    // Applied: the next registration has nothing to do.
    repo.commit('an empty commit');
    const third = await register();
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).not.toContain(`alter ${team}-shipments`);
  });

  // Regression: a setting the broker refused failed registration with "applying the topic plan
  // failed: Topic creation errors" (create) or "Configuration is invalid" (alter), naming no
  // topic, file, config or reason: kafkajs aggregates the per-topic errors of CreateTopics, and
  // throws AlterConfigs' first error code alone.
  it('a setting the brokers refuse names the topic, its subject.yaml, what was sent and the answer', async () => {
    repo.write(`catalog/${team}/orders/subject.yaml`, 'description: Orders.\nowners: ["@acme/shop"]\n');
    repo.write(`catalog/${team}/orders/1.json`, schema);
    repo.write(`catalog/${team}/payments/subject.yaml`, 'description: Payments.\nowners: ["@acme/pay"]\ntopic:\n  configs:\n    retention.ms: "seven days"\n');
    repo.write(`catalog/${team}/payments/1.json`, schema);
    repo.commit('orders; payments with a retention the broker refuses');
    const before = published();
    const created = await register();
    expect(created.code, created.stderr).toBe(1);
    expect(created.stderr).toContain(`TOPIC_SETTINGS_REFUSED: the Kafka brokers refused the settings of 1 topic(s); no manifest was published`);
    expect(created.stderr).toContain(`  ${team}-payments (settings from catalog/${team}/payments/subject.yaml): creating it with 1 partition(s), replication 1, retention.ms="seven days": the broker answered Configuration is invalid (INVALID_CONFIG)`);
    expect(created.stderr).toContain('Correct or remove the setting in a new pull request');
    expect(created.stderr).not.toContain(`${team}-orders`);
    expect(published()).toBe(before);
    expect([...(await liveTopics([`${team}-orders`, `${team}-payments`])).keys()]).toEqual([`${team}-orders`]);

    repo.write(`catalog/${team}/payments/subject.yaml`, 'description: Payments.\nowners: ["@acme/pay"]\n');
    repo.write(`catalog/${team}/orders/subject.yaml`, 'description: Orders.\nowners: ["@acme/shop"]\ntopic:\n  configs:\n    min.insync.replicas: "0"\n    retention.ms: "86400000"\n');
    repo.commit('payments fixed; orders with a value the broker refuses');
    const altered = await register();
    expect(altered.code, altered.stderr).toBe(1);
    expect(altered.stderr).toContain(`  ${team}-orders (settings from catalog/${team}/orders/subject.yaml): changing min.insync.replicas (unset) → "0", retention.ms (unset) → "86400000"; the full set sent: min.insync.replicas="0", retention.ms="86400000": the broker answered Configuration is invalid (INVALID_CONFIG)`);
    expect(published()).toBe(before);
    expect((await liveTopics([`${team}-orders`])).get(`${team}-orders`)?.configs).toEqual({});
  });
});
