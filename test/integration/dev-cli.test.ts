import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort, isPortFree, isRunning } from '../../src/dev/processes.js';
import { runSchemaflow } from '../support/cli.js';
import { createTopicWithLeaders } from './support/topics.js';

/**
 * `schemaflow dev up | status | down` as a user runs them: a second pair of services in its own
 * directory and ports, next to the ones the global setup started.
 */
describe('schemaflow dev', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-dev-cli-'));
  let env: NodeJS.ProcessEnv = {};

  afterAll(async () => {
    await runSchemaflow(['dev', 'down'], { env });
    rmSync(dir, { recursive: true, force: true });
  });

  const pidsOf = (): number[] =>
    readdirSync(dir)
      .filter((file) => file.endsWith('.pid.json'))
      .map((file) => (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { pid: number }).pid);

  it('starts, reuses, reports, stops without leftovers, and keeps data across a restart', async () => {
    const [kafkaPort, controllerPort, gcsPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    env = {
      ...process.env,
      SCHEMAFLOW_KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
      SCHEMAFLOW_DEV_CONTROLLER_PORT: String(controllerPort),
      SCHEMAFLOW_DEV_GCS_PORT: String(gcsPort),
      SCHEMAFLOW_DEV_DIR: dir,
    };

    const up = await runSchemaflow(['dev', 'up'], { env });
    expect(up.stderr).not.toMatch(/error/i);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(new RegExp(`kafka .*127\\.0\\.0\\.1:${kafkaPort} +started`));
    expect(up.stdout).toMatch(new RegExp(`gcs .*http://127\\.0\\.0\\.1:${gcsPort} +started`));
    expect(up.stdout).toContain(`export SCHEMAFLOW_KAFKA_BROKERS=127.0.0.1:${kafkaPort}`);
    const pids = pidsOf();
    expect(pids).toHaveLength(2);

    // Idempotent: a second `up` reuses both.
    const again = await runSchemaflow(['dev', 'up'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout.match(/already running/g)).toHaveLength(2);
    expect(pidsOf().sort()).toEqual([...pids].sort());

    const status = await runSchemaflow(['dev', 'status'], { env });
    expect(status.code).toBe(0);
    expect(status.stdout.match(/ running \(pid/g)).toHaveLength(2);

    // Leave data in both, then restart.
    const brokers = [`127.0.0.1:${kafkaPort}`];
    const kafka = new Kafka({ brokers, clientId: 'dev-cli-test', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await createTopicWithLeaders(admin, 'apps-users', 3);
    await admin.disconnect();
    const storage = new Storage({ apiEndpoint: `http://127.0.0.1:${gcsPort}`, projectId: 'schemaflow-test' });
    const [bucket] = await storage.createBucket('dev-cli-lake');
    await bucket.file('kept.txt').save('kept', { resumable: false });

    const down = await runSchemaflow(['dev', 'down'], { env });
    expect(down.code).toBe(0);
    expect(down.stdout.match(/stopped|killed/g)).toHaveLength(2);
    expect(pids.filter((pid) => isRunning(pid))).toEqual([]);
    for (const port of [kafkaPort, controllerPort, gcsPort]) expect(await isPortFree(port)).toBe(true);
    expect(pidsOf()).toEqual([]);

    const stopped = await runSchemaflow(['dev', 'status'], { env });
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toContain('nothing started');

    const restarted = await runSchemaflow(['dev', 'up'], { env });
    expect(restarted.code).toBe(0);
    const admin2 = kafka.admin();
    await admin2.connect();
    const metadata = await admin2.fetchTopicMetadata({ topics: ['apps-users'] });
    await admin2.disconnect();
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
    const [content] = await storage.bucket('dev-cli-lake').file('kept.txt').download();
    expect(content.toString('utf8')).toBe('kept');

    const finalDown = await runSchemaflow(['dev', 'down'], { env });
    expect(finalDown.code).toBe(0);
    expect(pidsOf()).toEqual([]);
  }, 240_000);

  it('refuses a port another process holds, names it, and leaves nothing started', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    const heldPort = typeof address === 'object' && address ? address.port : 0;
    const busyDir = join(dir, 'busy');
    try {
      const busy = await runSchemaflow(['dev', 'up', '--brokers', `127.0.0.1:${heldPort}`], {
        env: { ...process.env, SCHEMAFLOW_DEV_DIR: busyDir, SCHEMAFLOW_DEV_CONTROLLER_PORT: String(await findFreePort()), SCHEMAFLOW_DEV_GCS_PORT: String(await findFreePort()) },
      });
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`PORT_IN_USE: cannot start kafka: port ${heldPort} on 127.0.0.1 is in use by another process`);
      expect(readdirSync(busyDir).filter((file) => file.endsWith('.pid.json'))).toEqual([]);
    } finally {
      holder.close();
    }
  });

  it('rejects a remote broker address with exit 2', async () => {
    const remote = await runSchemaflow(['dev', 'up', '--brokers', 'kafka.example.com:9092'], { env: { ...process.env, SCHEMAFLOW_DEV_DIR: join(dir, 'remote') } });
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('must be a single 127.0.0.1:<port>');
  });
});
