import type { Admin } from 'kafkajs';

/**
 * Creates a topic (an existing one is taken as it is) and waits until each partition's leader
 * answers for its offsets, by time (30 s: a hook may create two topics within its 120 s, a test
 * three within its 60 s). Not kafkajs's own wait for leaders: it gives up on the
 * UNKNOWN_TOPIC_OR_PARTITION a KRaft broker answers until its metadata catches up
 * (tulios/kafkajs#1563), after the topic was created. Nor leaders in the metadata alone
 * (registration's waitForLeaders): a leader still loading its partition answers a test's first
 * sends with errors that kafkajs retries, and a retried send whose first try was written is a
 * duplicate. Asking for the offsets, as a consumer would, waits for both.
 */
export async function createTopicWithLeaders(admin: Admin, topic: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + 30_000;
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: partitions, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
  let last: unknown;
  while (Date.now() < deadline) {
    const offsets = await admin.fetchTopicOffsets(topic).catch((error: unknown) => ((last = error), []));
    if (offsets.length === partitions) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`topic ${topic} has no leaders answering for its ${partitions} partitions after 30 s (${last instanceof Error ? last.message : 'metadata lists fewer partitions'})`);
}
