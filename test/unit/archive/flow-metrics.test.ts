import { describe, expect, it } from 'vitest';
import { failedRunMetrics, flowMetrics, summarizeBySubject } from '../../../src/usecases/flow-metrics.js';
import type { FlowReport, PartitionReport } from '../../../src/usecases/flow-run.js';

const partition = (changes: Partial<PartitionReport>): PartitionReport => ({ subject: 'apps-users', topic: 'apps-users', partition: 0, status: 'archived', from: '0', next: '10', high: '10', records: 10, written: 8, late: 1, bytes: 500, through: 1_000_000, quarantined: { INVALID: 1 }, objects: 3, units: 1, recovered: false, gaps: [], ...changes });
const report = (partitions: PartitionReport[], shard: string | null = null): FlowReport => ({ runId: 'r', manifestSerial: 1, dryRun: false, closeOnly: false, shard, partitions, missingTopics: [], closures: [{ subject: 'apps-users', closedThrough: null, hoursClosed: 2, markers: 2 }], exitCode: 0 });

describe('flow metrics', () => {
  it('report lag and the age of the oldest unarchived record from the slowest partition', () => {
    const metrics = flowMetrics(report([partition({}), partition({ partition: 1, next: '4', high: '10', through: 940_000, status: 'incomplete' })]), { now: 1_000_000, durationMs: 1234 });
    const find = (name: string, partitionTag?: string) => metrics.filter((metric) => metric.name === name && (partitionTag === undefined || metric.tags.partition === partitionTag));
    expect(find('lag', '0')[0]?.value).toBe(0);
    expect(find('lag', '1')[0]?.value).toBe(6);
    expect(find('oldest_unarchived_age_seconds')).toEqual([{ type: 'gauge', name: 'oldest_unarchived_age_seconds', value: 60, tags: { subject: 'apps-users' } }]);
    expect(find('records_quarantined', '0')[0]).toMatchObject({ value: 1, tags: { reason: 'INVALID' } });
    expect(find('hours_closed')[0]?.value).toBe(2);
    expect(find('duration')[0]).toMatchObject({ type: 'timing', value: 1234 });
    expect(find('errors')).toEqual([]);
  });

  // Regression: a partition that had never archived a record reported an age of 0 however far
  // behind it was (its `through` is null), so a subject stuck since its first run looked fresh.
  it('send no oldest-unarchived age for a subject with a partition that has records waiting and none archived', () => {
    const never = partition({ partition: 1, status: 'incomplete', next: '0', high: '1000000', records: 0, written: 0, through: null });
    const metrics = flowMetrics(report([partition({ next: '4', through: 940_000 }), never]), { now: Date.UTC(2026, 11, 7), durationMs: 1 });
    expect(metrics.find((metric) => metric.name === 'lag' && metric.tags.partition === '1')?.value).toBe(1_000_000);
    // Its age is unknown, and the other partition's 60 s would understate it.
    expect(metrics.filter((metric) => metric.name === 'oldest_unarchived_age_seconds')).toEqual([]);
    // Nothing waiting: nothing to age, archived or not.
    const empty = flowMetrics(report([partition({ next: '0', high: '0', through: null, status: 'idle' })]), { now: 1_000_000, durationMs: 1 });
    expect(empty.filter((metric) => metric.name === 'oldest_unarchived_age_seconds')).toEqual([{ type: 'gauge', name: 'oldest_unarchived_age_seconds', value: 0, tags: { subject: 'apps-users' } }]);
  });

  // Regression (found by a review): a partition whose state is ahead of Kafka (its topic deleted
  // and created again; the partition stops) sent lag 0, and its subject an age of 0: fresh.
  it('send no lag and no subject age for a partition whose state is ahead of Kafka, and count its stop', () => {
    const ahead = partition({ partition: 1, status: 'stopped', next: '500', high: '20', records: 0, written: 0 });
    const metrics = flowMetrics(report([partition({}), ahead]), { now: 1_000_000, durationMs: 1 });
    expect(metrics.filter((metric) => metric.name === 'lag').map((metric) => metric.tags.partition)).toEqual(['0']);
    expect(metrics.filter((metric) => metric.name === 'oldest_unarchived_age_seconds')).toEqual([]);
    expect(metrics.filter((metric) => metric.name === 'errors')).toEqual([{ type: 'count', name: 'errors', value: 1, tags: { subject: 'apps-users', partition: '1' } }]);
  });

  it('count no lag for offsets found to carry no record (transaction markers after the last record)', () => {
    const drained = report([partition({ next: '8', high: '10', drainedTo: '10', through: 940_000, status: 'idle' }), partition({ partition: 1, next: '8', high: '12', drainedTo: '10', through: 940_000 })]);
    const metrics = flowMetrics(drained, { now: 1_000_000, durationMs: 1 });
    expect(metrics.filter((metric) => metric.name === 'lag').map((metric) => metric.value)).toEqual([0, 2]);
    expect(summarizeBySubject(drained)[0]?.lag).toBe('2');
  });

  it('tag the subject gauge with the shard of a sharded run, so shards do not overwrite each other', () => {
    const gauge = (shard: string | null) => flowMetrics(report([partition({ next: '4', through: 940_000 })], shard), { now: 1_000_000, durationMs: 1 }).filter((metric) => metric.name === 'oldest_unarchived_age_seconds');
    expect(gauge('1/3')).toEqual([{ type: 'gauge', name: 'oldest_unarchived_age_seconds', value: 60, tags: { subject: 'apps-users', shard: '1/3' } }]);
    // One shard of one is every partition: the same series as a run without --shard.
    expect(gauge('0/1')[0]?.tags).toEqual({ subject: 'apps-users' });
    expect(gauge(null)[0]?.tags).toEqual({ subject: 'apps-users' });
  });

  // Regression: hours_closed sent the _CLOSED.json markers written, one per version folder with
  // data: an hour of a subject with two live versions counted twice, and hours that closed
  // without data (a quiet subject) counted nothing, though its closure moved on.
  it('count the hours a run closed in hours_closed, not the markers it wrote', () => {
    const closing = (hoursClosed: number, markers: number): FlowReport => ({ ...report([partition({})]), closures: [{ subject: 'apps-users', closedThrough: '2026-11-30T09:00:00.000Z', hoursClosed, markers }] });
    const hours = (closed: FlowReport) => flowMetrics(closed, { now: 0, durationMs: 1 }).filter((metric) => metric.name === 'hours_closed').map((metric) => metric.value);
    expect(hours(closing(1, 2))).toEqual([1]);
    expect(hours(closing(3, 0))).toEqual([3]);
  });

  it('tag the duration of a flow close, which reads nothing, apart from the runs', () => {
    const duration = (closeOnly: boolean) => flowMetrics({ ...report([partition({})]), closeOnly }, { now: 0, durationMs: 5 }).find((metric) => metric.name === 'duration');
    expect(duration(true)).toEqual({ type: 'timing', name: 'duration', value: 5, tags: { mode: 'close' } });
    expect(duration(false)?.tags).toEqual({});
  });

  it('count a stopped partition and a gap as errors and gaps', () => {
    const metrics = flowMetrics(report([partition({ status: 'stopped', gaps: [{ from: '0', to: '3' }] })]), { now: 0, durationMs: 1 });
    expect(metrics.filter((metric) => metric.name === 'errors' || metric.name === 'gaps').map((metric) => [metric.name, metric.value])).toEqual([['gaps', 1], ['errors', 1]]);
  });

  // Regression: a run that failed outright sent nothing, so alerts on errors and duration never fired.
  it('give a run that failed outright errors tagged with its code as the reason, and duration', () => {
    expect(failedRunMetrics({ reason: 'KAFKA_FAILED', closeOnly: false, durationMs: 2_000 })).toEqual([
      { type: 'count', name: 'errors', value: 1, tags: { reason: 'KAFKA_FAILED' } },
      { type: 'timing', name: 'duration', value: 2_000, tags: {} },
    ]);
    expect(failedRunMetrics({ reason: 'MANIFEST_UNREADABLE', closeOnly: true, durationMs: 5 })[1]).toEqual({ type: 'timing', name: 'duration', value: 5, tags: { mode: 'close' } });
  });

  // Regression: a dry run, which records nothing, counted the gaps it would record and the
  // partitions it found stopped, and the run after it counted them again.
  it('count no gap or error of a dry run: the run that records the gap or reads the partition counts it', () => {
    const dry: FlowReport = { ...report([partition({ status: 'stopped' }), partition({ partition: 1, status: 'planned', gaps: [{ from: '0', to: '3' }] })]), dryRun: true, closures: [] };
    const metrics = flowMetrics(dry, { now: 0, durationMs: 1 });
    expect(metrics.filter((metric) => metric.name === 'errors' || metric.name === 'gaps')).toEqual([]);
    expect(metrics.filter((metric) => metric.name === 'lag')).toHaveLength(2);
  });

  it('leave a stopped partition to the run that owns it: flow close after it counts only its own closing failures', () => {
    const closing: FlowReport = { ...report([partition({ status: 'stopped' })]), closeOnly: true, closures: [{ subject: 'apps-users', closedThrough: null, hoursClosed: 0, markers: 0, held: 'failed: 503', failed: true }] };
    const errors = flowMetrics(closing, { now: 0, durationMs: 1 }).filter((metric) => metric.name === 'errors');
    expect(errors).toEqual([{ type: 'count', name: 'errors', value: 1, tags: { subject: 'apps-users' } }]);
  });
});
