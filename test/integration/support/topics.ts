import type { Admin } from 'kafkajs';
import { waitForLeaders } from '../../../src/adapters/kafka/topic-admin.js';

/**
 * Creates a topic (an existing one is taken as it is) and waits for a leader of each partition,
 * as registration does: kafkajs's own wait for leaders gives up on the UNKNOWN_TOPIC_OR_PARTITION
 * a KRaft broker answers until its metadata catches up (tulios/kafkajs#1563), after the topic was
 * created, so a test that created its topic that way failed now and then under load.
 */
export async function createTopicWithLeaders(admin: Admin, topic: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: partitions, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
  // 30 s: a hook may create two topics within its 120 s, a test three within its 60 s.
  await waitForLeaders(admin, [topic], { waitMs: 30_000 });
}
