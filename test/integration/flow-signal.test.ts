import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { runAction } from '../support/action.js';
import { BASE_TIME } from './support/events.js';
import { coverageProblems, createFlowFixture, createTestLake, readLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';

/**
 * SIGINT or SIGTERM (Ctrl-C, a cancelled workflow, a pod being stopped) ends a flow run
 * gracefully: reading stops after the batch at hand, what was read is flushed and committed,
 * and the exit code is the shell's 128 + the signal's number. The next run goes on from there.
 */
let fixture: FlowFixture;
let lake: TestLake;
// Each stopped run reads at least the batch at hand (up to 1 MiB, some 15,000 of these events); four stop before the end.
const records = 120_000;

beforeAll(async () => {
  fixture = await createFlowFixture(['clicks']);
  lake = await createTestLake('file');
  const topic = fixture.subjects[0] ?? '';
  await fixture.createTopic(topic, 1);
  const id = String(fixture.idOf(topic, 1));
  for (let start = 0; start < records; start += 5_000) {
    await fixture.send(topic, Array.from({ length: 5_000 }, (_, index) => ({ timestamp: String(BASE_TIME), headers: { 'schema-id': id }, value: JSON.stringify({ id: `e${start + index}`, at: new Date(BASE_TIME + (start + index) * 1_000).toISOString() }) })));
  }
});
afterAll(async () => {
  lake.dispose();
  await fixture.dispose();
});

/** The partition's committed next offset; 0 before its first commit. */
function committed(statePath: string): number {
  try {
    return Number((JSON.parse(readFileSync(statePath, 'utf8')) as { next: string }).next);
  } catch {
    return 0; // not written yet
  }
}

/** Resolves once the run has committed a unit past `from` (it is mid-read then). */
async function commitPast(statePath: string, from: number): Promise<void> {
  while (committed(statePath) <= from) await new Promise((resolve) => setTimeout(resolve, 20));
}

// SIGTERM with --workers 2: the main thread passes the stop on to the thread reading the partition.
it.each([['SIGINT', 130, 1], ['SIGTERM', 143, 2]] as const)('%s stops the read, commits what was read, and exits %i (--workers %i); the next run goes on', async (signal, exitCode, workers) => {
  const topic = fixture.subjects[0] ?? '';
  const statePath = join(lake.url.slice('file://'.length), '_state', topic, '0.json');
  const before = committed(statePath);
  const args = ['flow', 'run', '--lake', lake.url, '--subjects', topic, '--flush-bytes', '64KiB', '--workers', String(workers), '--format', 'json'];
  const stopped = await fixture.cli(args, {}, { started: (child) => void commitPast(statePath, before).then(() => child.kill(signal)) });
  expect(stopped.code, stopped.stderr).toBe(exitCode);
  expect(stopped.stderr).toContain(`schemaflow: ${signal}: stopping the read; committing what was read`);
  const report = JSON.parse(stopped.stdout) as { partitions: Array<{ status: string; from: string; next: string; records: number }> };
  const partition = report.partitions[0];
  expect(partition?.status).toBe('incomplete');
  // Everything read was committed: the state moved by exactly the records read, and not to the end.
  expect(Number(partition?.next)).toBe(Number(partition?.from) + (partition?.records ?? 0));
  expect(Number(partition?.next)).toBeGreaterThan(before);
  expect(Number(partition?.next)).toBeLessThan(records);
  const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url]);
  expect(audit.code, audit.stdout).toBe(0);
});

it.each(['SIGINT', 'SIGTERM'] as const)('actions/flow: a cancelled step (%s) commits what was read, writes its outputs and summary, and fails saying why', async (signal) => {
  const topic = fixture.subjects[0] ?? '';
  const statePath = join(lake.url.slice('file://'.length), '_state', topic, '0.json');
  const before = committed(statePath);
  const inputs = { 'kafka-brokers': inject('kafkaBrokers').join(','), 'manifest-url': fixture.manifestUrl, 'lake-url': lake.url, subjects: topic, 'flush-bytes': '64KiB', 'dry-run': 'false' };
  const run = await runAction('flow', { cwd: process.cwd(), inputs, started: (child) => void commitPast(statePath, before).then(() => child.kill(signal)) });
  expect(run.code, run.stdout).toBe(1);
  expect(run.stdout).toContain(`${signal}: stopping the read; committing what was read`);
  expect(run.stdout).toContain(`::error::stopped by ${signal}: what was read is committed; the next run goes on from there`);
  const read = Number(run.outputs['records-read']);
  expect(read).toBeGreaterThan(0);
  expect(committed(statePath)).toBe(before + read);
  expect(committed(statePath)).toBeLessThan(records);
  expect(run.summary).toContain(`schemaflow flow: stopped by ${signal}`);
  expect(run.summary).toContain(`<td>${topic}</td><td>1</td><td>${read}</td>`);
  const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url]);
  expect(audit.code, audit.stdout).toBe(0);
});

it('leaves nothing the next run cannot finish: every offset exactly once', async () => {
  const topic = fixture.subjects[0] ?? '';
  const rest = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic, '--format', 'json']);
  expect(rest.code, rest.stderr).toBe(0);
  expect((JSON.parse(rest.stdout) as { partitions: Array<{ next: string }> }).partitions[0]?.next).toBe(String(records));
  expect(coverageProblems(await readLake(lake), topic, 0, records)).toEqual([]);
  const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url]);
  expect(audit.code, audit.stdout).toBe(0);
});
