import { SchemaflowError } from '../domain/errors.js';
import { hourPath } from './layout.js';
import { decodeUtf8 } from '../domain/utf8.js';

const HOUR_MS = 3_600_000;

/**
 * How far a subject's hours are closed, at `<state>/_closure/<subject>.json`, changed only by
 * compare-and-swap. It moves before the markers are written, with the hours still to mark as an
 * intent (`marking`): from then on the flow routes those hours' records to `_late/`, so a crash
 * while marking never lets data into an hour that has a marker, and the next closing pass
 * writes the markers that are missing, with the late count the pass began with.
 */
export interface ClosureState {
  readonly format: 1;
  readonly subject: string;
  /** The last closed hour (ISO), or null before the first closure. */
  readonly closedThrough: string | null;
  /** Late records already counted by markers (the sum of the partitions' `late` then). */
  readonly lateCounted: number;
  /** A closing pass whose markers may not all be written yet. */
  readonly marking?: MarkingIntent;
  readonly revision: number;
  readonly updatedAt: string;
}

/** The markers a closing pass writes once the closure state has moved. */
export interface MarkingIntent {
  /** The hours (ISO, ascending) that hold data, each marked in every version folder with data. */
  readonly hours: readonly string[];
  /** Late records the first marker counts. */
  readonly late: number;
  /** The partitions' late total the pass counted: `lateCounted` once a marker is written. */
  readonly lateTotal: number;
  /** The watermark the pass closed at (ISO), as the markers state it. */
  readonly watermark: string;
}

function isMarkingIntent(value: unknown): value is MarkingIntent {
  const intent = value as Partial<MarkingIntent> | null;
  return typeof intent === 'object' && intent !== null && Array.isArray(intent.hours) && intent.hours.every((hour) => typeof hour === 'string' && Number.isFinite(Date.parse(hour))) && typeof intent.late === 'number' && typeof intent.lateTotal === 'number' && typeof intent.watermark === 'string';
}

export const closureKey = (subject: string): string => `_closure/${subject}.json`;

export function parseClosure(bytes: Uint8Array, key: string, subject: string): ClosureState {
  let value: Partial<ClosureState> | undefined;
  try {
    value = JSON.parse(decodeUtf8(bytes)) as Partial<ClosureState>;
  } catch {
    value = undefined;
  }
  if (value?.format !== 1 || value.subject !== subject || (value.closedThrough !== null && typeof value.closedThrough !== 'string') || typeof value.lateCounted !== 'number' || typeof value.revision !== 'number' || (value.marking !== undefined && !isMarkingIntent(value.marking))) {
    throw new SchemaflowError('STATE_CORRUPT', `closure state ${key} is not a format-1 closure state of ${subject}. Restore it from its previous generation; markers already written are kept.`);
  }
  return value as ClosureState;
}

/** A partition as closure sees it at the end of a run. */
export interface PartitionProgress {
  /** The Kafka timestamp of the last record archived (epoch ms), or null when nothing was. */
  readonly through: number | null;
  /** Read up to the high watermark snapshotted at `snapshotAt`: every record older than that is archived. */
  readonly drained: boolean;
  /** A crashed unit is still pending: its objects may land in hours not closed yet. */
  readonly pending: boolean;
}

/**
 * The subject's watermark (flow.md §3.4 step 8): the minimum over its partitions of how far each
 * is complete — the snapshot time for a partition read to its high watermark, else the Kafka
 * timestamp of its last archived record, but never later than the snapshot time (a producer may
 * stamp a record years ahead: it must not close hours that have not happened). Undefined while
 * any partition has a pending unit or has archived nothing without being drained: no hour can
 * be closed then.
 */
export function watermarkOf(partitions: readonly PartitionProgress[], snapshotAt: number): number | undefined {
  let watermark = Number.POSITIVE_INFINITY;
  for (const partition of partitions) {
    if (partition.pending) return undefined;
    const complete = partition.drained ? snapshotAt : partition.through;
    if (complete === null) return undefined;
    watermark = Math.min(watermark, complete, snapshotAt);
  }
  return partitions.length === 0 || !Number.isFinite(watermark) ? undefined : watermark;
}

/** The last hour closable at this watermark: the last whose end plus the allowed lateness it has passed. */
export function lastClosableHour(watermark: number, latenessMs: number): Date {
  return new Date(Math.floor((watermark - latenessMs - HOUR_MS) / HOUR_MS) * HOUR_MS);
}

/**
 * What a closing pass closes: the hours after `closedThrough` through `last` (`lastClosableHour`)
 * to mark, ascending, at most `limit` of them so a long backlog closes over several runs, and
 * the hour the closure state moves to. Without `dataHours` every hour is a candidate (a short
 * span: each is looked at); with them (the hours that hold data, from one listing of the
 * subject: the first closure, or a span longer than `limit`) only those are, so hours without
 * data between them never hold the closure back.
 */
export function closingPlan(options: { closedThrough: Date | null; last: Date; dataHours?: readonly Date[] | undefined; limit: number }): { hours: Date[]; target: Date } {
  const after = options.closedThrough?.getTime() ?? Number.NEGATIVE_INFINITY;
  const last = options.last.getTime();
  const hours: Date[] = [];
  if (options.dataHours || !options.closedThrough) {
    for (const hour of options.dataHours ?? []) if (hour.getTime() > after && hour.getTime() <= last && hours.length < options.limit) hours.push(hour);
  } else {
    for (let hour = after + HOUR_MS; hour <= last && hours.length < options.limit; hour += HOUR_MS) hours.push(new Date(hour));
  }
  return { hours, target: hours.length === options.limit ? (hours.at(-1) as Date) : options.last };
}

/** Hours between two hour starts, both included. */
export const hoursBetween = (first: Date, last: Date): number => Math.max(0, Math.round((last.getTime() - first.getTime()) / HOUR_MS) + 1);

/** The hour of a data object's key (`<subject>/v=<n>/dt=…/hr=…/…`), or undefined. */
export function hourOfKey(key: string): Date | undefined {
  const match = /\/dt=(\d{4}-\d{2}-\d{2})\/hr=(\d{2})\//.exec(key);
  if (!match) return undefined;
  const time = Date.parse(`${match[1] ?? ''}T${match[2] ?? ''}:00:00Z`);
  return Number.isFinite(time) ? new Date(time) : undefined;
}

/**
 * Whether a folder of a subject's data (`<subject>/v=<n>/dt=…/hr=…/`, holding `keys`) lacks the
 * marker its closed hour should have: closing marks every version folder holding data, except
 * the hours a closing pass is still marking (the next run writes those).
 */
export function lacksMarker(folder: string, keys: readonly string[], closure: ClosureState, markers: ReadonlySet<string>): boolean {
  const hour = hourOfKey(folder);
  if (!hour || closure.closedThrough === null || !/^[^/_][^/]*\/v=[1-9]\d*\/dt=\d{4}-\d{2}-\d{2}\/hr=\d{2}\/$/.test(folder) || markers.has(`${folder}_CLOSED.json`) || !keys.some((key) => key.endsWith('.jsonl.gz'))) return false;
  return hour.getTime() <= Date.parse(closure.closedThrough) && !(closure.marking?.hours ?? []).some((iso) => Date.parse(iso) === hour.getTime());
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
