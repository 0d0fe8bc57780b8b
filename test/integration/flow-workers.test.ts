import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedMixedTopics, type MixedTopic } from './support/events.js';
import { coverageProblems, createFlowFixture, createTestLake, readLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';

/**
 * `flow run --workers N`: N threads of one run archive disjoint shares of its partitions, every
 * offset exactly once, and the run closes the hours once after them.
 */
let fixture: FlowFixture;
let lake: TestLake;
const topics: MixedTopic[] = [];

beforeAll(async () => {
  // 'ghost' has no topic: every thread finds it missing, the run says so once.
  fixture = await createFlowFixture(['clicks', 'views', 'ghost']);
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
  runId: string;
  shard: string | null;
  partitions: Array<{ topic: string; partition: number; status: string; records: number }>;
  closures: Array<{ subject: string; markers: number; held?: string }>;
}

it('archives every partition in two threads, every offset exactly once, and closes the hours in the same run', async () => {
  const run = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', fixture.subjects.join(','), '--workers', '2', '--flush-bytes', '2KiB', '--allowed-lateness', '30h', '--format', 'json']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as Report;
  expect(report.shard).toBeNull();
  // One report for the run, in partition order, every partition read to its end by one thread.
  expect(report.partitions.map((entry) => `${entry.topic}/${entry.partition} ${entry.status}`)).toEqual(topics.flatMap(({ topic, partitions }) => Array.from({ length: partitions }, (_, partition) => `${topic}/${partition} archived`)));
  expect(report.partitions.reduce((sum, entry) => sum + entry.records, 0)).toBe(100);
  // Both threads read (their log lines name them), each with a consumer group of its own.
  expect(run.stderr).toMatch(/^worker 0: reading \d+ partitions/m);
  expect(run.stderr).toMatch(/^worker 1: reading \d+ partitions/m);
  const ghost = fixture.subjects[2] ?? '';
  expect(run.stderr.split('\n').filter((line) => line.includes(`topic ${ghost} does not exist`))).toHaveLength(1);
  expect((JSON.parse(run.stdout) as { missingTopics: string[] }).missingTopics).toEqual([ghost]);

  const contents = await readLake(lake);
  for (const { topic, partitions, records } of topics) for (let partition = 0; partition < partitions; partition += 1) expect(coverageProblems(contents, topic, partition, records / partitions)).toEqual([]);
  // The hours closed once, after both threads: a marker for every hour with data.
  const hours = new Set(contents.rows.filter((row) => !row.key.startsWith('_')).map((row) => row.key.split('/').slice(0, 4).join('/')));
  const markers = contents.keys.filter((key) => key.endsWith('/_CLOSED.json')).map((key) => key.slice(0, -'/_CLOSED.json'.length));
  expect(hours.size).toBeGreaterThan(2);
  expect(markers.sort()).toEqual([...hours].sort());
  expect(report.closures.reduce((sum, closure) => sum + closure.markers, 0)).toBe(markers.length);
  expect((await fixture.cli(['lake', 'audit', '--lake', lake.url])).code).toBe(0);

  // The threads' per-run consumer groups are gone; the stable group holds every position.
  const admin = fixture.kafka.admin();
  await admin.connect();
  const groups = (await admin.listGroups()).groups.map((group) => group.groupId);
  const committed = await admin.fetchOffsets({ groupId: 'schemaflow-flow', topics: topics.map(({ topic }) => topic) });
  await admin.disconnect();
  expect(groups.filter((group) => group.includes(report.runId))).toEqual([]);
  expect(committed.flatMap((topic) => topic.partitions.map((entry) => `${topic.topic}/${entry.partition}@${entry.offset}`)).sort()).toEqual(topics.flatMap(({ topic, partitions, records }) => Array.from({ length: partitions }, (_, partition) => `${topic}/${partition}@${records / partitions}`)).sort());

  // Run again: nothing to read, nothing written.
  const again = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', fixture.subjects.join(','), '--workers', '2', '--format', 'json']);
  expect(again.code, again.stderr).toBe(0);
  expect((JSON.parse(again.stdout) as Report).partitions.every((entry) => entry.status === 'idle')).toBe(true);
  const published = (keys: readonly string[]): string[] => keys.filter((key) => !key.startsWith('_state/')).sort();
  expect(published((await readLake(lake)).keys)).toEqual(published(contents.keys));
});

it('splits a shard among its threads, and rejects a number of threads out of range', async () => {
  const empty = await createTestLake('file');
  const plan = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => fixture.cli(['flow', 'run', '--lake', empty.url, '--subjects', fixture.subjects.join(','), '--dry-run', '--format', 'json', ...args]);
  try {
    const alone = await plan(['--shard', '1/2']);
    const threaded = await plan(['--shard', '1/2', '--workers', '2']);
    expect(threaded.code, threaded.stderr).toBe(0);
    const owned = (result: { stdout: string }): string[] => (JSON.parse(result.stdout) as Report).partitions.map((entry) => `${entry.topic}/${entry.partition} ${entry.status}`);
    expect(owned(threaded)).toEqual(owned(alone));
    expect((JSON.parse(threaded.stdout) as Report).shard).toBe('1/2');
    // More threads than the shard has partitions: one per partition at most, said once.
    const crowded = await plan(['--shard', '1/2', '--workers', '8']);
    expect(crowded.code, crowded.stderr).toBe(0);
    expect(owned(crowded)).toEqual(owned(alone));
    const sizing = crowded.stderr.split('\n').filter((line) => line.startsWith('using '));
    expect(sizing).toHaveLength(1);
    const [, used = '', taken = ''] = /^using (\d+) threads? of the 8 asked: the run takes (\d+) partitions?/.exec(sizing[0] ?? '') ?? [];
    expect(Number(taken)).toBe(owned(alone).length);
    expect(Number(used)).toBeGreaterThanOrEqual(1);
    expect(Number(used)).toBeLessThanOrEqual(Number(taken));
  } finally {
    empty.dispose();
  }
  for (const workers of ['0', '33', 'two']) {
    const bad = await fixture.cli(['flow', 'run', '--lake', lake.url, '--workers', workers]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`--workers must be a number of threads from 1 to 32 (up to the machine's cores), not "${workers}"`);
  }
});
