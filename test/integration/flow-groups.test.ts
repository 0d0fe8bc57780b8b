import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFlowFixture, createTestLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';
import { uniqueName } from './support/names.js';

/**
 * The per-run read groups a killed run leaves behind (`schemaflow-flow-run-…`): the next run
 * deletes the empty ones, and no other group, nor one a run is reading with. (That a dry run
 * deletes none is a unit test: beside this file, other files' runs delete leftovers too.)
 */
let fixture: FlowFixture;
let lake: TestLake;
const consumers: Consumer[] = [];

beforeAll(async () => {
  fixture = await createFlowFixture(['clicks']);
  lake = await createTestLake('file');
  const topic = fixture.subjects[0] ?? '';
  await fixture.createTopic(topic, 1);
  await fixture.send(topic, [{ headers: { 'schema-id': String(fixture.idOf(topic, 1)) }, value: JSON.stringify({ id: 'e1', at: '2020-01-01T00:00:00Z' }) }]);
});
afterAll(async () => {
  await Promise.all(consumers.map((consumer) => consumer.disconnect().catch(() => undefined)));
  lake.dispose();
  await fixture.dispose();
});

/** A member of `groupId` reading `topic`, once it has joined the group and fetches. */
async function member(groupId: string, topic: string): Promise<Consumer> {
  const consumer = fixture.kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  consumers.push(consumer);
  // Not GROUP_JOIN: kafkajs marks itself running only after that event, and a disconnect before
  // then leaves the group without a word (the member stays until its session times out).
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.FETCH_START, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({ autoCommit: false, eachBatch: () => Promise.resolve() });
  await joined;
  return consumer;
}

async function groupStates(groupIds: readonly string[]): Promise<Record<string, string>> {
  const admin = fixture.kafka.admin();
  await admin.connect();
  try {
    const listed = new Set((await admin.listGroups()).groups.map((group) => group.groupId));
    const { groups } = await admin.describeGroups(groupIds.filter((groupId) => listed.has(groupId)));
    return Object.fromEntries(groupIds.map((groupId) => [groupId, groups.find((group) => group.groupId === groupId)?.state ?? 'gone']));
  } finally {
    await admin.disconnect();
  }
}

it('deletes the empty read groups of runs that did not finish, and leaves other groups and a live run’s group alone', async () => {
  const topic = fixture.subjects[0] ?? '';
  // A killed run's group once its member is gone: joined, then left without deleting it.
  const leftover = `schemaflow-flow-run-${uniqueName('killed')}-w1`;
  // Another tool's group, emptied the same way, and a run still reading (a member stays joined).
  const unrelated = uniqueName('other-app');
  const live = `schemaflow-flow-run-${uniqueName('live')}`;
  for (const groupId of [leftover, unrelated]) await (await member(groupId, topic)).disconnect();
  await member(live, topic);
  const before = await groupStates([leftover, unrelated, live]);
  expect(before).toMatchObject({ [unrelated]: 'Empty', [live]: 'Stable' });
  // Another file's run may have removed the leftover already ('gone'): either way none holds it.
  expect(['Empty', 'gone']).toContain(before[leftover]);

  const run = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic]);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.stderr).not.toContain('warning');
  // Test files running beside this one run flows too, and any run may remove the leftover first:
  // this run's count is not asserted (the unit tests check the line), only the groups.
  for (const line of run.stderr.split('\n').filter((entry) => entry.startsWith('removed '))) expect(line).toMatch(/^removed \d+ consumer groups? left by runs that did not finish$/);
  const after = await groupStates([leftover, unrelated, live, 'schemaflow-flow']);
  expect(after).toMatchObject({ [leftover]: 'gone', [unrelated]: 'Empty', [live]: 'Stable' });
  // The stable lag group stays (other files' runs may be recording into it, so its state varies).
  expect(after['schemaflow-flow']).not.toBe('gone');
});
