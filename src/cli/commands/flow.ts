import { constants as osConstants } from 'node:os';
import { FLOW_CLOSE_SETTINGS, FLOW_SETTINGS, faultHook, flowOptionsFrom, openFlowPorts, openMetricsSink, parseRetention, parseWorkers, runWithMetrics, flowStopping, type FlowSettings } from '../../adapters/flow-ports.js';
import { stopOnSignals } from '../../adapters/stop-signals.js';
import { runFlowInWorkers } from '../../adapters/flow-workers.js';
import { openObjectStore } from '../../adapters/lake/object-store.js';
import { drainedOffset } from '../../archive/state.js';
import { auditLake, hourProblemLines, problemLines, type AuditReport } from '../../usecases/audit-lake.js';
import type { FlowOptions, FlowReport } from '../../usecases/flow-run.js';
import { defineCommand, environmentOption, FORMAT_OPTION, outputFormat, type Io } from '../command.js';
import { plural } from '../../domain/plural.js';

/** The threads' script of `flow run --workers` (dist/adapters/flow-worker.js beside this module's dist/cli/commands/). */
const WORKER_SCRIPT = new URL('../../adapters/flow-worker.js', import.meta.url);

function printFlow(report: FlowReport, io: Io, lake: string): void {
  io.out(`flow ${report.closeOnly ? 'close' : 'run'} ${report.runId}${report.shard ? ` (shard ${report.shard})` : ''}${report.dryRun ? ' (dry run: nothing read or written)' : ''}: manifest serial ${report.manifestSerial}, lake ${lake}`);
  for (const entry of report.partitions) {
    const where = `${entry.topic}/${entry.partition}`;
    const quarantined = Object.entries(entry.quarantined).map(([reason, count]) => `${reason} ${count}`).join(', ');
    const counts = entry.records > 0 || entry.objects > 0 ? `: ${entry.records} read, ${entry.written} archived, ${Object.values(entry.quarantined).reduce((sum, count) => sum + count, 0)} quarantined${quarantined ? ` (${quarantined})` : ''}, ${entry.objects} objects in ${entry.units} units` : '';
    const moved = entry.from === entry.next ? `at offset ${entry.next}` : `offsets ${entry.from}–${BigInt(entry.next) - 1n}, next ${entry.next}`;
    io.out(`  ${entry.status.padEnd(10)} ${where} ${moved}${counts}${entry.recovered ? ' (finished a crashed unit)' : ''}`);
    for (const gap of entry.gaps) io.out(`    gap: offsets ${gap.from}–${gap.to} were deleted by retention before they were read`);
    const drained = drainedOffset(entry, BigInt(entry.high));
    if (drained > BigInt(entry.next)) io.out(`    offsets ${entry.next}–${drained - 1n} carry no record (transaction markers or aborted records): read to ${drained}, and the next unit covers them`);
    if (entry.problem) io.out(`    ${entry.problem}`);
  }
  for (const subject of report.missingTopics) io.out(`  skipped    ${subject}: no such topic in Kafka`);
  for (const closure of report.closures) {
    const through = closure.closedThrough ? `hours closed through ${closure.closedThrough.slice(0, 13).replace('T', ' ')}:00 UTC` : 'no hour closed yet';
    io.out(`  ${closure.subject}: ${through}${closure.markers > 0 ? ` (${closure.markers} new _CLOSED.json markers)` : ''}${closure.repaired ? ` (${closure.repaired} missing _CLOSED.json written)` : ''}${closure.held && closure.markers === 0 ? ` — ${closure.held}` : ''}`);
  }
}

function printAudit(report: AuditReport, io: Io): void {
  io.out(`lake audit of ${report.location}: ${report.ok ? 'every offset exactly once' : 'PROBLEMS FOUND'}`);
  for (const entry of report.partitions) {
    const span = entry.first !== null ? `offsets ${entry.first}–${entry.next === null ? '?' : BigInt(entry.next) - 1n}` : entry.next !== null && entry.next !== '0' ? `offsets below ${entry.next}` : 'nothing archived';
    io.out(`  ${entry.problems.length === 0 ? 'ok     ' : 'FAILED '} ${entry.topic}/${entry.partition} ${span}: ${plural(entry.records, 'record')} in ${plural(entry.objects, 'object')}, ${plural(entry.gaps, 'gap record')}${entry.pending ? `; ${entry.pending} published by a run that stopped before committing them (the next run commits them)` : ''}${entry.expired ? `; ${entry.expired} expired (deleted from the front, as retention does)` : ''}`);
    for (const line of problemLines(entry)) io.out(`    ${line}`);
  }
  if (report.partitions.length === 0) io.out('  the lake holds no archived partitions');
  io.out(`  ${report.hourProblemCount === 0 ? 'ok     ' : 'FAILED '} ${report.closedHours} closed hours hold exactly the objects their _CLOSED.json lists`);
  for (const line of hourProblemLines(report)) io.out(`    ${line}`);
}

const LAKE_AUDIT_SETTINGS = ['lakeUrl', 'stateUrl', 'gcsEndpoint'] as const;

/** `flow run`'s and `flow close`'s: the same closing rule. */
const ALLOWED_LATENESS = { type: 'string', valueName: 'D', description: 'close an hour once every partition is this far past its end (90s, 15m, 2h) [default: 15m]' } as const;

const flowRun = defineCommand({
  name: 'flow run',
  summary: 'archive every subject’s topic into the lake, exactly once per offset',
  settings: FLOW_SETTINGS,
  options: {
    env: environmentOption(FLOW_SETTINGS),
    subjects: { type: 'string', valueName: 'a,b', description: 'archive only these subjects (comma-separated) [default: all in the manifest]' },
    shard: { type: 'string', valueName: 'i/n', description: 'archive only shard i of n of those subjects’ partitions (0/2 and 1/2 split them in two, side by side or in a matrix; closes no hour: run flow close after the shards) [default: every partition]' },
    workers: { type: 'string', valueName: 'N', description: 'archive the partitions in N threads, each on its share, up to the machine’s cores (no more threads than partitions); then close the hours once [default: 1]' },
    'max-duration': { type: 'string', valueName: 'D', description: 'stop reading after D (90s, 10m, 1h; over 0, at most 24d), flush and commit [default: 15m]' },
    'flush-bytes': { type: 'string', valueName: 'N', description: 'flush a partition’s unit at N uncompressed bytes (bytes, KiB, MiB) [default: 16MiB]' },
    'allowed-lateness': ALLOWED_LATENESS,
    'max-record-bytes': { type: 'string', valueName: 'N', description: 'quarantine larger record values as TOO_LARGE [default: 1MiB]' },
    'dry-run': { type: 'boolean', description: 'plan from the lake state and watermarks; read and write nothing' },
    format: FORMAT_OPTION,
  },
  details: 'Reads <manifest location>/latest.json, snapshots each partition’s watermarks, and archives [state, high) per partition: intent, create-only publish, commit. Exit 0: every partition progressed, was idle or was left incomplete; 1: a partition stopped or a retention gap was recorded (the others finish first); 2: bad configuration.',
  stopsOnSignals: 'it stops reading after the batch at hand, commits what it read and closes hours as usual, then reports',
  async run({ options, config, env, io }) {
    const format = outputFormat(options.format);
    const flowOptions = flowOptionsFrom({ subjects: options.subjects, shard: options.shard, maxDuration: options['max-duration'], flushBytes: options['flush-bytes'], maxRecordBytes: options['max-record-bytes'], allowedLateness: options['allowed-lateness'], dryRun: options['dry-run'] === true }, '--');
    return runFlowCommand(flowOptions, { config, env, io, format, workers: parseWorkers(options.workers, '--workers') });
  },
});

/** `flow run` and `flow close`: one flow over the configured ports, its metrics, its report; the exit code. */
async function runFlowCommand(flowOptions: FlowOptions, context: { config: FlowSettings; env: Readonly<Record<string, string | undefined>>; io: Io; format: 'text' | 'json'; workers: number }): Promise<number> {
  const { config, env, io, format, workers } = context;
  const signals = stopOnSignals((line) => io.err(line), flowStopping(flowOptions.closeOnly));
  const sink = openMetricsSink(config, (line) => io.err(line));
  const { ports, close } = openFlowPorts(config, { runId: flowOptions.runId, log: (line) => io.err(line), fault: faultHook(env.SCHEMAFLOW_FAULT), stop: signals.signal });
  try {
    const report = await runWithMetrics(() => runFlowInWorkers(ports, config, flowOptions, { workers, script: WORKER_SCRIPT, faults: true }), { sink, closeOnly: flowOptions.closeOnly, warn: (line) => io.err(line) });
    if (format === 'json') io.out(JSON.stringify({ ...report, lake: ports.lake.location, state: ports.state.location }, null, 2));
    else printFlow(report, io, ports.lake.location);
    // Stopped by a signal: the shell's convention, 128 + its number (130 for SIGINT, 143 for SIGTERM).
    const received = signals.received();
    return received ? 128 + osConstants.signals[received] : report.exitCode;
  } finally {
    signals.dispose();
    await close();
  }
}

const flowClose = defineCommand({
  name: 'flow close',
  summary: 'close the hours every partition is past, reading no record (after sharded runs)',
  settings: FLOW_CLOSE_SETTINGS,
  options: {
    env: environmentOption(FLOW_CLOSE_SETTINGS),
    subjects: { type: 'string', valueName: 'a,b', description: 'close only these subjects’ hours (comma-separated) [default: all in the manifest]' },
    'allowed-lateness': ALLOWED_LATENESS,
    'dry-run': { type: 'boolean', description: 'report each partition’s progress; close nothing' },
    'repair-markers': { type: 'boolean', description: 'also write the _CLOSED.json that version folders of hours closed before lack (lake audit names them)' },
    format: FORMAT_OPTION,
  },
  details: 'Reads each partition’s lake state and the watermarks, and closes what `flow run` would close after archiving, without a consumer: the step after `flow run --shard` runs, which close no hour. A partition with offsets not archived yet is reported incomplete and holds its hours open. Exit 0: hours closed, or none complete yet; 1: closing failed or a partition stopped; 2: bad configuration.',
  stopsOnSignals: 'it finishes closing the hours, then reports',
  async run({ options, config, env, io }) {
    const format = outputFormat(options.format);
    const flowOptions = flowOptionsFrom({ subjects: options.subjects, allowedLateness: options['allowed-lateness'], dryRun: options['dry-run'] === true, closeOnly: true, repairMarkers: options['repair-markers'] === true }, '--');
    return runFlowCommand(flowOptions, { config, env, io, format, workers: 1 });
  },
});

const lakeAudit = defineCommand({
  name: 'lake audit',
  summary: 'prove from the lake alone that every archived offset is there exactly once',
  settings: LAKE_AUDIT_SETTINGS,
  options: {
    env: environmentOption(LAKE_AUDIT_SETTINGS),
    subject: { type: 'string', valueName: 'S', description: 'audit one subject [default: the whole lake]' },
    retention: { type: 'string', valueName: 'D', description: 'the age after which a retention rule deletes objects (90d, 36h): offsets missing from a partition’s front are then reported as expired, not failed; an emptied partition, or one with no whole committed unit left, passes only if last committed over D ago [default: no retention]' },
    format: FORMAT_OPTION,
  },
  details: 'Per partition: offsets from where the flow started it to the state’s next offset are each in exactly one data, quarantine or late object or in one gap record, and every object’s content matches the SHA-256 in its metadata. Partitions come from the lake’s objects and from the flow states (--state): a partition whose objects are gone, or whose oldest are, fails, naming the offsets its state says were archived, unless --retention D accepts them as a retention rule’s work. Exit 0: all hold; 1: problems, each naming the partition and exact offsets or object; 2: bad configuration, or nothing archived where it looked (a mistyped lake, or a subject the lake does not hold: it names the closest).',
  async run({ options, config, io }) {
    const format = outputFormat(options.format);
    const stores = { ...(config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {}) };
    const report = await auditLake({ lake: openObjectStore(config.lakeUrl, stores), state: openObjectStore(config.stateUrl, stores) }, { ...(options.subject !== undefined ? { subject: options.subject } : {}), ...(options.retention !== undefined ? { retentionMs: parseRetention(options.retention), now: new Date() } : {}) });
    if (format === 'json') io.out(JSON.stringify(report, null, 2));
    else printAudit(report, io);
    return report.ok ? 0 : 1;
  },
});

/** `schemaflow flow run`, `schemaflow flow close` and `schemaflow lake audit`. */
export const flowCommands = [flowRun, flowClose, lakeAudit];
