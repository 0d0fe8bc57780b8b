import { closedMarker, closingPlan, closureKey, hourOfKey, hoursBetween, lacksMarker, lastClosableHour, parseClosure, watermarkOf, type ClosureState, type MarkingIntent, type PartitionProgress } from '../archive/closure.js';
import { closedKey, hourPath } from '../archive/layout.js';
import { SchemaflowError } from '../domain/errors.js';
import type { ManifestSubject } from '../manifest/types.js';
import type { ObjectStore } from '../ports.js';

/** Hours marked per subject and run at most: a long backlog closes over several runs. */
const MAX_HOURS_PER_RUN = 24 * 14;

export interface ClosureResult {
  readonly subject: string;
  readonly closedThrough: string | null;
  readonly hoursClosed: number;
  readonly markers: number;
  /** Markers `flow close --repair-markers` wrote for hours closed before (repairMarkers). */
  readonly repaired?: number;
  /** Why nothing could be closed, when so. */
  readonly held?: string;
  readonly failed?: boolean;
}

/** The closed-through hour of a subject as stored, with the generation a compare-and-swap names. */
export async function readClosure(state: ObjectStore, subject: string): Promise<{ closure: ClosureState; generation: string | null }> {
  const stored = await state.get(closureKey(subject));
  if (!stored) return { closure: { format: 1, subject, closedThrough: null, lateCounted: 0, revision: 0, updatedAt: '' }, generation: null };
  return { closure: parseClosure(stored.bytes, `${state.location}/${closureKey(subject)}`, subject), generation: stored.generation };
}

/**
 * Closes a subject's complete hours (flow.md §3.4 step 8): every hour whose end plus the allowed
 * lateness the subject's watermark has passed. The closure state moves first (CAS), naming the
 * hours with data as an intent; from then on records of those hours go to `_late/`, so a closed
 * hour is never written again. Then each of them gets `_CLOSED.json` in every version folder
 * that holds data, create-only and in ascending hour order, and the intent is cleared. A pass
 * that crashed while marking is finished first, from its intent.
 */
export async function closeHours(ports: ClosingPorts, input: { subject: ManifestSubject; partitions: readonly PartitionProgress[]; lateTotal: number; snapshotAt: number; latenessMs: number; runId: string }): Promise<ClosureResult> {
  const { subject } = input;
  let { closure, generation } = await readClosure(ports.state, subject.subject);
  let markers = 0;
  if (closure.marking) {
    const finished = await finishMarking(ports, subject, closure, generation, input);
    if (!finished) return { subject: subject.subject, closedThrough: closure.closedThrough, hoursClosed: 0, markers: 0, held: 'another run moved the closure state first' };
    ({ closure, generation } = finished);
    markers = finished.markers;
  }
  const watermark = watermarkOf(input.partitions, input.snapshotAt);
  const unchanged = (held: string): ClosureResult => ({ subject: subject.subject, closedThrough: closure.closedThrough, hoursClosed: 0, markers, held });
  if (watermark === undefined) return unchanged('a partition has a pending unit or has archived nothing yet');
  const closedThrough = closure.closedThrough ? new Date(closure.closedThrough) : null;
  const last = lastClosableHour(watermark, input.latenessMs);
  if (closedThrough && last <= closedThrough) return unchanged('no hour is complete yet');
  // A short span is walked hour by hour; the first closure, or a long one, lists the subject once.
  const dataHours = !closedThrough || hoursBetween(closedThrough, last) > MAX_HOURS_PER_RUN + 1 ? await hoursWithData(ports.lake, subject.subject) : undefined;
  const { hours, target } = closingPlan({ closedThrough, last, dataHours, limit: MAX_HOURS_PER_RUN });
  const hoursClosed = closedThrough ? hoursBetween(closedThrough, target) - 1 : hours[0] ? hoursBetween(hours[0], target) : 0;
  const marking: MarkingIntent | undefined = hours.length > 0 ? { hours: hours.map((hour) => hour.toISOString()), late: Math.max(0, input.lateTotal - closure.lateCounted), lateTotal: input.lateTotal, watermark: new Date(watermark).toISOString() } : undefined;
  const moved = await replaceClosure(ports, closure, generation, { closedThrough: target.toISOString(), ...(marking ? { marking } : {}) });
  if (!moved) return unchanged('another run moved the closure state first');
  if (marking) {
    const finished = await finishMarking(ports, subject, moved.closure, moved.generation, input);
    if (!finished) return unchanged('another run moved the closure state first');
    markers += finished.markers;
  }
  return { subject: subject.subject, closedThrough: target.toISOString(), hoursClosed, markers };
}

type ClosingPorts = { lake: ObjectStore; state: ObjectStore; clock: () => Date; fault: (point: 'mid-closure') => Promise<void> };

/** The closure state replaced by compare-and-swap with `change`; undefined when another run moved it first. */
async function replaceClosure(ports: ClosingPorts, closure: ClosureState, generation: string | null, change: Partial<ClosureState>): Promise<{ closure: ClosureState; generation: string } | undefined> {
  const { marking: _done, ...rest } = closure;
  const next: ClosureState = { ...rest, ...change, revision: closure.revision + 1, updatedAt: ports.clock().toISOString() };
  try {
    const written = await ports.state.replace(closureKey(closure.subject), new TextEncoder().encode(`${JSON.stringify(next, null, 2)}\n`), generation);
    return { closure: next, generation: written.generation };
  } catch (error) {
    if (error instanceof SchemaflowError && error.code === 'PRECONDITION_FAILED') return undefined;
    throw error;
  }
}

/**
 * Writes the markers of the closure's intent (one that exists already was written by a pass
 * that crashed, and counts as written: the late records are in the first marker either way),
 * then clears the intent. Undefined when another run moved the closure state first.
 */
async function finishMarking(ports: ClosingPorts, subject: ManifestSubject, closure: ClosureState, generation: string | null, input: { latenessMs: number; runId: string }): Promise<{ closure: ClosureState; generation: string; markers: number } | undefined> {
  const intent = closure.marking;
  if (!intent) throw new Error('finishMarking needs a marking intent');
  let markers = 0;
  let late = intent.late;
  for (const hour of intent.hours.map((iso) => new Date(iso))) {
    for (const version of subject.versions) {
      const prefix = `${subject.subject}/v=${version.version}/${hourPath(hour)}/`;
      const objects = (await ports.lake.list(prefix)).filter((entry) => entry.key.endsWith('.jsonl.gz')).map((entry) => ({ key: entry.key, size: entry.size }));
      if (objects.length === 0) continue;
      const marker = closedMarker({ subject: subject.subject, version: version.version, hour, objects, lateSincePreviousMarker: late, watermark: intent.watermark, allowedLatenessSeconds: input.latenessMs / 1000, closedBy: input.runId, closedAt: ports.clock().toISOString() });
      try {
        await ports.lake.create(closedKey(subject.subject, version.version, hour), new TextEncoder().encode(`${JSON.stringify(marker, null, 2)}\n`), { contentType: 'application/json', metadata: { kind: 'closed', 'run-id': input.runId } });
      } catch (error) {
        // Written by a pass that crashed before clearing the intent: the hour is marked already.
        if (!(error instanceof SchemaflowError && error.code === 'PRECONDITION_FAILED')) throw error;
      }
      markers += 1;
      late = 0;
      if (markers === 1) await ports.fault('mid-closure');
    }
  }
  // The partitions' total can fall (a state written anew, a contended partition's older copy):
  // the count starts again from it, so later late records are counted (a marker may then count
  // some twice, which costs a reader a second look at _late/; never counting them would not).
  const cleared = await replaceClosure(ports, closure, generation, { lateCounted: markers > 0 ? intent.lateTotal : closure.lateCounted });
  return cleared ? { ...cleared, markers } : undefined;
}

/** The hours that hold a data object of the subject, ascending (one listing of its folders). */
async function hoursWithData(lake: ObjectStore, subject: string): Promise<Date[]> {
  const hours = new Set<number>();
  for (const entry of await lake.list(`${subject}/v=`)) {
    const hour = entry.key.endsWith('.jsonl.gz') ? hourOfKey(entry.key) : undefined;
    if (hour) hours.add(hour.getTime());
  }
  return [...hours].sort((a, b) => a - b).map((time) => new Date(time));
}

/**
 * Writes the `_CLOSED.json` each closed hour's version folder lacks (lacksMarker): before
 * 2026-12-07 closing marked only the versions of the manifest a run started with, so a version
 * it learned by re-reading the manifest went unmarked. A closed hour is never written again, so
 * its folder holds what the marker would have listed; the marker counts no late records (those
 * were counted by the hour's other markers) and names the closure state's closed-through hour
 * as its watermark. Create-only: one another pass wrote first counts as written. The keys written.
 */
export async function repairMarkers(ports: ClosingPorts, input: { subject: string; latenessMs: number; runId: string }): Promise<string[]> {
  const { closure } = await readClosure(ports.state, input.subject);
  if (closure.closedThrough === null) return [];
  const folders = new Map<string, Array<{ key: string; size: number }>>();
  const markers = new Set<string>();
  for (const entry of await ports.lake.list(`${input.subject}/v=`)) {
    if (entry.key.endsWith('/_CLOSED.json')) markers.add(entry.key);
    if (!entry.key.endsWith('.jsonl.gz')) continue;
    const folder = entry.key.slice(0, entry.key.lastIndexOf('/') + 1);
    folders.set(folder, [...(folders.get(folder) ?? []), { key: entry.key, size: entry.size }]);
  }
  const written: string[] = [];
  for (const [folder, objects] of folders) {
    const hour = hourOfKey(folder);
    const version = Number(/\/v=(\d+)\//.exec(folder)?.[1]);
    if (!hour || !Number.isInteger(version) || !lacksMarker(folder, objects.map((object) => object.key), closure, markers)) continue;
    const marker = closedMarker({ subject: input.subject, version, hour, objects, lateSincePreviousMarker: 0, watermark: closure.closedThrough, allowedLatenessSeconds: input.latenessMs / 1000, closedBy: input.runId, closedAt: ports.clock().toISOString() });
    const key = closedKey(input.subject, version, hour);
    try {
      await ports.lake.create(key, new TextEncoder().encode(`${JSON.stringify(marker, null, 2)}\n`), { contentType: 'application/json', metadata: { kind: 'closed', 'run-id': input.runId } });
      written.push(key);
    } catch (error) {
      if (!(error instanceof SchemaflowError && error.code === 'PRECONDITION_FAILED')) throw error;
    }
  }
  return written;
}
