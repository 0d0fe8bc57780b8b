import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { SchemaflowError, messageOf } from '../../domain/errors.js';
import type { ExistingTopic, TopicAdmin } from '../../topics/plan.js';

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
          await admin.createTopics({
            waitForLeaders: false,
            topics: creates.map((action) => ({
              topic: action.topic,
              ...(action.partitions !== undefined ? { numPartitions: action.partitions } : {}),
              ...(action.replicationFactor !== undefined ? { replicationFactor: action.replicationFactor } : {}),
              configEntries: Object.entries(action.configs).map(([name, value]) => ({ name, value })),
            })),
          });
          await waitForLeaders(admin, creates.map((action) => action.topic));
        }
        const alters = actions.filter((action) => action.kind === 'alter-configs');
        if (alters.length > 0) {
          // AlterConfigs replaces the topic's whole dynamic config: the full set is sent.
          await admin.alterConfigs({ validateOnly: false, resources: alters.map((action) => ({ type: TOPIC_RESOURCE, name: action.topic, configEntries: Object.entries(action.configs).map(([name, value]) => ({ name, value })) })) });
        }
        const grows = actions.filter((action) => action.kind === 'add-partitions');
        if (grows.length > 0) await admin.createPartitions({ topicPartitions: grows.map((action) => ({ topic: action.topic, count: action.to })) });
      } catch (error) {
        throw wrap('applying the topic plan failed', error);
      }
    },
  };
}
