import type { Admin } from 'kafkajs';

/**
 * Creates a topic and waits for a leader of each partition, by time rather than tries (30 s: a
 * broker busy with another file's test can take a while to elect leaders; a hook may create two
 * topics within its 120 s, a test three within its 60 s). kafkajs's own wait for leaders gives up
 * on the UNKNOWN_TOPIC_OR_PARTITION a KRaft broker answers until its metadata catches up
 * (tulios/kafkajs#1563), after the topic was created: that answer is taken as "created", and the
 * wait below covers it. A topic that already exists is waited for as it is.
 */
export async function createTopicWithLeaders(admin: Admin, topic: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  let last: unknown;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] }).catch((error: unknown) => {
    if ((error as { type?: unknown }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
    last = error;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const offsets = await admin.fetchTopicOffsets(topic).catch((error: unknown) => ((last = error), []));
    if (offsets.length === partitions) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`topic ${topic} has no leaders for its ${partitions} partitions after 30 s (${last instanceof Error ? last.message : 'metadata lists fewer partitions'})`);
}
