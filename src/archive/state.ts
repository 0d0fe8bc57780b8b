import { SchemaflowError } from '../domain/errors.js';
import { decodeUtf8 } from '../domain/utf8.js';

/** What a published lake object holds. `late` objects come with hour closure (flow part 2). */
export type ObjectKind = 'data' | 'quarantine' | 'late';

/** An object a unit publishes, as its intent records it before anything is written. */
export interface IntendedObject {
  readonly key: string;
  readonly kind: ObjectKind;
  readonly count: number;
  /** Lowest and highest offset of the rows it holds (decimal strings: offsets are 64-bit). */
  readonly first: string;
  readonly last: string;
  /** SHA-256 (hex) of the uncompressed content: gzip bytes may differ between zlib versions. */
  readonly sha256: string;
}

/**
 * The last record a unit archived: its offset, its Kafka timestamp (as Kafka gave it) and the
 * size of its value (null for a tombstone). A record at that offset is the same for as long as
 * the topic exists, so one with another timestamp or size means the topic was deleted and
 * recreated (its offsets start again at 0) and now names other records than the lake's.
 */
export interface RecordMark {
  readonly offset: string;
  readonly timestamp: string;
  readonly bytes: number | null;
}

/**
 * The write-ahead record of a flush unit (flow.md §3.4 step 4): the offsets it consumed, how many
 * records they held, the manifest serial its records were routed with and every object it will
 * publish. A crashed run leaves it behind; the next run finishes it before anything else.
 */
export interface PendingIntent {
  readonly start: string;
  readonly end: string;
  readonly records: number;
  readonly manifestSerial: number;
  /** The subject's last closed hour when the unit was routed: later records of it went to `_late/`. */
  readonly closedThrough: string | null;
  /** The Kafka timestamp of the unit's last record (epoch ms). */
  readonly lastTimestamp: number;
  /** How many of its records went to `_late/`. */
  readonly late: number;
  readonly runId: string;
  readonly objects: readonly IntendedObject[];
  /** The unit's last record (absent in intents written before it was recorded). */
  readonly lastRecord?: RecordMark;
  /**
   * The largest record the unit archived (`--max-record-bytes`): larger ones went to quarantine
   * as TOO_LARGE, so a rebuild routes with it whatever the setting is now. Absent in intents
   * written before it was recorded (a rebuild then routes with the run's own).
   */
  readonly maxRecordBytes?: number;
}

/**
 * The flow state of one partition, stored at `<state>/<topic>/<partition>.json` and changed only
 * by compare-and-swap on its generation. `next` is the first offset not yet in the lake.
 * `revision` grows with every write, so a state never returns to earlier bytes (a content-hash
 * generation must not repeat).
 */
export interface PartitionState {
  readonly format: 1;
  readonly topic: string;
  readonly partition: number;
  /**
   * Where the flow started the partition: Kafka's earliest offset on its first run. The lake
   * holds every offset in [start, next); null in a state written before it was recorded.
   */
  readonly start: string | null;
  readonly next: string;
  readonly pending: PendingIntent | null;
  /** The Kafka timestamp of the last record archived (epoch ms): how far the partition's hours are complete. */
  readonly through: number | null;
  /** Records archived under `_late/` so far, in total; hour markers count the new ones. */
  readonly late: number;
  readonly revision: number;
  readonly lastRunId: string;
  readonly updatedAt: string;
  /**
   * Set when a run read the partition to this offset and found no record from `next` on: only
   * transaction markers and aborted records, which carry nothing to archive. The partition is
   * drained up to it (for hour closure and lag) though the lake holds only [start, next): those
   * offsets go into the next unit, with the records after them. Gone once `next` moves.
   */
  readonly drainedTo?: string;
  /** The last record archived, which the next run reads again to tell a recreated topic (absent before the first unit, and in states written before it was recorded). */
  readonly lastRecord?: RecordMark;
}

const OFFSET = /^(0|[1-9]\d{0,19})$/;

function corrupt(key: string, what: string): SchemaflowError {
  return new SchemaflowError('STATE_CORRUPT', `flow state ${key} ${what}. The lake is untouched and the partition stops until the state is readable; its subject's hours stay open. Restore the object from its previous generation (GCS object versioning), or write a state whose "next" is the offset after the partition's last archived object (lake audit lists them). Do not delete it: the flow would archive the partition again from the earliest offset Kafka still has, and every record already in the lake twice.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkIntent(value: unknown, key: string): PendingIntent {
  if (!isObject(value)) throw corrupt(key, 'has a pending intent that is not an object');
  const { start, end, records, manifestSerial, runId, objects } = value;
  if (typeof start !== 'string' || !OFFSET.test(start) || typeof end !== 'string' || !OFFSET.test(end) || BigInt(end) < BigInt(start)) throw corrupt(key, 'has a pending intent without a valid offset range');
  if (typeof records !== 'number' || typeof manifestSerial !== 'number' || typeof runId !== 'string' || !Array.isArray(objects)) throw corrupt(key, 'has a pending intent with missing fields');
  if (value.closedThrough !== null && typeof value.closedThrough !== 'string') throw corrupt(key, 'has a pending intent without closedThrough');
  for (const object of objects as unknown[]) {
    if (!isObject(object) || typeof object.key !== 'string' || typeof object.sha256 !== 'string' || typeof object.count !== 'number' || typeof object.first !== 'string' || typeof object.last !== 'string' || !['data', 'quarantine', 'late'].includes(String(object.kind))) throw corrupt(key, 'lists an intended object with missing fields');
  }
  if (value.lastRecord !== undefined && !isRecordMark(value.lastRecord)) throw corrupt(key, 'has a pending intent with an invalid "lastRecord"');
  if (value.maxRecordBytes !== undefined && !(Number.isSafeInteger(value.maxRecordBytes) && (value.maxRecordBytes as number) > 0)) throw corrupt(key, 'has a pending intent with an invalid "maxRecordBytes"');
  // Intents written before lastTimestamp recorded the unit's largest timestamp instead.
  if (typeof value.lastTimestamp !== 'number' && typeof value.maxTimestamp === 'number') {
    const { maxTimestamp, ...rest } = value;
    return { ...rest, lastTimestamp: maxTimestamp } as unknown as PendingIntent;
  }
  return value as unknown as PendingIntent;
}

function isRecordMark(value: unknown): value is RecordMark {
  return isObject(value) && typeof value.offset === 'string' && OFFSET.test(value.offset) && typeof value.timestamp === 'string' && (value.bytes === null || (typeof value.bytes === 'number' && Number.isSafeInteger(value.bytes) && value.bytes >= 0));
}

/** Reads a stored state; anything malformed is STATE_CORRUPT naming the key (never guessed around). */
export function parseState(bytes: Uint8Array, key: string, expected: { topic: string; partition: number }): PartitionState {
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes));
  } catch {
    throw corrupt(key, 'is not JSON');
  }
  if (!isObject(value) || value.format !== 1) throw corrupt(key, 'is not a format-1 state object');
  if (value.topic !== expected.topic || value.partition !== expected.partition) throw corrupt(key, `describes ${String(value.topic)}/${String(value.partition)}, not ${expected.topic}/${expected.partition}`);
  if (typeof value.next !== 'string' || !OFFSET.test(value.next)) throw corrupt(key, 'has no valid "next" offset');
  if (value.start !== undefined && value.start !== null && (typeof value.start !== 'string' || !OFFSET.test(value.start))) throw corrupt(key, 'has an invalid "start" offset');
  if (typeof value.revision !== 'number') throw corrupt(key, 'has no revision');
  if (value.drainedTo !== undefined && (typeof value.drainedTo !== 'string' || !OFFSET.test(value.drainedTo))) throw corrupt(key, 'has an invalid "drainedTo" offset');
  if (value.lastRecord !== undefined && !isRecordMark(value.lastRecord)) throw corrupt(key, 'has an invalid "lastRecord"');
  // One at or below next says nothing (a release before drainedTo kept it while next moved past).
  const { drainedTo, ...fields } = value;
  const drained = typeof drainedTo === 'string' && BigInt(drainedTo) > BigInt(value.next) ? { drainedTo } : {};
  return { ...(fields as unknown as PartitionState), ...drained, start: typeof value.start === 'string' ? value.start : null, through: typeof value.through === 'number' ? value.through : null, late: typeof value.late === 'number' ? value.late : 0, pending: value.pending === null || value.pending === undefined ? null : checkIntent(value.pending, key) };
}

export function serializeState(state: PartitionState): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(state, null, 2)}\n`);
}

/** The state of a partition the flow has never archived: it starts at Kafka's earliest offset. */
export function initialState(topic: string, partition: number, low: bigint): PartitionState {
  return { format: 1, topic, partition, start: low.toString(), next: low.toString(), pending: null, through: null, late: 0, revision: 0, lastRunId: '', updatedAt: '' };
}

/**
 * The offsets a stored state says the lake holds, `[first, next)`; undefined when it claims none
 * (the flow has not committed a unit or recorded a gap yet). `first` is null for a state written
 * before `start` was recorded: such a state claims offsets when it has been written more often
 * than its pending intent accounts for, since every write bumps the revision and a partition's
 * first write is either a unit's intent (which leaves `next` where it was) or a gap record.
 */
export function claimedOffsets(state: PartitionState): { first: bigint | null; next: bigint } | undefined {
  const next = BigInt(state.next);
  if (state.start !== null) return next > BigInt(state.start) ? { first: BigInt(state.start), next } : undefined;
  return state.revision > (state.pending ? 1 : 0) && next > 0n ? { first: null, next } : undefined;
}

/**
 * The next state: fields changed, revision bumped, stamped with the run and its clock. A
 * `drainedTo` stays until `next` moves (the unit that moves it covers those offsets).
 */
export function advanceState(state: PartitionState, change: { next?: bigint; pending: PendingIntent | null; through?: number | null; late?: number; drainedTo?: bigint; lastRecord?: RecordMark | null }, run: { runId: string; now: Date }): PartitionState {
  const { drainedTo, lastRecord, ...rest } = state;
  const kept = change.drainedTo?.toString() ?? (change.next === undefined ? drainedTo : undefined);
  // A unit's commit names its last record; a commit that cannot (null) drops the one before.
  const mark = change.lastRecord === undefined ? lastRecord : (change.lastRecord ?? undefined);
  return { ...rest, next: (change.next ?? BigInt(state.next)).toString(), pending: change.pending, through: change.through ?? state.through, late: change.late ?? state.late, revision: state.revision + 1, lastRunId: run.runId, updatedAt: run.now.toISOString(), ...(kept === undefined ? {} : { drainedTo: kept }), ...(mark === undefined ? {} : { lastRecord: mark }) };
}

/**
 * How far the partition is read, against Kafka's high watermark `high`: `next`, or beyond it up to
 * `drainedTo`, the offsets found to carry no record. A drainedTo past `high` (the topic was
 * truncated or recreated since) says nothing about what Kafka holds now: then `next`.
 */
export function drainedOffset(state: Pick<PartitionState, 'next' | 'drainedTo'>, high: bigint): bigint {
  const next = BigInt(state.next);
  if (state.drainedTo === undefined) return next;
  const drained = BigInt(state.drainedTo);
  return drained > next && drained <= high ? drained : next;
}
