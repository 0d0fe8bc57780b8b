import { gunzipSync } from 'node:zlib';
import { objectKeyOf, parseObjectPlace, type ObjectPlace, type Range } from '../archive/layout.js';
import { OffsetRuns, rangeProblem } from '../archive/offset-runs.js';
import { plural } from '../domain/plural.js';
import { messageOf } from '../domain/errors.js';
import type { StoredObject } from '../ports.js';
import { offsetRange, problemOf, ProblemList, type AuditCode } from './audit-codes.js';
import { LAKE_FORMAT, sha256 } from './lake-objects.js';

/** One data object as `lake audit` read it (`checkObject`): what its partition's proof needs of it. */
export interface CheckedObject {
  /** Its problems, in the order they are told: one cause (its bytes are not the ones the flow wrote) first. */
  readonly problems: ProblemList;
  /** The records (JSON rows) it holds; null when it was not read (gone since it was listed, or not gzip). */
  readonly records: number | null;
  /**
   * Its bytes are not the ones the flow wrote: it is already reported, so its offsets are that
   * problem's, not a hole or a short unit as well. `counted`: it has none of its metadata, and its
   * records count towards the unit around it (in a file lake, a changed gzip header alone does
   * this); `unchecked`: it is not gzip, or its content does not match its SHA-256, and its records
   * say nothing of what the flow wrote (the offsets its name states are left unchecked).
   */
  readonly loose: false | 'counted' | 'unchecked';
  /** The flush unit its metadata names (`id`: its first and last offsets, one spelling per unit), when it names a valid one. */
  readonly unit: { readonly id: string; readonly start: bigint; readonly end: bigint; readonly records: number } | undefined;
}

/** The metadata fields the flow writes with every object it publishes (lake-objects.ts). */
const UNIT_METADATA = ['unit-start', 'unit-end', 'unit-records'] as const;
const FLOW_METADATA = ['lake-format', 'kind', 'sha256', 'count', ...UNIT_METADATA] as const;

/**
 * How an object whose bytes the flow did not write is put right, in the lake at `location`;
 * `detached`: the change cut the object from its metadata (a file lake keeps it per content).
 */
function restoreHint(location: string, detached: boolean): string {
  if (location.startsWith('gs://')) return 'Restore the object the flow wrote (its previous generation, with GCS object versioning, or a copy): the flow never writes a committed object again.';
  return `Restore the file the flow wrote, from a copy of the lake${detached ? ': its metadata is kept for those bytes, so it passes again' : ''} (the flow never writes a committed object again).`;
}

/** How an object comes to have none of its metadata, in the lake at `location`. */
function detachedHint(location: string): string {
  return location.startsWith('gs://')
    ? 'The object was written again without it (a copy or upload that is not the flow\'s).'
    : 'The file lake keeps an object\'s metadata for its exact bytes (.schemaflow-meta/), so any change to the file detaches it, even one to its gzip header alone (modification time, flags, OS byte).';
}

/**
 * Why the object `key`, holding the records `name` states and described by `meta`, is not in the
 * folder the flow writes such an object to; undefined when it is. A subject's topic bears its
 * name, so the folder's subject is the topic of the object's name; its kind and version folder
 * are the kind and schema version of its metadata (when it has any). An object elsewhere is read
 * by no query over its subject's folder, and `lake audit --subject` does not list it.
 */
function misplacement(key: string, name: Range, meta: Readonly<Record<string, string>>): string | undefined {
  const place = parseObjectPlace(key);
  const unlisted = `queries over the folders of ${name.topic} do not read it, and lake audit --subject ${name.topic} does not list it`;
  if (!place) return `is in no folder of the lake layout (<subject>/v=<version>/dt=…/hr=…/, _late/<subject>/v=<version>/dt=…/hr=…/ or _quarantine/<subject>/dt=…/hr=…/): ${unlisted}`;
  const wrong: string[] = [];
  if (place.subject !== name.topic) wrong.push(`its folder is subject ${place.subject}'s, but its name says it holds records of topic ${name.topic}`);
  const kind = meta.kind === 'data' || meta.kind === 'late' || meta.kind === 'quarantine' ? meta.kind : undefined;
  if (kind !== undefined && kind !== place.kind) wrong.push(`its folder is for ${place.kind} objects, but its metadata says it is ${kind}`);
  const version = meta['schema-version'];
  if (version !== undefined && kind !== 'quarantine' && place.version !== null && version !== String(place.version)) wrong.push(`its folder is v=${place.version}/, but its metadata says schema version ${version}`);
  if (wrong.length === 0) return undefined;
  // Where it belongs: its subject, the kind and version its metadata state, the hour of its folder.
  const kindThere = kind ?? place.kind;
  const versionThere = version !== undefined && /^[1-9]\d*$/.test(version) ? Number(version) : place.version;
  const there: ObjectPlace | undefined = kindThere === 'quarantine' ? { kind: 'quarantine', subject: name.topic, version: null, hour: place.hour } : versionThere === null ? undefined : { kind: kindThere, subject: name.topic, version: versionThere, hour: place.hour };
  return `is misplaced: ${wrong.join('; ')}, so ${place.subject === name.topic ? 'queries over the folder it belongs in do not read it' : unlisted}${there ? `. It belongs at ${objectKeyOf(there, name)} (move it there with its metadata)` : ''}`;
}

/**
 * Reads the data object `key` (read from the lake at `location`; undefined when it was deleted
 * since it was listed) whose name states `name`: checks its folder against its name and
 * metadata, gunzips it, checks every row's coordinates against its name, its content against
 * the SHA-256 and record count in its metadata, and its unit. The offsets its rows hold go into
 * `runs`, its partition's, unless its content does not match its SHA-256: those rows are not the
 * flow's, and their offsets are that one problem's (not held twice, or outside every unit, as
 * well), as are the faults of its rows. The object is never held a second time, as rows or as
 * one string.
 */
export function checkObject(key: string, name: Range, object: StoredObject | undefined, runs: OffsetRuns, location: string): CheckedObject {
  const problems = new ProblemList();
  const problem = (code: AuditCode, text: string): void => problems.add(problemOf(code, `${key}: ${text}`, key));
  if (!object) {
    problem('OBJECT_UNREADABLE', 'was listed but could not be read');
    return { problems, records: null, loose: false, unit: undefined };
  }
  const misplaced = misplacement(key, name, object.metadata);
  if (misplaced) problem('OBJECT_MISPLACED', misplaced);
  let content: Buffer;
  try {
    content = gunzipSync(object.bytes);
  } catch (error) {
    problem('OBJECT_NOT_GZIP', `cannot be gunzipped (${messageOf(error)}): these are not the bytes the flow wrote, so ${offsetRange(name.first, name.last)}, which its name states, cannot be checked. ${restoreHint(location, true)}`);
    return { problems, records: null, loose: 'unchecked', unit: undefined };
  }
  const meta = object.metadata;
  // The layout version every object states (lake-objects.ts): a newer one may mean rows this reader misjudges.
  if (meta['lake-format'] !== undefined && meta['lake-format'] !== LAKE_FORMAT) problem('LAKE_FORMAT_UNKNOWN', `states lake format ${meta['lake-format']}, but this schemaflow reads format ${LAKE_FORMAT}: audit it with the schemaflow version that wrote it, or a newer one`);
  // Its rows' offsets and faults, kept aside until its content is known to be the flow's.
  const offsets = new OffsetRuns();
  const rows = new ProblemList();
  const row = (code: AuditCode, text: string): void => rows.add(problemOf(code, `${key}: ${text}`, key));
  let count = 0;
  let low: bigint | undefined;
  let high: bigint | undefined;
  // Line by line from the bytes: the object is never held a second time as one string. Lines
  // are numbered as an editor numbers them (a line that is not a record counts too).
  let lineNumber = 0;
  for (let start = 0; start < content.length; ) {
    const newline = content.indexOf(10, start);
    const end = newline === -1 ? content.length : newline;
    const line = content.toString('utf8', start, end);
    start = end + 1;
    lineNumber += 1;
    if (line === '') continue;
    let coordinates: { topic?: unknown; partition?: unknown; offset?: unknown } | undefined;
    try {
      coordinates = (JSON.parse(line) as { _kafka?: { topic?: unknown; partition?: unknown; offset?: unknown } })._kafka;
    } catch {
      row('ROW_NOT_JSON', `line ${lineNumber} is not JSON`);
      continue;
    }
    count += 1;
    const offsetText = typeof coordinates?.offset === 'string' ? coordinates.offset : '';
    if (coordinates?.topic !== name.topic || coordinates.partition !== name.partition || !/^\d+$/.test(offsetText)) {
      row('ROW_NOT_OF_PARTITION', `line ${lineNumber} is not a record of ${name.topic}/${name.partition}`);
      continue;
    }
    const offset = BigInt(offsetText);
    const why = rangeProblem(offset, offset);
    if (why) {
      row('ROW_OFFSET_INVALID', `line ${lineNumber} holds offset ${offset}, ${why}`);
      continue;
    }
    if (offset < name.first || offset > name.last) row('ROW_OUTSIDE_NAME', `line ${lineNumber} holds offset ${offset}, outside the range its name states`);
    low = low === undefined || offset < low ? offset : low;
    high = high === undefined || offset > high ? offset : high;
    offsets.add(offset);
  }
  if (low !== name.first || high !== name.last) row('NAME_MISMATCH', `its name states offsets ${name.first}–${name.last} but it holds ${low === undefined || high === undefined ? 'no record' : offsetRange(low, high)}`);

  const digest = FLOW_METADATA.some((field) => meta[field] !== undefined) ? sha256(content) : undefined;
  // Content that is not what the flow wrote is one cause: how its rows differ is not told besides.
  const mismatched = digest !== undefined && meta.sha256 !== digest;
  if (!mismatched) {
    problems.addAll(rows);
    for (let index = 0; index < offsets.length; index += 1) runs.addRange(offsets.from[index] as bigint, offsets.to[index] as bigint);
  }

  // No metadata at all is one cause (the bytes were changed or replaced), not a missing hash, count and unit each.
  if (digest === undefined) {
    problems.first(problemOf('METADATA_MISSING', `${key}: has none of the metadata the flow writes with every object (content SHA-256, record count, unit): these are not the bytes the flow wrote, so its ${plural(count, 'record')} cannot be checked. ${detachedHint(location)} ${restoreHint(location, true)}`, key));
    return { problems, records: count, loose: 'counted', unit: undefined };
  }
  const counted = meta.count === String(count) ? '' : ` and it holds ${plural(count, 'record')} where its metadata says ${meta.count ?? 'nothing'}`;
  if (mismatched) problems.first(problemOf('CONTENT_MISMATCH', `${key}: content SHA-256 ${digest} does not match its metadata (${meta.sha256 ?? 'none'})${counted}: its content is not what the flow wrote. ${restoreHint(location, false)}`, key));
  else if (counted) problem('COUNT_MISMATCH', `holds ${count} records, its metadata says ${meta.count ?? 'nothing'}`);

  // A unit is three decimal numbers; one missing or malformed leaves the unit's proof nothing to check.
  const unfit = UNIT_METADATA.filter((field) => !/^\d+$/.test(meta[field] ?? ''));
  if (unfit.length > 0) {
    problem('UNIT_MISSING', UNIT_METADATA.every((field) => meta[field] === undefined) ? 'has no unit in its metadata' : `has no whole unit in its metadata: ${unfit.map((field) => `${field} is ${meta[field] === undefined ? 'missing' : `${JSON.stringify(meta[field])}, not a decimal number`}`).join('; ')}`);
    return { problems, records: count, loose: mismatched && 'unchecked', unit: undefined };
  }
  const unitStart = BigInt(meta['unit-start'] as string);
  const unitEnd = BigInt(meta['unit-end'] as string);
  const unitWhy = rangeProblem(unitStart, unitEnd);
  if (unitWhy) {
    problem('UNIT_INVALID', `its metadata states the unit ${unitStart}–${unitEnd}, ${unitWhy}`);
    return { problems, records: count, loose: mismatched && 'unchecked', unit: undefined };
  }
  if (name.first < unitStart || name.last > unitEnd) problem('OUTSIDE_UNIT', `holds offsets outside its unit ${unitStart}–${unitEnd}`);
  // The id in one spelling per unit: `07` and `7` name one offset.
  return { problems, records: count, loose: mismatched && 'unchecked', unit: { id: `${unitStart}-${unitEnd}`, start: unitStart, end: unitEnd, records: Number(meta['unit-records']) } };
}
