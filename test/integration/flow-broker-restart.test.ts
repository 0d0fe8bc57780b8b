import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kafkaBrokerService } from '../../src/dev/kafka-broker.js';
import { findFreePort, isRunning } from '../../src/dev/processes.js';
import { ensureService, stopService, type ServiceRecord } from '../../src/dev/service.js';
import { mixedRecords } from './support/events.js';
import { coverageProblems, createFlowFixture, createTestLake, readLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';

/**
 * A broker crash and restart in the middle of a run, on a broker of this test's own (the shared one
 * serves the other test files): the run either rides it out or ends without committing what it
 * had not published; the next run completes, and every offset is in the lake exactly once.
 */
const dir = mkdtempSync(join(tmpdir(), 'schemaflow-restart-'));
let spec: ReturnType<typeof kafkaBrokerService>;
let record: ServiceRecord;
let fixture: FlowFixture;
let lake: TestLake;
const partitions = 3;
const records = 900;

beforeAll(async () => {
  spec = kafkaBrokerService({ dir, cacheDir: process.env.SCHEMAFLOW_CACHE_DIR ?? join(homedir(), '.cache', 'schemaflow'), port: await findFreePort(), controllerPort: await findFreePort(), log: () => undefined });
  record = (await ensureService(dir, spec)).record;
  fixture = await createFlowFixture(['clicks', 'views'], { brokers: [spec.endpoint] });
  lake = await createTestLake('file');
  const topic = fixture.subjects[0] ?? '';
  await fixture.createTopic(topic, partitions);
  // 20 KB events: each partition holds more than one fetch (4 MiB), so the read spans the restart.
  const padding = 'p'.repeat(20_000);
  const { messages } = mixedRecords(fixture, topic, records, partitions);
  for (let start = 0; start < messages.length; start += 100) {
    await fixture.send(topic, messages.slice(start, start + 100).map((message) => (typeof message.value === 'string' && message.value.includes('"ref"') ? { ...message, value: message.value.replace('"ref":"', `"ref":"${padding}`) } : message)));
  }
}, 120_000);
afterAll(async () => {
  await fixture.dispose().catch(() => undefined);
  lake.dispose();
  await stopService(dir, record).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('survives a broker restart mid-run: the next run completes and every offset is archived exactly once', { timeout: 240_000 }, async () => {
  const topic = fixture.subjects[0] ?? '';
  const args = ['flow', 'run', '--lake', lake.url, '--subjects', topic, '--flush-bytes', '512KiB'];
  let settled = false;
  // Riding out the restart can take a while: the rejoin may wait for the group's old member to time out.
  const running = fixture.cli(args, {}, { timeoutMs: 120_000 }).finally(() => (settled = true));
  // Restart as soon as the run's own consumer group exists: it is joining or fetching.
  const admin = fixture.kafka.admin();
  await admin.connect();
  for (let waited = 0; !(await admin.listGroups().catch(() => ({ groups: [] as Array<{ groupId: string }> }))).groups.some((group) => group.groupId.startsWith('schemaflow-flow-run-')) && waited < 30_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  await admin.disconnect();
  expect(settled, 'the run ended before the broker restarted').toBe(false);
  // A hard crash, not a controlled shutdown (which would let the run finish its fetches first).
  process.kill(record.pid, 'SIGKILL');
  for (let waited = 0; isRunning(record.pid) && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  record = (await ensureService(dir, spec)).record;
  const interrupted = await running;
  expect(interrupted.signal).toBeNull();
  expect([0, 1]).toContain(interrupted.code);

  const rerun = await fixture.cli(args);
  expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
  const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url]);
  expect(audit.code, audit.stdout).toBe(0);
  const contents = await readLake(lake);
  for (let partition = 0; partition < partitions; partition += 1) expect(coverageProblems(contents, topic, partition, records / partitions)).toEqual([]);
});
