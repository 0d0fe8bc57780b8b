import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runAction } from '../support/action.js';
import { forward, listenLoopback } from '../support/loopback.js';
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

/**
 * `flow close` on SIGINT or SIGTERM first finishes closing the hours, then exits 130 or 143. It
 * reads no record and is over in well under a second, so a signal sent at a moment chosen by the
 * clock could land before it starts or after it ends: instead, a proxy in front of the GCS
 * emulator holds its first upload (closing writes the hours' markers and the closure state, and
 * nothing else) until the run has logged that it received the signal, then lets it through.
 */
describe('flow close stopped by a signal', () => {
  let closing: FlowFixture;
  const hours = 3;

  beforeAll(async () => {
    closing = await createFlowFixture(['clicks']);
    const topic = closing.subjects[0] ?? '';
    await closing.createTopic(topic, 1);
    const id = String(closing.idOf(topic, 1));
    await closing.send(topic, Array.from({ length: hours * 4 }, (_, index) => ({ timestamp: String(BASE_TIME + index * 900_000), headers: { 'schema-id': id }, value: JSON.stringify({ id: `c${index}`, at: new Date(BASE_TIME + index * 900_000).toISOString() }) })));
  });
  afterAll(async () => {
    await closing.dispose();
  });

  /** A GCS lake holding every record of the topic and no closed hour: two shards archived it, and a shard closes no hour. */
  async function unclosedLake(topic: string): Promise<TestLake> {
    const gcsLake = await createTestLake('gcs');
    for (const shard of ['0/2', '1/2']) {
      const run = await closing.cli(['flow', 'run', '--lake', gcsLake.url, '--subjects', topic, '--shard', shard]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
    }
    expect((await gcsLake.objects()).filter(({ key }) => key.endsWith('/_CLOSED.json'))).toEqual([]);
    return gcsLake;
  }

  /** Sends `signal` once the proxy holds the first upload, and lets it through once the process has logged the signal (on `stream`). */
  function signalWhileHeld(proxy: { held: Promise<void>; release: () => void }, signal: NodeJS.Signals, stream: 'stdout' | 'stderr'): (child: ChildProcess) => void {
    return (child) => {
      let text = '';
      child[stream]?.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes(`schemaflow: ${signal}:`)) proxy.release();
      });
      void proxy.held.then(() => child.kill(signal));
    };
  }

  /** Every hour with data has its marker, and the lake holds up. */
  async function expectEveryHourClosed(gcsLake: TestLake): Promise<void> {
    const keys = (await gcsLake.objects()).map(({ key }) => key);
    const markers = keys.filter((key) => key.endsWith('/_CLOSED.json')).map((key) => key.slice(0, -'/_CLOSED.json'.length));
    const dataHours = new Set(keys.filter((key) => key.endsWith('.jsonl.gz') && !key.startsWith('_')).map((key) => key.split('/').slice(0, 4).join('/')));
    expect(dataHours.size).toBe(hours);
    expect(markers.sort()).toEqual([...dataHours].sort());
    const audit = await closing.cli(['lake', 'audit', '--lake', gcsLake.url]);
    expect(audit.code, audit.stdout).toBe(0);
  }

  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('%s: closes every hour it would have closed, then exits %i', async (signal, exitCode) => {
    const topic = closing.subjects[0] ?? '';
    const gcsLake = await unclosedLake(topic);

    const proxy = await startHoldingProxy(inject('gcsEndpoint'));
    try {
      const closed = await closing.cli(['flow', 'close', '--lake', gcsLake.url, '--subjects', topic, '--allowed-lateness', '1h'], { SCHEMAFLOW_GCS_ENDPOINT: proxy.endpoint }, {
        started: signalWhileHeld(proxy, signal, 'stderr'),
      });
      expect(closed.code, closed.stdout + closed.stderr).toBe(exitCode);
      expect(closed.signal).toBeNull();
      // It reads nothing: it says what it does instead.
      expect(closed.stderr).toContain(`schemaflow: ${signal}: finishing closing the hours (send it again to end at once)`);
      expect(closed.stdout).toMatch(/^flow close \S+: manifest serial \d+, lake gs:\/\//);
    } finally {
      await proxy.close();
    }
    // Every hour with data was closed all the same.
    await expectEveryHourClosed(gcsLake);
  });

  // Regression: actions/flow with close-only, cancelled, failed the step saying "what was read is committed": it reads nothing.
  it.each(['SIGINT', 'SIGTERM'] as const)('actions/flow with close-only, cancelled (%s): closes every hour, then fails the step saying so', async (signal) => {
    const topic = closing.subjects[0] ?? '';
    const gcsLake = await unclosedLake(topic);
    const proxy = await startHoldingProxy(inject('gcsEndpoint'));
    try {
      const inputs = { 'kafka-brokers': inject('kafkaBrokers').join(','), 'manifest-url': closing.manifestUrl, 'lake-url': gcsLake.url, 'gcs-endpoint': proxy.endpoint, subjects: topic, 'close-only': 'true', 'allowed-lateness': '1h', 'dry-run': 'false' };
      const run = await runAction('flow', {
        cwd: process.cwd(),
        inputs,
        started: signalWhileHeld(proxy, signal, 'stdout'),
      });
      expect(run.code, run.stdout).toBe(1);
      expect(run.stdout).toContain(`schemaflow: ${signal}: finishing closing the hours`);
      expect(run.stdout).toContain(`::error::stopped by ${signal}: it finished closing the hours first`);
      expect(run.summary).toContain(`schemaflow flow (close only): stopped by ${signal}`);
    } finally {
      await proxy.close();
    }
    await expectEveryHourClosed(gcsLake);
  });
});

/**
 * A loopback proxy in front of the GCS emulator that holds the first upload until release() is
 * called (`held` resolves when it arrives), and forwards everything else untouched.
 */
async function startHoldingProxy(target: string): Promise<{ endpoint: string; held: Promise<void>; release: () => void; close: () => Promise<void> }> {
  let arrived: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (arrived = resolve));
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding = false;
  const server = createServer((incoming, outgoing) => {
    const upload = incoming.method === 'POST' && (incoming.url ?? '').includes('/upload/');
    const wait = upload && !holding ? ((holding = true), arrived(), released) : Promise.resolve();
    void wait.then(() => forward(target, incoming, outgoing));
  });
  const { url, close } = await listenLoopback(server);
  return { endpoint: url, held, release, close };
}
