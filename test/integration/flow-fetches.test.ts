import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRecordSource, FETCH } from '../../src/adapters/kafka/record-source.js';
import { openObjectStore } from '../../src/adapters/lake/object-store.js';
import type { RecordSource } from '../../src/ports.js';
import { auditLake } from '../../src/usecases/audit-lake.js';
import { runFlow } from '../../src/usecases/flow-run.js';
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
  fixture = await createFlowFixture(['clicks', 'views']);
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

/**
 * Regression: when retention deleted the offset a run was about to fetch, Kafka answered
 * OFFSET_OUT_OF_RANGE and kafkajs moved the partition to the group's default position, which was
 * the latest offset: the first record it then delivered was past the run's snapshot, so the run
 * committed the whole range as read, and every record from the new log start to the snapshot,
 * still in Kafka, was never archived (no gap, exit 0, audit clean). It now resumes at the log
 * start, and the deleted offsets are missing inside the unit, as the README says.
 */
it('resumes at the log start when retention overtakes the read, never past records Kafka still holds', async () => {
  const topic = fixture.subjects[1] ?? '';
  await fixture.createTopic(topic, 1);
  const id = String(fixture.idOf(topic, 2));
  // About ten records to a fetch (FETCH.maxBytesPerPartition is 1 MiB).
  const pad = 'p'.repeat(100_000);
  const send = (from: number, count: number): Promise<void> => fixture.send(topic, Array.from({ length: count }, (_, index) => ({ timestamp: String(BASE_TIME), headers: { 'schema-id': id }, value: JSON.stringify({ id: `e${from + index}`, at: new Date(BASE_TIME).toISOString(), ref: pad }) })));
  for (let from = 0; from < 60; from += 10) await send(from, 10);
  const admin = fixture.kafka.admin();
  await admin.connect();
  // kafkajs's deleteTopicRecords needs the topic's metadata loaded.
  await admin.fetchTopicMetadata({ topics: [topic] });
  const real = createRecordSource(fixture.kafka, { runId: 'retention-overtakes' });
  const delivered: number[] = [];
  let deletedTo: number | undefined;
  // After the first batch, retention deletes the next 20 offsets and producers go on writing:
  // the latest offset moves past the run's snapshot (60).
  const source: RecordSource = {
    ...real,
    read: (ranges, handle, options) =>
      real.read(
        ranges,
        async (batch) => {
          delivered.push(...batch.records.map((record) => Number(record.offset)));
          const wanted = await handle(batch);
          if (deletedTo === undefined && batch.records.length > 0) {
            deletedTo = Number(batch.records.at(-1)?.offset) + 21;
            await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: String(deletedTo) }] });
            await send(60, 10);
          }
          return wanted;
        },
        options,
      ),
  };
  const own = await createTestLake('file');
  const lake = openObjectStore(own.url);
  const state = openObjectStore(`${own.url}/_state`);
  try {
    const report = await runFlow({ lake, state, source, manifests: { latest: () => Promise.resolve(fixture.manifest), bySerial: () => Promise.resolve(fixture.manifest) }, clock: () => new Date(), fault: () => Promise.resolve(), log: () => undefined }, { runId: 'retention-overtakes', subjects: [topic], shard: null, maxDurationMs: 60_000, flushBytes: 64 << 20, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 900_000 });
    expect(deletedTo).toBeLessThan(60);
    const after = delivered.filter((offset) => offset >= (deletedTo ?? 0));
    expect(after).toEqual(Array.from({ length: 60 - (deletedTo ?? 0) }, (_, index) => (deletedTo ?? 0) + index));
    expect(report.partitions[0]).toMatchObject({ status: 'archived', next: '60', written: delivered.length });
    expect(delivered.length).toBe(60 - 20);
    expect((await auditLake({ lake, state })).ok).toBe(true);
  } finally {
    await real.close();
    await admin.disconnect();
    own.dispose();
  }
});
