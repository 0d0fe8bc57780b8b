import { partitionKey } from '../archive/layout.js';
import { markMismatch, planPartition, recordToCheck, recreatedTopic, type PartitionPlan } from '../archive/plan.js';
import { inShard, type Shard } from '../archive/shard.js';
import { drainedOffset } from '../archive/state.js';
import { routeRecord, UnitBuilder, type Routed } from '../archive/unit.js';
import { SchemaflowError, UsageError, messageOf, warningLine } from '../domain/errors.js';
import { createSchemaRegistry, type SchemaRegistry } from '../manifest/registry.js';
import type { Manifest, ManifestSubject } from '../manifest/types.js';
import type { KafkaRecord, ObjectStore, PartitionOffsets, RecordBatch, RecordSource } from '../ports.js';
import { closeHours, readClosure, repairMarkers, type ClosureResult } from './close-hours.js';
import { PartitionArchiver, definitionIn, halted, readState, stopPartition, type PartitionReport, type PartitionWork } from './flow-partition.js';

export type { PartitionReport, PartitionStatus } from './flow-partition.js';

/**
 * Named points where `SCHEMAFLOW_FAULT=<point>` kills the run with SIGKILL (a test hook, see the
 * README): one for every step of the per-partition protocol whose interruption leaves a
 * different durable state. `mid-upload` fires while an object's bytes are in flight.
 */
export const FAULT_POINTS = [
  'after-plan',
  'after-gap',
  'mid-read',
  'before-intent',
  'after-intent',
  'mid-upload',
  'mid-publish',
  'after-publish',
  'after-commit',
  'after-position',
  'recovery-after-publish',
  'mid-closure',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** Where manifests come from: the latest, and any earlier serial (a crashed unit is rebuilt with the manifest it was routed with). */
export interface ManifestSource {
  latest(): Promise<Manifest>;
  bySerial(serial: number): Promise<Manifest>;
}

export interface FlowPorts {
  readonly lake: ObjectStore;
  readonly state: ObjectStore;
  readonly source: RecordSource;
  readonly manifests: ManifestSource;
  readonly clock: () => Date;
  /** Resolves at once unless the point is armed; an armed point never returns. */
  readonly fault: (point: FaultPoint) => Promise<void>;
  /** Progress for people (stderr). */
  readonly log: (line: string) => void;
  /**
   * Aborted to end the run early (SIGINT, SIGTERM): reading stops after the batch at hand and
   * the run flushes and commits what it read, as when `maxDurationMs` ends.
   */
  readonly stop?: AbortSignal;
}

export interface FlowOptions {
  readonly runId: string;
  /** Subjects to archive; all of the manifest's when empty. */
  readonly subjects: readonly string[];
  /**
   * Only this shard's partitions of those subjects (`inShard`); the other shards' runs archive
   * the rest. A run of one shard of several closes no hour: `flow close` does, after the shards.
   */
  readonly shard: Shard | null;
  /** Milliseconds of reading before the run flushes what it has and stops. */
  readonly maxDurationMs: number;
  /**
   * A partition's unit is flushed once its buffered rows reach this many bytes (uncompressed);
   * all partitions together buffer at most four times as much (then the partition at hand flushes).
   */
  readonly flushBytes: number;
  /** Larger record values go to quarantine as TOO_LARGE. */
  readonly maxRecordBytes: number;
  readonly dryRun: boolean;
  /**
   * `flow close`: read nothing, only close the hours every partition is past (after sharded runs,
   * which close none). Partitions with offsets left to archive are reported incomplete and hold their hours open.
   */
  readonly closeOnly: boolean;
  /** With closeOnly: also write the `_CLOSED.json` closed hours' version folders lack (repairMarkers). */
  readonly repairMarkers?: boolean;
  /** How long after an hour ends its records may still arrive before the hour is closed. */
  readonly latenessMs: number;
}

export interface FlowReport {
  readonly runId: string;
  readonly manifestSerial: number;
  readonly dryRun: boolean;
  /** A `flow close` run: nothing read, hours closed. */
  readonly closeOnly: boolean;
  /** The shard this run archived, `i/n`; null when it took every partition. */
  readonly shard: string | null;
  readonly partitions: readonly PartitionReport[];
  /** Subjects whose topic does not exist in Kafka (skipped with a warning; state and data kept). */
  readonly missingTopics: readonly string[];
  /** Hour closure per subject, after the partitions. */
  readonly closures: readonly ClosureResult[];
  /**
   * `--workers`: the threads that failed while others got through. Their shares' partitions are
   * not in `partitions` (nothing says how far they got), so their subjects' freshness is unknown.
   */
  readonly failedThreads?: readonly FailedThread[];
  /** DESIGN.md §6: 0 every partition progressed or was idle; 1 a partition stopped, a gap was recorded or closing hours failed. */
  readonly exitCode: 0 | 1;
}

/** A thread of a `--workers` run that failed: its error's code (UNEXPECTED for a bug) and message, and the subjects of its share. */
export interface FailedThread {
  readonly worker: number;
  readonly reason: string;
  readonly message: string;
  readonly subjects: readonly string[];
}

/**
 * `schemaflow flow run` (DESIGN.md §6, flow.md §3.4): archives every selected subject's topic
 * into the lake, exactly once per offset. Per partition: plan from the lake state and the
 * watermarks snapshotted now; finish a crashed unit first; read with a per-run consumer group
 * from the state's offset; then, per flush unit, record the intent (CAS), publish create-only,
 * commit (CAS), and record the position in the stable group for lag monitoring.
 */
export async function runFlow(ports: FlowPorts, options: FlowOptions): Promise<FlowReport> {
  const started = ports.clock().getTime();
  let manifest = await ports.manifests.latest();
  let registry = createSchemaRegistry(manifest);
  const subjects = selectSubjects(manifest, options.subjects);
  const offsets = await ports.source.offsets(subjects.map((subject) => subject.topic));
  const missingTopics = subjects.filter((subject) => !offsets.some((entry) => entry.topic === subject.topic)).map((subject) => subject.subject);
  for (const subject of missingTopics) ports.log(`warning: topic ${subject} does not exist in Kafka; skipped (its lake state and data are kept)`);

  const work = new Map<string, PartitionWork>();
  const reports: PartitionReport[] = [];
  const registries = new Map<number, SchemaRegistry>([[manifest.serial, registry]]);
  const registryFor = async (serial: number): Promise<SchemaRegistry> => {
    const known = registries.get(serial);
    if (known) return known;
    const loaded = createSchemaRegistry(await ports.manifests.bySerial(serial), registry);
    registries.set(serial, loaded);
    return loaded;
  };

  const closedThrough = new Map<string, Date | null>();
  for (const subject of subjects) {
    const { closure } = await readClosure(ports.state, subject.subject);
    closedThrough.set(subject.subject, closure.closedThrough ? new Date(closure.closedThrough) : null);
  }
  /** Every partition's state as it ends the run, for hour closure. */
  /** The partitions each subject's hours are closed by (their states are read again when closing). */
  const finals: Array<{ subject: ManifestSubject; entry: PartitionOffsets }> = [];
  /** Subjects whose hours this run must not close, and why: a partition of theirs could not be planned. */
  const held = new Map<string, string>();
  /** A partition that cannot be planned stops, and holds its subject's hours: nothing says how far it was archived. */
  const refuse = (subject: ManifestSubject, entry: PartitionOffsets, problem: string, why: string): void => {
    const from = entry.low.toString();
    reports.push({ subject: subject.subject, topic: entry.topic, partition: entry.partition, status: 'stopped', problem, from, next: from, high: entry.high.toString(), records: 0, written: 0, late: 0, bytes: 0, through: null, quarantined: {}, objects: 0, units: 0, recovered: false, gaps: [] });
    held.set(subject.subject, why);
  };
  // A partition without a state starts at Kafka's earliest offset. If the lake already holds its
  // subject while the state store has no state of its topic, the store is not the one the lake
  // was archived with (a mistyped --state), or the states were removed: starting would archive
  // records under offsets the lake already holds. A store with states of the topic answers at
  // once (a partition that never had a record has none, and the lake holds every object of its
  // subject: listed on every run, that would cost more as the lake grows). Otherwise the lake is
  // listed before the state store is asked again: an object there was preceded by its unit's
  // intent in the state store, so another shard's first units cannot slip between the two.
  const foreignStates = new Map<string, Promise<string | undefined>>();
  const hasStates = async (subject: ManifestSubject): Promise<boolean> => (await ports.state.list(`${subject.topic}/`)).length > 0;
  const foreignState = (subject: ManifestSubject): Promise<string | undefined> => {
    let answer = foreignStates.get(subject.subject);
    if (!answer) {
      answer = (async () => {
        if (await hasStates(subject)) return undefined;
        const [found] = [...(await ports.lake.list(`${subject.subject}/`)), ...(await ports.lake.list(`_quarantine/${subject.subject}/`))];
        if (!found || (await hasStates(subject))) return undefined;
        return `the lake ${ports.lake.location} holds objects of ${subject.subject} (${found.key}), but the state store ${ports.state.location} has no flow state of topic ${subject.topic}: it is not the state store this lake was archived with (check --state). Nothing was read: archiving from Kafka's earliest offset would put every record already in the lake there twice.`;
      })();
      foreignStates.set(subject.subject, answer);
    }
    return answer;
  };

  for (const entry of offsets) {
    const subject = subjects.find((candidate) => candidate.topic === entry.topic);
    if (!subject) continue;
    if (options.shard && !inShard(entry.topic, entry.partition, options.shard)) continue;
    let read: Awaited<ReturnType<typeof readState>>;
    try {
      read = await readState(ports.state, entry);
    } catch (error) {
      // One unreadable state stops its partition, not the run.
      if (!(error instanceof SchemaflowError && error.code === 'STATE_CORRUPT')) throw error;
      refuse(subject, entry, error.message, `the flow state of ${entry.topic}/${entry.partition} is unreadable`);
      continue;
    }
    const foreign = read.generation === null ? await foreignState(subject) : undefined;
    if (foreign) {
      refuse(subject, entry, foreign, `the state store has no flow state of ${entry.topic}, whose data the lake holds`);
      continue;
    }
    const { state, generation } = read;
    const plan = planPartition(state, entry);
    const report: PartitionReport = { subject: subject.subject, topic: entry.topic, partition: entry.partition, status: 'idle', from: state.next, next: state.next, high: entry.high.toString(), records: 0, written: 0, late: 0, bytes: 0, through: state.through, quarantined: {}, objects: 0, units: 0, recovered: false, gaps: [], ...(state.drainedTo === undefined ? {} : { drainedTo: state.drainedTo }) };
    reports.push(report);
    if (plan.action === 'idle') {
      finals.push({ subject, entry });
      continue;
    }
    if (plan.action === 'stop') {
      stopPartition(report, plan.message);
      // Its records since the topic was recreated are not archived: it holds its subject's hours
      // at its last archived record (see `drained` below).
      finals.push({ subject, entry });
      continue;
    }
    if (options.closeOnly) {
      describeUnarchived(report, plan);
      finals.push({ subject, entry });
      continue;
    }
    if (options.dryRun) {
      describePlan(report, plan);
      continue;
    }
    const item: PartitionWork = { subject, report, to: plan.to, state, generation, builder: new UnitBuilder(entry.topic, entry.partition, plan.from), registry, definition: subject, closedThrough: closedThrough.get(subject.subject) ?? null, maxRecordBytes: options.maxRecordBytes, rebuilding: null, check: null, finished: false, inflight: null };
    work.set(partitionKey(entry.topic, entry.partition), item);
    finals.push({ subject, entry });
  }
  await ports.fault('after-plan');

  const archiver = new PartitionArchiver({
    lake: ports.lake,
    state: ports.state,
    clock: ports.clock,
    fault: ports.fault,
    log: ports.log,
    runId: options.runId,
    registryFor,
    current: (subject) => ({ registry, closedThrough: closedThrough.get(subject.subject) ?? null, maxRecordBytes: options.maxRecordBytes }),
  });
  // Finish what crashed runs left, and record gaps, before reading anything new.
  const ranges = [];
  for (const item of work.values()) {
    const entry = offsets.find((candidate) => candidate.topic === item.report.topic && candidate.partition === item.report.partition) as PartitionOffsets;
    const plan = planPartition(item.state, entry);
    if (plan.action !== 'archive') continue;
    try {
      if (plan.pending) await archiver.finishPending(item, plan.pending, entry.low);
      else if (plan.gap) await archiver.recordGap(item, plan.gap, entry.low);
    } catch (error) {
      stopPartition(item.report, messageOf(error));
    }
    const from = BigInt(item.state.pending?.start ?? item.state.next);
    // A topic deleted and recreated since, grown past the lake's offsets, shows only in its records.
    item.check = recordToCheck(item.state, entry.low, from);
    if (!halted(item) && from < item.to) ranges.push({ topic: item.report.topic, partition: item.report.partition, from: item.check ? BigInt(item.check.offset) : from, to: item.to });
    else item.finished = true;
  }

  // An unknown schema ID may be newer than the flow's copy of the manifest: re-read it once per run.
  let reread: Promise<void> | undefined;
  const reroute = async (item: PartitionWork, record: KafkaRecord, routed: Routed, heartbeat: () => Promise<void>): Promise<Routed> => {
    reread ??= (async () => {
      const latest = await ports.manifests.latest();
      if (latest.serial > manifest.serial) {
        ports.log(`manifest serial ${latest.serial} replaces ${manifest.serial} (a record named a schema ID the flow did not know)`);
        manifest = latest;
        registry = createSchemaRegistry(latest, registry);
        registries.set(latest.serial, registry);
      }
    })();
    try {
      await reread;
    } catch (error) {
      // Once per run, with the store's own retries: every record that needs it after a failure is refused alike.
      throw new SchemaflowError('MANIFEST_UNREADABLE', `${record.topic}/${record.partition} offset ${record.offset}: ${routed.kind === 'quarantine' ? routed.detail : 'its schema ID is unknown'}, and re-reading the manifest to look for it failed: ${messageOf(error)}. The partition stops for this run, with nothing lost: the next run reads this record again`, { cause: error, retriable: true });
    }
    if (item.registry === registry) return routed;
    // A unit is routed with one manifest serial, the one its intent names, so a rebuild routes it
    // as it was (the new serial may define the subject's event time anew): the records before
    // this one go in a unit of their own.
    if (item.builder.last !== undefined) await archiver.flush(item, heartbeat, undefined, 'background');
    item.registry = registry;
    item.definition = definitionIn(registry, item.subject);
    return routeRecord(record, registry, item.definition, { maxRecordBytes: item.maxRecordBytes, closedThrough: item.closedThrough });
  };

  // Memory stays bounded however many partitions are read at once: what every unit holds (gzip
  // output, pending rows, open compressors) stays under four flush sizes, checked after each
  // batch, and a unit opens at most MAX_UNIT_OBJECTS compressors within one.
  const budget = options.flushBytes * 4;
  const buffered = (): number => {
    let total = 0;
    for (const item of work.values()) total += item.builder.memory + (item.inflight?.bytes ?? 0);
    return total;
  };
  // A heartbeat only keeps the read's session alive while units are written: one that fails (a
  // rebalance, or a unit in the background whose read is over) costs the session at worst, never the unit.
  const lenient = (heartbeat: () => Promise<void>) => (): Promise<void> => heartbeat().catch(() => undefined);
  let firstBatch = true;
  /** Handles a batch; false once the partition wants no more records (read to its end, stopped, or taken over). */
  const handle = async (batch: RecordBatch): Promise<boolean> => {
    const item = work.get(partitionKey(batch.topic, batch.partition));
    if (!item || item.finished || halted(item)) return false;
    try {
      await handleBatch(item, batch);
    } catch (error) {
      // One partition's failure (storage exhausted its retries, a conflict) stops it; the others go on.
      stopPartition(item.report, messageOf(error));
      ports.log(`error: ${item.report.topic}/${item.report.partition}: ${messageOf(error)}`);
    }
    return !(item.finished || halted(item));
  };
  const handleBatch = async (item: PartitionWork, batch: RecordBatch): Promise<void> => {
    const heartbeat = lenient(batch.heartbeat);
    for (const record of batch.records) {
      const offset = BigInt(record.offset);
      if (item.check) {
        const mark = BigInt(item.check.offset);
        if (offset < mark) continue;
        const mismatch = offset === mark ? markMismatch(item.check, record) : undefined;
        // Past it, Kafka no longer has the record (compaction): nothing to compare. The marked
        // record itself is below where the unit starts, so the check below skips it.
        item.check = null;
        if (mismatch) {
          stopPartition(item.report, recreatedTopic(item.report.topic, item.report.partition, mismatch));
          return;
        }
      }
      const position = item.builder.last === undefined ? item.builder.start : item.builder.last + 1n;
      if (offset < position) continue; // re-delivered after a rebalance
      if (offset >= item.to) break;
      if (item.rebuilding && offset > BigInt(item.rebuilding.end)) await archiver.flush(item, heartbeat);
      if (halted(item)) return;
      let routed = routeRecord(record, item.registry, item.definition, { maxRecordBytes: item.maxRecordBytes, closedThrough: item.closedThrough });
      if (routed.kind === 'quarantine' && routed.reason === 'UNKNOWN_SCHEMA_ID' && !item.rebuilding) routed = await reroute(item, record, routed, heartbeat);
      if (halted(item)) return;
      item.builder.add(record, routed);
      item.report.records += 1;
      // Each object (kind, version and hour) holds a compressor: records spread over thousands of
      // hours in one batch would hold thousands before the batch's end checks the budget.
      if (!item.rebuilding && (item.builder.bytes >= options.flushBytes || item.builder.objects >= MAX_UNIT_OBJECTS)) await archiver.flush(item, heartbeat, undefined, 'background');
      if (halted(item)) return;
    }
    // Backpressure: zlib compresses on the threadpool; rows handed to it wait in memory until it has.
    if (item.builder.queued >= QUEUED_LIMIT) await item.builder.settle();
    // Over the budget: units in flight free their bytes once committed, so wait for them first;
    // still over, the partition at hand flushes its unit (and waits for it).
    if (!item.rebuilding && buffered() >= budget) {
      await archiver.settled(work.values());
      if (buffered() >= budget) await archiver.flush(item, heartbeat);
    }
    if (firstBatch) {
      firstBatch = false;
      await ports.fault('mid-read');
    }
    if (batch.done) {
      // Read to the snapshot: the unit ends there, not at its last record. Offsets after it that
      // carry no record (transaction markers, aborted transactions) are read, never delivered.
      await archiver.flush(item, heartbeat, item.to - 1n, 'background');
      item.finished = true;
    }
  };

  if (ranges.length > 0) {
    ports.log(`reading ${ranges.length} partitions (${ranges.map((range) => `${range.topic}/${range.partition} ${range.from}–${range.to - 1n}`).join(', ')})`);
    try {
      await ports.source.read(ranges, handle, { until: started + options.maxDurationMs, stop: ports.stop });
    } catch (error) {
      for (const item of work.values()) item.builder.discard();
      throw error;
    } finally {
      // A failed read too: no unit is left half-written behind the run's back (or a thread's end).
      await archiver.settled(work.values());
    }
  }
  // The time budget ended or every range is read: flush what is buffered, quiet topics included.
  const noop = (): Promise<void> => Promise.resolve();
  for (const item of work.values()) {
    if (halted(item)) continue;
    if (item.rebuilding) {
      const last = item.builder.last;
      if (last === undefined || last < BigInt(item.rebuilding.end)) {
        item.report.status = 'incomplete';
        item.report.problem = `the unit ${item.rebuilding.start}–${item.rebuilding.end} could not be read back in the time budget; its intent stays for the next run`;
        continue;
      }
    }
    try {
      await archiver.flush(item, noop);
      // Read to the snapshot, and the offsets after the last unit carried no record.
      if (item.finished && !halted(item)) await archiver.markDrained(item);
    } catch (error) {
      stopPartition(item.report, messageOf(error));
    }
    // Offsets left unread (the time budget, a stop, a broker that sent nothing): incomplete, even
    // when nothing at all was read; 'idle' means there was nothing to read.
    if ((item.report.status === 'archived' || item.report.status === 'idle') && drainedOffset(item.state, item.to) < item.to) {
      item.report.status = 'incomplete';
      item.report.problem ??= `offsets ${item.report.next}–${item.to - 1n} are left for the next run: the read ended before them (the time budget, a stop, or a broker that sent nothing)`;
    }
  }
  // Units of stopped partitions, or left unread, are never sealed: free their compressors.
  for (const item of work.values()) item.builder.discard();
  if (archiver.positions.size > 0) {
    // Lag monitoring only, after every commit: the lake state is the truth, so a failure is a warning.
    await ports.source.recordPositions([...archiver.positions.values()]).catch((error: unknown) => ports.log(warningLine(error)));
    await ports.fault('after-position');
  }
  const closures: ClosureResult[] = [];
  for (const subject of options.dryRun ? [] : subjects.filter((candidate) => !missingTopics.includes(candidate.subject))) {
    if (options.shard && options.shard.count > 1) {
      // Other shards may still be reading, routing with the closed hour they started with: an hour
      // closed now could still get their data. flow close (or a run without --shard), once every shard is done, closes.
      const through = closedThrough.get(subject.subject);
      closures.push({ subject: subject.subject, closedThrough: through ? through.toISOString() : null, hoursClosed: 0, markers: 0, held: 'a sharded run does not close hours; flow close does, once every shard is done' });
      continue;
    }
    const holding = held.get(subject.subject);
    if (holding) {
      const through = closedThrough.get(subject.subject);
      closures.push({ subject: subject.subject, closedThrough: through ? through.toISOString() : null, hoursClosed: 0, markers: 0, held: holding });
      continue;
    }
    try {
      // The states as stored now, not as this run planned them: another run (two unsharded runs
      // at once) may have written a unit's intent since, and closing over it would close an hour
      // that unit is about to write into. What is left is the moment between this read and the
      // closure's compare-and-swap (see Known limits in the README).
      const partitions = await Promise.all(finals.filter((final) => final.subject === subject).map(async ({ entry }) => ({ state: (await readState(ports.state, entry)).state, high: entry.high })));
      // Drained: read exactly to the high watermark (through offsets that carry no record, drainedTo).
      // A state past it (the topic was recreated or truncated, the partition stopped) has not
      // archived what Kafka holds now.
      const progress = partitions.map(({ state, high }) => ({ through: state.through, drained: drainedOffset(state, high) === high, pending: state.pending !== null }));
      const lateTotal = partitions.reduce((sum, entry) => sum + entry.state.late, 0);
      // The subject as the run knows it last: a version learned by re-reading the manifest has
      // data in the hours it closes, and its folders need their markers too.
      const current = manifest.subjects.find((candidate) => candidate.subject === subject.subject) ?? subject;
      const closing = { lake: ports.lake, state: ports.state, clock: ports.clock, fault: ports.fault };
      const closure = await closeHours(closing, { subject: current, partitions: progress, lateTotal, snapshotAt: started, latenessMs: options.latenessMs, runId: options.runId });
      const repaired = options.closeOnly && options.repairMarkers === true ? await repairMarkers(closing, { subject: subject.subject, latenessMs: options.latenessMs, runId: options.runId }) : [];
      for (const key of repaired) ports.log(`wrote the missing ${key}`);
      closures.push(repaired.length > 0 ? { ...closure, repaired: repaired.length } : closure);
    } catch (error) {
      ports.log(`error: closing hours of ${subject.subject}: ${messageOf(error)}`);
      closures.push({ subject: subject.subject, closedThrough: null, hoursClosed: 0, markers: 0, held: `failed: ${messageOf(error)}`, failed: true });
    }
  }
  const exitCode = reports.some((report) => report.status === 'stopped' || report.gaps.length > 0) || closures.some((closure) => closure.failed === true) ? 1 : 0;
  return { runId: options.runId, manifestSerial: manifest.serial, dryRun: options.dryRun, closeOnly: options.closeOnly, shard: options.shard ? `${options.shard.index}/${options.shard.count}` : null, partitions: reports, missingTopics, closures, exitCode };
}

/** Objects of one unit at most (about 20 MB of compressors); a unit spans a few hours normally. */
const MAX_UNIT_OBJECTS = 64;

/** Rows of one partition waiting for zlib before its reader waits for the compressor. */
const QUEUED_LIMIT = 4 * 1024 * 1024;

function describePlan(report: PartitionReport, plan: Extract<PartitionPlan, { action: 'archive' }>): void {
  report.status = 'planned';
  const parts = plan.from < plan.to ? [`would read offsets ${plan.from}–${plan.to - 1n} (${plan.to - plan.from} offsets)`] : [];
  if (plan.pending) parts.unshift(`would finish the unit ${plan.pending.start}–${plan.pending.end} of run ${plan.pending.runId}`);
  // As recordGap records it: offsets an earlier run found without a record lose nothing, no alert.
  if (plan.gap?.empty) parts.unshift(`would record offsets ${plan.gap.from}–${plan.gap.to}, deleted by retention, as a gap without an alert: an earlier run read them and found no record (transaction markers or aborted records)`);
  else if (plan.gap) {
    parts.unshift(`would record offsets ${plan.gap.from}–${plan.gap.to} as a retention gap`);
    report.gaps.push({ from: plan.gap.from.toString(), to: plan.gap.to.toString() });
  }
  report.problem = parts.join('; ');
}

/** A partition `flow close` leaves to `flow run`: what is not archived yet holds its hours open. */
function describeUnarchived(report: PartitionReport, plan: Extract<PartitionPlan, { action: 'archive' }>): void {
  report.status = 'incomplete';
  const parts = plan.from < plan.to ? [`offsets ${plan.from}–${plan.to - 1n} are not archived yet`] : [];
  if (plan.pending) parts.unshift(`the unit ${plan.pending.start}–${plan.pending.end} of run ${plan.pending.runId} is unfinished`);
  if (plan.gap) parts.unshift(`offsets ${plan.gap.from}–${plan.gap.to} were deleted by retention and are not recorded as a gap yet`);
  report.problem = `${parts.join('; ')}: flow close reads nothing, the next flow run archives them (their hours stay open until then)`;
}

/**
 * The partitions a run with these options takes: its subjects' topics' partitions as Kafka lists
 * them now, in its shard. What `--workers` sizes its threads by.
 */
export async function partitionsOfRun(ports: Pick<FlowPorts, 'manifests' | 'source'>, options: Pick<FlowOptions, 'subjects' | 'shard'>): Promise<Array<{ subject: string; topic: string; partition: number }>> {
  const subjects = selectSubjects(await ports.manifests.latest(), options.subjects);
  const offsets = await ports.source.offsets(subjects.map((subject) => subject.topic));
  const byTopic = new Map(subjects.map((subject) => [subject.topic, subject]));
  return offsets.flatMap((entry) => {
    const subject = byTopic.get(entry.topic);
    return subject && (!options.shard || inShard(entry.topic, entry.partition, options.shard)) ? [{ subject: subject.subject, topic: entry.topic, partition: entry.partition }] : [];
  });
}

/** The subjects a run archives: all, or the ones `--subjects` names (each must exist). */
export function selectSubjects(manifest: Manifest, names: readonly string[]): ManifestSubject[] {
  if (names.length === 0) return [...manifest.subjects];
  const unknown = names.filter((name) => !manifest.subjects.some((subject) => subject.subject === name));
  if (unknown.length > 0) throw new UsageError(`--subjects names ${unknown.join(', ')}, not in manifest serial ${manifest.serial}; it has ${manifest.subjects.map((subject) => subject.subject).join(', ')}`, { code: 'CONFIG_INVALID' });
  return manifest.subjects.filter((subject) => names.includes(subject.subject));
}
