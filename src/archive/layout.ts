/**
 * The lake layout (DESIGN.md §6), pure: every object key is a function of the records' subject,
 * schema version, UTC hour and offset range, so a replay produces the same names.
 */
import { subjectOf } from '../domain/names.js';
import type { ObjectKind } from './state.js';

/** Offsets zero-padded to 20 digits: lexical order is numeric order. */
export function padOffset(offset: bigint | number | string): string {
  const text = BigInt(offset).toString();
  if (text.startsWith('-')) throw new RangeError(`offset ${text} is negative`);
  return text.padStart(20, '0');
}

/** An hour bucket in UTC: `dt=YYYY-MM-DD/hr=HH`. */
export function hourPath(hour: Date): string {
  const iso = hour.toISOString();
  return `dt=${iso.slice(0, 10)}/hr=${iso.slice(11, 13)}`;
}

/** The start of the UTC hour of an instant. */
export function hourOf(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / 3_600_000) * 3_600_000);
}

/** A partition's key in maps of partitions (topic names cannot hold a NUL). */
export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export interface Range {
  readonly topic: string;
  readonly partition: number;
  readonly first: bigint;
  readonly last: bigint;
}

const fileName = (range: Range): string => `${range.topic}+${range.partition}+${padOffset(range.first)}+${padOffset(range.last)}.jsonl.gz`;

/**
 * The most bytes one file name may have on the file systems a file lake lives on (NAME_MAX of
 * ext4, XFS and Btrfs; APFS's limit): every part of a file lake's key is a file name. GCS has no
 * such limit per part (an object name may have 1,024 bytes in all).
 */
export const FILE_NAME_MAX_BYTES = 255;

/**
 * The bytes of the file name of every data, quarantine and late object of a partition (offsets
 * are padded to one width): the topic, then 52 bytes and the partition's digits.
 */
export const objectFileNameBytes = (topic: string, partition: number): number => new TextEncoder().encode(fileName({ topic, partition, first: 0n, last: 0n })).length;

/**
 * The longest topic whose objects fit in a file lake whatever the partition (up to 9,999: a
 * catalog topic has at most 10,000 partitions): 199 characters. A longer one fits only its first
 * partitions (200–202 characters), or none.
 */
export const FILE_LAKE_TOPIC_MAX = FILE_NAME_MAX_BYTES - objectFileNameBytes('', 9_999);

/**
 * How many partitions of `topic`, counted from 0, a file lake can hold: the partition number
 * may have as many digits as its objects' file names leave of FILE_NAME_MAX_BYTES (none for a
 * topic over 202 characters).
 */
export function fileLakePartitionsOf(topic: string): number {
  const digits = FILE_NAME_MAX_BYTES - objectFileNameBytes(topic, 0) + 1;
  return digits <= 0 ? 0 : 10 ** digits;
}

/** `<subject>/v=<version>/dt=…/hr=…/<topic>+<partition>+<first>+<last>.jsonl.gz` */
export function dataKey(subject: string, version: number, hour: Date, range: Range): string {
  return `${subject}/v=${version}/${hourPath(hour)}/${fileName(range)}`;
}

/** Records that are not JSON, carry no ID or fail validation: bucketed by Kafka timestamp hour. */
export function quarantineKey(subject: string, hour: Date, range: Range): string {
  return `_quarantine/${subject}/${hourPath(hour)}/${fileName(range)}`;
}

/** Records whose hour was already closed. */
export function lateKey(subject: string, version: number, hour: Date, range: Range): string {
  return `_late/${subject}/v=${version}/${hourPath(hour)}/${fileName(range)}`;
}

/** Offsets retention deleted before the flow read them: `_gaps/<topic>/<partition>/<from>-<to>.json`. */
export function gapKey(topic: string, partition: number, from: bigint, to: bigint): string {
  return `_gaps/${topic}/${partition}/${padOffset(from)}-${padOffset(to)}.json`;
}

/** The marker of a closed hour. */
export function closedKey(subject: string, version: number, hour: Date): string {
  return `${subject}/v=${version}/${hourPath(hour)}/_CLOSED.json`;
}

/** The flow state of one partition, under the state location. */
export function stateKey(topic: string, partition: number): string {
  return `${topic}/${partition}.json`;
}

/** The partition and offset range a data, quarantine or late object's name encodes; undefined for other names. */
export function parseObjectName(key: string): Range | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const match = /^(.+)\+(\d+)\+(\d{20})\+(\d{20})\.jsonl\.gz$/.exec(name);
  if (!match) return undefined;
  return { topic: match[1] ?? '', partition: Number(match[2]), first: BigInt(match[3] ?? '0'), last: BigInt(match[4] ?? '0') };
}

/**
 * The folder a data, quarantine or late object's key files it in ({@link parseObjectPlace}):
 * its kind, subject, schema version (`v=<version>`; quarantine folders have none) and UTC hour.
 */
export type ObjectPlace = { readonly subject: string; readonly hour: Date } & ({ readonly kind: Exclude<ObjectKind, 'quarantine'>; readonly version: number } | { readonly kind: 'quarantine'; readonly version: null });

const PLACE = /^(?:(_quarantine|_late)\/)?([^/]+)\/(?:v=([1-9]\d*)\/)?dt=(\d{4}-\d{2}-\d{2})\/hr=(\d{2})\/[^/]+$/;

/**
 * The folder an object's key files it in, as {@link dataKey}, {@link quarantineKey} and
 * {@link lateKey} write it; undefined for a key in no folder of the layout (a version folder
 * under quarantine, none under data or late, an hour that is no UTC hour, another depth).
 */
export function parseObjectPlace(key: string): ObjectPlace | undefined {
  const match = PLACE.exec(key);
  if (!match) return undefined;
  const [, prefix, subject = '', versionText, day = '', hourText = ''] = match;
  const hour = new Date(Date.parse(`${day}T${hourText}:00:00Z`));
  // Read back as it is written: `dt=2026-02-30` is no day, whatever Date.parse makes of it.
  if (Number.isNaN(hour.getTime()) || hourPath(hour) !== `dt=${day}/hr=${hourText}`) return undefined;
  // Only quarantine folders have no version; a data folder's subject never starts with `_` (the lake's own prefixes do).
  if (prefix === '_quarantine') return versionText === undefined ? { kind: 'quarantine', subject, version: null, hour } : undefined;
  if (versionText === undefined || (prefix === undefined && subject.startsWith('_'))) return undefined;
  return { kind: prefix === '_late' ? 'late' : 'data', subject, version: Number(versionText), hour };
}

/** The key of an object of `range` in `place`: the inverse of {@link parseObjectPlace}. */
export function objectKeyOf(place: ObjectPlace, range: Range): string {
  if (place.kind === 'quarantine') return quarantineKey(place.subject, place.hour, range);
  return place.kind === 'late' ? lateKey(place.subject, place.version, place.hour, range) : dataKey(place.subject, place.version, place.hour, range);
}

/** The range a gap record's name encodes: `_gaps/<topic>/<partition>/<from>-<to>.json`. */
export function parseGapName(key: string): Range | undefined {
  const match = /^_gaps\/(.+)\/(\d+)\/(\d{20})-(\d{20})\.json$/.exec(key);
  if (!match) return undefined;
  return { topic: match[1] ?? '', partition: Number(match[2]), first: BigInt(match[3] ?? '0'), last: BigInt(match[4] ?? '0') };
}

/**
 * The partition a flow state key names: `<topic>/<partition>.json` under the state location.
 * Undefined for other keys: `_closure/<subject>.json`, and the lake's own objects when the state
 * location is the lake itself (a subject, and so a topic, never starts with `_`).
 */
export function parseStateKey(key: string): { topic: string; partition: number } | undefined {
  const match = /^([^/_][^/]*)\/(0|[1-9]\d{0,9})\.json$/.exec(key);
  if (!match) return undefined;
  return { topic: match[1] ?? '', partition: Number(match[2]) };
}

/**
 * Why a file lake (file://) cannot archive every partition of the subject, as a sentence that
 * says how to fix it; undefined when the topic fits (FILE_LAKE_TOPIC_MAX). Kafka and GCS take
 * the name, so `check` reports it as a warning (TOPIC_NAME_TOO_LONG_FOR_FILE_LAKE) and `new`
 * prints it as a note.
 */
export function fileLakeNameProblem(team: string, name: string): { message: string; partitions: number } | undefined {
  const topic = subjectOf(team, name);
  if (topic.length <= FILE_LAKE_TOPIC_MAX) return undefined;
  const held = fileLakePartitionsOf(topic);
  const [partitions, stopped] = held === 0 ? ['cannot archive any of its partitions', 'each of them'] : [`can archive only its partitions 0–${held - 1}`, 'the others'];
  return {
    partitions: held,
    message: `The subject ${topic.slice(0, 40)}… is ${topic.length} characters: a file lake (file://) ${partitions}, as an object's file name is its topic and 52 bytes more with the partition, and file systems allow ${FILE_NAME_MAX_BYTES} bytes in one name; the flow would stop ${stopped} on every run. Shorten the directory name to at most ${FILE_LAKE_TOPIC_MAX - team.length - 1} characters, or, if every environment's lake is on GCS (which has no such limit), set TOPIC_NAME_TOO_LONG_FOR_FILE_LAKE: off under lint in catalog.yaml.`,
  };
}
