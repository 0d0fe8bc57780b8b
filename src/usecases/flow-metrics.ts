import { parseShard } from '../archive/shard.js';
import { drainedOffset } from '../archive/state.js';
import type { Metric } from '../ports.js';
import type { FlowReport } from './flow-run.js';

/** Offsets of a partition not archived yet; offsets found to carry no record (drainedTo) are not waiting. */
function unread(partition: FlowReport['partitions'][number]): bigint {
  const high = BigInt(partition.high);
  return high - drainedOffset(partition, high);
}

/** `unread`, none for a partition whose state is ahead of Kafka (a recreated topic: it stops, and has no lag to tell). */
function waiting(partition: FlowReport['partitions'][number]): bigint {
  const lag = unread(partition);
  return lag > 0n ? lag : 0n;
}

/**
 * The flow's metrics (DESIGN.md §6), from a run's report: counters per subject and partition,
 * lag in offsets per partition, the age of the oldest record not yet in the lake per subject
 * (none for a subject with a partition that has records waiting and none archived: that age is
 * unknown), the run's duration and its errors. Names are under `schemaflow.flow.` (the sink adds the prefix).
 */
export function flowMetrics(report: FlowReport, options: { now: number; durationMs: number }): Metric[] {
  const metrics: Metric[] = [];
  const oldest = new Map<string, number>();
  /** Subjects with a partition whose oldest unarchived record's age no run has learnt. */
  const unknown = new Set<string>();
  for (const partition of report.partitions) {
    const tags = { subject: partition.subject, partition: String(partition.partition) };
    metrics.push({ type: 'count', name: 'records_read', value: partition.records, tags });
    metrics.push({ type: 'count', name: 'records_written', value: partition.written, tags });
    metrics.push({ type: 'count', name: 'records_late', value: partition.late, tags });
    metrics.push({ type: 'count', name: 'bytes_written', value: partition.bytes, tags });
    for (const [reason, count] of Object.entries(partition.quarantined)) metrics.push({ type: 'count', name: 'records_quarantined', value: count, tags: { ...tags, reason } });
    const lag = unread(partition);
    // A state ahead of Kafka's high watermark (a topic deleted and created again: the partition
    // stops) has no lag to tell: no gauge, and its subject no age, rather than a 0 that looks fresh.
    if (lag < 0n) unknown.add(partition.subject);
    else {
      metrics.push({ type: 'gauge', name: 'lag', value: Number(lag), tags });
      // Unarchived records are newer than the last archived one: its age bounds theirs from above.
      // With none archived yet, nothing bounds it (the flow learns a record's timestamp by reading
      // it, and the state keeps no time before its first unit): 0 would pass a subject stuck since
      // its first run as fresh, so the subject sends no value at all (see `unknown` below).
      if (lag > 0n && partition.through === null) unknown.add(partition.subject);
      const age = lag > 0n && partition.through !== null ? Math.max(0, Math.round((options.now - partition.through) / 1000)) : 0;
      oldest.set(partition.subject, Math.max(oldest.get(partition.subject) ?? 0, age));
    }
    // A dry run records no gap: the run that records it counts it.
    if (partition.gaps.length > 0 && !report.dryRun) metrics.push({ type: 'count', name: 'gaps', value: partition.gaps.length, tags });
    // The run that reads a partition counts its stop; `flow close` after it, or a dry run before it, would count it again.
    if (partition.status === 'stopped' && !report.closeOnly && !report.dryRun) metrics.push({ type: 'count', name: 'errors', value: 1, tags });
  }
  // A thread of a --workers run that failed: an error, as a run failing outright is one; how far
  // its share's partitions got is in no report, so their subjects' age is unknown.
  for (const failed of report.failedThreads ?? []) {
    metrics.push({ type: 'count', name: 'errors', value: 1, tags: { reason: failed.reason } });
    for (const subject of failed.subjects) unknown.add(subject);
  }
  // A shard of several sees only its partitions: its gauge is tagged with the shard (alert on the
  // largest over the shards), so the shards' values do not overwrite each other's.
  const shard = report.shard !== null && parseShard(report.shard)?.count !== 1 ? { shard: report.shard } : {};
  // A subject with such a partition sends no gauge: its other partitions' ages would understate it.
  for (const [subject, age] of oldest) if (!unknown.has(subject)) metrics.push({ type: 'gauge', name: 'oldest_unarchived_age_seconds', value: age, tags: { subject, ...shard } });
  for (const closure of report.closures) {
    metrics.push({ type: 'count', name: 'hours_closed', value: closure.hoursClosed, tags: { subject: closure.subject } });
    if (closure.failed) metrics.push({ type: 'count', name: 'errors', value: 1, tags: { subject: closure.subject } });
  }
  // A `flow close` reads nothing: its duration is a series of its own, beside the runs'.
  metrics.push(durationMetric(options.durationMs, report.closeOnly));
  return metrics;
}

/**
 * The metrics of a run that failed outright (brokers that cannot be reached, a manifest that
 * cannot be read): it has no report, so no counters, lag or age; `errors`, tagged with the
 * error's code as its reason, and `duration` still go out, so that the alerts on them fire when
 * every run fails.
 */
export function failedRunMetrics(failure: { reason: string; closeOnly: boolean; durationMs: number }): Metric[] {
  return [
    { type: 'count', name: 'errors', value: 1, tags: { reason: failure.reason } },
    durationMetric(failure.durationMs, failure.closeOnly),
  ];
}

/** The run's `duration`, tagged `mode:close` for `flow close`, whether the run reported or failed. */
const durationMetric = (durationMs: number, closeOnly: boolean): Metric => ({ type: 'timing', name: 'duration', value: durationMs, tags: closeOnly ? { mode: 'close' } : {} });

/** One row per subject of a run, for the job summary. */
export interface SubjectSummary {
  readonly subject: string;
  readonly partitions: number;
  readonly read: number;
  readonly archived: number;
  readonly late: number;
  readonly quarantined: number;
  readonly gaps: number;
  readonly lag: string;
  /** The partitions' statuses, e.g. `archived 3` or `archived 2, stopped 1`. */
  readonly status: string;
  readonly closedThrough: string | null;
}

export function summarizeBySubject(report: FlowReport): SubjectSummary[] {
  const subjects = [...new Set(report.partitions.map((partition) => partition.subject))].sort();
  return subjects.map((subject) => {
    const partitions = report.partitions.filter((partition) => partition.subject === subject);
    const statuses = new Map<string, number>();
    for (const partition of partitions) statuses.set(partition.status, (statuses.get(partition.status) ?? 0) + 1);
    const sum = (pick: (partition: (typeof partitions)[number]) => number): number => partitions.reduce((total, partition) => total + pick(partition), 0);
    return {
      subject,
      partitions: partitions.length,
      read: sum((partition) => partition.records),
      archived: sum((partition) => partition.written),
      late: sum((partition) => partition.late),
      quarantined: sum((partition) => Object.values(partition.quarantined).reduce((total, count) => total + count, 0)),
      gaps: sum((partition) => partition.gaps.length),
      lag: partitions.reduce((total, partition) => total + waiting(partition), 0n).toString(),
      status: [...statuses].map(([status, count]) => `${status} ${count}`).join(', '),
      closedThrough: report.closures.find((closure) => closure.subject === subject)?.closedThrough ?? null,
    };
  });
}
