import { SchemaflowError } from '../domain/errors.js';
import { hourPath } from './layout.js';
import { decodeUtf8 } from '../domain/utf8.js';

const HOUR_MS = 3_600_000;

/**
 * How far a subject's hours are closed, at `<state>/_closure/<subject>.json`, changed only by
 * compare-and-swap. Markers are written in ascending hour order before it moves, so a crash
 * never leaves a closed hour after an open one.
 */
export interface ClosureState {
  readonly format: 1;
  readonly subject: string;
  /** The last closed hour (ISO), or null before the first closure. */
  readonly closedThrough: string | null;
  /** Late records already counted by markers (the sum of the partitions' `late` then). */
  readonly lateCounted: number;
  readonly revision: number;
  readonly updatedAt: string;
}

export const closureKey = (subject: string): string => `_closure/${subject}.json`;

export function parseClosure(bytes: Uint8Array, key: string, subject: string): ClosureState {
  let value: Partial<ClosureState> | undefined;
  try {
    value = JSON.parse(decodeUtf8(bytes)) as Partial<ClosureState>;
  } catch {
    value = undefined;
  }
  if (value?.format !== 1 || value.subject !== subject || (value.closedThrough !== null && typeof value.closedThrough !== 'string') || typeof value.lateCounted !== 'number' || typeof value.revision !== 'number') {
    throw new SchemaflowError('STATE_CORRUPT', `closure state ${key} is not a format-1 closure state of ${subject}. Restore it from its previous generation; markers already written are kept.`);
  }
  return value as ClosureState;
}

/** A partition as closure sees it at the end of a run. */
export interface PartitionProgress {
  /** The largest Kafka timestamp archived (epoch ms), or null when nothing was. */
  readonly through: number | null;
  /** Read up to the high watermark snapshotted at `snapshotAt`: every record older than that is archived. */
  readonly drained: boolean;
  /** A crashed unit is still pending: its objects may land in hours not closed yet. */
  readonly pending: boolean;
}

/**
 * The subject's watermark (flow.md §3.4 step 8): the minimum over its partitions of how far each
 * is complete — the snapshot time for a partition read to its high watermark, else the Kafka
 * timestamp of its last archived record. Undefined while any partition has a pending unit or has
 * archived nothing without being drained: no hour can be closed then.
 */
export function watermarkOf(partitions: readonly PartitionProgress[], snapshotAt: number): number | undefined {
  let watermark = Number.POSITIVE_INFINITY;
  for (const partition of partitions) {
    if (partition.pending) return undefined;
    const complete = partition.drained ? snapshotAt : partition.through;
    if (complete === null) return undefined;
    watermark = Math.min(watermark, complete);
  }
  return partitions.length === 0 || !Number.isFinite(watermark) ? undefined : watermark;
}

/**
 * The hours to close now, ascending: after `closedThrough` (or from the earliest hour with data)
 * up to the last hour whose end plus the allowed lateness the watermark has passed; at most
 * `limit` of them, so a long backlog is closed over several runs.
 */
export function hoursToClose(options: { closedThrough: Date | null; earliest: Date | null; watermark: number; latenessMs: number; limit: number }): Date[] {
  const last = Math.floor((options.watermark - options.latenessMs - HOUR_MS) / HOUR_MS) * HOUR_MS;
  const first = options.closedThrough ? options.closedThrough.getTime() + HOUR_MS : options.earliest?.getTime();
  const hours: Date[] = [];
  if (first === undefined) return hours;
  for (let hour = first; hour <= last && hours.length < options.limit; hour += HOUR_MS) hours.push(new Date(hour));
  return hours;
}

/** The last hour closable at this watermark (used when a subject has no data to mark yet). */
export function lastClosableHour(watermark: number, latenessMs: number): Date {
  return new Date(Math.floor((watermark - latenessMs - HOUR_MS) / HOUR_MS) * HOUR_MS);
}

/** The hour of a data object's key (`<subject>/v=<n>/dt=…/hr=…/…`), or undefined. */
export function hourOfKey(key: string): Date | undefined {
  const match = /\/dt=(\d{4}-\d{2}-\d{2})\/hr=(\d{2})\//.exec(key);
  if (!match) return undefined;
  const time = Date.parse(`${match[1] ?? ''}T${match[2] ?? ''}:00:00Z`);
  return Number.isFinite(time) ? new Date(time) : undefined;
}

/** The content of `<subject>/v=<n>/dt=…/hr=…/_CLOSED.json`. */
export interface ClosedMarker {
  readonly format: 1;
  readonly subject: string;
  readonly version: number;
  readonly hour: string;
  readonly path: string;
  /** Every data object of the hour and version, with its size. */
  readonly objects: ReadonlyArray<{ readonly key: string; readonly size: number }>;
  /** Late records archived since the previous marker of the subject (counted once, in the first marker written after them). */
  readonly lateSincePreviousMarker: number;
  readonly watermark: string;
  readonly allowedLatenessSeconds: number;
  readonly closedBy: string;
  readonly closedAt: string;
}

export function closedMarker(input: Omit<ClosedMarker, 'format' | 'path' | 'hour'> & { hour: Date }): ClosedMarker {
  return { format: 1, ...input, hour: input.hour.toISOString(), path: `${input.subject}/v=${input.version}/${hourPath(input.hour)}/` };
}
