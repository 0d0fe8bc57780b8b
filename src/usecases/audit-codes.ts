/**
 * The codes of `lake audit`'s problems: one per kind of fault, stable for scripts that read
 * `--format json` (the messages may be reworded, the codes are not). Problems are data, like the
 * catalog's findings (STYLE.md habit 1): each has its code and a message that names the
 * partition, the exact offsets or the object, and how to fix it.
 */
export const AUDIT_CODES = {
  OBJECT_NAME_INVALID: 'A data object’s name states offsets no Kafka partition has (past 2^63 − 1, or ending before they start); it was not read.',
  GAP_NAME_INVALID: 'A gap record’s name states offsets no Kafka partition has.',
  OBJECT_UNREADABLE: 'An object was listed but could not be read.',
  OBJECT_NOT_GZIP: 'An object cannot be gunzipped: its bytes are not the ones the flow wrote (restore them); the offsets its name states are not reported again as missing.',
  METADATA_MISSING: 'An object has none of the metadata the flow writes with it (content SHA-256, record count, unit): its bytes are not the ones the flow wrote (restore them). In a file lake any change to the file does this, even one to its gzip header alone; its offsets are not reported again.',
  LAKE_FORMAT_UNKNOWN: 'An object states a lake format this schemaflow does not read.',
  CONTENT_MISMATCH: 'An object’s uncompressed content does not match the SHA-256 in its metadata (its record count, when that differs too, is in the message): restore the object the flow wrote. Its rows and the offsets its name states are not reported again.',
  COUNT_MISMATCH: 'An object’s content matches its SHA-256 but its metadata states another record count.',
  ROW_NOT_JSON: 'A line of an object is not JSON.',
  ROW_NOT_OF_PARTITION: 'A row of an object is not a record of the topic and partition its name states.',
  ROW_OFFSET_INVALID: 'A row holds an offset no Kafka partition has.',
  ROW_OUTSIDE_NAME: 'A row holds an offset outside the range its object’s name states.',
  NAME_MISMATCH: 'The first and last offsets an object holds are not the ones its name states.',
  OBJECT_MISPLACED: 'An object is not in the folder the flow writes it to: its subject folder is not the topic its name states, its `v=` folder not the schema version in its metadata, or its kind folder (`_quarantine/`, `_late/`, data) not the kind in its metadata. Queries over its subject miss it; the message says where it belongs.',
  UNIT_MISSING: 'An object’s metadata names no whole flush unit (unit-start, unit-end and unit-records, decimal numbers).',
  UNIT_INVALID: 'An object’s metadata names a flush unit of offsets no Kafka partition has.',
  OUTSIDE_UNIT: 'An object holds offsets outside the flush unit its metadata names.',
  STATE_MISSING: 'The lake holds objects of a partition but there is no flow state for it where the audit looked (--state).',
  STATE_CORRUPT: 'A flow state or closure state cannot be read as one (not JSON, another partition’s, an invalid offset).',
  STATE_UNREADABLE: 'A flow state or closure state could not be fetched.',
  OFFSETS_MISSING: 'Offsets the state says were archived are in no object and no gap record.',
  OFFSETS_DUPLICATED: 'Offsets are held by more than one object.',
  OFFSETS_OVERLAP: 'Flush units or gap records cover the same offsets.',
  OFFSETS_OUTSIDE_UNITS: 'Offsets are in an object but in no flush unit any object’s metadata names.',
  OFFSETS_BEFORE_START: 'Offsets are in the lake (in its objects, units or gap records) before the offset the state says the flow started the partition at: queries read them, but the flow never archived them under that state. The message names them and their objects; set the state’s start to the first of them if they are the partition’s records archived under an earlier state, else move them out.',
  OFFSETS_BEYOND_STATE: 'Offsets are in the lake beyond the state’s next offset (and beyond any unit or gap record a crashed run left pending).',
  UNIT_INCOMPLETE: 'A flush unit’s objects hold fewer or more records than the unit consumed.',
  MARKER_UNREADABLE: 'A `_CLOSED.json` cannot be read as an hour marker.',
  WRITTEN_AFTER_CLOSE: 'An object is in a closed hour’s folder but its `_CLOSED.json` does not list it.',
  MARKED_OBJECT_MISSING: 'A `_CLOSED.json` lists an object that is not in the lake (without --retention).',
  MARKER_MISSING: 'A version folder of an hour the closure state has closed has no `_CLOSED.json` (`flow close --repair-markers` writes it).',
} as const;

export type AuditCode = keyof typeof AUDIT_CODES;

/** One problem `lake audit` found. */
export interface AuditProblem {
  /** Stable UPPER_SNAKE code ({@link AUDIT_CODES}). */
  readonly code: AuditCode;
  /** A full sentence: what, where (partition, offsets, object), and how to fix it when the audit can tell. */
  readonly message: string;
  /** The lake key the problem is about, when it is about one object: a data object, gap record or `_CLOSED.json` (a missing one for MARKER_MISSING). */
  readonly key?: string;
}

/** A problem of `code`; `key` when it is about one object. */
export const problemOf = (code: AuditCode, message: string, key?: string): AuditProblem => (key === undefined ? { code, message } : { code, message, key });

/** Offsets as a problem's message names them: `offset 7`, `offsets 7–9`. */
export const offsetRange = (from: bigint, to: bigint): string => (from === to ? `offset ${from}` : `offsets ${from}–${to}`);
/** {@link offsetRange} with its verb: `offset 18 is`, `offsets 18–20 are`. */
export const offsetsAre = (from: bigint, to: bigint): string => `${offsetRange(from, to)} ${from === to ? 'is' : 'are'}`;

/** The README's table of `lake audit` problem codes (markdown), rendered from {@link AUDIT_CODES}. */
export function renderAuditTable(): string {
  return ['| code | meaning |', '|---|---|', ...Object.entries(AUDIT_CODES).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`)].join('\n');
}

/** Problems listed per partition, per object, and for the closed hours: a broken lake could otherwise print a line per record, or per hour. */
export const MAX_PROBLEMS = 50;

/**
 * Problems as the report gives them: at most {@link MAX_PROBLEMS}, in the order they were found
 * (a cause put first), and how many were found in all. Its memory stays bounded however many a
 * broken lake has.
 */
export class ProblemList {
  readonly listed: AuditProblem[] = [];
  count = 0;

  add(problem: AuditProblem): void {
    if (this.listed.length < MAX_PROBLEMS) this.listed.push(problem);
    this.count += 1;
  }

  /** Puts `problem` before the others (the cause of those after it); the last listed gives way. */
  first(problem: AuditProblem): void {
    this.listed.unshift(problem);
    if (this.listed.length > MAX_PROBLEMS) this.listed.pop();
    this.count += 1;
  }

  /** Adds another list's problems after these, and its count. */
  addAll(other: ProblemList): void {
    for (const problem of other.listed) if (this.listed.length < MAX_PROBLEMS) this.listed.push(problem);
    this.count += other.count;
  }
}
