import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { runAction } from '../support/action.js';
import { mixedRecords } from './support/events.js';
import { coverageProblems, createFlowFixture, createTestLake, readLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';

/** actions/flow's committed bundle, run as the runner runs it, against the broker and the GCS emulator. */
let fixture: FlowFixture;
let lake: TestLake;
beforeAll(async () => {
  fixture = await createFlowFixture();
  lake = await createTestLake('gcs');
});
afterAll(async () => {
  lake.dispose();
  await fixture.dispose();
});

it('archives into a gs:// lake, sets its outputs and writes a summary table per subject', async () => {
  const [clicks = '', views = ''] = fixture.subjects;
  await fixture.createTopic(clicks, 3);
  await fixture.createTopic(views, 1);
  const mixed = mixedRecords(fixture, clicks, 30, 3);
  await fixture.send(clicks, mixed.messages);
  const inputs = { 'kafka-brokers': inject('kafkaBrokers').join(','), 'manifest-url': fixture.manifestUrl, 'lake-url': lake.url, 'gcs-endpoint': inject('gcsEndpoint'), subjects: `${clicks},${views}`, shard: '0/1', 'dry-run': 'false' };

  const run = await runAction('flow', { cwd: process.cwd(), inputs });
  expect(run.code, run.stdout).toBe(0);
  // On the actions' Node.js 24 (runAction): no warning in the step's log (kafkajs's negative
  // timers, node-fetch's deprecations) and no warning annotation.
  expect(run.stderr).toBe('');
  expect(run.stdout).not.toContain('::warning');
  expect(run.outputs).toMatchObject({ 'records-read': '30', 'records-archived': String(mixed.valid), 'records-quarantined': String(30 - mixed.valid), gaps: '0' });
  expect(run.outputs['run-id']).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  expect(run.summary).toContain('schemaflow flow: ok');
  expect(run.summary).toContain('(shard 0/1)'); // one shard of one: every partition
  expect(run.summary).toContain(`<td>${clicks}</td><td>3</td><td>30</td><td>${mixed.valid}</td><td>0</td><td>${30 - mixed.valid}</td><td>0</td><td>0</td><td>archived 3</td>`);
  expect(run.summary).toContain(`<td>${views}</td><td>1</td><td>0</td>`);
  const contents = await readLake(lake);
  for (const partition of [0, 1, 2]) expect(coverageProblems(contents, clicks, partition, 10)).toEqual([]);

  // In two threads (the bundle is its own worker script), into a lake of its own: the same outputs.
  const other = await createTestLake('gcs');
  try {
    const threaded = await runAction('flow', { cwd: process.cwd(), inputs: { ...inputs, shard: '', 'lake-url': other.url, workers: '2' } });
    expect(threaded.code, threaded.stdout).toBe(0);
    expect(threaded.outputs).toMatchObject({ 'records-read': '30', 'records-archived': String(mixed.valid), gaps: '0' });
    expect(threaded.stdout).toMatch(/worker 1: reading \d+ partitions/);
    const threadedContents = await readLake(other);
    for (const partition of [0, 1, 2]) expect(coverageProblems(threadedContents, clicks, partition, 10)).toEqual([]);
  } finally {
    other.dispose();
  }

  const bad = await runAction('flow', { cwd: process.cwd(), inputs: { ...inputs, 'max-duration': 'forever' } });
  expect(bad.code).toBe(1);
  expect(bad.stdout).toContain('input max-duration must be a duration');
  const badShard = await runAction('flow', { cwd: process.cwd(), inputs: { ...inputs, shard: '3/2' } });
  expect(badShard.code).toBe(1);
  expect(badShard.stdout).toContain('input shard must be i/n, shard i of n counted from 0');

  // The closing job after a matrix of shards: reads nothing, closes hours, says so.
  const closing = await runAction('flow', { cwd: process.cwd(), inputs: { ...inputs, shard: '', 'close-only': 'true', 'allowed-lateness': '30h' } });
  expect(closing.code, closing.stdout).toBe(0);
  expect(closing.outputs['records-read']).toBe('0');
  expect(closing.summary).toContain('schemaflow flow (close only): ok');
  expect(closing.summary).toMatch(new RegExp(`<td>${clicks}</td><td>3</td><td>0</td><td>0</td>(<td>0</td>){4}<td>idle 3</td><td>\\d{4}-\\d\\d-\\d\\d \\d\\d:00 UTC</td>`));
  const shardedClose = await runAction('flow', { cwd: process.cwd(), inputs: { ...inputs, shard: '0/2', 'close-only': 'true' } });
  expect(shardedClose.code).toBe(1);
  expect(shardedClose.stdout).toContain("input shard cannot go with input close-only: closing hours needs every partition's state");
});
