import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { inShard, threadShares, workerShard } from '../archive/shard.js';
import { describeError, messageOf, SchemaflowError, warningLine } from '../domain/errors.js';
import { partitionsOfRun, runFlow, type FailedThread, type FlowOptions, type FlowPorts, type FlowReport } from '../usecases/flow-run.js';
import { faultHook, openFlowPorts, type FlowSettings } from './flow-ports.js';
import { keepHeapNearUse } from './heap-growth.js';
import { fromPortableError, toPortableError, type PortableError } from './thread-errors.js';

/*
 * `flow run --workers N`: one run's partitions archived by N worker threads, each a flow of its
 * own over a disjoint share of them (the shards of `--shard`, inside the shard the run was
 * given), so a run uses N cores for decoding, validation and rows instead of one. The main
 * thread then closes the hours once, as `flow close` does, and reports the run as one.
 */

/** What a worker gets: the run's settings and options (its share as a shard), and who it is. */
interface FlowWorkerData {
  readonly schemaflowFlowWorker: true;
  readonly config: FlowSettings;
  readonly options: FlowOptions;
  readonly worker: number;
  /** Whether SCHEMAFLOW_FAULT arms the test hook (the CLI's runs only). */
  readonly faults: boolean;
}

/** A partition's archived position, for the lag group. */
type Position = Parameters<FlowPorts['source']['recordPositions']>[0][number];

type FromWorker = { readonly type: 'log'; readonly line: string } | { readonly type: 'report'; readonly report: FlowReport; readonly positions: readonly Position[] } | { readonly type: 'failed'; readonly error: PortableError };

/** Whether this thread is a flow worker (a bundle that is its own worker script checks this first). */
export const isFlowWorker = (): boolean => !isMainThread && (workerData as Partial<FlowWorkerData> | null)?.schemaflowFlowWorker === true;

/** A flow worker's body: runs its share, posts its log lines and its report (or why it failed). */
export async function serveFlowWorker(): Promise<void> {
  const data = workerData as FlowWorkerData;
  const port = parentPort;
  if (!port) throw new Error('serveFlowWorker runs in a worker thread only');
  const post = (message: FromWorker): void => port.postMessage(message);
  const stop = new AbortController();
  port.on('message', (message: { type: string }) => {
    if (message.type === 'stop') stop.abort();
  });
  try {
    // Its own consumer group per worker: workers of one run in one group would share out partitions.
    const { ports, close } = openFlowPorts(data.config, { runId: data.options.runId, groupId: `${data.options.runId}-w${data.worker}`, log: (line) => post({ type: 'log', line }), fault: data.faults ? faultHook(process.env.SCHEMAFLOW_FAULT) : () => Promise.resolve(), stop: stop.signal });
    // The positions go to the main thread, which records every thread's in one commit: threads
    // committing to the lag group at the same moment would take it from each other.
    const positions: Position[] = [];
    const source = { ...ports.source, recordPositions: (list: readonly Position[]) => Promise.resolve(void positions.push(...list)) };
    let report: FlowReport;
    try {
      report = await runFlow({ ...ports, source }, data.options);
    } finally {
      await close();
    }
    post({ type: 'report', report, positions });
  } catch (error) {
    // Its class, code, causes and stack: the main thread reports it as it would have in one thread.
    post({ type: 'failed', error: toPortableError(error) });
  } finally {
    port.unref();
  }
}

/** How long the removal of leftover read groups may take before it is abandoned (milliseconds). */
export const LEFTOVER_GROUPS_TIMEOUT_MS = 5_000;

/** How a flow run is run: its threads, their script, and the removal's time bound. */
export interface FlowRunContext {
  readonly workers: number;
  /** A module that calls serveFlowWorker when isFlowWorker. */
  readonly script: URL;
  /** Whether SCHEMAFLOW_FAULT arms the test hook in the threads. */
  readonly faults: boolean;
  /** How long removing leftover read groups may take [default: LEFTOVER_GROUPS_TIMEOUT_MS]. */
  readonly leftoverGroupsTimeoutMs?: number;
}

/**
 * A flow run, `flow run` or `flow close`, in this thread or in `workers` threads (see
 * runInThreads). A run that reads then removes the read groups runs killed before their end
 * left behind, unless a signal stopped it. The process's heap is kept near what the run holds
 * (see keepHeapNearUse). Returns one report for the run.
 */
export async function runFlowInWorkers(ports: FlowPorts, config: FlowSettings, options: FlowOptions, context: FlowRunContext): Promise<FlowReport> {
  keepHeapNearUse();
  // One worker, or a `flow close` (which reads nothing), runs in this thread.
  const report = context.workers <= 1 || options.closeOnly ? await runFlow(ports, options) : await runInThreads(ports, config, options, context);
  // A run stopped by a signal goes straight to its report: a cancelled job's grace period is
  // short, and a slow broker's admin retries could outlast it. The groups wait for the next run.
  if (!options.dryRun && !options.closeOnly && ports.stop?.aborted !== true) await removeLeftoverGroups(ports, context.leftoverGroupsTimeoutMs ?? LEFTOVER_GROUPS_TIMEOUT_MS);
  return report;
}

/**
 * Deletes the empty read groups of runs killed before their end (a SIGKILL skips a run's own
 * deletion). Housekeeping only: a failure is a warning, and so is taking longer than
 * `timeoutMs` or a stop signal meanwhile, after which it is abandoned (what it says later is
 * dropped; closing the ports ends its retries) so the report, metrics and summary come first.
 */
async function removeLeftoverGroups(ports: FlowPorts, timeoutMs: number): Promise<void> {
  let abandoned = false;
  const say = (line: string): void => {
    if (!abandoned) ports.log(line);
  };
  const removal = ports.source.removeLeftoverGroups().then(
    ({ removed, problems }) => {
      if (removed.length > 0) say(`removed ${removed.length} consumer group${removed.length === 1 ? '' : 's'} left by runs that did not finish`);
      for (const problem of problems) say(`warning: ${problem}`);
    },
    (error: unknown) => say(warningLine(error)),
  );
  let timer: NodeJS.Timeout | undefined;
  let onStop: (() => void) | undefined;
  const bound = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`took over ${timeoutMs / 1000} s`), timeoutMs);
    onStop = () => resolve('was interrupted by a stop');
    // A stop may come while the removal starts, before this listens.
    if (ports.stop?.aborted) onStop();
    else ports.stop?.addEventListener('abort', onStop, { once: true });
  });
  const late = await Promise.race([removal.then(() => undefined), bound]);
  clearTimeout(timer);
  if (onStop) ports.stop?.removeEventListener('abort', onStop);
  if (late === undefined) return;
  abandoned = true;
  ports.log(`warning: removing the consumer groups left by runs that did not finish ${late}; abandoned, the next run tries again`);
}

/**
 * A failed thread's line when the others got through. A SchemaflowError is logged as the CLI
 * reports one: its code and message, then its causes (describeError), without a stack; anything
 * else is a bug, logged with the thread's stack as the CLI logs an unexpected error.
 */
function failureLine(worker: number, failure: unknown): string {
  const others = 'the other threads committed what they read, the next run goes on';
  // describeError starts with the message itself; what follows it is the causes, a line each.
  if (failure instanceof SchemaflowError) return `error: ${failure.code}: ${failure.message}; ${others}${describeError(failure).slice(failure.message.length)}`;
  return `error: flow worker ${worker} failed unexpectedly; ${others}\n${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}`;
}

/** Why a run uses fewer threads than asked (logged once). */
function fewerThreads(asked: number, used: number, partitions: number): string {
  const dealt = used < Math.min(asked, partitions) ? `, and more threads would leave a share without one (topics are dealt by name)` : '';
  return `using ${used} thread${used === 1 ? '' : 's'} of the ${asked} asked: the run takes ${partitions} partition${partitions === 1 ? '' : 's'}${dealt}`;
}

/**
 * Runs the flow in up to `workers` threads of `script` (a module that calls serveFlowWorker when
 * isFlowWorker), no more than the run has partitions: with `n` threads, thread `j` takes shard
 * `index + count·j` of `count·n` (threadShares), so within the run's shard (or all partitions)
 * every partition is in exactly one thread, and `n` is lowered until no share is empty (one
 * thread left runs in this thread). A stop reaches every worker. Then,
 * on `ports`, the hours are closed as `flow close` closes them (unless the run is a shard of
 * several, or a dry run).
 */
async function runInThreads(ports: FlowPorts, config: FlowSettings, options: FlowOptions, context: FlowRunContext): Promise<FlowReport> {
  // A thread without a partition would start, join nothing and exit: size the threads by the run's
  // partitions now, with no share empty. Every share then has a thread, so a partition or subject
  // added before the threads list theirs is read by the thread whose share it falls in.
  const share = await partitionsOfRun(ports, options);
  const { threads: chosen, count } = threadShares(share, options.shard, context.workers);
  if (chosen.length < context.workers) ports.log(fewerThreads(context.workers, Math.max(1, chosen.length), share.length));
  if (chosen.length <= 1) return runFlow(ports, options);
  const threads = chosen.map((worker) => {
    const data: FlowWorkerData = { schemaflowFlowWorker: true, config, options: { ...options, shard: workerShard(options.shard, worker, count) }, worker, faults: context.faults };
    return { worker, thread: new Worker(context.script, { workerData: data }) };
  });
  const stopAll = (): void => {
    for (const { thread } of threads) thread.postMessage({ type: 'stop' });
  };
  if (ports.stop?.aborted) stopAll();
  // What every thread says alike (a missing topic, a newer manifest) is logged once.
  const logged = new Set<string>();
  const log = (line: string, from: string): void => {
    if (logged.has(line)) return;
    logged.add(line);
    ports.log(`${from}${line}`);
  };
  ports.stop?.addEventListener('abort', stopAll, { once: true });
  const results = await Promise.allSettled(
    threads.map(
      ({ worker, thread }) =>
        new Promise<{ report: FlowReport; positions: readonly Position[] }>((resolve, reject) => {
          let settled = false;
          const fail = (error: Error): void => {
            if (settled) return; // an error after its report (while it is terminated) loses nothing
            settled = true;
            // A failed worker stops the others: they commit what they read and report.
            stopAll();
            reject(error);
          };
          thread.on('message', (message: FromWorker) => {
            if (message.type === 'log') log(message.line, `worker ${worker}: `);
            else if (message.type === 'report') {
              settled = true;
              resolve(message);
            } else fail(fromPortableError(message.error));
          });
          // An error the thread did not catch: a bug, reported with its stack (Node clones it from the thread).
          thread.once('error', (error) => fail(fromPortableError(toPortableError(error))));
          thread.once('exit', (code) => {
            if (!settled) fail(new SchemaflowError('FLOW_WORKER_FAILED', `flow worker ${worker} exited with code ${code} before reporting`));
          });
        }).finally(() => void thread.terminate()),
    ),
  );
  ports.stop?.removeEventListener('abort', stopAll);
  const done = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const reports = done.map((result) => result.report);
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  // No thread got through (the manifest or a setting failed them all): the run fails as one thread's would.
  if (reports.length === 0) throw failures[0];
  // Otherwise the others' work is committed and reported: the run reports it, and fails.
  const failedThreads: FailedThread[] = [];
  results.forEach((result, index) => {
    if (result.status !== 'rejected') return;
    const worker = threads[index]?.worker ?? index;
    const failure = result.reason as unknown;
    ports.log(failureLine(worker, failure));
    // Counted in `errors` as a run failing outright is; its share's subjects have partitions no report covers.
    const mine = workerShard(options.shard, worker, count);
    const subjects = [...new Set(share.filter((entry) => inShard(entry.topic, entry.partition, mine)).map((entry) => entry.subject))];
    failedThreads.push({ worker, reason: failure instanceof SchemaflowError ? failure.code : 'UNEXPECTED', message: messageOf(failure), subjects });
  });
  const positions = done.flatMap((result) => result.positions);
  // Lag monitoring only, as in runFlow: a failure is a warning.
  if (positions.length > 0) await ports.source.recordPositions(positions).catch((error: unknown) => ports.log(warningLine(error)));
  const first = reports[0] as FlowReport;
  const partitions = reports.flatMap((report) => report.partitions).sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  let closures = first.closures;
  let closingFailed = false;
  if (!options.dryRun && (options.shard?.count ?? 1) <= 1) {
    try {
      const closing = await runFlow({ ...ports, log: (line) => log(line, '') }, { ...options, shard: null, closeOnly: true });
      closures = closing.closures;
      closingFailed = closing.exitCode !== 0;
    } catch (error) {
      // What the threads archived stays reported (and counted in metrics); the hours close next run.
      ports.log(`error: closing hours: ${messageOf(error)}`);
      closures = first.closures.map((closure) => ({ subject: closure.subject, closedThrough: closure.closedThrough, hoursClosed: 0, markers: 0, held: `failed: ${messageOf(error)}`, failed: true }));
      closingFailed = true;
    }
  }
  return {
    runId: options.runId,
    manifestSerial: Math.max(...reports.map((report) => report.manifestSerial)),
    dryRun: options.dryRun,
    closeOnly: false,
    shard: options.shard ? `${options.shard.index}/${options.shard.count}` : null,
    partitions,
    missingTopics: first.missingTopics,
    closures,
    ...(failedThreads.length > 0 ? { failedThreads } : {}),
    exitCode: failures.length > 0 || closingFailed || reports.some((report) => report.exitCode !== 0) ? 1 : 0,
  };
}
