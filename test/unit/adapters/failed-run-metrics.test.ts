import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetricsSink, runWithMetrics } from '../../../src/adapters/flow-ports.js';
import { runCli } from '../../../src/cli/program.js';
import { SchemaflowError } from '../../../src/domain/errors.js';
import type { Metric, MetricsSink } from '../../../src/ports.js';
import type { FlowReport } from '../../../src/usecases/flow-run.js';
import { runAction } from '../../support/action.js';
import { createDiscoveryDir, testManifest, testSubject } from '../../support/discovery-fixture.js';

// Regression: a run that failed outright (brokers unreachable: KAFKA_FAILED; a manifest that
// cannot be read) sent no metrics at all, the metrics being sent only from a report: when every
// run failed, neither `errors` nor `duration` arrived and the alerts on them never fired.

const report: FlowReport = { runId: 'r', manifestSerial: 1, dryRun: false, closeOnly: false, shard: null, partitions: [], missingTopics: [], closures: [], exitCode: 0 };

/** A sink that keeps what it is given, or fails as a broken one would. */
function recordingSink(fail?: Error): MetricsSink & { sent: Metric[] } {
  const sent: Metric[] = [];
  return { sent, send: (metrics) => (fail ? Promise.reject(fail) : (sent.push(...metrics), Promise.resolve())) };
}

describe('a run’s metrics, sent by runWithMetrics for flow run, flow close and actions/flow', () => {
  it('for a run that fails outright: errors tagged with its code, and duration; then its own error', async () => {
    const sink = recordingSink();
    const failure = new SchemaflowError('KAFKA_FAILED', 'cannot read the topics’ offsets');
    let now = 1_000;
    const clock = (): number => (now += 250);
    await expect(runWithMetrics(() => Promise.reject(failure), { sink, closeOnly: false, warn: () => undefined, clock })).rejects.toBe(failure);
    expect(sink.sent).toEqual([
      { type: 'count', name: 'errors', value: 1, tags: { reason: 'KAFKA_FAILED' } },
      { type: 'timing', name: 'duration', value: 250, tags: {} },
    ]);
    const close = recordingSink();
    await expect(runWithMetrics(() => Promise.reject(new TypeError('boom')), { sink: close, closeOnly: true, warn: () => undefined })).rejects.toThrow('boom');
    expect(close.sent).toEqual([{ type: 'count', name: 'errors', value: 1, tags: { reason: 'UNEXPECTED' } }, { type: 'timing', name: 'duration', value: expect.any(Number) as number, tags: { mode: 'close' } }]);
  });

  it('never lets a sink that fails replace the run’s error or report: a warning', async () => {
    const warnings: string[] = [];
    const broken = recordingSink(new Error('socket gone'));
    const failure = new SchemaflowError('MANIFEST_UNREADABLE', 'cannot load the manifest');
    await expect(runWithMetrics(() => Promise.reject(failure), { sink: broken, closeOnly: false, warn: (line) => void warnings.push(line) })).rejects.toBe(failure);
    await expect(runWithMetrics(() => Promise.resolve(report), { sink: broken, closeOnly: false, warn: (line) => void warnings.push(line) })).resolves.toBe(report);
    expect(warnings).toEqual(["warning: the flow's metrics were not sent: socket gone", "warning: the flow's metrics were not sent: socket gone"]);
    // Metrics off: nothing to send, nothing to warn.
    await expect(runWithMetrics(() => Promise.reject(failure), { sink: openMetricsSink({ statsdHost: undefined } as Parameters<typeof openMetricsSink>[0], () => undefined), closeOnly: false, warn: () => undefined })).rejects.toBe(failure);
  });
});

describe('the entry points, sending a failed run’s metrics to a real UDP socket', () => {
  const dir = createDiscoveryDir(testManifest([testSubject('apps-users', [{ type: 'object' }])]));
  const nowhere = `file://${dir.root}/nowhere`;
  let socket: Socket;
  let packets: string[] = [];
  beforeAll(async () => {
    socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    socket.on('message', (message) => packets.push(...message.toString('utf8').split('\n').filter(Boolean)));
  });
  afterAll(() => {
    socket.close();
    dir.dispose();
  });
  /** The packets received until `duration`'s (UDP: it may land after the sender closed). */
  async function received(): Promise<string[]> {
    for (let waited = 0; !packets.some((line) => line.startsWith('schemaflow.flow.duration:')) && waited < 2_000; waited += 25) await new Promise((resolve) => setTimeout(resolve, 25));
    const got = packets;
    packets = [];
    return got;
  }

  it('schemaflow flow run whose brokers cannot be reached (KAFKA_FAILED): errors and duration, exit 1', async () => {
    const err: string[] = [];
    // Port 9 (discard): nothing answers, and the run fails reading the topics' offsets.
    const env = { SCHEMAFLOW_KAFKA_BROKERS: '127.0.0.1:9', SCHEMAFLOW_MANIFEST_URL: dir.manifestUrl, SCHEMAFLOW_LAKE_URL: dir.lakeUrl, SCHEMAFLOW_STATSD_HOST: `127.0.0.1:${socket.address().port}` };
    expect(await runCli(['flow', 'run'], { env, io: { out: () => undefined, err: (line) => err.push(line) } })).toBe(1);
    expect(err.join('\n')).toMatch(/^schemaflow: KAFKA_FAILED: /);
    const got = await received();
    expect(got).toContain('schemaflow.flow.errors:1|c|#reason:KAFKA_FAILED');
    expect(got.filter((line) => /^schemaflow\.flow\.duration:\d+\|ms$/.test(line))).toHaveLength(1);
  });

  it('schemaflow flow close whose manifest cannot be read: errors and duration tagged mode:close', async () => {
    const env = { SCHEMAFLOW_KAFKA_BROKERS: '127.0.0.1:9', SCHEMAFLOW_MANIFEST_URL: nowhere, SCHEMAFLOW_LAKE_URL: dir.lakeUrl, SCHEMAFLOW_STATSD_HOST: `127.0.0.1:${socket.address().port}` };
    expect(await runCli(['flow', 'close'], { env, io: { out: () => undefined, err: () => undefined } })).toBe(1);
    const got = await received();
    expect(got).toContain('schemaflow.flow.errors:1|c|#reason:MANIFEST_UNREADABLE');
    expect(got.filter((line) => /^schemaflow\.flow\.duration:\d+\|ms\|#mode:close$/.test(line))).toHaveLength(1);
  });

  it('actions/flow (its committed bundle) whose manifest cannot be read: errors and duration, the step failed', async () => {
    const run = await runAction('flow', { cwd: dir.root, inputs: { 'kafka-brokers': '127.0.0.1:9', 'manifest-url': nowhere, 'lake-url': dir.lakeUrl, 'statsd-host': `127.0.0.1:${socket.address().port}` } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::cannot load the manifest from');
    const got = await received();
    expect(got).toContain('schemaflow.flow.errors:1|c|#reason:MANIFEST_UNREADABLE');
    expect(got.filter((line) => /^schemaflow\.flow\.duration:\d+\|ms$/.test(line))).toHaveLength(1);
  });
});
