import { resolve } from 'node:path';
import { gcsEmulatorService, probeGcs } from './gcs-emulator.js';
import { kafkaBrokerService, probeKafka } from './kafka-broker.js';
import {
  ensureService,
  readRecords,
  stateOf,
  stopService,
  type DownOutcome,
  type ServiceRecord,
  type ServiceState,
  type UpOutcome,
} from './service.js';
import { UsageError } from '../domain/errors.js';
import { isOurProcess } from './processes.js';
import { requireTools, type DevService, type Log } from './toolchain.js';

/** Where and how `dev up` runs the local services. */
export interface DevEnvironmentOptions {
  /** Data, logs and pid files; gitignored (`.schemaflow/dev` by default). */
  readonly dir: string;
  /** Kafka classpath and emulator binary. */
  readonly cacheDir: string;
  readonly kafkaPort: number;
  readonly controllerPort: number;
  readonly gcsPort: number;
  readonly log: Log;
  /** Which services to run; both by default (the demo needs the emulator only for a gs:// lake). */
  readonly services?: readonly DevService[];
}

export type { DevService };

export interface ServiceReport {
  readonly name: string;
  readonly description: string;
  readonly endpoint: string;
  readonly pid: number;
  readonly logFile: string;
}

/**
 * Starts the local Kafka broker and GCS emulator (or finds them already running) and returns
 * where they answer. Both are prepared and started concurrently; the emulator is ready in
 * well under a second, the broker in a few.
 */
export async function devUp(options: DevEnvironmentOptions): Promise<Array<ServiceReport & { outcome: UpOutcome }>> {
  const dir = resolve(options.dir);
  const wanted = options.services ?? ['kafka', 'gcs'];
  refuseSharedPorts(options, wanted);
  await requireTools(options.cacheDir, wanted);
  const specs = [
    ...(wanted.includes('kafka') ? [kafkaBrokerService({ dir, cacheDir: options.cacheDir, port: options.kafkaPort, controllerPort: options.controllerPort, log: options.log })] : []),
    ...(wanted.includes('gcs') ? [gcsEmulatorService({ dir, cacheDir: options.cacheDir, port: options.gcsPort, log: options.log })] : []),
  ];
  const results = await Promise.allSettled(specs.map((spec) => ensureService(dir, spec)));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    // Leave nothing half-started behind a failed `up`.
    for (const result of results) {
      if (result.status === 'fulfilled' && result.value.outcome === 'started') await stopService(dir, result.value.record);
    }
    throw failure.reason;
  }
  return results.map((result) => {
    const { record, outcome } = (result as PromiseFulfilledResult<{ record: ServiceRecord; outcome: UpOutcome }>).value;
    return { ...report(record), outcome };
  });
}

/**
 * Each service listens on its own port: Kafka refuses a controller on its broker's port only in a
 * stack trace, and two services given one port race for it. Exit 2 naming both settings, before
 * anything is installed or started.
 */
function refuseSharedPorts(options: DevEnvironmentOptions, wanted: readonly DevService[]): void {
  const ports: Array<readonly [string, number]> = [];
  if (wanted.includes('kafka')) ports.push(['--brokers (SCHEMAFLOW_KAFKA_BROKERS)', options.kafkaPort], ['--controller-port (SCHEMAFLOW_DEV_CONTROLLER_PORT)', options.controllerPort]);
  if (wanted.includes('gcs')) ports.push(['--gcs-port (SCHEMAFLOW_DEV_GCS_PORT)', options.gcsPort]);
  for (const [index, [name, port]] of ports.entries()) {
    const other = ports.slice(index + 1).find(([, candidate]) => candidate === port);
    if (other) {
      throw new UsageError(`the local services need a port each, but ${name} and ${other[0]} both give ${port}: choose another for one of them`, { code: 'CONFIG_INVALID' });
    }
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/** The local broker listens where the brokers setting points, so every other command finds it: one loopback `host:port`. */
export function localKafkaPort(brokers: readonly string[]): number {
  const [broker, ...others] = brokers;
  const match = /^(.*):(\d+)$/.exec(broker ?? '');
  if (!match || others.length > 0 || !LOOPBACK.has(match[1] ?? '')) {
    throw new UsageError(
      `the local broker starts where SCHEMAFLOW_KAFKA_BROKERS points, so it must be a single 127.0.0.1:<port> (got ${brokers.join(',')})`,
      { code: 'CONFIG_INVALID' },
    );
  }
  return Number(match[2]);
}

/** What runs from `dir`, where, and whether it answers. */
export async function devStatus(dirOption: string): Promise<Array<ServiceReport & { state: ServiceState }>> {
  const records = readRecords(resolve(dirOption));
  return Promise.all(
    records.map(async (record) => ({ ...report(record), state: await stateOf(record, () => probeOf(record)) })),
  );
}

/** Stops what `up` started from `dir` (only the services named in `only`, when given) and verifies it is gone. */
export async function devDown(dirOption: string, only?: readonly string[]): Promise<Array<ServiceReport & { outcome: DownOutcome }>> {
  const dir = resolve(dirOption);
  const records = readRecords(dir).filter((record) => only === undefined || only.includes(record.name));
  return Promise.all(records.map(async (record) => ({ ...report(record), outcome: await stopService(dir, record) })));
}

/** The names of the services `up` started from `dir` that run now (no request is made to them). */
export function runningServices(dirOption: string): string[] {
  return readRecords(resolve(dirOption))
    .filter((record) => isOurProcess(record.pid, record.marker))
    .map((record) => record.name);
}

function probeOf(record: ServiceRecord): Promise<boolean> {
  return record.name === 'kafka' ? probeKafka(record.endpoint.split(',')) : probeGcs(record.endpoint);
}

function report(record: ServiceRecord): ServiceReport {
  return {
    name: record.name,
    description: record.description,
    endpoint: record.endpoint,
    pid: record.pid,
    logFile: record.logFile,
  };
}
