import type * as V8 from 'node:v8';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it, vi } from 'vitest';
import type { FlowSettings } from '../../../src/adapters/flow-ports.js';
import { runFlowInWorkers } from '../../../src/adapters/flow-workers.js';
import { HEAP_GROWING_PERCENT } from '../../../src/adapters/heap-growth.js';
import { SchemaflowError, UsageError, describeError } from '../../../src/domain/errors.js';
import { flowMetrics } from '../../../src/usecases/flow-metrics.js';
import type { FlowOptions, FlowPorts } from '../../../src/usecases/flow-run.js';

// Which V8 flags a run sets (heap-growth.test.ts shows the flag's effect on a real heap).
vi.mock('node:v8', async (importOriginal) => ({ ...(await importOriginal<typeof V8>()), setFlagsFromString: vi.fn() }));

/* The orchestration of `flow run --workers`, with a stand-in worker script (no Kafka here: the integration tests run real threads). */
const SCRIPT = new URL('./fake-flow-worker.mjs', import.meta.url);
const options: FlowOptions = { runId: 'r1', subjects: [], shard: null, maxDurationMs: 60_000, flushBytes: 1 << 20, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 900_000 };

/** What the source's removeLeftoverGroups answers (and how often it was asked, in `asked`). */
type Leftovers = { asked: number; answer: () => Promise<{ removed: string[]; problems: string[] }> };
const noLeftovers = (): Leftovers => ({ asked: 0, answer: () => Promise.resolve({ removed: [], problems: [] }) });

/**
 * Ports of the main thread. Its manifest store answers once (sizing the threads: subject
 * apps-users over `partitions` partitions), then is unreachable, so the closing pass fails.
 * Positions recorded go to `recorded`.
 */
function ports(lines: string[], recorded: unknown[][] = [], leftovers: Leftovers = noLeftovers(), partitions = 3): FlowPorts {
  const unreachable = (): Promise<never> => Promise.reject(new Error('the manifest store is unreachable'));
  let reads = 0;
  const latest = (): Promise<unknown> => (reads++ === 0 ? Promise.resolve({ serial: 5, subjects: [{ subject: 'apps-users', topic: 'apps-users' }] }) : unreachable());
  const offsets = (): Promise<unknown[]> => Promise.resolve(Array.from({ length: partitions }, (_, partition) => ({ topic: 'apps-users', partition, low: 0n, high: 5n })));
  const removeLeftoverGroups = (): Promise<{ removed: string[]; problems: string[] }> => {
    leftovers.asked += 1;
    return leftovers.answer();
  };
  const source = { offsets, recordPositions: (positions: unknown[]) => Promise.resolve(void recorded.push(positions)), removeLeftoverGroups };
  return { lake: {}, state: {}, source, manifests: { latest, bySerial: unreachable }, clock: () => new Date(0), fault: () => Promise.resolve(), log: (line: string) => lines.push(line) } as unknown as FlowPorts;
}
const settings = (scenario: string): FlowSettings => ({ lakeUrl: scenario }) as unknown as FlowSettings;

describe('flow run --workers (orchestration)', () => {
  it('reports what the threads that got through archived when one fails, and fails the run; a failed closing pass keeps the report', async () => {
    const lines: string[] = [];
    const report = await runFlowInWorkers(ports(lines), settings('fail-one'), options, { workers: 2, script: SCRIPT, faults: false });
    expect(report.partitions.map((entry) => `${entry.topic}/${entry.partition}`)).toEqual(['apps-users/0']);
    expect(report.exitCode).toBe(1);
    expect(lines).toContain('error: KAFKA_FAILED: the brokers went away; the other threads committed what they read, the next run goes on');
    expect(lines).toContain('error: closing hours: the manifest store is unreachable');
    expect(report.closures).toEqual([{ subject: 'apps-users', closedThrough: null, hoursClosed: 0, markers: 0, held: 'failed: the manifest store is unreachable', failed: true }]);
  });

  // Regression: a thread that failed while the others got through left no trace in the metrics:
  // no `errors` (the run exited 1, and only a run failing outright counted one), and its share's
  // partitions were missing from the report, so the subject's oldest-unarchived age came from the
  // other threads' partitions alone and looked fresh however far behind the failed share was.
  it('counts a failed thread in errors, tagged with its code, and sends no oldest-unarchived age for the subjects of its share', async () => {
    const report = await runFlowInWorkers(ports([]), settings('fail-one'), options, { workers: 2, script: SCRIPT, faults: false });
    expect(report.failedThreads).toEqual([{ worker: 1, reason: 'KAFKA_FAILED', message: 'the brokers went away', subjects: ['apps-users'] }]);
    const metrics = flowMetrics(report, { now: 0, durationMs: 1 });
    expect(metrics.filter((metric) => metric.name === 'errors' && metric.tags.reason !== undefined)).toEqual([{ type: 'count', name: 'errors', value: 1, tags: { reason: 'KAFKA_FAILED' } }]);
    expect(metrics.filter((metric) => metric.name === 'oldest_unarchived_age_seconds')).toEqual([]);
    // A bug in a thread is counted too, as UNEXPECTED (as a run that fails outright with one is).
    const bug = await runFlowInWorkers(ports([]), settings('bug-one'), options, { workers: 2, script: SCRIPT, faults: false });
    expect(flowMetrics(bug, { now: 0, durationMs: 1 }).filter((metric) => metric.name === 'errors' && metric.tags.reason !== undefined)).toEqual([{ type: 'count', name: 'errors', value: 1, tags: { reason: 'UNEXPECTED' } }]);
  });

  it('keeps the heap near what the run holds, for every thread: the growth flag is set before the threads start', async () => {
    vi.mocked(setFlagsFromString).mockClear();
    await runFlowInWorkers(ports([]), settings('ok'), { ...options, dryRun: true }, { workers: 2, script: SCRIPT, faults: false });
    expect(vi.mocked(setFlagsFromString).mock.calls).toEqual([[`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]]);
  });

  it('records every thread’s positions in the lag group in one commit from the main thread', async () => {
    const recorded: unknown[][] = [];
    await runFlowInWorkers(ports([], recorded), settings('ok'), options, { workers: 3, script: SCRIPT, faults: false });
    expect(recorded).toHaveLength(1);
    expect(new Set(recorded[0])).toEqual(new Set([0, 1, 2].map((partition) => ({ topic: 'apps-users', partition, next: 5n }))));
  });

  it('merges the threads’ reports in partition order and logs what they say alike once', async () => {
    const lines: string[] = [];
    const report = await runFlowInWorkers(ports(lines), settings('ok'), { ...options, dryRun: true }, { workers: 3, script: SCRIPT, faults: false });
    expect(report.partitions.map((entry) => entry.partition)).toEqual([0, 1, 2]);
    expect(report).toMatchObject({ runId: 'r1', shard: null, manifestSerial: 5, exitCode: 0, dryRun: true });
    const ghost = lines.filter((line) => line.includes('topic ghost'));
    expect(ghost).toHaveLength(1);
    expect(ghost[0]).toMatch(/^worker [0-2]: warning: topic ghost does not exist in Kafka; skipped$/);
    expect(lines).toContain('worker 2: reading 1 partitions (apps-users/2)');
  });

  it('removes the read groups crashed runs left after a run that reads, saying how many; a failure is a warning, and a dry run removes none', async () => {
    const lines: string[] = [];
    const leftovers: Leftovers = { asked: 0, answer: () => Promise.resolve({ removed: ['schemaflow-flow-run-a', 'schemaflow-flow-run-b-w0'], problems: ['cannot delete consumer group schemaflow-flow-run-c: Not authorized to access group'] }) };
    const report = await runFlowInWorkers(ports(lines, [], leftovers), settings('ok'), options, { workers: 2, script: SCRIPT, faults: false });
    expect(report.partitions).toHaveLength(2);
    expect(lines).toContain('removed 2 consumer groups left by runs that did not finish');
    expect(lines).toContain('warning: cannot delete consumer group schemaflow-flow-run-c: Not authorized to access group');

    const failing: Leftovers = { asked: 0, answer: () => Promise.reject(new Error('cannot remove the read groups of crashed runs: the brokers went away')) };
    const after: string[] = [];
    await expect(runFlowInWorkers(ports(after, [], failing), settings('ok'), options, { workers: 2, script: SCRIPT, faults: false })).resolves.toMatchObject({ runId: 'r1' });
    expect(after).toContain('warning: cannot remove the read groups of crashed runs: the brokers went away');

    const untouched = noLeftovers();
    await runFlowInWorkers(ports([], [], untouched), settings('ok'), { ...options, dryRun: true }, { workers: 2, script: SCRIPT, faults: false });
    expect(untouched.asked).toBe(0);
  });

  it('removes no read group after a run a signal stopped: the report comes first, the groups wait for the next run', async () => {
    const leftovers = noLeftovers();
    const lines: string[] = [];
    const report = await runFlowInWorkers({ ...ports(lines, [], leftovers), stop: AbortSignal.abort() }, settings('ok'), options, { workers: 2, script: SCRIPT, faults: false });
    expect(report.partitions).toHaveLength(2);
    expect(leftovers.asked).toBe(0);
  });

  it('abandons removing read groups that takes too long (a slow broker’s retries) with a warning, never failing the run or logging after', async () => {
    let finish: () => void = () => undefined;
    const slow: Leftovers = { asked: 0, answer: () => new Promise((resolve) => (finish = () => resolve({ removed: ['schemaflow-flow-run-a'], problems: ['a late problem'] }))) };
    const lines: string[] = [];
    const report = await runFlowInWorkers(ports(lines, [], slow), settings('ok'), options, { workers: 2, script: SCRIPT, faults: false, leftoverGroupsTimeoutMs: 50 });
    expect(slow.asked).toBe(1);
    expect(report.partitions).toHaveLength(2);
    expect(lines).toContain('warning: removing the consumer groups left by runs that did not finish took over 0.05 s; abandoned, the next run tries again');
    // What the abandoned removal says once it ends is dropped: the report has been printed by then.
    const before = lines.length;
    finish();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lines).toHaveLength(before);

    // A stop while it runs abandons it at once.
    const stop = new AbortController();
    const stalled: Leftovers = { asked: 0, answer: () => (stop.abort(), new Promise(() => undefined)) };
    const stopped: string[] = [];
    await runFlowInWorkers({ ...ports(stopped, [], stalled), stop: stop.signal }, settings('ok'), options, { workers: 2, script: SCRIPT, faults: false, leftoverGroupsTimeoutMs: 60_000 });
    expect(stopped).toContain('warning: removing the consumer groups left by runs that did not finish was interrupted by a stop; abandoned, the next run tries again');
  });

  it('starts no more threads than the run has partitions, and says so once', async () => {
    const lines: string[] = [];
    const report = await runFlowInWorkers(ports(lines, [], noLeftovers(), 2), settings('ok'), { ...options, dryRun: true }, { workers: 4, script: SCRIPT, faults: false });
    // The stand-in reports partition <its worker number>: two threads, the shares of two.
    expect(report.partitions.map((entry) => `${entry.partition} ${entry.status}`)).toEqual(['0 archived', '1 archived']);
    expect(lines.filter((line) => line.startsWith('using '))).toEqual(['using 2 threads of the 4 asked: the run takes 2 partitions']);
    expect(lines.filter((line) => line.startsWith('worker ')).map((line) => line.split(':')[0])).toEqual(expect.arrayContaining(['worker 0', 'worker 1']));
    expect(lines.some((line) => /^worker [2-9]/.test(line))).toBe(false);
  });

  it('logs a thread’s unexpected error with the thread’s stack, naming the thread; an expected error without causes keeps to one line', async () => {
    const lines: string[] = [];
    const report = await runFlowInWorkers(ports(lines), settings('bug-one'), options, { workers: 2, script: SCRIPT, faults: false });
    expect(report.exitCode).toBe(1);
    const failure = lines.find((line) => line.startsWith('error: flow worker 1'));
    expect(failure?.split('\n').slice(0, 2)).toEqual(['error: flow worker 1 failed unexpectedly; the other threads committed what they read, the next run goes on', "TypeError: Cannot read properties of undefined (reading 'next')"]);
    expect(failure).toMatch(/\n {4}at .*fake-flow-worker\.mjs:\d+:\d+/);
    // An error the thread did not catch at all carries its stack too.
    const thrown: string[] = [];
    await runFlowInWorkers(ports(thrown), settings('throw-one'), options, { workers: 2, script: SCRIPT, faults: false });
    expect(thrown.find((line) => line.startsWith('error: flow worker 1'))).toMatch(/^error: flow worker 1 failed unexpectedly; .*\nRangeError: an offset out of range, uncaught\n {4}at .*fake-flow-worker\.mjs/);
    // fail-one's thread fails with a SchemaflowError: its code and message, no stack.
    const expected: string[] = [];
    await runFlowInWorkers(ports(expected), settings('fail-one'), options, { workers: 2, script: SCRIPT, faults: false });
    expect(expected.filter((line) => line.includes('\n'))).toEqual([]);
  });

  it('logs a thread’s SchemaflowError as the CLI reports one: its code and message, then its causes', async () => {
    const lines: string[] = [];
    const report = await runFlowInWorkers(ports(lines), settings('fail-one-caused'), options, { workers: 2, script: SCRIPT, faults: false });
    expect(report.exitCode).toBe(1);
    expect(lines.filter((line) => line.startsWith('error: KAFKA_FAILED'))).toEqual(['error: KAFKA_FAILED: reading records failed: the brokers went away; the other threads committed what they read, the next run goes on\n  caused by: Connection error: the brokers went away']);
  });

  it('rethrows what failed every thread as it was thrown there: a bug with its stack, a SchemaflowError with its code, retriable and causes', async () => {
    const bug = await runFlowInWorkers(ports([]), settings('bug-all'), options, { workers: 2, script: SCRIPT, faults: false }).catch((error: unknown) => error);
    expect(bug).toBeInstanceOf(Error);
    expect(bug).not.toBeInstanceOf(SchemaflowError);
    expect((bug as Error).name).toBe('TypeError');
    expect((bug as Error).stack).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'next'\)\n {4}at .*fake-flow-worker\.mjs/);
    const known = await runFlowInWorkers(ports([]), settings('fail-all'), options, { workers: 2, script: SCRIPT, faults: false }).catch((error: unknown) => error);
    expect(known).toBeInstanceOf(SchemaflowError);
    expect(known).toMatchObject({ code: 'KAFKA_FAILED', retriable: true, message: 'reading records failed: the brokers went away' });
    expect(describeError(known)).toBe('reading records failed: the brokers went away\n  caused by: Connection error: the brokers went away');
  });

  it('fails as one thread would when none gets through (a usage error stays one), and names a thread that exits without a report', async () => {
    await expect(runFlowInWorkers(ports([]), settings('usage'), options, { workers: 2, script: SCRIPT, faults: false })).rejects.toSatisfy((error: unknown) => error instanceof UsageError && error.code === 'CONFIG_INVALID' && error.message === 'worker 0: a bad setting');
    const lines: string[] = [];
    const report = await runFlowInWorkers(ports(lines), settings('exit'), { ...options, dryRun: true }, { workers: 2, script: SCRIPT, faults: false });
    expect(report.exitCode).toBe(1);
    expect(lines).toContain('error: FLOW_WORKER_FAILED: flow worker 1 exited with code 3 before reporting; the other threads committed what they read, the next run goes on');
  });
});
