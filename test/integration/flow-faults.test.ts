import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { actionNode } from '../support/action-runtime.js';
import { forward, listenLoopback } from '../support/loopback.js';
import { mixedRecords } from './support/events.js';
import { coverageProblems, createFlowFixture, createTestLake, readLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';

/** Faults with the real broker and GCS emulator: overlapping runs, and GCS answering 429/503. */
let fixture: FlowFixture;
const lakes: TestLake[] = [];
const partitions = 3;
const records = 90;
beforeAll(async () => {
  fixture = await createFlowFixture();
  const topic = fixture.subjects[0] ?? '';
  await fixture.createTopic(topic, partitions);
  await fixture.send(topic, mixedRecords(fixture, topic, records, partitions).messages);
});
afterAll(async () => {
  for (const lake of lakes) lake.dispose();
  await fixture.dispose();
});

async function expectExactlyOnce(lake: TestLake, env: Record<string, string> = {}): Promise<void> {
  const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url], env);
  expect(audit.code, audit.stdout + audit.stderr).toBe(0);
  const contents = await readLake(lake);
  for (let partition = 0; partition < partitions; partition += 1) expect(coverageProblems(contents, fixture.subjects[0] ?? '', partition, records / partitions)).toEqual([]);
}

/**
 * A loopback proxy in front of the emulator that answers 429 or 503 (alternately, per kind) to the
 * second and third upload, download (`alt=media`) and other read, then to every seventh upload
 * and every eleventh download or read (counted per kind, retries included), and forwards
 * everything else untouched: each kind of request meets both answers however many requests a
 * run makes.
 */
async function startFaultyProxy(target: string): Promise<{ endpoint: string; injected: () => string[]; close: () => Promise<void> }> {
  const counts = { upload: 0, download: 0, read: 0 };
  const injected: string[] = [];
  const server = createServer((incoming, outgoing) => {
    const url = incoming.url ?? '';
    const kind = incoming.method === 'POST' && url.includes('/upload/') ? 'upload' : incoming.method === 'GET' && /[?&]alt=media\b/.test(url) ? 'download' : 'read';
    const count = (counts[kind] += 1);
    if (count === 2 || count === 3 || count % (kind === 'upload' ? 7 : 11) === 0) {
      const status = injected.filter((entry) => entry.startsWith(kind)).length % 2 === 0 ? 429 : 503;
      injected.push(`${kind} ${status}`);
      incoming.resume();
      outgoing.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: status, message: 'injected by the test proxy' } }));
      return;
    }
    forward(target, incoming, outgoing);
  });
  const { url, close } = await listenLoopback(server);
  return { endpoint: url, injected: () => injected, close };
}

describe('flow faults', () => {
  it('two overlapping runs: each partition is advanced by one run only, nothing is archived twice', async () => {
    const lake = await createTestLake('file');
    lakes.push(lake);
    const args = ['flow', 'run', '--lake', lake.url, '--subjects', fixture.subjects[0] ?? '', '--flush-bytes', '2KiB'];
    const [first, second] = await Promise.all([fixture.cli(args), fixture.cli(args)]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    await expectExactlyOnce(lake);
    // Whoever lost a partition says so and published nothing more for it.
    const lost = [first, second].flatMap((run) => run.stdout.split('\n').filter((line) => line.includes('contended')));
    for (const line of lost) expect(line).toMatch(/contended/);
    const again = await fixture.cli(args);
    expect(again.stdout).not.toContain('archived ');
  });

  // On Node.js 24 (the actions' runtime) too: there the GCS client's own retry of a download
  // crashed the process (ERR_STREAM_UNABLE_TO_PIPE), which Node 20 never showed.
  it.each([
    ['the suite’s Node.js', undefined],
    ['Node.js 24, the actions’ runtime', actionNode],
  ])('GCS answering 429 and 503 (%s): requests are retried with backoff and nothing is lost', async (_runtime, nodeOf) => {
    const node = nodeOf?.();
    const lake = await createTestLake('gcs');
    lakes.push(lake);
    const proxy = await startFaultyProxy(inject('gcsEndpoint'));
    try {
      const run = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', fixture.subjects[0] ?? '', '--flush-bytes', '4KiB'], { SCHEMAFLOW_GCS_ENDPOINT: proxy.endpoint }, { ...(node ? { node } : {}) });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      // Each kind of request met both answers, and was retried past them.
      expect(new Set(proxy.injected())).toEqual(new Set(['upload 429', 'upload 503', 'download 429', 'download 503', 'read 429', 'read 503']));
    } finally {
      await proxy.close();
    }
    await expectExactlyOnce(lake);
  });
});
