import { afterAll, beforeAll, expect, it } from 'vitest';
import { BASE_TIME } from './support/events.js';
import { createFlowFixture, createTestLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';

/**
 * A topic written by a transactional producer (Kafka Streams exactly-once, Connect, Flink): each
 * transaction ends with a commit or abort marker, an offset that carries no record, and aborted
 * records are never delivered (read_committed). The flow must still read such a partition to its
 * end and close its hours, archiving the committed records only.
 */
let fixture: FlowFixture;
let lake: TestLake;
beforeAll(async () => {
  fixture = await createFlowFixture(['views']);
  lake = await createTestLake('file');
});
afterAll(async () => {
  lake.dispose();
  await fixture.dispose();
});

it('archives the committed records of a transactional topic, reads it to its end and closes its hours', async () => {
  const [topic] = fixture.subjects as [string];
  await fixture.createTopic(topic, 1);
  const producer = fixture.kafka.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const event = (id: string) => ({ timestamp: String(BASE_TIME), headers: { 'schema-id': String(fixture.idOf(topic, 1)) }, value: JSON.stringify({ id, at: new Date(BASE_TIME).toISOString() }) });
  for (const [ids, outcome] of [[['a', 'b'], 'commit'], [['x'], 'abort'], [['c'], 'commit']] as const) {
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: ids.map(event), acks: -1 });
    await (outcome === 'commit' ? transaction.commit() : transaction.abort());
  }
  await producer.disconnect();

  const run = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic, '--format', 'json']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as { partitions: Array<{ status: string; records: number; next: string; high: string }>; closures: Array<{ closedThrough: string | null }> };
  expect(report.partitions[0]).toMatchObject({ status: 'archived', records: 3 });
  expect(report.partitions[0]?.next).toBe(report.partitions[0]?.high);
  expect(report.closures[0]?.closedThrough).not.toBeNull();
  expect((await fixture.cli(['lake', 'audit', '--lake', lake.url])).code).toBe(0);
});
