import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniqueName } from './support/names.js';
import { createTopicWithLeaders } from './support/topics.js';

const kafka = new Kafka({ brokers: inject('kafkaBrokers'), clientId: 'kafka-smoke', logLevel: logLevel.NOTHING });
const consumers: Consumer[] = [];
afterAll(async () => {
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
});

describe('the local Kafka broker', () => {
  it('creates a topic, produces, and consumes through a group with committed offsets', async () => {
    const topic = uniqueName('smoke');
    const groupId = uniqueName('smoke-group');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await createTopicWithLeaders(admin, topic, 2);
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0]?.partitions).toHaveLength(2);

      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      const sent = Array.from({ length: 10 }, (_, index) => ({
        key: `key-${index}`,
        value: JSON.stringify({ index }),
        partition: index % 2,
        headers: { 'schema-id': String(index + 1) },
      }));
      await producer.send({ topic, messages: sent, acks: -1 });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const received: Array<{ partition: number; value: string; header: string }> = [];
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            received.push({ partition, value: message.value?.toString() ?? '', header: message.headers?.['schema-id']?.toString() ?? '' });
            await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
            if (received.length === sent.length) resolve();
          },
        });
      });
      await done;
      await consumer.stop();

      expect(received.map((message) => JSON.parse(message.value) as { index: number }).map((value) => value.index).sort((a, b) => a - b))
        .toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(received.every((message) => Number(message.header) === (JSON.parse(message.value) as { index: number }).index + 1)).toBe(true);

      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed?.partitions.map((partition) => [partition.partition, partition.offset]).sort()).toEqual([
        [0, '5'],
        [1, '5'],
      ]);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses to produce to a topic that does not exist (auto-creation is off, as in production)', async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 1 } });
    await producer.connect();
    try {
      await expect(producer.send({ topic: uniqueName('missing'), messages: [{ value: 'x' }] })).rejects.toThrow(/topic|partition/i);
    } finally {
      await producer.disconnect();
    }
  });
});
