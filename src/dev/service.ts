import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SchemaflowError } from '../domain/errors.js';
import { isOurProcess, isPortFree, isRunning, startDetached, stopProcess, tailOf } from './processes.js';

/** A local service `dev up` can run: how to prepare, start, probe and stop it. */
export interface ServiceSpec {
  readonly name: string;
  readonly description: string;
  /** A string unique to this service in this dev directory, found in its command line. */
  readonly marker: string;
  /** What clients connect to. */
  readonly endpoint: string;
  /** Every port it listens on (checked free before start, released after stop). */
  readonly ports: readonly number[];
  readonly readyTimeoutMs: number;
  readonly stopGraceMs: number;
  /** Downloads, writes configuration and returns the command that runs the service. */
  prepare(): Promise<{ command: string; args: string[] }>;
  /** One real request to the service; true when it answers. */
  probe(): Promise<boolean>;
}

/** What `up` leaves in the dev directory per service: the pid file, and more. */
export interface ServiceRecord {
  readonly name: string;
  readonly description: string;
  readonly pid: number;
  readonly marker: string;
  readonly endpoint: string;
  readonly ports: readonly number[];
  readonly logFile: string;
  readonly stopGraceMs: number;
  readonly startedAt: string;
}

const RECORD_SUFFIX = '.pid.json';

function recordFile(dir: string, name: string): string {
  return join(dir, `${name}${RECORD_SUFFIX}`);
}

/** The records of every service started from `dir`, alive or not. */
export function readRecords(dir: string): ServiceRecord[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith(RECORD_SUFFIX))
    .sort()
    .flatMap((file) => {
      try {
        return [JSON.parse(readFileSync(join(dir, file), 'utf8')) as ServiceRecord];
      } catch {
        return [];
      }
    });
}

function readRecord(dir: string, name: string): ServiceRecord | undefined {
  return readRecords(dir).find((record) => record.name === name);
}

export type UpOutcome = 'started' | 'already running';

/**
 * Makes sure the service runs and answers: reuses the one this directory started, replaces a
 * stale pid file, refuses ports held by anything else, and waits for a real answer.
 */
export async function ensureService(dir: string, spec: ServiceSpec): Promise<{ record: ServiceRecord; outcome: UpOutcome }> {
  mkdirSync(dir, { recursive: true });
  const existing = readRecord(dir, spec.name);
  if (existing && isOurProcess(existing.pid, existing.marker)) {
    if (existing.ports.join(',') !== spec.ports.join(',')) {
      throw new SchemaflowError(
        'PORT_MISMATCH',
        `${spec.name} from ${dir} already runs on port(s) ${existing.ports.join(', ')}, not ${spec.ports.join(', ')}; run \`schemaflow dev down\` first to change ports`,
      );
    }
    await waitUntilReady(spec, existing);
    return { record: existing, outcome: 'already running' };
  }
  if (existing) {
    // It died (crashed or was killed): a process with many threads releases its sockets only
    // when the last thread has exited, which can be after its pid already reads as a zombie.
    await waitForPorts(existing.ports);
    rmSync(recordFile(dir, spec.name), { force: true });
  }

  for (const port of spec.ports) {
    if (!(await isPortFree(port))) {
      throw new SchemaflowError(
        'PORT_IN_USE',
        `cannot start ${spec.name}: port ${port} on 127.0.0.1 is in use by another process; stop it or choose other ports (see \`schemaflow dev up --help\`)`,
      );
    }
  }

  const { command, args } = await spec.prepare();
  const logFile = join(dir, `${spec.name}.log`);
  const pid = await startDetached(command, args, logFile);
  const record: ServiceRecord = {
    name: spec.name,
    description: spec.description,
    pid,
    marker: spec.marker,
    endpoint: spec.endpoint,
    ports: spec.ports,
    logFile,
    stopGraceMs: spec.stopGraceMs,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(recordFile(dir, spec.name), `${JSON.stringify(record, null, 2)}\n`);
  try {
    await waitUntilReady(spec, record);
  } catch (error) {
    await stopService(dir, record);
    throw error;
  }
  return { record, outcome: 'started' };
}

async function waitUntilReady(spec: ServiceSpec, record: ServiceRecord): Promise<void> {
  const deadline = Date.now() + spec.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(record.pid)) {
      throw new SchemaflowError('SERVICE_FAILED', `${spec.name} exited while starting; last lines of ${record.logFile}:\n${tailOf(record.logFile)}`);
    }
    if (await spec.probe()) return;
    await sleep(250);
  }
  throw new SchemaflowError(
    'SERVICE_FAILED',
    `${spec.name} did not answer on ${spec.endpoint} within ${spec.readyTimeoutMs / 1000} s; last lines of ${record.logFile}:\n${tailOf(record.logFile)}`,
    { retriable: true },
  );
}

export type DownOutcome = 'stopped' | 'killed' | 'was not running';

/**
 * Stops a service this directory started (never another process that reuses its pid), waits
 * until it is gone and its ports are released, and removes its pid file.
 */
export async function stopService(dir: string, record: ServiceRecord): Promise<DownOutcome> {
  let outcome: DownOutcome = 'was not running';
  if (isOurProcess(record.pid, record.marker)) {
    const ended = await stopProcess(record.pid, record.stopGraceMs);
    outcome = ended === 'killed' ? 'killed' : ended === 'terminated' ? 'stopped' : 'was not running';
    await waitForPorts(record.ports);
  }
  rmSync(recordFile(dir, record.name), { force: true });
  return outcome;
}

/** Waits up to 5 s for ports a process of ours held to be released. */
async function waitForPorts(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    for (let attempt = 0; attempt < 50 && !(await isPortFree(port)); attempt += 1) await sleep(100);
  }
}

export type ServiceState = 'running' | 'not answering' | 'stopped';

/** Whether a recorded service is alive and answering. */
export async function stateOf(record: ServiceRecord, probe: () => Promise<boolean>): Promise<ServiceState> {
  if (!isOurProcess(record.pid, record.marker)) return 'stopped';
  return (await probe()) ? 'running' : 'not answering';
}
