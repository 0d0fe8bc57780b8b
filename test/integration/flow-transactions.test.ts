import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  fixture = await createFlowFixture(['views', 'clicks']);
  lake = await createTestLake('file');
});
afterAll(async () => {
  lake.dispose();
  await fixture.dispose();
});

it('archives the committed records of a transactional topic, reads it to its end and closes its hours', async () => {
  const [topic] = fixture.subjects as [string, string];
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

// Regression: when the only offsets left after the lake's last unit were a transaction's markers
// or aborted records, kafkajs delivered no batch for them: the read waited 10 s, the partition
// was reported incomplete and held its subject's hours, run after run, until a committed record came.
it('reads a partition whose last offsets carry no record to its end at once, records it drained, and covers them with the next unit', async () => {
  const [, topic] = fixture.subjects as [string, string];
  await fixture.createTopic(topic, 1);
  const producer = fixture.kafka.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const event = (id: string) => ({ timestamp: String(BASE_TIME), headers: { 'schema-id': String(fixture.idOf(topic, 1)) }, value: JSON.stringify({ id, at: new Date(BASE_TIME).toISOString() }) });
  const transact = async (ids: string[], outcome: 'commit' | 'abort'): Promise<void> => {
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: ids.map(event), acks: -1 });
    await (outcome === 'commit' ? transaction.commit() : transaction.abort());
  };
  type Report = { partitions: Array<{ status: string; records: number; next: string; high: string; drainedTo?: string }>; closures: Array<{ closedThrough: string | null; held?: string }> };
  const run = async (): Promise<Report> => {
    const result = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic, '--format', 'json']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Report;
  };
  const state = () => JSON.parse(readFileSync(join(lake.url.slice('file://'.length), '_state', topic, '0.json'), 'utf8')) as { next: string; drainedTo?: string };
  try {
    await transact(['a', 'b'], 'commit');
    const first = await run();
    expect(first.partitions[0]).toMatchObject({ status: 'archived', records: 2 });
    expect(first.partitions[0]?.next).toBe(first.partitions[0]?.high);

    // Only an aborted record and its abort marker after the lake's last unit.
    await transact(['x'], 'abort');
    const quiet = await run();
    expect(quiet.partitions[0]).toMatchObject({ status: 'idle', records: 0, next: first.partitions[0]?.next, drainedTo: quiet.partitions[0]?.high });
    expect(quiet.closures[0]?.closedThrough).not.toBeNull();
    expect(state()).toMatchObject({ next: first.partitions[0]?.next, drainedTo: quiet.partitions[0]?.high });
    expect((await fixture.cli(['lake', 'audit', '--lake', lake.url])).code).toBe(0);

    // Nothing new: the partition is drained, so the run does not read it at all, and says why.
    const again = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic]);
    expect(again.code, again.stderr).toBe(0);
    const next = quiet.partitions[0]?.next ?? '';
    expect(again.stdout).toContain(`idle       ${topic}/0 at offset ${next}\n    offsets ${next}–${BigInt(quiet.partitions[0]?.high ?? 0) - 1n} carry no record (transaction markers or aborted records): read to ${quiet.partitions[0]?.high}, and the next unit covers them`);
    expect(again.stderr).not.toContain('reading');

    // A committed record after them: the unit starts at next, so the markers are covered.
    await transact(['c'], 'commit');
    const last = await run();
    expect(last.partitions[0]).toMatchObject({ status: 'archived', records: 1 });
    expect(last.partitions[0]?.next).toBe(last.partitions[0]?.high);
    expect(state().drainedTo).toBeUndefined();
    const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url, '--format', 'json']);
    expect(audit.code, audit.stdout).toBe(0);
  } finally {
    await producer.disconnect();
  }
});
