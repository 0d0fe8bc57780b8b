import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { parseShard, type Shard } from '../archive/shard.js';
import type { Config } from '../config/resolve.js';
import { flowSettingWays } from '../config/settings.js';
import { SchemaflowError, UsageError, messageOf } from '../domain/errors.js';
import type { Metric, MetricsSink } from '../ports.js';
import { manifestSource } from '../sdk/manifest-source.js';
import { failedRunMetrics, flowMetrics } from '../usecases/flow-metrics.js';
import { FAULT_POINTS, type FaultPoint, type FlowOptions, type FlowPorts, type FlowReport } from '../usecases/flow-run.js';
import { createKafkaClient } from './kafka/client.js';
import { MAX_TIMER_MS, createRecordSource } from './kafka/record-source.js';
import { openObjectStore } from './lake/object-store.js';
import { createStatsdSink } from './metrics/statsd.js';

/* Wiring shared by `schemaflow flow run` and actions/flow: config -> the flow's ports. */

export const FLOW_SETTINGS = ['kafkaBrokers', 'kafkaSaslMechanism', 'kafkaSaslUsername', 'kafkaSaslPassword', 'kafkaSsl', 'manifestUrl', 'lakeUrl', 'stateUrl', 'statsdHost', 'positionsGroup', 'gcsEndpoint'] as const;
/** What `flow close` reads: a close records no positions, so it takes no positions group. */
export const FLOW_CLOSE_SETTINGS = FLOW_SETTINGS.filter((key): key is Exclude<(typeof FLOW_SETTINGS)[number], 'positionsGroup'> => key !== 'positionsGroup');
/** The positions group is optional: without it (a close), the record source's default. */
export type FlowSettings = Pick<Config, Exclude<(typeof FLOW_SETTINGS)[number], 'positionsGroup'>> & Partial<Pick<Config, 'positionsGroup'>>;


/** The flow's ports over the configured lake, state, broker and manifest; `close` releases the Kafka client. */
export function openFlowPorts(config: FlowSettings, options: { runId: string; groupId?: string; log: (line: string) => void; fault: (point: FaultPoint) => Promise<void>; stop?: AbortSignal }): { ports: FlowPorts; close: () => Promise<void> } {
  const stores = { ...(config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {}) };
  // The read's consumer group is named after the run (a flow worker's after the run and itself).
  const source = createRecordSource(createKafkaClient(config, 'schemaflow-flow'), { runId: options.groupId ?? options.runId, ...(config.positionsGroup === undefined ? {} : { positionsGroup: config.positionsGroup }) });
  const ports: FlowPorts = { lake: openObjectStore(config.lakeUrl, stores), state: openObjectStore(config.stateUrl, stores), source, manifests: manifestSource(config.manifestUrl, config.gcsEndpoint), clock: () => new Date(), fault: options.fault, log: options.log, ...(options.stop ? { stop: options.stop } : {}) };
  return { ports, close: () => source.close() };
}

/**
 * The `SCHEMAFLOW_FAULT` test hook: `<point>` or `<point>@<n>` (the n-th time the run reaches it)
 * kills this process with SIGKILL there, as a crash or a runner timeout would.
 */
export function faultHook(spec: string | undefined): (point: FaultPoint) => Promise<void> {
  if (!spec) return () => Promise.resolve();
  const [name, countText = '1'] = spec.split('@');
  if (!FAULT_POINTS.includes(name as FaultPoint) || !/^[1-9]\d*$/.test(countText)) throw new UsageError(`SCHEMAFLOW_FAULT=${spec} is not <point>[@n]; points: ${FAULT_POINTS.join(', ')}`, { code: 'CONFIG_INVALID' });
  let remaining = Number(countText);
  return (point) => {
    if (point !== name || (remaining -= 1) > 0) return Promise.resolve();
    // Written to fd 2 directly: a worker thread's process.stderr reaches it through the main thread, too late.
    writeSync(2, `schemaflow: SCHEMAFLOW_FAULT=${spec}: killing the run at ${point}\n`);
    // mid-upload: let the write start, then die with its bytes in flight.
    return new Promise<void>(() => setImmediate(() => process.kill(process.pid, 'SIGKILL')));
  };
}

/**
 * What the first SIGINT or SIGTERM does to a flow run (stopOnSignals): it stops its reading,
 * flushes and commits what it read and ends; a close-only run (`flow close`) reads nothing and
 * finishes closing the hours. A second signal ends it at once, which the crash-safe protocol
 * recovers from on the next run.
 */
export const flowStopping = (closeOnly: boolean | undefined): string => (closeOnly === true ? 'finishing closing the hours' : 'stopping the read; committing what was read');

/** The setting a StatsD host that does not resolve is fixed in, for `flow run` and actions/flow alike. */
const STATSD_SETTING = flowSettingWays('statsdHost');

/**
 * The run's StatsD sink, opened as the run starts: its host is resolved then, and one that does
 * not resolve is warned of before the run reads anything. Undefined when no host is set (metrics off).
 */
export function openMetricsSink(config: FlowSettings, warn: (line: string) => void): MetricsSink | undefined {
  return config.statsdHost ? createStatsdSink(config.statsdHost, { warn, setting: STATSD_SETTING }) : undefined;
}

/** A failed run's `errors` reason: its error's code, or UNEXPECTED for an error schemaflow did not raise. */
function reasonOf(error: unknown): string {
  return error instanceof SchemaflowError ? error.code : 'UNEXPECTED';
}

/**
 * Runs one flow and sends its metrics, for `flow run`, `flow close` and actions/flow alike: the
 * report's, or for a run that fails outright `errors` (reason: the error's code) and `duration`,
 * then its error again. Metrics never change the outcome: a sink that throws costs a warning, and
 * the run's own report or error stands.
 */
export async function runWithMetrics(run: () => Promise<FlowReport>, options: { sink: MetricsSink | undefined; closeOnly: boolean; warn: (line: string) => void; clock?: () => number }): Promise<FlowReport> {
  const { sink, warn, clock = Date.now } = options;
  const send = async (metrics: readonly Metric[]): Promise<void> => {
    try {
      await sink?.send(metrics);
    } catch (error) {
      warn(`warning: the flow's metrics were not sent: ${messageOf(error)}`);
    }
  };
  const started = clock();
  let report: FlowReport;
  try {
    report = await run();
  } catch (error) {
    await send(failedRunMetrics({ reason: reasonOf(error), closeOnly: options.closeOnly, durationMs: clock() - started }));
    throw error;
  }
  const now = clock();
  await send(flowMetrics(report, { now, durationMs: now - started }));
  return report;
}

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `90s`, `10m`, `1h`, `90d` (and `ms`) in milliseconds; anything else is a usage error naming the
 * option. With `whyPositive`, 0 is one too, the reason given after it.
 */
export function parseDuration(text: string, name: string, whyPositive?: string): number {
  const match = DURATION.exec(text);
  if (!match) throw new UsageError(`${name} must be a duration such as 90s, 10m, 1h or 90d, not ${JSON.stringify(text)}`);
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (whyPositive !== undefined && ms <= 0) throw new UsageError(`${name} must be longer than 0, not ${JSON.stringify(text)}: ${whyPositive}`);
  return ms;
}

/**
 * `lake audit --retention`: a duration longer than 0. A rule deleting objects at once would make
 * every missing offset expired, so an emptied lake would pass.
 */
export function parseRetention(text: string, name = '--retention'): number {
  return parseDuration(text, name, 'with no age, every missing offset would pass as expired');
}

/**
 * `--max-duration`: a duration longer than 0 (a run that may read for no time reads nothing) and
 * no longer than {@link MAX_TIMER_MS}, the read's deadline being a timer: beyond it Node.js warns
 * TimeoutOverflowWarning and fires it at once, and every partition would end incomplete.
 */
function parseMaxDuration(text: string, name: string): number {
  const ms = parseDuration(text, name, 'a run that may read for no time reads nothing');
  if (ms > MAX_TIMER_MS) throw new UsageError(`${name} must be at most 24d (${MAX_TIMER_MS} ms, the longest timer Node.js keeps: a longer one fires at once and ends the read before it starts), not ${JSON.stringify(text)}`);
  return ms;
}

function shardOption(text: string, name: string): Shard {
  const shard = parseShard(text);
  if (!shard) throw new UsageError(`${name} must be i/n, shard i of n counted from 0 (0/3, 1/3 and 2/3 split the partitions in three), not ${JSON.stringify(text)}`);
  return shard;
}

/** A comma-separated list of subjects; one that names none (`,`) is a mistake, not "every subject". */
function subjectList(text: string, name: string): string[] {
  const subjects = text.split(',').map((subject) => subject.trim()).filter((subject) => subject !== '');
  if (subjects.length === 0) throw new UsageError(`${name} names no subject: give comma-separated subjects such as apps-users,payments-refunds, or leave it out for every subject in the manifest`);
  return subjects;
}

function parseBytes(text: string, name: string): number {
  const match = /^(\d+)(KiB|MiB)?$/.exec(text);
  const value = match ? Number(match[1]) * (match[2] === 'MiB' ? 1_048_576 : match[2] === 'KiB' ? 1_024 : 1) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${name} must be a positive size in bytes, KiB or MiB (e.g. 16MiB), not ${JSON.stringify(text)}`);
  return value;
}

/** `--workers` / input `workers`: how many threads archive a run's partitions (1: the process itself). */
export function parseWorkers(text: string | undefined, name: string): number {
  if (text === undefined) return 1;
  const workers = /^\d{1,2}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(workers >= 1 && workers <= 32)) throw new UsageError(`${name} must be a number of threads from 1 to 32 (up to the machine's cores), not ${JSON.stringify(text)}`);
  return workers;
}

/** A run's ID: its UTC start and a random suffix, e.g. `20261201T110000Z-3fa2c1`. */
export const newRunId = (now: Date): string => `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;

/**
 * The flow's options from CLI flags or action inputs (`prefix` names them in errors: `--` or
 * `input `), with their defaults for the options not given (undefined). A value given is checked,
 * an empty one too: the actions pass an empty input as undefined, the CLI refuses `--shard ""`.
 */
export function flowOptionsFrom(raw: { subjects?: string | undefined; shard?: string | undefined; maxDuration?: string | undefined; flushBytes?: string | undefined; maxRecordBytes?: string | undefined; allowedLateness?: string | undefined; dryRun: boolean; closeOnly?: boolean; repairMarkers?: boolean }, prefix: string): FlowOptions {
  const closeOnly = raw.closeOnly === true;
  const shard = raw.shard !== undefined ? shardOption(raw.shard, `${prefix}shard`) : null;
  if (closeOnly && shard && shard.count > 1) throw new UsageError(`${prefix}shard cannot go with ${prefix === '--' ? 'flow close' : 'input close-only'}: closing hours needs every partition's state (close after the shards, without a shard)`);
  return {
    runId: newRunId(new Date()),
    subjects: raw.subjects !== undefined ? subjectList(raw.subjects, `${prefix}subjects`) : [],
    shard,
    maxDurationMs: parseMaxDuration(raw.maxDuration ?? '15m', `${prefix}max-duration`),
    flushBytes: parseBytes(raw.flushBytes ?? '16MiB', `${prefix}flush-bytes`),
    maxRecordBytes: parseBytes(raw.maxRecordBytes ?? '1MiB', `${prefix}max-record-bytes`),
    latenessMs: parseDuration(raw.allowedLateness ?? '15m', `${prefix}allowed-lateness`),
    dryRun: raw.dryRun,
    closeOnly,
    ...(closeOnly && raw.repairMarkers === true ? { repairMarkers: true } : {}),
  };
}
