import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openRepository } from '../../src/adapters/git/repository.js';
import { createTopicAdmin } from '../../src/adapters/kafka/topic-admin.js';
import { createFileStore } from '../../src/adapters/lake/file-store.js';
import { createPatternSandbox } from '../../src/adapters/pattern-sandbox.js';
import { parseManifest } from '../../src/manifest/parse.js';
import { planTopics, type DesiredTopic, type TopicAdmin } from '../../src/topics/plan.js';
import { registerCatalog } from '../../src/usecases/register.js';
import { createTestRepo } from '../support/git-repo.js';
import { uniqueName } from './support/names.js';

/** The topic plan applied to the real broker, and re-planned from its live state. */
const kafka = new Kafka({ brokers: inject('kafkaBrokers'), clientId: 'topics-test', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const topics = createTopicAdmin(admin);
beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

describe('topics', () => {
  it('creates, changes settings, keeps or reconciles drift, grows partitions, never shrinks, and re-runs as a no-op', async () => {
    const name = uniqueName('apps-orders');
    const desired = (settings: DesiredTopic['settings']): DesiredTopic[] => [{ topic: name, status: 'active', settings }];
    const brokerCount = await topics.brokerCount();
    const live = () => topics.describe([name]);

    const first = planTopics(desired({ partitions: 2, replicationFactor: 3, retentionMs: 86_400_000, cleanupPolicy: 'delete' }), await live(), { brokerCount });
    expect(first.actions).toEqual([{ kind: 'create', topic: name, partitions: 2, replicationFactor: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': '86400000' } }]);
    expect(first.warnings[0]).toContain('replicationFactor 3 is more than the 1 broker(s)');
    await topics.apply(first.actions);
    expect((await live()).get(name)).toEqual({ topic: name, partitions: 2, replicationFactor: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': '86400000' } });
    expect(planTopics(desired({ partitions: 2, replicationFactor: 1, retentionMs: 86_400_000, cleanupPolicy: 'delete' }), await live(), { brokerCount }).actions).toEqual([]);

    // Someone sets a config by hand: drift, kept on the next change unless reconciling.
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name, configEntries: [{ name: 'cleanup.policy', value: 'delete' }, { name: 'retention.ms', value: '86400000' }, { name: 'max.message.bytes', value: '2000000' }] }] });
    const changed = planTopics(desired({ partitions: 4, replicationFactor: 1, retentionMs: 172_800_000, cleanupPolicy: 'delete' }), await live(), { brokerCount });
    expect(changed.drift).toEqual([{ topic: name, key: 'max.message.bytes', value: '2000000' }]);
    expect(changed.actions).toEqual([
      { kind: 'alter-configs', topic: name, changes: [{ key: 'retention.ms', from: '86400000', to: '172800000' }], configs: { 'max.message.bytes': '2000000', 'cleanup.policy': 'delete', 'retention.ms': '172800000' } },
      { kind: 'add-partitions', topic: name, from: 2, to: 4 },
    ]);
    expect(changed.warnings.join('\n')).toMatch(/drift[\s\S]*per-key ordering breaks/);
    await topics.apply(changed.actions);
    expect((await live()).get(name)).toMatchObject({ partitions: 4, configs: { 'max.message.bytes': '2000000', 'retention.ms': '172800000' } });

    const reconciled = planTopics(desired({ partitions: 4, replicationFactor: 1, retentionMs: 172_800_000, cleanupPolicy: 'delete' }), await live(), { brokerCount, reconcile: true });
    await topics.apply(reconciled.actions);
    expect((await live()).get(name)?.configs).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': '172800000' });

    const shrink = planTopics(desired({ partitions: 1, replicationFactor: 1, retentionMs: 172_800_000, cleanupPolicy: 'delete' }), await live(), { brokerCount });
    expect(shrink.actions).toEqual([]);
    expect(shrink.warnings[0]).toContain('partitions never shrink');

    const retired = planTopics([{ topic: name, status: 'retired', settings: {} }], await live(), { brokerCount });
    expect(retired.actions).toEqual([]);
    expect(retired.warnings[0]).toContain('delete the topic manually');
  });

  // Regression: the broker describes a config as it stores it (TRUE as true, 0.50 as 0.5, "delete, compact"
  // as "delete,compact"), and the plan compared the text, so every registration altered such a topic again.
  it('re-plans a topic whose configs the broker stores in another form as a no-op', async () => {
    const name = uniqueName('apps-forms');
    const settings = { partitions: 1, replicationFactor: 1, retentionMs: 86_400_000, configs: { 'unclean.leader.election.enable': 'TRUE', 'min.cleanable.dirty.ratio': '0.50', 'min.insync.replicas': ' 1', 'segment.ms': '0604800000' }, cleanupPolicy: 'delete, compact' } as DesiredTopic['settings'];
    const brokerCount = await topics.brokerCount();
    await topics.apply(planTopics([{ topic: name, status: 'active', settings }], await topics.describe([name]), { brokerCount }).actions);
    const live = await topics.describe([name]);
    expect(live.get(name)?.configs).toMatchObject({ 'unclean.leader.election.enable': 'true', 'min.cleanable.dirty.ratio': '0.5', 'cleanup.policy': 'delete,compact', 'segment.ms': '604800000' });
    expect(planTopics([{ topic: name, status: 'active', settings }], live, { brokerCount }).actions).toEqual([]);
    // A real change still is one.
    expect(planTopics([{ topic: name, status: 'active', settings: { ...settings, configs: { ...settings.configs, 'min.cleanable.dirty.ratio': '0.6' } } }], live, { brokerCount }).actions).toMatchObject([{ kind: 'alter-configs', changes: [{ key: 'min.cleanable.dirty.ratio', from: '0.5', to: '0.6' }] }]);
  });

  it('plans every topic as a creation without live state (a pull request has no secrets)', () => {
    expect(planTopics([{ topic: 'apps-users', status: 'active', settings: { partitions: 6 } }], undefined).actions).toEqual([{ kind: 'create', topic: 'apps-users', partitions: 6, replicationFactor: undefined, configs: {} }]);
  });

  // Regression: a run of an older commit applied its topic plan, then found itself superseded by
  // a newer commit that registered meanwhile, and said "nothing changed": the topic kept the
  // older commit's retention while latest.json said the newer one was applied.
  it('gives the topics the winner\'s settings again when a newer commit registered while this run applied its plan', async () => {
    const team = uniqueName('race').replace(/[^a-z0-9]/g, '').slice(0, 20);
    const repo = createTestRepo({ withCatalog: false });
    const work = mkdtempSync(join(tmpdir(), 'schemaflow-topic-race-'));
    try {
      const subject = (retentionMs: number) => `description: Events.\nowners: ["@acme/x"]\ntopic:\n  partitions: 1\n  replicationFactor: 1\n  retentionMs: ${retentionMs}\n`;
      repo.write(`catalog/${team}/events/subject.yaml`, subject(3_600_000));
      repo.write(`catalog/${team}/events/1.json`, JSON.stringify({ description: 'An event.', type: 'object', properties: { id: { description: 'Id.', type: 'string' } } }));
      repo.commit('events v1');
      const manifests = createFileStore(join(work, 'registry'));
      const run = (root: string, admin: TopicAdmin) => registerCatalog({ repository: openRepository(root), manifests, topics: admin, untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', dryRun: false, reconcile: false });
      expect((await run(repo.root, topics)).publish.status).toBe('published');

      repo.write(`catalog/${team}/events/subject.yaml`, subject(86_400_000));
      repo.commit('events: keep a day');
      const older = repo.git('rev-parse', 'HEAD').trim();
      repo.write(`catalog/${team}/events/subject.yaml`, subject(172_800_000));
      repo.commit('events: keep two days');
      repo.git('worktree', 'add', '-q', '--detach', join(work, 'older'), older);

      // The newer commit registers completely while the older run is about to apply its plan.
      let newer: Promise<unknown> | undefined;
      const slow: TopicAdmin = {
        ...topics,
        async apply(actions) {
          newer ??= run(repo.root, topics).then((report) => expect(report.publish.status).toBe('published'));
          await newer;
          await topics.apply(actions);
        },
      };
      const late = await run(join(work, 'older'), slow);
      expect(late.publish.status).toBe('superseded');
      expect(late.topics.warnings.join('\n')).toContain('registered while this run applied its topic plan: its topic settings were applied again (alter-configs');
      const latest = parseManifest(readFileSync(join(work, 'registry/latest.json')), 'latest.json');
      expect(latest.subjects[0]?.topicConfig.retentionMs).toBe(172_800_000);
      expect((await topics.describe([`${team}-events`])).get(`${team}-events`)?.configs['retention.ms']).toBe('172800000');
    } finally {
      repo.dispose();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
