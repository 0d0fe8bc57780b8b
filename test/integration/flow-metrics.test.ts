import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mixedRecords } from './support/events.js';
import { createFlowFixture, createTestLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';

/** The flow's StatsD metrics, received on a real UDP socket from the CLI run as a process. */
let fixture: FlowFixture;
let lake: TestLake;
beforeAll(async () => {
  fixture = await createFlowFixture();
  lake = await createTestLake('file');
});
afterAll(async () => {
  lake.dispose();
  await fixture.dispose();
});

it('sends records read, written and quarantined, lag, oldest unarchived age and duration to StatsD', async () => {
  const topic = fixture.subjects[0] ?? '';
  await fixture.createTopic(topic, 2);
  const mixed = mixedRecords(fixture, topic, 40, 2);
  await fixture.send(topic, mixed.messages);
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const lines: string[] = [];
  socket.on('message', (message) => lines.push(...message.toString('utf8').split('\n').filter(Boolean)));

  const run = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic, '--statsd-host', `127.0.0.1:${socket.address().port}`]);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  for (let waited = 0; !lines.some((line) => line.startsWith('schemaflow.flow.duration:')) && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  socket.close();

  const sum = (name: string, filter = ''): number => lines.filter((line) => line.startsWith(`schemaflow.flow.${name}:`) && line.includes(filter)).reduce((total, line) => total + Number(/:(-?\d+)\|/.exec(line)?.[1]), 0);
  expect(sum('records_read')).toBe(40);
  expect(sum('records_written')).toBe(mixed.valid);
  expect(sum('records_quarantined')).toBe(40 - mixed.valid);
  for (const [reason, count] of Object.entries(mixed.quarantined)) expect(sum('records_quarantined', `reason:${reason}`), reason).toBe(count);
  expect(lines).toContain(`schemaflow.flow.lag:0|g|#subject:${topic},partition:1`);
  expect(lines).toContain(`schemaflow.flow.oldest_unarchived_age_seconds:0|g|#subject:${topic}`);
  expect(sum('bytes_written')).toBeGreaterThan(0);
  expect(lines.some((line) => /^schemaflow\.flow\.duration:\d+\|ms$/.test(line))).toBe(true);
  expect(lines.some((line) => line.startsWith('schemaflow.flow.errors:'))).toBe(false);
});
