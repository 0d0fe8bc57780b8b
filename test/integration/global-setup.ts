import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { devDown, devUp } from '../../src/dev/environment.js';
import { probeGcs } from '../../src/dev/gcs-emulator.js';
import { probeKafka } from '../../src/dev/kafka-broker.js';
import { findFreePort, isRunning } from '../../src/dev/processes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    gcsEndpoint: string;
  }
}

/**
 * Starts the real services once per run with the same code as `schemaflow dev up`, on free
 * ports in a temporary directory, and stops them afterwards. When SCHEMAFLOW_KAFKA_BROKERS and
 * SCHEMAFLOW_GCS_ENDPOINT are both set, those running services are used instead (and must
 * answer: a suite never silently skips what it cannot reach).
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const brokers = process.env.SCHEMAFLOW_KAFKA_BROKERS;
  const endpoint = process.env.SCHEMAFLOW_GCS_ENDPOINT;
  if (brokers && endpoint) {
    const list = brokers.split(',');
    if (!(await probeKafka(list))) throw new Error(`SCHEMAFLOW_KAFKA_BROKERS=${brokers} does not answer; unset it to let the tests start their own broker`);
    if (!(await probeGcs(endpoint))) throw new Error(`SCHEMAFLOW_GCS_ENDPOINT=${endpoint} does not answer; unset it to let the tests start their own emulator`);
    project.provide('kafkaBrokers', list);
    project.provide('gcsEndpoint', endpoint);
    return undefined;
  }

  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-it-'));
  const cacheDir = process.env.SCHEMAFLOW_CACHE_DIR ?? join(homedir(), '.cache', 'schemaflow');
  const started = Date.now();
  const services = await devUp({
    dir,
    cacheDir,
    kafkaPort: await findFreePort(),
    controllerPort: await findFreePort(),
    gcsPort: await findFreePort(),
    log: (line) => process.stderr.write(`[global-setup] ${line}\n`),
  });
  // A crashed or interrupted run must not leave a broker behind: kill our own pids on exit.
  const pids = services.map((service) => service.pid);
  const killOnExit = (): void => {
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);
  process.stderr.write(`[global-setup] services ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  const kafka = services.find((service) => service.name === 'kafka');
  const gcs = services.find((service) => service.name === 'gcs');
  if (!kafka || !gcs) throw new Error('dev up did not report both services');
  project.provide('kafkaBrokers', kafka.endpoint.split(','));
  project.provide('gcsEndpoint', gcs.endpoint);

  return async () => {
    await devDown(dir);
    process.removeListener('exit', killOnExit);
    const survivors = pids.filter((pid) => isRunning(pid));
    rmSync(dir, { recursive: true, force: true });
    if (survivors.length > 0) throw new Error(`services still running after teardown: pids ${survivors.join(', ')}`);
  };
}
