import { closedMarker, closureKey, hourOfKey, hoursToClose, lastClosableHour, parseClosure, watermarkOf, type ClosureState, type PartitionProgress } from '../archive/closure.js';
import { closedKey, hourPath } from '../archive/layout.js';
import { SchemaflowError } from '../domain/errors.js';
import type { ManifestSubject } from '../manifest/types.js';
import type { ObjectStore } from '../ports.js';

/** Hours closed per subject and run at most: a long backlog closes over several runs. */
const MAX_HOURS_PER_RUN = 24 * 14;

export interface ClosureResult {
  readonly subject: string;
  readonly closedThrough: string | null;
  readonly hoursClosed: number;
  readonly markers: number;
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
 * lateness the subject's watermark has passed gets `_CLOSED.json` in each version folder that
 * holds data, create-only and in ascending hour order; then the closure state moves (CAS). From
 * then on, records of those hours go to `_late/`: a closed hour is never written again.
 */
export async function closeHours(
  ports: { lake: ObjectStore; state: ObjectStore; clock: () => Date; fault: (point: 'mid-closure') => Promise<void> },
  input: { subject: ManifestSubject; partitions: readonly PartitionProgress[]; lateTotal: number; snapshotAt: number; latenessMs: number; runId: string },
): Promise<ClosureResult> {
  const { subject } = input;
  const { closure, generation } = await readClosure(ports.state, subject.subject);
  const watermark = watermarkOf(input.partitions, input.snapshotAt);
  const unchanged = (held: string): ClosureResult => ({ subject: subject.subject, closedThrough: closure.closedThrough, hoursClosed: 0, markers: 0, held });
  if (watermark === undefined) return unchanged('a partition has a pending unit or has archived nothing yet');
  const closedThrough = closure.closedThrough ? new Date(closure.closedThrough) : null;
  let earliest: Date | null = null;
  if (!closedThrough) {
    for (const entry of await ports.lake.list(`${subject.subject}/v=`)) {
      const hour = entry.key.endsWith('.jsonl.gz') ? hourOfKey(entry.key) : undefined;
      if (hour && (!earliest || hour < earliest)) earliest = hour;
    }
  }
  const hours = hoursToClose({ closedThrough, earliest, watermark, latenessMs: input.latenessMs, limit: MAX_HOURS_PER_RUN });
  const closable = lastClosableHour(watermark, input.latenessMs);
  const target = hours.length === MAX_HOURS_PER_RUN ? (hours.at(-1) as Date) : closable;
  if (closedThrough && target <= closedThrough) return unchanged('no hour is complete yet');

  let markers = 0;
  let late = input.lateTotal - closure.lateCounted;
  for (const hour of hours) {
    for (const version of subject.versions) {
      const prefix = `${subject.subject}/v=${version.version}/${hourPath(hour)}/`;
      const objects = (await ports.lake.list(prefix)).filter((entry) => entry.key.endsWith('.jsonl.gz')).map((entry) => ({ key: entry.key, size: entry.size }));
      if (objects.length === 0) continue;
      const marker = closedMarker({ subject: subject.subject, version: version.version, hour, objects, lateSincePreviousMarker: late, watermark: new Date(watermark).toISOString(), allowedLatenessSeconds: input.latenessMs / 1000, closedBy: input.runId, closedAt: ports.clock().toISOString() });
      try {
        await ports.lake.create(closedKey(subject.subject, version.version, hour), new TextEncoder().encode(`${JSON.stringify(marker, null, 2)}\n`), { contentType: 'application/json', metadata: { kind: 'closed', 'run-id': input.runId } });
      } catch (error) {
        // Written by a run that crashed before moving the closure state: the hour is closed already.
        if (!(error instanceof SchemaflowError && error.code === 'PRECONDITION_FAILED')) throw error;
      }
      markers += 1;
      late = 0;
      if (markers === 1) await ports.fault('mid-closure');
    }
  }
  const next: ClosureState = { ...closure, closedThrough: target.toISOString(), lateCounted: markers > 0 ? input.lateTotal : closure.lateCounted, revision: closure.revision + 1, updatedAt: ports.clock().toISOString() };
  try {
    await ports.state.replace(closureKey(subject.subject), new TextEncoder().encode(`${JSON.stringify(next, null, 2)}\n`), generation);
  } catch (error) {
    if (!(error instanceof SchemaflowError && error.code === 'PRECONDITION_FAILED')) throw error;
    return unchanged('another run moved the closure state first');
  }
  return { subject: subject.subject, closedThrough: next.closedThrough, hoursClosed: hours.length, markers };
}
