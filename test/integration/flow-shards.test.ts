import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedMixedTopics, type MixedTopic } from './support/events.js';
import { coverageProblems, createFlowFixture, createTestLake, readLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';

/**
 * `flow run --shard i/n`: n runs side by side, each on its share of the subjects' partitions,
 * archive every offset exactly once between them; `flow close` closes the hours after, reading nothing.
 */
let fixture: FlowFixture;
let lake: TestLake;
const topics: MixedTopic[] = [];

beforeAll(async () => {
  fixture = await createFlowFixture(['clicks', 'views']);
  lake = await createTestLake('file');
  const [clicks = '', views = ''] = fixture.subjects;
  topics.push({ topic: clicks, partitions: 4, records: 80 }, { topic: views, partitions: 1, records: 20 });
  await seedMixedTopics(fixture, topics);
});
afterAll(async () => {
  lake.dispose();
  await fixture.dispose();
});

interface Report {
  shard: string | null;
  closeOnly: boolean;
  partitions: Array<{ topic: string; partition: number; status: string; next: string; records: number; problem?: string }>;
  closures: Array<{ subject: string; markers: number; held?: string }>;
}

it('two shards side by side archive disjoint partitions, every offset exactly once; flow close closes the hours after', async () => {
  // Before any run, flow close finds every offset unarchived: it reads nothing and closes nothing.
  const early = await fixture.cli(['flow', 'close', '--lake', lake.url, '--subjects', fixture.subjects.join(','), '--allowed-lateness', '30h', '--format', 'json']);
  expect(early.code, early.stdout + early.stderr).toBe(0);
  const earlyReport = JSON.parse(early.stdout) as Report;
  expect(earlyReport.closeOnly).toBe(true);
  expect(earlyReport.partitions.map((entry) => [entry.status, entry.records])).toEqual(earlyReport.partitions.map(() => ['incomplete', 0]));
  expect(earlyReport.partitions.find((entry) => entry.topic === topics[1]?.topic)?.problem).toBe('offsets 0–19 are not archived yet: flow close reads nothing, the next flow run archives them (their hours stay open until then)');
  expect(earlyReport.closures.map((closure) => closure.markers)).toEqual([0, 0]);
  expect((await readLake(lake)).keys.filter((key) => !key.startsWith('_state/'))).toEqual([]);

  const run = (shard: string): Promise<{ code: number; stdout: string; stderr: string }> => fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', fixture.subjects.join(','), '--shard', shard, '--flush-bytes', '2KiB', '--allowed-lateness', '30h', '--format', 'json']);
  const runs = await Promise.all([run('0/2'), run('1/2')]);
  const reports = runs.map((result) => {
    expect(result.code, result.stdout + result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Report;
  });
  expect(reports.map((report) => report.shard)).toEqual(['0/2', '1/2']);
  // Each partition in exactly one shard's report, read to its end there.
  const owned = reports.flatMap((report) => report.partitions.map((entry) => `${entry.topic}/${entry.partition}`));
  expect(owned.sort()).toEqual(topics.flatMap(({ topic, partitions }) => Array.from({ length: partitions }, (_, partition) => `${topic}/${partition}`)).sort());
  for (const report of reports) expect(report.partitions.length, JSON.stringify(report.partitions)).toBeGreaterThan(0);
  for (const entry of reports.flatMap((report) => report.partitions)) expect(entry.status, `${entry.topic}/${entry.partition}`).toBe('archived');
  // Other shards may still be reading while one finishes: no sharded run closes an hour.
  for (const report of reports) {
    expect(report.closures.map((closure) => closure.held)).toEqual(fixture.subjects.map(() => 'a sharded run does not close hours; flow close does, once every shard is done'));
    expect(report.closures.every((closure) => closure.markers === 0)).toBe(true);
  }

  // Both shards record their positions in the stable group, even when they do it at the same moment.
  const admin = fixture.kafka.admin();
  await admin.connect();
  const committed = await admin.fetchOffsets({ groupId: 'schemaflow-flow', topics: topics.map(({ topic }) => topic) });
  await admin.disconnect();
  expect(committed.flatMap((topic) => topic.partitions.map((entry) => `${topic.topic}/${entry.partition}@${entry.offset}`)).sort()).toEqual(topics.flatMap(({ topic, partitions, records }) => Array.from({ length: partitions }, (_, partition) => `${topic}/${partition}@${records / partitions}`)).sort());

  const contents = await readLake(lake);
  for (const { topic, partitions, records } of topics) for (let partition = 0; partition < partitions; partition += 1) expect(coverageProblems(contents, topic, partition, records / partitions)).toEqual([]);
  const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url]);
  expect(audit.code, audit.stdout).toBe(0);

  expect((await readLake(lake)).keys.filter((key) => key.endsWith('/_CLOSED.json'))).toEqual([]);
  // After the shards, flow close reads nothing and closes every hour with data.
  const closed = await fixture.cli(['flow', 'close', '--lake', lake.url, '--subjects', fixture.subjects.join(','), '--allowed-lateness', '30h']);
  expect(closed.code, closed.stdout + closed.stderr).toBe(0);
  expect(closed.stdout).toMatch(/^flow close \S+: manifest serial \d+, lake /);
  expect(closed.stderr).not.toContain('reading');
  const hours = new Set((await readLake(lake)).rows.filter((row) => !row.key.startsWith('_')).map((row) => row.key.split('/').slice(0, 4).join('/')));
  const markers = (await readLake(lake)).keys.filter((key) => key.endsWith('/_CLOSED.json')).map((key) => key.slice(0, -'/_CLOSED.json'.length));
  expect(hours.size).toBeGreaterThan(2);
  expect(markers.sort()).toEqual([...hours].sort());
  expect((await fixture.cli(['lake', 'audit', '--lake', lake.url])).code).toBe(0);
});

it('plans only its own partitions with --dry-run, and rejects a shard that is not i/n with 0 ≤ i < n', async () => {
  const empty = await createTestLake('file');
  const plan = await fixture.cli(['flow', 'run', '--lake', empty.url, '--subjects', fixture.subjects.join(','), '--shard', '1/2', '--dry-run']).finally(() => empty.dispose());
  expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  expect(plan.stdout).toMatch(/^flow run \S+ \(shard 1\/2\) \(dry run: nothing read or written\)/);
  const planned = plan.stdout.split('\n').filter((line) => line.trimStart().startsWith('planned'));
  expect(planned.length).toBeGreaterThan(0);
  expect(planned.length).toBeLessThan(5);
  const bad = await fixture.cli(['flow', 'run', '--lake', lake.url, '--shard', '2/2']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--shard must be i/n, shard i of n counted from 0');
  // flow close needs every partition's state: it takes no shard.
  const shardedClose = await fixture.cli(['flow', 'close', '--lake', lake.url, '--shard', '0/2']);
  expect(shardedClose.code).toBe(2);
  expect(shardedClose.stderr).toContain('--shard');
});
