import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { SchemaflowError, messageOf } from '../../domain/errors.js';
import type { ExistingTopic, TopicAction, TopicAdmin } from '../../topics/plan.js';

/** Kafka's DescribeConfigs source for configs set on the topic itself. */
const DYNAMIC_TOPIC_CONFIG = 1;
/**
 * TOPIC_RESOURCE. kafkajs is CommonJS and Node's ESM loader cannot see that named
 * export, so the protocol value is written here.
 */
const TOPIC_RESOURCE = 2;

function wrap(what: string, error: unknown): SchemaflowError {
  const retriable = (error as { retriable?: boolean }).retriable === true;
  return new SchemaflowError('KAFKA_FAILED', `${what}: ${messageOf(error)}`, { cause: error, retriable });
}

const LEADER_WAIT_MS = 60_000;

type CreateAction = Extract<TopicAction, { kind: 'create' }>;
type AlterAction = Extract<TopicAction, { kind: 'alter-configs' }>;

/**
 * Kafka error types that mean the topic's settings are wrong (not the cluster, the network or
 * the credentials): fixed by changing the catalog, never by running registration again.
 */
const SETTINGS_REFUSED = new Set(['INVALID_CONFIG', 'POLICY_VIOLATION', 'INVALID_PARTITIONS', 'INVALID_REPLICATION_FACTOR', 'INVALID_REQUEST']);

function isSettingsRefusal(error: unknown): boolean {
  const { type, retriable } = error as { type?: unknown; retriable?: unknown };
  return typeof type === 'string' && SETTINGS_REFUSED.has(type) && retriable !== true;
}

/** A broker's answer as kafkajs keeps it: the protocol error's message and type. */
function reasonOf(error: unknown): string {
  const { type } = error as { type?: unknown };
  return `${messageOf(error)}${typeof type === 'string' ? ` (${type})` : ''}`;
}

function listConfigs(configs: Readonly<Record<string, string>>): string {
  const entries = Object.entries(configs);
  return entries.length === 0 ? 'no configs' : entries.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ');
}

function describeSent(action: CreateAction | AlterAction): string {
  if (action.kind === 'create') {
    return `creating it with ${action.partitions ?? 'the default'} partition(s), replication ${action.replicationFactor ?? 'the default'}, ${listConfigs(action.configs)}`;
  }
  const changes = action.changes.map((change) => `${change.key} ${change.from === undefined ? '(unset)' : JSON.stringify(change.from)} → ${change.to === undefined ? '(unset)' : JSON.stringify(change.to)}`).join(', ');
  // AlterConfigs replaces the whole dynamic config, so the broker judged the full set.
  return `changing ${changes}; the full set sent: ${listConfigs(action.configs)}`;
}

/**
 * The topics whose settings the brokers refused, each with its subject.yaml, what was sent and
 * the broker's answer. kafkajs keeps only the error code of each answer (Kafka's own sentence,
 * such as which value is out of range, is dropped), so the broker's log has the rest.
 */
function settingsRefused(refusals: ReadonlyArray<{ action: CreateAction | AlterAction; reason: string }>, cause: unknown): SchemaflowError {
  const lines = refusals.map(({ action, reason }) => `  ${action.topic}${action.file !== undefined ? ` (settings from ${action.file})` : ''}: ${describeSent(action)}: the broker answered ${reason}`);
  return new SchemaflowError(
    'TOPIC_SETTINGS_REFUSED',
    `the Kafka brokers refused the settings of ${refusals.length} topic(s); no manifest was published (topics the same request accepted were created or changed):\n${lines.join('\n')}\n` +
      `Correct or remove the setting in a new pull request (in the subject.yaml named, or in catalog.yaml's topic: or environments: settings it inherits; see https://kafka.apache.org/documentation/#topicconfigs for each config's valid values); registration of its merge applies it. The broker's log has its full reason (kafkajs keeps only the error code).`,
    { cause },
  );
}

/** The topics a CreateTopics request refused for their settings: kafkajs aggregates one error per topic. */
function refusedOnCreate(error: unknown, creates: readonly CreateAction[]): SchemaflowError | undefined {
  const errors = (error as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0 || !errors.every(isSettingsRefusal)) return undefined;
  const refusals = errors.flatMap((entry: unknown) => {
    const action = creates.find((candidate) => candidate.topic === (entry as { topic?: unknown }).topic);
    return action ? [{ action, reason: reasonOf(entry) }] : [];
  });
  return refusals.length > 0 ? settingsRefused(refusals, error) : undefined;
}

/** Validations in flight at once when looking for the refused topics of an AlterConfigs request. */
const VALIDATE_CONCURRENCY = 20;

/**
 * The topics an AlterConfigs request refused for their settings. kafkajs throws the first refused
 * resource's error code alone, naming no topic, so each resource is sent again with
 * validateOnly (which changes nothing) to learn which ones the brokers refuse.
 */
async function refusedOnAlter(admin: Admin, error: unknown, alters: readonly AlterAction[]): Promise<SchemaflowError | undefined> {
  if (!isSettingsRefusal(error)) return undefined;
  const refusals: Array<{ action: AlterAction; reason: string }> = [];
  for (let start = 0; start < alters.length; start += VALIDATE_CONCURRENCY) {
    const answers = await Promise.all(
      alters.slice(start, start + VALIDATE_CONCURRENCY).map((action) =>
        admin.alterConfigs({ validateOnly: true, resources: [toResource(action)] }).then(
          () => undefined,
          (refusal: unknown) => (isSettingsRefusal(refusal) ? { action, reason: reasonOf(refusal) } : undefined),
        ),
      ),
    );
    for (const answer of answers) if (answer) refusals.push(answer);
  }
  return refusals.length > 0 ? settingsRefused(refusals, error) : undefined;
}

function toResource(action: AlterAction): { type: number; name: string; configEntries: Array<{ name: string; value: string }> } {
  return { type: TOPIC_RESOURCE, name: action.topic, configEntries: Object.entries(action.configs).map(([name, value]) => ({ name, value })) };
}

/**
 * Until every partition of the topics has a leader; retriable metadata errors (a KRaft broker's
 * UNKNOWN_TOPIC_OR_PARTITION until its metadata catches up) are waited out. What kafkajs's own
 * `createTopics({ waitForLeaders: true })` should do, and does not (tulios/kafkajs#1563).
 * `waitMs` bounds the wait (a test's shorter one).
 */
export async function waitForLeaders(admin: Admin, topics: readonly string[], { waitMs = LEADER_WAIT_MS }: { waitMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + waitMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (metadata.topics.length === topics.length && metadata.topics.every((topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0))) return;
    } catch (error) {
      // kafkajs's own retries of a retriable answer end in KafkaJSNumberOfRetriesExceeded, which
      // is not retriable itself (after about 9 s of LEADER_NOT_AVAILABLE): its cause says.
      const { retriable, cause } = error as { retriable?: boolean; cause?: { retriable?: boolean } };
      if (retriable !== true && cause?.retriable !== true) throw error;
      last = error;
    }
    await sleep(200);
  }
  throw new SchemaflowError('KAFKA_FAILED', `topics were created but their partitions had no leader within ${waitMs / 1000} s: ${topics.slice(0, 5).join(', ')}${topics.length > 5 ? ', …' : ''}`, { cause: last, retriable: true });
}

/** Live topic state and plan application over a connected kafkajs admin client. */
export function createTopicAdmin(admin: Admin): TopicAdmin {
  return {
    async brokerCount() {
      try {
        return (await admin.describeCluster()).brokers.length;
      } catch (error) {
        throw wrap('describing the Kafka cluster failed', error);
      }
    },
    async describe(topics) {
      const result = new Map<string, ExistingTopic>();
      let present: string[];
      try {
        const names = new Set(await admin.listTopics());
        present = topics.filter((topic) => names.has(topic));
      } catch (error) {
        throw wrap('listing Kafka topics failed', error);
      }
      if (present.length === 0) return result;
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: present });
        const configs = await admin.describeConfigs({ includeSynonyms: false, resources: present.map((name) => ({ type: TOPIC_RESOURCE, name })) });
        for (const topic of metadata.topics) {
          const resource = configs.resources.find((entry) => entry.resourceName === topic.name);
          const dynamic = Object.fromEntries((resource?.configEntries ?? []).filter((entry) => (entry as { configSource?: number }).configSource === DYNAMIC_TOPIC_CONFIG).map((entry) => [entry.configName, entry.configValue]));
          result.set(topic.name, { topic: topic.name, partitions: topic.partitions.length, replicationFactor: topic.partitions[0]?.replicas.length ?? 0, configs: dynamic });
        }
      } catch (error) {
        throw wrap('describing Kafka topics failed', error);
      }
      return result;
    },
    async apply(actions) {
      const creates = actions.filter((action) => action.kind === 'create');
      try {
        if (creates.length > 0) {
          // One CreateTopics request for every new topic: registering 1,000 subjects is one call.
          // kafkajs's own waitForLeaders retries only LEADER_NOT_AVAILABLE, while a KRaft broker
          // answers UNKNOWN_TOPIC_OR_PARTITION until its metadata catches up (and the error then
          // escapes as an unhandled rejection, tulios/kafkajs#1563): wait for leaders here instead.
          await admin
            .createTopics({
              waitForLeaders: false,
              topics: creates.map((action) => ({
                topic: action.topic,
                ...(action.partitions !== undefined ? { numPartitions: action.partitions } : {}),
                ...(action.replicationFactor !== undefined ? { replicationFactor: action.replicationFactor } : {}),
                configEntries: Object.entries(action.configs).map(([name, value]) => ({ name, value })),
              })),
            })
            .catch((error: unknown) => {
              throw refusedOnCreate(error, creates) ?? error;
            });
          await waitForLeaders(admin, creates.map((action) => action.topic));
        }
        const alters = actions.filter((action) => action.kind === 'alter-configs');
        if (alters.length > 0) {
          // AlterConfigs replaces the topic's whole dynamic config: the full set is sent.
          await admin.alterConfigs({ validateOnly: false, resources: alters.map(toResource) }).catch(async (error: unknown) => {
            throw (await refusedOnAlter(admin, error, alters)) ?? error;
          });
        }
        const grows = actions.filter((action) => action.kind === 'add-partitions');
        if (grows.length > 0) await admin.createPartitions({ topicPartitions: grows.map((action) => ({ topic: action.topic, count: action.to })) });
      } catch (error) {
        if (error instanceof SchemaflowError && error.code === 'TOPIC_SETTINGS_REFUSED') throw error;
        throw wrap('applying the topic plan failed', error);
      }
    },
  };
}
