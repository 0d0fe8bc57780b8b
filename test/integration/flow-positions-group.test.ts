import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRecordSource } from '../../src/adapters/kafka/record-source.js';
import { mixedRecords } from './support/events.js';
import { createFlowFixture, createTestLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';
import { uniqueName } from './support/names.js';

/**
 * The group the flow commits a lake's positions to (`positionsGroup`, default schemaflow-flow),
 * with the real broker: a lake given its own group commits there and nowhere else, and a group
 * holding a position ahead of the lake's (another lake's) is left as it is, with a warning.
 */
let fixture: FlowFixture;
let topic: string;
const lakes: TestLake[] = [];
beforeAll(async () => {
  fixture = await createFlowFixture(['orders']);
  topic = fixture.subjects[0] ?? '';
  await fixture.createTopic(topic, 1);
  await fixture.send(topic, mixedRecords(fixture, topic, 12, 1).messages);
});
afterAll(async () => {
  for (const lake of lakes) lake.dispose();
  await fixture.dispose();
});

const committed = async (groupId: string): Promise<string[]> => {
  const admin = fixture.kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets?.partitions.map((entry) => entry.offset) ?? [];
  } finally {
    await admin.disconnect();
  }
};

it('commits a lake’s positions to the group it is given (--positions-group), not to schemaflow-flow', async () => {
  const lake = await createTestLake('file');
  lakes.push(lake);
  const group = uniqueName('positions');
  const run = await fixture.cli(['flow', 'run', '--lake', lake.url, '--positions-group', group]);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(await committed(group)).toEqual(['12']);
  expect(await committed('schemaflow-flow')).toEqual(['-1']);
});

it('leaves a position another lake recorded further on as it is, and says why and what to set', async () => {
  const group = uniqueName('shared');
  const ahead = createRecordSource(fixture.kafka, { runId: uniqueName('lake-a'), positionsGroup: group });
  const behind = createRecordSource(fixture.kafka, { runId: uniqueName('lake-b'), positionsGroup: group });
  try {
    await ahead.recordPositions([{ topic, partition: 0, next: 12n }]);
    const refused = await behind.recordPositions([{ topic, partition: 0, next: 5n }]).then(() => undefined, (error: unknown) => error);
    expect(refused).toMatchObject({ code: 'POSITIONS_GROUP_SHARED' });
    expect((refused as Error).message).toContain(`group ${group} holds ${topic}/0 at 12 (this lake: 5), ahead of this lake, and left them as they are`);
    expect((refused as Error).message).toContain('SCHEMAFLOW_POSITIONS_GROUP (--positions-group; actions/flow input positions-group)');
    expect(await committed(group)).toEqual(['12']);
    // The lake ahead goes on recording, and the one behind records once it catches up.
    await behind.recordPositions([{ topic, partition: 0, next: 12n }]);
    expect(await committed(group)).toEqual(['12']);
  } finally {
    await Promise.all([ahead.close(), behind.close()]);
  }
});

it('says so in the run’s output, with the code, and the run passes: lag monitoring never fails a run', async () => {
  const group = uniqueName('further');
  const other = createRecordSource(fixture.kafka, { runId: uniqueName('other-lake'), positionsGroup: group });
  try {
    await other.recordPositions([{ topic, partition: 0, next: 20n }]);
  } finally {
    await other.close();
  }
  const lake = await createTestLake('file');
  lakes.push(lake);
  const run = await fixture.cli(['flow', 'run', '--lake', lake.url, '--positions-group', group]);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.stdout + run.stderr).toContain(`warning: POSITIONS_GROUP_SHARED: group ${group} holds ${topic}/0 at 20 (this lake: 12), ahead of this lake`);
  expect(await committed(group)).toEqual(['20']);
});

it('refuses a group named like the flow’s per-run read groups, which every run deletes', async () => {
  const run = await fixture.cli(['flow', 'run', '--lake', 'file:///nowhere', '--positions-group', 'schemaflow-flow-run-mine']);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('expected a group not starting with schemaflow-flow-run-');
});
