import { hourOfKey } from '../archive/closure.js';
import { partitionKey, stateKey } from '../archive/layout.js';
import { advanceState, initialState, parseState, serializeState, type PartitionState, type PendingIntent, type RecordMark } from '../archive/state.js';
import { UnitBuilder, type BuiltObject, type SealedUnit } from '../archive/unit.js';
import { SchemaflowError, messageOf } from '../domain/errors.js';
import type { SchemaRegistry } from '../manifest/registry.js';
import type { ManifestSubject } from '../manifest/types.js';
import type { ObjectStore, PartitionOffsets } from '../ports.js';
import { readClosure } from './close-hours.js';
import type { FaultPoint } from './flow-run.js';
import { contentHashOf, describeRange, metadataOf, publishGap, publishObject } from './lake-objects.js';

export type PartitionStatus = 'idle' | 'archived' | 'planned' | 'incomplete' | 'stopped' | 'contended';

export interface PartitionReport {
  readonly subject: string;
  readonly topic: string;
  readonly partition: number;
  status: PartitionStatus;
  /** Where this run started and where the lake's state ends now. */
  readonly from: string;
  next: string;
  readonly high: string;
  records: number;
  /** Events archived as data, and as late data. */
  written: number;
  late: number;
  /** Compressed bytes published. */
  bytes: number;
  /** The Kafka timestamp of the last record archived (epoch ms), as the partition's state ends the run. */
  through: number | null;
  quarantined: Record<string, number>;
  objects: number;
  units: number;
  recovered: boolean;
  gaps: Array<{ from: string; to: string }>;
  /** The state's drainedTo: offsets from `next` below it carry no record (transaction markers, aborted records). */
  drainedTo?: string;
  problem?: string;
}

/**
 * How a unit rebuilt from Kafka differs from its intent, in words (the first object that does,
 * by key), or undefined when it is the same: the same objects with the same bytes, and records.
 */
function rebuildDifference(unit: SealedUnit, intent: PendingIntent): string | undefined {
  const intended = new Map(intent.objects.map((object) => [object.key, object]));
  const rebuilt = new Map(unit.objects.map((object) => [object.key, object]));
  for (const key of [...new Set([...intended.keys(), ...rebuilt.keys()])].sort()) {
    const [before, after] = [intended.get(key), rebuilt.get(key)];
    if (!before) return `the rebuild makes ${key}, which the intent does not name`;
    if (!after) return `the intent names ${key}, which the rebuild does not make`;
    if (before.sha256 !== after.sha256) return `${key} holds ${after.count} records with SHA-256 ${after.sha256}, where the intent has ${before.count} with ${before.sha256}`;
  }
  return unit.records === intent.records ? undefined : `the offsets hold ${unit.records} records, where the intent counts ${intent.records}`;
}

/** One partition's work in a run. */
export interface PartitionWork {
  readonly subject: ManifestSubject;
  readonly report: PartitionReport;
  readonly to: bigint;
  state: PartitionState;
  generation: string | null;
  builder: UnitBuilder;
  registry: SchemaRegistry;
  /** The subject as the registry's manifest defines it (its event time): what the unit routes with. */
  definition: ManifestSubject;
  /** The subject's last closed hour this unit routes with (the intent's while rebuilding it). */
  closedThrough: Date | null;
  /** The largest record this unit archives, larger ones are TOO_LARGE (the intent's while rebuilding it). */
  maxRecordBytes: number;
  /** The pending intent being rebuilt from Kafka: its unit ends exactly at the intent's end. */
  rebuilding: PendingIntent | null;
  /** The last record archived, read again before the partition's new records (`recordToCheck`). */
  check: RecordMark | null;
  finished: boolean;
  /**
   * The unit sealed off and still on its way through intent, publish and commit while reading
   * goes on into `builder` (at most one per partition: each state change builds on the last).
   */
  inflight: Inflight | null;
}

/** A sealed unit on its way to the lake: settled when committed or its partition stopped. */
export interface Inflight {
  done: Promise<void>;
  /** Its gzip bytes, held until published. */
  readonly bytes: number;
}

/** A subject as a manifest serial defines it (a later serial may change its event time). */
export function definitionIn(registry: SchemaRegistry, subject: ManifestSubject): ManifestSubject {
  return registry.manifest.subjects.find((entry) => entry.subject === subject.subject) ?? subject;
}

/** A stopped or contended partition takes no more records and publishes nothing more. */
export const halted = (item: PartitionWork): boolean => item.report.status === 'stopped' || item.report.status === 'contended';

export function stopPartition(report: PartitionReport, message: string): void {
  report.status = 'stopped';
  report.problem = message;
}

/** A partition's lake state and its generation (for CAS), or the initial state at the topic's low watermark. */
export async function readState(store: ObjectStore, entry: PartitionOffsets): Promise<{ state: PartitionState; generation: string | null }> {
  const key = stateKey(entry.topic, entry.partition);
  const stored = await store.get(key);
  if (!stored) return { state: initialState(entry.topic, entry.partition, entry.low), generation: null };
  return { state: parseState(stored.bytes, `${store.location}/${key}`, entry), generation: stored.generation };
}

/** Uploads under way at once in a run (in each thread with --workers), across its partitions' units (GCS answers a flood with 429s). */
const UPLOADS_AT_ONCE = 16;

/** At most `size` tasks at a time; the others wait their turn in order. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async run(task: () => Promise<void>): Promise<void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}

/** The manifest serial, closed hour and record size limit a unit's records were routed with. */
interface RoutedWith {
  readonly manifestSerial: number;
  readonly closedThrough: string | null;
  readonly maxRecordBytes: number;
}

/** What the protocol needs of the run. */
export interface ArchiverContext {
  readonly lake: ObjectStore;
  readonly state: ObjectStore;
  readonly clock: () => Date;
  readonly fault: (point: FaultPoint) => Promise<void>;
  readonly log: (line: string) => void;
  readonly runId: string;
  /** The registry of an earlier manifest serial (a crashed unit is rebuilt with the manifest it was routed with). */
  readonly registryFor: (serial: number) => Promise<SchemaRegistry>;
  /** What a subject routes with now: once a rebuilt unit is published, its partition goes on with these. */
  readonly current: (subject: ManifestSubject) => { readonly registry: SchemaRegistry; readonly closedThrough: Date | null; readonly maxRecordBytes: number };
}

/**
 * The per-partition protocol (flow.md §3.4): every flush unit goes through intent (CAS on the
 * state), create-only publish and commit (CAS); a unit a crashed run left is finished from the
 * lake or rebuilt from Kafka first; offsets deleted by retention are recorded as a gap. A lost
 * CAS means another run owns the partition: it is marked contended and left alone.
 */
export class PartitionArchiver {
  /** Where each partition's state ends after a commit of this run, for lag monitoring. */
  readonly positions = new Map<string, { topic: string; partition: number; next: bigint }>();
  private readonly context: ArchiverContext;
  private readonly uploads = new Slots(UPLOADS_AT_ONCE);

  constructor(context: ArchiverContext) {
    this.context = context;
  }

  /**
   * Seals the buffered records (if any) into a unit and takes it through intent, publish and
   * commit. With `background`, it returns once the unit is sealed: the intent, the uploads and
   * the commit then run while the partition reads on into a new unit, so storage round trips
   * and fsyncs no longer hold up the reader (and with it every partition of the fetch). Sealing
   * itself is waited for: it is zlib's work either way, and it frees the unit's compressors, so
   * a unit in flight holds only its gzip bytes. The next flush of the partition first waits for
   * this one. A failure stops the partition as a failed flush always did; nothing read after it
   * is published.
   */
  async flush(item: PartitionWork, heartbeat: () => Promise<void>, through?: bigint, mode: 'wait' | 'background' = 'wait'): Promise<void> {
    await item.inflight?.done;
    if (halted(item)) return;
    if (item.rebuilding) return this.finishRebuilt(item, item.rebuilding);
    // What its records were routed with, as the intent records it (a rebuild routes the same way).
    const routedWith: RoutedWith = { manifestSerial: item.registry.manifest.serial, closedThrough: item.closedThrough?.toISOString() ?? null, maxRecordBytes: item.maxRecordBytes };
    const unit = await item.builder.seal(through);
    if (!unit) return;
    item.builder = new UnitBuilder(unit.topic, unit.partition, unit.end + 1n);
    const inflight: Inflight = { done: Promise.resolve(), bytes: unit.objects.reduce((sum, object) => sum + object.compressed.length, 0) };
    item.inflight = inflight;
    inflight.done = (async () => {
      try {
        await this.archive(item, unit, routedWith, heartbeat);
      } catch (error) {
        stopPartition(item.report, messageOf(error));
        this.context.log(`error: ${item.report.topic}/${item.report.partition}: ${messageOf(error)}`);
      } finally {
        // The unit's bytes are free once it is committed (or its partition stopped).
        if (item.inflight === inflight) item.inflight = null;
      }
    })();
    if (mode === 'wait') await inflight.done;
  }

  /** Waits until no partition has a unit in flight (before the run reports, records positions or closes hours). */
  async settled(items: Iterable<PartitionWork>): Promise<void> {
    for (const item of items) await item.inflight?.done;
  }

  /** The unit of a crashed run's intent, rebuilt from Kafka: published when it matches the intent, then committed. */
  private async finishRebuilt(item: PartitionWork, intent: PendingIntent): Promise<void> {
    const unit = await item.builder.seal(BigInt(intent.end));
    if (!unit) return;
    const difference = rebuildDifference(unit, intent);
    if (difference) {
      stopPartition(
        item.report,
        `${describeRange(unit.topic, unit.partition, intent.start, intent.end)} rebuilt from Kafka differ from the intent of run ${intent.runId}: ${difference}; nothing was overwritten. ` +
          'Either Kafka holds other records at these offsets than that run read (the topic was recreated), or this release of schemaflow routes or writes some records differently from the one that wrote the intent: finish the unit with that release (see "Upgrading the flow" in the README). The intent is kept in the state for inspection.',
      );
      return;
    }
    await this.publish(item, unit, true);
    await this.context.fault('recovery-after-publish');
    item.rebuilding = null;
    item.report.recovered = true;
    const { registry, closedThrough, maxRecordBytes } = this.context.current(item.subject);
    item.registry = registry;
    item.definition = definitionIn(registry, item.subject);
    item.closedThrough = closedThrough;
    item.maxRecordBytes = maxRecordBytes;
    await this.commit(item, unit);
    item.builder = new UnitBuilder(unit.topic, unit.partition, unit.end + 1n);
  }

  /** A new unit, routed with `routedWith`: intent (CAS), create-only publish, commit (CAS). */
  private async archive(item: PartitionWork, unit: SealedUnit, routedWith: RoutedWith, heartbeat: () => Promise<void>): Promise<void> {
    const { fault } = this.context;
    await fault('before-intent');
    if (await this.closedMeanwhile(item, unit, routedWith)) return;
    const pending: PendingIntent = { start: unit.start.toString(), end: unit.end.toString(), records: unit.records, manifestSerial: routedWith.manifestSerial, closedThrough: routedWith.closedThrough, maxRecordBytes: routedWith.maxRecordBytes, lastTimestamp: unit.lastTimestamp, late: unit.late, runId: this.context.runId, objects: unit.objects.map(({ key, kind, count, first, last, sha256 }) => ({ key, kind, count, first, last, sha256 })), ...(unit.lastRecord ? { lastRecord: unit.lastRecord } : {}) };
    if (!(await this.writeState(item, advanceState(item.state, { pending }, this.stamp())))) return;
    await fault('after-intent');
    await heartbeat();
    await this.publish(item, unit, false);
    await fault('after-publish');
    await this.commit(item, unit);
  }

  /**
   * Whether a closing pass of another run (`flow close`, or a run without `--shard`, overlapping
   * this one) closed an hour this unit has data in since the unit was routed: published, its
   * objects would land after their hour's marker. Then nothing of it is written and the partition
   * is left for this run (contended); the next run reads the offsets again and files those
   * records under `_late/`. A closing pass sees a written intent as pending and holds the hours.
   */
  private async closedMeanwhile(item: PartitionWork, unit: SealedUnit, routedWith: RoutedWith): Promise<boolean> {
    const { closure } = await readClosure(this.context.state, item.subject.subject);
    if (closure.closedThrough === null || closure.closedThrough === routedWith.closedThrough) return false;
    const closedThrough = Date.parse(closure.closedThrough);
    const closed = unit.objects.filter((object) => object.kind === 'data' && (hourOfKey(object.key)?.getTime() ?? Number.POSITIVE_INFINITY) <= closedThrough);
    if (closed.length === 0) return false;
    item.report.status = 'contended';
    item.report.problem = `another run closed the hours of ${item.subject.subject} through ${closure.closedThrough} while this run read ${describeRange(unit.topic, unit.partition, unit.start, unit.end)}, which hold data of them (${closed[0]?.key ?? ''}); nothing of them was published, and the next run files those records under _late/`;
    this.context.log(`warning: ${item.report.problem}`);
    return true;
  }

  /**
   * The unit a crashed run left pending: committed when every object is in the lake (each
   * checked against the intent's hash), else set up to be rebuilt from Kafka with the manifest
   * and closed hour it was routed with; unrecoverable once retention deleted its offsets.
   */
  async finishPending(item: PartitionWork, intent: PendingIntent, low: bigint): Promise<void> {
    const { lake, log } = this.context;
    const missing: string[] = [];
    for (const object of intent.objects) {
      const found = await contentHashOf(lake, object.key);
      if (found === undefined) missing.push(object.key);
      else if (found !== object.sha256) throw new SchemaflowError('OBJECT_CONFLICT', `${lake.location}/${object.key} does not match the intent of run ${intent.runId} (SHA-256 ${found}, expected ${object.sha256}); nothing was overwritten`);
    }
    item.report.recovered = true;
    if (missing.length === 0) {
      log(`${item.report.topic}/${item.report.partition}: finishing the unit ${intent.start}–${intent.end} of run ${intent.runId} (all ${intent.objects.length} objects were published)`);
      const unit: SealedUnit = { topic: item.report.topic, partition: item.report.partition, start: BigInt(intent.start), end: BigInt(intent.end), records: intent.records, lastTimestamp: intent.lastTimestamp, late: intent.late, quarantined: {}, objects: [], ...(intent.lastRecord ? { lastRecord: intent.lastRecord } : {}) };
      await this.commit(item, unit);
      item.report.written += intent.objects.filter((object) => object.kind === 'data').reduce((sum, object) => sum + object.count, 0);
      item.report.late += intent.late;
      item.builder = new UnitBuilder(item.report.topic, item.report.partition, BigInt(intent.end) + 1n);
      return;
    }
    if (BigInt(intent.start) < low) {
      const named = missing.length > 1 ? `${missing[0] ?? ''} and ${missing.length - 1} more` : (missing[0] ?? '');
      throw new SchemaflowError('INTENT_UNRECOVERABLE', `${describeRange(item.report.topic, item.report.partition, intent.start, intent.end)}: run ${intent.runId} stopped while publishing this unit, ${missing.length} of its ${intent.objects.length} objects were never published (${named}), and Kafka has since deleted offsets below ${low}, so the unit cannot be rebuilt. The partition stops on every run until this is resolved; the published objects are kept and nothing is overwritten. See "A unit that cannot be rebuilt" under Known limits in the README.`);
    }
    let registry: SchemaRegistry;
    try {
      registry = await this.context.registryFor(intent.manifestSerial);
    } catch (error) {
      // The store's words alone say neither why an old serial is wanted nor what to do.
      const objects = `${missing.length} unpublished object${missing.length === 1 ? '' : 's'}`;
      throw new SchemaflowError('MANIFEST_UNREADABLE', `${describeRange(item.report.topic, item.report.partition, intent.start, intent.end)}: run ${intent.runId} stopped while publishing this unit, routed with manifest serial ${intent.manifestSerial}, and rebuilding its ${objects} needs that serial, which cannot be read: ${messageOf(error)}. Registration never replaces or removes manifests/<serial>.json: restore ${intent.manifestSerial}.json beside latest.json. Nothing was written; the partition stops until then and holds its subject's hours.`, { cause: error, retriable: error instanceof SchemaflowError && error.retriable });
    }
    log(`${item.report.topic}/${item.report.partition}: rebuilding ${missing.length} unpublished objects of run ${intent.runId} from offsets ${intent.start}–${intent.end}`);
    item.rebuilding = intent;
    item.closedThrough = intent.closedThrough ? new Date(intent.closedThrough) : null;
    item.maxRecordBytes = intent.maxRecordBytes ?? item.maxRecordBytes;
    item.registry = registry;
    item.definition = definitionIn(item.registry, item.subject);
    item.builder = new UnitBuilder(item.report.topic, item.report.partition, BigInt(intent.start));
  }

  /**
   * Offsets retention deleted before the flow read them: a gap object in the lake, then the state
   * moves past them. An alert, unless an earlier run had read them and found no record (`empty`).
   */
  async recordGap(item: PartitionWork, gap: { from: bigint; to: bigint; empty?: true }, low: bigint): Promise<void> {
    const { lake, clock, fault, log, runId } = this.context;
    const { key, to } = await publishGap(lake, { topic: item.report.topic, partition: item.report.partition, from: gap.from.toString(), to: gap.to.toString(), reason: 'RETENTION', ...(gap.empty ? { noRecords: true } : {}), observedLow: low.toString(), runId, detectedAt: clock().toISOString() });
    await fault('after-gap');
    if (!(await this.writeState(item, advanceState(item.state, { next: to + 1n, pending: null }, this.stamp())))) return;
    const where = describeRange(item.report.topic, item.report.partition, gap.from, to);
    if (gap.empty) log(`${where} were deleted by retention; they held no record (transaction markers or aborted records, read by an earlier run), recorded as ${key}`);
    else {
      item.report.gaps.push({ from: gap.from.toString(), to: to.toString() });
      log(`alert: ${where} were deleted by retention before the flow read them; recorded as ${key}`);
    }
    item.builder = new UnitBuilder(item.report.topic, item.report.partition, to + 1n);
    // A crashed run's record of the first part (publishGap): what retention deleted since is the next gap.
    if (to < gap.to) await this.recordGap(item, { ...gap, from: to + 1n }, low);
  }

  private stamp(): { runId: string; now: Date } {
    return { runId: this.context.runId, now: this.context.clock() };
  }

  /** CAS on the state object; a lost race means another run owns the partition. */
  private async writeState(item: PartitionWork, next: PartitionState): Promise<boolean> {
    try {
      const { generation } = await this.context.state.replace(stateKey(item.report.topic, item.report.partition), serializeState(next), item.generation);
      item.state = next;
      item.generation = generation;
      item.report.next = next.next;
      item.report.through = next.through;
      if (next.drainedTo === undefined) delete item.report.drainedTo;
      else item.report.drainedTo = next.drainedTo;
      return true;
    } catch (error) {
      if (!(error instanceof SchemaflowError && error.code === 'PRECONDITION_FAILED')) throw error;
      item.report.status = 'contended';
      item.report.problem = `another run changed the state of ${item.report.topic}/${item.report.partition} first; this run left the partition to it and published nothing more for it`;
      this.context.log(`warning: ${item.report.problem}`);
      return false;
    }
  }

  /**
   * Publishes a unit's objects, create-only. The first goes alone (the crash points mid-upload
   * and mid-publish name a unit with some objects published); the rest at the same time, within
   * the run's UPLOADS_AT_ONCE: a unit spans a few hours and a GCS round trip costs tens of
   * milliseconds, so one by one the uploads, not the reading, would set the pace. Objects are
   * independent until the commit names them all. After a failure no further upload starts, and
   * the publish ends only once every started upload has.
   */
  private async publish(item: PartitionWork, unit: SealedUnit, recovery: boolean): Promise<void> {
    const { lake, fault, runId } = this.context;
    const upload = async (object: BuiltObject): Promise<void> => {
      await publishObject(lake, object, object.compressed, metadataOf(object, unit, runId));
      item.report.bytes += object.compressed.length;
    };
    const [first, ...rest] = unit.objects;
    if (!first) return;
    // The slot first: mid-upload must find the object's bytes in flight, not waiting for a slot.
    await this.uploads.run(async () => void (await Promise.all([upload(first), recovery ? Promise.resolve() : fault('mid-upload')])));
    if (rest.length > 0 && !recovery) await fault('mid-publish');
    let failure: { error: unknown } | undefined;
    const attempt = (object: BuiltObject) => (): Promise<void> => (failure ? Promise.resolve() : upload(object).catch((error: unknown) => void (failure ??= { error })));
    await Promise.all(rest.map((object) => this.uploads.run(attempt(object))));
    if (failure) throw failure.error;
    item.report.objects += unit.objects.length;
  }

  /**
   * The partition was read to the run's snapshot and nothing after `next` carried a record (only
   * transaction markers or aborted records, which kafkajs never delivers): the state records it
   * as drained to the snapshot, so the partition holds no hour and shows no lag, and the next
   * run with records starts its unit at `next`, covering those offsets.
   */
  async markDrained(item: PartitionWork): Promise<void> {
    // A pending intent is never left behind by a run's end; drainedTo is only ever about no unit at all.
    if (item.state.pending !== null || BigInt(item.state.next) >= item.to || item.state.drainedTo === item.to.toString()) return;
    if (!(await this.writeState(item, advanceState(item.state, { pending: null, drainedTo: item.to }, this.stamp())))) return;
    this.positions.set(partitionKey(item.report.topic, item.report.partition), { topic: item.report.topic, partition: item.report.partition, next: item.to });
  }

  private async commit(item: PartitionWork, unit: SealedUnit): Promise<void> {
    // The Kafka timestamp of the last record archived (flow.md §3.4 step 8), not the largest: one
    // record stamped ahead must not carry a partition with a backlog past hours it has not read.
    const through = Number.isFinite(unit.lastTimestamp) ? unit.lastTimestamp : item.state.through;
    if (!(await this.writeState(item, advanceState(item.state, { next: unit.end + 1n, pending: null, through, late: item.state.late + unit.late, lastRecord: unit.lastRecord ?? null }, this.stamp())))) return;
    item.report.units += 1;
    if (item.report.status === 'idle') item.report.status = 'archived';
    for (const object of unit.objects) {
      if (object.kind === 'data') item.report.written += object.count;
      if (object.kind === 'late') item.report.late += object.count;
    }
    // Counted when committed, as what is written: a unit left unpublished is read and counted again by the next run.
    for (const [reason, count] of Object.entries(unit.quarantined)) item.report.quarantined[reason] = (item.report.quarantined[reason] ?? 0) + count;
    this.positions.set(partitionKey(unit.topic, unit.partition), { topic: unit.topic, partition: unit.partition, next: unit.end + 1n });
    await this.context.fault('after-commit');
  }
}
