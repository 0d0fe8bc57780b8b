import { drainedOffset, type PendingIntent, type PartitionState, type RecordMark } from './state.js';

/** What one run does with one partition (flow.md §3.4 step 1), decided before anything is written. */
export type PartitionPlan =
  | { readonly action: 'idle'; readonly next: bigint }
  | { readonly action: 'stop'; readonly code: 'OFFSET_AHEAD_OF_KAFKA'; readonly message: string }
  | {
      readonly action: 'archive';
      /**
       * Offsets retention deleted before the flow read them: recorded as a gap first. `empty`
       * when an earlier run had read them and found no record (drainedTo): nothing was lost.
       */
      readonly gap: { readonly from: bigint; readonly to: bigint; readonly empty?: true } | null;
      /** An intent a crashed run left: finished before any new unit. */
      readonly pending: PendingIntent | null;
      readonly from: bigint;
      /** Exclusive: the high watermark snapshotted at the start of the run. */
      readonly to: bigint;
    };

/** Why a partition of a recreated (or truncated) topic stops, and what to do: `why` names what showed it. */
export function recreatedTopic(topic: string, partition: number, why: string): string {
  return `${topic}/${partition}: ${why}. Nothing was archived for this partition. Its offsets now name other records than the lake's under the same offsets, so this lake cannot take them: archive the recreated topic into another lake (--lake, --state, and --positions-group for its own lag group) or register it as a new subject. Removing the state would not help: a partition without a state is refused while the lake holds its subject.`;
}

/**
 * The record the lake archived last, when a run should read it again to check that Kafka still
 * holds the same one there: it must be at or above `low` (retention has not deleted it) and below
 * `from`, where the run reads; not while a crashed unit is rebuilt (its rebuild is compared whole).
 */
export function recordToCheck(state: PartitionState, low: bigint, from: bigint): RecordMark | null {
  const mark = state.pending ? undefined : state.lastRecord;
  return mark && BigInt(mark.offset) >= low && BigInt(mark.offset) < from ? mark : null;
}

/** Whether a record Kafka gives at a mark's offset is the one marked; undefined when it is, else what differs. */
export function markMismatch(mark: RecordMark, record: { readonly timestamp: string; readonly value: Buffer | null }): string | undefined {
  const bytes = record.value === null ? null : record.value.length;
  if (record.timestamp === mark.timestamp && bytes === mark.bytes) return undefined;
  const describe = (timestamp: string, size: number | null): string => `Kafka timestamp ${timestamp}, ${size === null ? 'a tombstone' : `${size} bytes`}`;
  return `the record Kafka holds at offset ${mark.offset} (${describe(record.timestamp, bytes)}) is not the one the lake archived there (${describe(mark.timestamp, mark.bytes)}): the topic was deleted and recreated`;
}

/**
 * Plans a partition from its lake state and the watermarks snapshotted at the start of the run.
 * A partition the flow has never seen starts at `low`. A state behind `low` records the lost
 * offsets as a gap; a state ahead of `high` means the topic was recreated or truncated, and the
 * partition stops rather than guess (never an automatic reset).
 */
export function planPartition(state: PartitionState, offsets: { low: bigint; high: bigint }): PartitionPlan {
  const next = BigInt(state.next);
  const { low, high } = offsets;
  if (next > high) {
    return {
      action: 'stop',
      code: 'OFFSET_AHEAD_OF_KAFKA',
      message: recreatedTopic(state.topic, state.partition, `the lake has offsets up to ${next - 1n} but Kafka's high watermark is ${high}: the topic was recreated or truncated`),
    };
  }
  if (state.pending) {
    // Finish the crashed unit first; when retention has since passed its end, read no further this run.
    const end = BigInt(state.pending.end) + 1n;
    return { action: 'archive', gap: null, pending: state.pending, from: next, to: end < low ? end : high };
  }
  if (next < low) {
    // Offsets an earlier run read and found without a record (drainedTo) lose nothing: a gap
    // within them is recorded without an alert.
    const empty = drainedOffset(state, high) >= low ? ({ empty: true } as const) : {};
    return { action: 'archive', gap: { from: next, to: low - 1n, ...empty }, pending: null, from: low, to: high };
  }
  // Read to the high watermark, or to it through offsets found to carry no record (drainedTo).
  if (drainedOffset(state, high) === high) return { action: 'idle', next };
  return { action: 'archive', gap: null, pending: null, from: next, to: high };
}
