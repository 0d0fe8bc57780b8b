import { afterAll, beforeAll, expect, it } from 'vitest';
import { FETCH } from '../../src/adapters/kafka/record-source.js';
import { BASE_TIME } from './support/events.js';
import { coverageProblems, createFlowFixture, createTestLake, readLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';

/**
 * Regression: a partition holding more than one fetch (FETCH.maxBytesPerPartition) was fetched
 * from its first offset again and again, because the record source never resolved an offset
 * with kafkajs's auto-resolve off; the run spun without writing anything.
 */
let fixture: FlowFixture;
let lake: TestLake;
const records = 400;
const padding = 'p'.repeat(25_000);

beforeAll(async () => {
  fixture = await createFlowFixture(['clicks']);
  lake = await createTestLake('file');
  const topic = fixture.subjects[0] ?? '';
  await fixture.createTopic(topic, 1);
  const id = String(fixture.idOf(topic, 2));
  for (let start = 0; start < records; start += 20) {
    await fixture.send(topic, Array.from({ length: 20 }, (_, index) => ({ timestamp: String(BASE_TIME), headers: { 'schema-id': id }, value: JSON.stringify({ id: `e${start + index}`, at: new Date(BASE_TIME).toISOString(), ref: padding }) })));
  }
});
afterAll(async () => {
  lake.dispose();
  await fixture.dispose();
});

it('reads a partition that takes several fetches, every offset exactly once', async () => {
  expect(records * padding.length).toBeGreaterThan(2 * FETCH.maxBytesPerPartition);
  const topic = fixture.subjects[0] ?? '';
  const run = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic, '--flush-bytes', '1MiB', '--format', 'json']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as { partitions: Array<{ records: number; next: string; units: number }> };
  expect(report.partitions[0]).toMatchObject({ records, next: String(records) });
  expect(report.partitions[0]?.units).toBeGreaterThan(2);
  expect(coverageProblems(await readLake(lake), topic, 0, records)).toEqual([]);
  const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url]);
  expect(audit.code, audit.stdout).toBe(0);
});
