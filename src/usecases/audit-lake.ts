import { hourOfKey, lacksMarker, type ClosureState } from '../archive/closure.js';
import { parseGapName, parseObjectName, parseStateKey, partitionKey, stateKey, type Range } from '../archive/layout.js';
import { absent, OffsetRuns, overlaps, rangeProblem, runsOf, union, type Runs } from '../archive/offset-runs.js';
import { claimedOffsets, parseState, type PartitionState } from '../archive/state.js';
import { closestNames } from '../domain/closest-names.js';
import { messageOf, SchemaflowError, UsageError } from '../domain/errors.js';
import type { ObjectListing, ObjectStore } from '../ports.js';
import { offsetRange, offsetsAre, problemOf, ProblemList, type AuditProblem } from './audit-codes.js';
import { checkObject } from './audit-object.js';
import { readAhead } from './read-ahead.js';
import { readClosure } from './close-hours.js';

export interface AuditedPartition {
  readonly topic: string;
  readonly partition: number;
  /** The first offset the lake accounts for from the state's start on (offsets before it are OFFSETS_BEFORE_START), and the state's next offset. */
  readonly first: string | null;
  readonly next: string | null;
  readonly objects: number;
  readonly records: number;
  readonly gaps: number;
  /**
   * Offsets a crashed run published (a unit's objects, or a gap record starting at the state's
   * next offset) that the next run will commit (not a fault).
   */
  readonly pending: string | null;
  /**
   * With `retention`: offsets the state says were archived that are missing from the front of
   * the partition (before its first object, or all of them), as a retention rule deletes them.
   */
  readonly expired: string | null;
  /** The first MAX_PROBLEMS (audit-codes.ts) problems found; `problemCount` says how many there were in all. */
  readonly problems: readonly AuditProblem[];
  /** Every problem found, listed or not: more than `problems.length` when the list was cut. */
  readonly problemCount: number;
}

/** Problems as lines of text: each message, then how many more the list left out (`whose`: `… and N more problems`). */
function linesOf(problems: readonly AuditProblem[], problemCount: number, whose: string): string[] {
  const lines = problems.map((problem) => problem.message);
  if (problemCount > problems.length) lines.push(`${whose}: … and ${problemCount - problems.length} more problems`);
  return lines;
}

/** A partition's problems as lines of text: each message, then how many more the list left out. */
export const problemLines = (entry: AuditedPartition): string[] => linesOf(entry.problems, entry.problemCount, `${entry.topic}/${entry.partition}`);

/** The closed hours' problems as lines of text, as {@link problemLines}. */
export const hourProblemLines = (report: AuditReport): string[] => linesOf(report.hourProblems, report.hourProblemCount, 'closed hours');

export interface AuditReport {
  readonly location: string;
  readonly partitions: readonly AuditedPartition[];
  /** Closed hours (`_CLOSED.json`) checked, and the data objects that appeared in them after closure. */
  readonly closedHours: number;
  /** The closed hours' first MAX_PROBLEMS (audit-codes.ts) problems; `hourProblemCount` says how many there were in all. */
  readonly hourProblems: readonly AuditProblem[];
  /** Every problem of the closed hours, listed or not: more than `hourProblems.length` when the list was cut. */
  readonly hourProblemCount: number;
  readonly ok: boolean;
}

interface Unit {
  readonly start: bigint;
  readonly end: bigint;
  readonly records: number;
  counted: number;
  readonly keys: string[];
  /** The name ranges of its objects whose records say nothing (OBJECT_NOT_GZIP, CONTENT_MISMATCH): their records are not counted. */
  readonly unchecked: Array<{ from: bigint; to: bigint }>;
}

interface Partition {
  readonly topic: string;
  readonly partition: number;
  /** The offsets its objects hold, as runs (OffsetRuns): its memory follows the runs, not the records. */
  readonly runs: OffsetRuns;
  readonly objects: Array<{ key: string; first: bigint; last: bigint }>;
  readonly units: Map<string, Unit>;
  readonly gaps: Array<{ key: string; from: bigint; to: bigint }>;
  readonly problems: ProblemList;
  /**
   * Objects already reported for bytes the flow did not write: without metadata (their records
   * counted, their unit unknown), not gzip or with content that does not match its SHA-256
   * (`count` null: the offsets their names state are unchecked). Their offsets are that one
   * problem's, not a hole, a short unit or offsets outside every unit as well.
   */
  readonly loose: Array<{ key: string; first: bigint; last: bigint; count: number | null }>;
  records: number;
}

/** A state that could not be read, as a problem: STATE_CORRUPT when it was read but is no state. */
const stateProblem = (error: unknown): AuditProblem => problemOf(error instanceof SchemaflowError && error.code === 'STATE_CORRUPT' ? 'STATE_CORRUPT' : 'STATE_UNREADABLE', messageOf(error));

export interface AuditOptions {
  /** Audit one subject (its topic) only. */
  readonly subject?: string;
  /**
   * The age (ms) after which a retention rule (a GCS lifecycle rule) deletes objects. Offsets
   * missing from the front of a partition, before its first complete committed unit (units the
   * rule has deleted part of included; a crashed run's pending unit is none), are then reported as
   * expired instead of failing; a partition with nothing left, or no complete committed unit
   * left, is expired only when its state was last committed longer ago than this (a rule cannot
   * have deleted younger objects). A hole after the front still fails.
   */
  readonly retentionMs?: number;
  /** The audit's clock, for `retentionMs`. */
  readonly now?: Date;
}

/** How retention is judged: a missing front is expired; an emptied partition only when its last commit is older than `before`. */
interface Retention {
  readonly label: string;
  readonly before: number;
}

/**
 * `schemaflow lake audit` (DESIGN.md §6): proves from the lake alone that every offset of every
 * partition in [state.start, state.next) is in exactly one data, quarantine or late object or in
 * one gap record (and none before state.start), that every object's content matches the SHA-256 in its metadata and it sits in
 * the folder its name and metadata file it under (checkObject), and that every closed hour holds
 * exactly the objects its `_CLOSED.json` lists. Partitions come from the
 * objects and from the flow states, which record where the flow started each partition (a state
 * from before that was recorded is audited from its first object). Each problem names the
 * partition and the exact offsets or object.
 */
export async function auditLake(stores: { lake: ObjectStore; state: ObjectStore }, options: AuditOptions = {}): Promise<AuditReport> {
  const prefixes = options.subject ? [`${options.subject}/`, `_quarantine/${options.subject}/`, `_late/${options.subject}/`, `_gaps/${options.subject}/`] : [''];
  const listing = (await Promise.all(prefixes.map((prefix) => stores.lake.list(prefix)))).flat();
  const partitions = new Map<string, Partition>();
  const partitionOf = (topic: string, partition: number): Partition => {
    const key = partitionKey(topic, partition);
    let found = partitions.get(key);
    if (!found) {
      found = { topic, partition, runs: new OffsetRuns(), objects: [], units: new Map(), gaps: [], problems: new ProblemList(), loose: [], records: 0 };
      partitions.set(key, found);
    }
    return found;
  };

  // The listing: hour markers, each folder's keys (for the closed hours), gap records, and the data objects to read.
  const markers: ObjectListing[] = [];
  const folders = new Map<string, string[]>();
  const named: Array<{ entry: ObjectListing; name: Range }> = [];
  for (const entry of listing) {
    if (entry.key.endsWith('/_CLOSED.json')) {
      markers.push(entry);
      continue;
    }
    const folder = entry.key.slice(0, entry.key.lastIndexOf('/') + 1);
    const keys = folders.get(folder);
    if (keys) keys.push(entry.key);
    else folders.set(folder, [entry.key]);
    const gap = parseGapName(entry.key);
    if (gap) {
      const target = partitionOf(gap.topic, gap.partition);
      const why = rangeProblem(gap.first, gap.last);
      if (why) target.problems.add(problemOf('GAP_NAME_INVALID', `${entry.key}: the gap record names offsets ${gap.first}–${gap.last}, ${why}`, entry.key));
      else target.gaps.push({ key: entry.key, from: gap.first, to: gap.last });
      continue;
    }
    const name = parseObjectName(entry.key);
    if (!name) continue; // state, closure markers, anything outside the layout
    const why = rangeProblem(name.first, name.last);
    if (why) partitionOf(name.topic, name.partition).problems.add(problemOf('OBJECT_NAME_INVALID', `${entry.key}: its name states offsets ${name.first}–${name.last}, ${why}; it was not read`, entry.key));
    else named.push({ entry, name });
  }

  // Each data object, read while the ones before it are checked, filed under its partition.
  for await (const { item, object } of readAhead(stores.lake, named, ({ entry }) => entry)) {
    const { entry, name } = item;
    const target = partitionOf(name.topic, name.partition);
    const checked = checkObject(entry.key, name, object, target.runs, stores.lake.location);
    target.problems.addAll(checked.problems);
    if (checked.loose) target.loose.push({ key: entry.key, first: name.first, last: name.last, count: checked.loose === 'counted' ? checked.records : null });
    if (checked.records === null) continue;
    target.objects.push({ key: entry.key, first: name.first, last: name.last });
    target.records += checked.records;
    if (!checked.unit) continue;
    // The unit a content-mismatched object's metadata names is known; the object is filed under it as loose (checkPartition).
    const unit = target.units.get(checked.unit.id) ?? { start: checked.unit.start, end: checked.unit.end, records: checked.unit.records, counted: 0, keys: [], unchecked: [] };
    target.units.set(checked.unit.id, unit);
    if (checked.loose) continue;
    unit.counted += checked.records;
    unit.keys.push(entry.key);
  }

  const retention: Retention | undefined = options.retentionMs === undefined ? undefined : { label: describeAge(options.retentionMs), before: (options.now ?? new Date()).getTime() - options.retentionMs };
  const hours = await auditClosedHours(stores, markers, folders, retention);
  const stateOnly = await auditStateOnly(stores.state, partitions, options.subject, retention);
  // With retention an emptied lake is no pass: a mistyped --lake looks the same.
  if (partitions.size === 0 && markers.length === 0 && (stateOnly.length === 0 || retention)) await refuseNothing(stores, options.subject);
  // Each partition's proof, against its flow state.
  const audited: AuditedPartition[] = [...stateOnly];
  for (const target of partitions.values()) {
    const key = stateKey(target.topic, target.partition);
    let state: PartitionState | undefined;
    try {
      const stored = await stores.state.get(key);
      state = stored ? parseState(stored.bytes, `${stores.state.location}/${key}`, target) : undefined;
      if (!stored) target.problems.add(problemOf('STATE_MISSING', `${target.topic}/${target.partition}: the lake has objects but no flow state at ${stores.state.location}/${key} (if the flow keeps its state elsewhere, give --state)`));
    } catch (error) {
      target.problems.add(stateProblem(error)); // an unreadable state: named, and not called missing too
    }
    audited.push(checkPartition(target, state, retention, `${stores.state.location}/${key}`));
  }
  audited.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return { location: stores.lake.location, partitions: audited, closedHours: markers.length, hourProblems: hours.listed, hourProblemCount: hours.count, ok: hours.count === 0 && audited.every((entry) => entry.problemCount === 0) };
}

/**
 * The partitions the lake holds no object or gap record of, though their flow state exists: the
 * lake must then hold what the state says was archived, and holds none of it. A state that claims
 * nothing (at most its first unit's intent: a crashed unit is the next run's to finish, not a
 * fault) is left out, as the flow has archived nothing there yet. States are listed where the
 * flow keeps them (`--state`, which need not be inside the lake), with `--subject` as the topic.
 */
async function auditStateOnly(state: ObjectStore, known: ReadonlyMap<string, Partition>, subject: string | undefined, retention: Retention | undefined): Promise<AuditedPartition[]> {
  const audited: AuditedPartition[] = [];
  for (const entry of await state.list(subject === undefined ? '' : `${subject}/`)) {
    const named = parseStateKey(entry.key);
    if (!named || known.has(partitionKey(named.topic, named.partition))) continue;
    const where = `${named.topic}/${named.partition}`;
    const location = `${state.location}/${entry.key}`;
    const nothing = { ...named, first: null, next: null, objects: 0, records: 0, gaps: 0, pending: null, expired: null, problemCount: 0 };
    let parsed: PartitionState;
    try {
      const stored = await state.get(entry.key);
      if (!stored) continue; // deleted since it was listed
      parsed = parseState(stored.bytes, location, named);
    } catch (error) {
      audited.push({ ...nothing, problems: [stateProblem(error)], problemCount: 1 });
      continue;
    }
    const claimed = claimedOffsets(parsed);
    if (!claimed) continue;
    const last = claimed.next - 1n;
    const committed = Date.parse(parsed.updatedAt);
    if (retention && committed <= retention.before) {
      audited.push({ ...nothing, first: claimed.first?.toString() ?? null, next: parsed.next, expired: claimed.first === null ? `offsets below ${claimed.next}` : offsetRange(claimed.first, last), problems: [] });
      continue;
    }
    const problem =
      claimed.first === null
        ? `${where}: offsets up to ${last} are in no object and no gap record: the lake holds nothing of this partition, but its state ${location} says every offset below ${claimed.next} was archived (the state predates recording where the partition started, so the first missing offset is not known)`
        : `${where}: ${offsetsAre(claimed.first, last)} in no object and no gap record: the lake holds nothing of this partition, but its state ${location} says every offset from ${claimed.first} (where the flow started it) below ${claimed.next} was archived`;
    // The same words for a partition emptied and one trimmed from the front: both may be a retention rule's work.
    const why = retention ? ` (its state was last committed at ${parsed.updatedAt}, less than the retention of ${retention.label} ago: a retention rule cannot have deleted them all)` : RETENTION_HINT;
    audited.push({ ...nothing, first: claimed.first?.toString() ?? null, next: parsed.next, problems: [problemOf('OFFSETS_MISSING', `${problem}${why}`)], problemCount: 1 });
  }
  return audited;
}

/**
 * An audit that finds nothing to prove is a mistyped lake or subject far more often than a lake
 * before its first run: it is exit 2, naming what was looked at (and the subjects the lake's
 * state knows, for a subject), so a scheduled audit cannot pass on the wrong location.
 */
async function refuseNothing(stores: { lake: ObjectStore; state: ObjectStore }, subject: string | undefined): Promise<never> {
  if (subject === undefined) throw new UsageError(`nothing is archived at ${stores.lake.location}: check --lake (SCHEMAFLOW_LAKE_URL, or the lakeUrl of the catalog.yaml environment --env names); a lake is empty only until the flow's first run`, { code: 'LAKE_EMPTY' });
  const known = [...new Set((await stores.state.list('')).map((entry) => entry.key.split('/')[0] ?? '').filter((name) => name !== '' && !name.startsWith('_')))];
  if (known.includes(subject)) throw new UsageError(`the lake ${stores.lake.location} holds nothing of subject ${JSON.stringify(subject)} yet: its flow state claims no archived offset (the flow has not committed a unit of it); audit it after a flow run has`, { code: 'SUBJECT_NOT_IN_LAKE' });
  const closest = closestNames(known, subject);
  throw new UsageError(`the lake ${stores.lake.location} holds nothing of subject ${JSON.stringify(subject)}.${closest.length > 0 ? ` Did you mean ${closest.join(', ')}?` : ''} Run lake audit without --subject to audit every subject.`, { code: 'SUBJECT_NOT_IN_LAKE' });
}

/** Appended to a problem of offsets missing from a partition's front. */
const RETENTION_HINT = ' (if a retention rule deleted them, audit with --retention and the age of the rule)';

/** An age in the largest unit that divides it: 90d, 36h, 15m, 90s. */
function describeAge(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/**
 * Offsets the lake holds, or its units and gap records cover, before `start`, where the state at
 * `stateAt` says the flow started the partition: the flow never archived them under this state,
 * yet every query over the subject reads them. No run writes there (a partition's first run starts
 * at Kafka's earliest offset, and start never moves after), so they come from elsewhere: an earlier
 * state that was lost or replaced (a state written again by hand with the wrong start), or a copy.
 * One problem naming the offsets and objects; empty when there are none.
 */
function offsetsBeforeStart(target: Partition, held: Runs, intervals: ReadonlyArray<{ from: bigint; to: bigint }>, start: bigint, stateAt: string): ProblemList {
  const problems = new ProblemList();
  const below: Array<{ from: bigint; to: bigint }> = [];
  for (let index = 0; index < held.length && (held.from[index] as bigint) < start; index += 1) below.push({ from: held.from[index] as bigint, to: (held.to[index] as bigint) < start ? (held.to[index] as bigint) : start - 1n });
  for (const { from, to } of intervals) if (from < start) below.push({ from, to: to < start ? to : start - 1n });
  if (below.length === 0) return problems;
  const ranges = union(runsOf(below));
  const named: string[] = [];
  for (let index = 0; index < ranges.length && index < 20; index += 1) named.push(offsetRange(ranges.from[index] as bigint, ranges.to[index] as bigint));
  if (ranges.length > 20) named.push('…');
  const keys = [...new Set([...target.objects, ...target.loose].filter((object) => object.first < start).map((object) => object.key))];
  const gaps = target.gaps.filter((gap) => gap.from < start).map((gap) => gap.key);
  const listed = (what: string, all: readonly string[]): string => `${what}: ${all.slice(0, 10).join(', ')}${all.length > 10 ? `, … and ${all.length - 10} more` : ''}`;
  const holders = [...(keys.length > 0 ? [listed('objects', keys)] : []), ...(gaps.length > 0 ? [listed('gap records', gaps)] : [])].join('; ');
  const first = ranges.from[0] as bigint;
  const offsets = ranges.length === 1 ? offsetsAre(first, ranges.to[0] as bigint) : `${named.join(', ')} are`;
  problems.add(
    problemOf(
      'OFFSETS_BEFORE_START',
      `${target.topic}/${target.partition}: ${offsets} in the lake but before offset ${start}, where its state ${stateAt} says the flow started the partition, so the flow never archived them under that state; queries over the subject read them all the same (${holders}). If they are this partition's records archived under an earlier state (one lost and started again, or written again by hand), set the state's "start" to ${first}: the audit then proves them with the rest. Otherwise (a copy, another lake's or a recreated topic's objects) move them out of the lake.`,
    ),
  );
  return problems;
}

function checkPartition(target: Partition, state: PartitionState | undefined, retention: Retention | undefined, stateAt: string): AuditedPartition {
  const where = `${target.topic}/${target.partition}`;
  const problems = target.problems;
  const next = state ? BigInt(state.next) : undefined;
  const pending = state?.pending ?? null;

  // Each offset once.
  const runs = target.runs.sorted();
  const held = union(runs);
  for (const [from, to] of overlaps(runs)) {
    const holders = target.objects.filter((object) => object.first <= from && from <= object.last).map((object) => object.key);
    problems.add(problemOf('OFFSETS_DUPLICATED', `${where}: ${offsetsAre(from, to)} archived more than once (objects whose range includes offset ${from}: ${holders.join(', ')})`));
  }

  // Objects already reported for bytes the flow did not write belong to the unit around them, when one is known.
  const units = [...target.units.values()];
  for (const object of target.loose) {
    const unit = units.find((candidate) => candidate.start <= object.first && object.last <= candidate.end);
    if (!unit) continue;
    unit.keys.push(object.key);
    if (object.count === null) unit.unchecked.push({ from: object.first, to: object.last });
    else unit.counted += object.count;
  }

  // Units and gaps tile [first, next) without overlap; a unit holds as many records as it consumed.
  // A crashed run's pending unit may hold only part of its objects: the next run finishes it.
  const isPending = (unit: Unit): boolean => pending !== null && BigInt(pending.start) === unit.start && BigInt(pending.end) === unit.end;
  const whole = (unit: Unit): boolean => unit.counted === unit.records || isPending(unit);
  const intervals: Array<{ from: bigint; to: bigint; what: string; unit: Unit | undefined }> = units.map((unit) => ({ from: unit.start, to: unit.end, what: `unit ${offsetRange(unit.start, unit.end)}`, unit }));
  for (const gap of target.gaps) intervals.push({ from: gap.from, to: gap.to, what: `gap record ${gap.key}`, unit: undefined });
  // An object of no known unit covers what its name states: its offsets are its own problem's, not a hole.
  const known = union(runsOf(intervals));
  for (const object of target.loose) for (const [from, to] of absent(known, object.first, object.last)) intervals.push({ from, to, what: `object ${object.key}`, unit: undefined });
  intervals.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  // Where the flow started the partition (state.ts: the lake holds [start, next)); a state that
  // predates recording it is audited from its first object. What lies wholly before a recorded
  // start is no part of the state's offsets: reported below, not tiled, expired or counted as a unit.
  const recordedStart = state?.start !== null && state?.start !== undefined ? BigInt(state.start) : undefined;
  const inState = recordedStart === undefined ? intervals : intervals.filter((interval) => interval.to >= recordedStart);
  // With retention, the front is expired up to the first whole committed unit: the rule deletes a
  // unit's objects a day apart when they were written either side of midnight, and gap records by
  // their own age. A pending unit is no such unit: it is whole by exception, and its commit is not
  // the state's. With no whole committed unit left, the front is all of them (up to the state's
  // next offset) only when the state was last committed longer ago than the retention (as for an
  // emptied partition, auditStateOnly): a rule deletes no object younger than its age, so the
  // newest unit of a younger state was not the rule's to lose.
  const committed = (unit: Unit): boolean => !isPending(unit) && (next === undefined || unit.end < next);
  const firstWhole = retention ? inState.findIndex((interval) => interval.unit !== undefined && committed(interval.unit) && interval.unit.counted === interval.unit.records) : 0;
  const young = retention !== undefined && firstWhole === -1 && !(state && Date.parse(state.updatedAt) <= retention.before);
  const beyondNext = next === undefined ? -1 : inState.findIndex((interval) => interval.from >= next);
  const frontEnd = firstWhole !== -1 ? firstWhole : young ? 0 : beyondNext !== -1 ? beyondNext : inState.length;
  const audited = inState.slice(frontEnd);
  const youngWhy = young && state ? ` (no committed unit of the partition is whole, and its state was last committed at ${state.updatedAt}, less than the retention of ${retention.label} ago: a retention rule cannot have deleted part of its newest unit)` : '';
  for (const { unit } of audited) {
    if (!unit || whole(unit)) continue;
    let missing = absent(held, unit.start, unit.end);
    // What the names of its unchecked objects state is those objects' problems' (not gzip, content
    // not the flow's), not a hole: a unit short only of that is not told again.
    if (unit.unchecked.length > 0) {
      const unchecked = union(runsOf(unit.unchecked));
      missing = missing.flatMap(([from, to]) => absent(unchecked, from, to));
      if (missing.length === 0 && unit.counted < unit.records) continue;
    }
    // More records than consumed is a record held twice (named above), not a hole.
    const holes = missing.length > 0 ? `; in no object: ${missing.slice(0, 20).map(([from, to]) => offsetRange(from, to)).join(', ')}${missing.length > 20 ? ', …' : ''}` : '';
    problems.add(problemOf('UNIT_INCOMPLETE', `${where}: the unit ${offsetRange(unit.start, unit.end)} consumed ${unit.records} records but its objects hold ${unit.counted}${holes} (the unit's objects read: ${unit.keys.join(', ')})${youngWhy}`));
  }
  if (recordedStart !== undefined && recordedStart > 0n) problems.addAll(offsetsBeforeStart(target, held, intervals, recordedStart, stateAt));
  // From where the flow started the partition (a state that predates recording it: from the first object).
  let expired: string | null = null;
  const start = recordedStart ?? intervals[0]?.from;
  const front = audited[0]?.from ?? next;
  if (start !== undefined && front !== undefined && front > start) {
    if (retention) expired = offsetRange(start, front - 1n);
    else problems.add(problemOf('OFFSETS_MISSING', `${where}: ${offsetsAre(start, front - 1n)} in no object and no gap record: the flow started the partition at ${start}, and ${audited.length > 0 ? `its first object begins at ${front}` : 'no whole unit of it remains'}${RETENTION_HINT}`));
  }
  let cursor: bigint | undefined = audited.length === 0 ? front : undefined;
  for (const interval of audited) {
    if (cursor !== undefined && interval.from < cursor) problems.add(problemOf('OFFSETS_OVERLAP', `${where}: ${offsetsAre(interval.from, cursor - 1n < interval.to ? cursor - 1n : interval.to)} covered twice (${interval.what} overlaps what precedes it)`));
    else if (cursor !== undefined && interval.from > cursor) problems.add(problemOf('OFFSETS_MISSING', `${where}: ${offsetsAre(cursor, interval.from - 1n)} in no object and no gap record`));
    cursor = cursor === undefined || interval.to + 1n > cursor ? interval.to + 1n : cursor;
  }
  // What units, gaps and loose objects cover: `known`, unless loose objects added to it.
  const recorded = target.loose.length === 0 ? known : union(runsOf(intervals));
  for (let index = 0; index < held.length; index += 1) {
    for (const [from, to] of absent(recorded, held.from[index] as bigint, held.to[index] as bigint)) problems.add(problemOf('OFFSETS_OUTSIDE_UNITS', `${where}: ${offsetsAre(from, to)} in an object outside every recorded unit`));
  }
  let pendingRange: string | null = null;
  if (next !== undefined && cursor !== undefined) {
    // A run killed after a gap record, before its state moved, leaves the record at `next`: the next run adopts it.
    const gapAtNext = pending ? undefined : target.gaps.find((gap) => gap.from === next);
    const pendingEnd = pending && BigInt(pending.start) === next ? BigInt(pending.end) + 1n : gapAtNext ? gapAtNext.to + 1n : next;
    if (cursor > pendingEnd) problems.add(problemOf('OFFSETS_BEYOND_STATE', `${where}: ${offsetsAre(pendingEnd, cursor - 1n)} in the lake but beyond the state's next offset ${next}`));
    else if (cursor < next) problems.add(problemOf('OFFSETS_MISSING', `${where}: ${offsetsAre(cursor, next - 1n)} in no object and no gap record (the state says the lake holds everything below ${next})`));
    if ((pending || gapAtNext) && cursor > next) pendingRange = offsetRange(next, cursor - 1n);
  }
  return {
    topic: target.topic,
    partition: target.partition,
    // What the state accounts for: offsets before its start are a problem, not the partition's first.
    first: (inState[0]?.from ?? (inState.length < intervals.length ? recordedStart : undefined))?.toString() ?? null,
    next: state?.next ?? null,
    objects: target.objects.length,
    records: target.records,
    gaps: target.gaps.length,
    pending: pendingRange,
    expired,
    problems: problems.listed,
    problemCount: problems.count,
  };
}

/**
 * The closed hours' problems. A closed hour is never written again: its folder holds exactly the
 * objects its `_CLOSED.json` lists (with `retention`, objects the rule deleted may be gone). And
 * data folders of closed hours without their `_CLOSED.json` (lacksMarker) leave readers waiting
 * for the hour for good: `flow close --repair-markers` writes them.
 */
async function auditClosedHours(stores: { lake: ObjectStore; state: ObjectStore }, markers: readonly ObjectListing[], folders: ReadonlyMap<string, readonly string[]>, retention: Retention | undefined): Promise<ProblemList> {
  const problems = new ProblemList();
  for await (const { item, object: marker } of readAhead(stores.lake, markers, (entry) => entry)) {
    const key = item.key;
    let listed: Set<string> | undefined;
    try {
      const objects = (JSON.parse(new TextDecoder().decode(marker?.bytes)) as { objects?: Array<{ key?: unknown }> }).objects;
      listed = objects ? new Set(objects.map((object) => String(object.key))) : undefined;
    } catch {
      listed = undefined;
    }
    if (!listed) {
      problems.add(problemOf('MARKER_UNREADABLE', `${key} is not a readable hour marker`, key));
      continue;
    }
    const folder = key.slice(0, key.lastIndexOf('/') + 1);
    const present = folders.get(folder) ?? [];
    for (const object of present) if (!listed.has(object)) problems.add(problemOf('WRITTEN_AFTER_CLOSE', `${object} was written after its hour was closed (${key} does not list it)`, object));
    // A retention rule deletes an hour's objects before its marker (created once the hour closed).
    if (!retention) {
      const stored = new Set(present);
      for (const object of listed) if (!stored.has(object)) problems.add(problemOf('MARKED_OBJECT_MISSING', `${object} is listed by ${key} but is not in the lake`, object));
    }
  }

  const marked = new Set(markers.map((entry) => entry.key));
  const closures = new Map<string, ClosureState | undefined>();
  for (const [folder, keys] of folders) {
    if (!hourOfKey(folder) || folder.startsWith('_')) continue;
    const subject = folder.slice(0, folder.indexOf('/'));
    if (!closures.has(subject)) {
      try {
        closures.set(subject, (await readClosure(stores.state, subject)).closure);
      } catch (error) {
        closures.set(subject, undefined);
        problems.add(stateProblem(error));
      }
    }
    const closure = closures.get(subject);
    if (closure && lacksMarker(folder, keys, closure, marked)) problems.add(problemOf('MARKER_MISSING', `${folder} holds data of an hour ${subject} closed (through ${closure.closedThrough ?? ''}) but has no _CLOSED.json; flow close --repair-markers writes it`, `${folder}_CLOSED.json`));
  }
  return problems;
}
