import * as core from '@actions/core';
import { quietGcsClientWarnings } from '../adapters/lake/gcs-warnings.js';
import { FLOW_SETTINGS, flowOptionsFrom, openFlowPorts, openMetricsSink, parseWorkers, runWithMetrics, flowStopping } from '../adapters/flow-ports.js';
import { stopOnSignals } from '../adapters/stop-signals.js';
import { isFlowWorker, runFlowInWorkers, serveFlowWorker } from '../adapters/flow-workers.js';
import { resolveInEnvironment } from '../adapters/catalog-environment.js';
import { explainManifestError } from '../config/manifest-hint.js';
import { findSetting } from '../config/settings.js';
import { UsageError, describeError } from '../domain/errors.js';
import { summarizeBySubject } from '../usecases/flow-metrics.js';
import { flagsFromInputs, manifestOriginOfInputs, optionalInput } from './inputs.js';
import { writeJobSummary } from './summary.js';

/** A warning line of the run, a thread's (`worker 1: warning: …`) too: it becomes a warning annotation, keeping the thread's name. */
const WARNING_LINE = /^(worker \d+: )?warning: /;

/** actions/flow: one scheduled archive run. Glue only: inputs → one flow → outputs and a job summary. */
async function main(): Promise<void> {
  const input = (name: string): string | undefined => optionalInput(name, (given) => core.getInput(given));
  const environment = input('env');
  const flags = flagsFromInputs([...FLOW_SETTINGS, 'catalogDir'], (name) => core.getInput(name));
  const { values: config, sources } = resolveInEnvironment(FLOW_SETTINGS, { env: process.env, flags, flagLabel: (setting) => `input ${setting.actionInput ?? setting.key}` }, environment === undefined ? undefined : { name: environment, given: 'input env', directory: process.env.GITHUB_WORKSPACE ?? process.cwd() });
  // GitHub passes an unset variable as an empty input: the built-in defaults would read no
  // manifest and archive into the runner's disk, which is gone when the job ends.
  const unset = (['manifestUrl', 'lakeUrl'] as const).filter((key) => sources[key] === 'default');
  if (unset.length > 0) {
    const problems = unset.map((key) => `input ${findSetting(key).actionInput ?? key} is empty and neither ${findSetting(key).env} nor a catalog.yaml environment (input env) names a location: the flow would use ${config[key]} on the runner, which nothing keeps`);
    throw new UsageError(`${problems.join('; ')}. Set the repository variables the workflow passes (${unset.map((key) => findSetting(key).env).join(', ')}).`, { code: 'CONFIG_INVALID' });
  }
  const workers = parseWorkers(input('workers'), 'input workers');
  const options = flowOptionsFrom({ subjects: input('subjects'), shard: input('shard'), maxDuration: input('max-duration'), flushBytes: input('flush-bytes'), maxRecordBytes: input('max-record-bytes'), allowedLateness: input('allowed-lateness'), dryRun: core.getBooleanInput('dry-run'), closeOnly: core.getBooleanInput('close-only') }, 'input ');
  // A cancelled workflow run gets SIGINT, then SIGTERM: either commits what was read before the runner kills the step.
  const signals = stopOnSignals((line) => core.warning(line), flowStopping(options.closeOnly));
  const sink = openMetricsSink(config, (line) => core.warning(line));
  const { ports, close } = openFlowPorts(config, { runId: options.runId, log: (line) => (WARNING_LINE.test(line) ? core.warning(line.replace(WARNING_LINE, '$1')) : core.info(line)), fault: () => Promise.resolve(), stop: signals.signal });
  try {
    // This bundle is its own worker script (see the end of this file).
    const report = await runWithMetrics(() => runFlowInWorkers(ports, config, options, { workers, script: new URL(import.meta.url), faults: false }), { sink, closeOnly: options.closeOnly, warn: (line) => core.warning(line) });
    const rows = summarizeBySubject(report);
    const total = (pick: (row: (typeof rows)[number]) => number): number => rows.reduce((sum, row) => sum + pick(row), 0);
    core.setOutput('run-id', report.runId);
    core.setOutput('records-read', String(total((row) => row.read)));
    core.setOutput('records-archived', String(total((row) => row.archived)));
    core.setOutput('records-quarantined', String(total((row) => row.quarantined)));
    core.setOutput('gaps', String(total((row) => row.gaps)));
    const received = signals.received();
    await writeJobSummary({
      heading: `schemaflow flow${report.closeOnly ? ' (close only)' : ''}: ${received ? `stopped by ${received}` : report.exitCode === 0 ? 'ok' : 'attention needed'}`,
      text: `Run \`${report.runId}\`${report.shard ? ` (shard ${report.shard})` : ''}${report.dryRun ? ' (dry run)' : ''}, manifest serial ${report.manifestSerial}, lake \`${ports.lake.location}\`.`,
      header: ['subject', 'partitions', 'read', 'archived', 'late', 'quarantined', 'gaps', 'lag', 'status', 'closed through'],
      rows: rows.map((row) => [row.subject, String(row.partitions), String(row.read), String(row.archived), String(row.late), String(row.quarantined), String(row.gaps), row.lag, row.status, row.closedThrough ? `${row.closedThrough.slice(0, 13).replace('T', ' ')}:00 UTC` : '—']),
      list: [...(report.failedThreads ?? []).map((failed) => `thread ${failed.worker} failed (${failed.reason}: ${failed.message}); its partitions of ${failed.subjects.join(', ')} are not in the table`), ...report.partitions.filter((partition) => partition.problem).map((partition) => `${partition.topic}/${partition.partition}: ${partition.problem ?? ''}`), ...report.missingTopics.map((subject) => `${subject}: no such topic in Kafka (skipped)`)],
      what: 'subjects or problems',
    });
    if (received) core.setFailed(report.closeOnly ? `stopped by ${received}: it finished closing the hours first` : `stopped by ${received}: what was read is committed; the next run goes on from there`);
    else if (report.exitCode !== 0) core.setFailed('a partition stopped or a retention gap was recorded; see the job summary');
  } catch (error) {
    // The same words as the CLI's for a manifest that cannot be read, in the inputs' names.
    throw explainManifestError(error, manifestOriginOfInputs(config, sources.manifestUrl, environment));
  } finally {
    signals.dispose();
    await close();
  }
}

// This bundle is also its flow threads' script: the filter is installed in each.
quietGcsClientWarnings(process.env);
if (isFlowWorker()) await serveFlowWorker();
else await main().catch((error: unknown) => core.setFailed(describeError(error)));
