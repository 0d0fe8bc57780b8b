import { scanNesting } from '../catalog/source-text.js';
import { messageOf } from '../domain/errors.js';
import { HEADERS, unframe } from './framing.js';
import type { SchemaRegistry, Violation } from './registry.js';
import { decodeUtf8 } from '../domain/utf8.js';

/**
 * Kafka headers as clients hand them over: a value, or several for a repeated name. A header
 * Kafka carries without a value (its length -1) comes as null from kafkajs.
 */
export type RecordHeaders = Readonly<Record<string, Buffer | string | null | undefined | ReadonlyArray<Buffer | string | null>>>;

/** Why a record is not an event of a registered schema; the flow files it under `_quarantine/` with this reason. */
export type RejectReason = 'NOT_JSON' | 'NO_SCHEMA_ID' | 'UNKNOWN_SCHEMA_ID' | 'INVALID' | 'TOO_LARGE' | 'TOO_DEEP';

/**
 * The deepest `{`/`[` nesting an event may have (Jackson's default too). JSON.parse is iterative,
 * but validators and JSON.stringify recurse: a 12 KB record nested 6,000 deep exhausts the stack
 * of the flow's main thread, and not of a worker thread, whose stack is larger. A fixed limit far
 * below both keeps the verdict the same wherever a record is read.
 */
export const MAX_EVENT_DEPTH = 1000;

/**
 * Whether JSON text nests deeper than MAX_EVENT_DEPTH. Each level opens with `{` or `[`, so text
 * that holds no more of them than the limit (nearly every event: counted with indexOf, a
 * twentieth of the cost of a scan) cannot, and valid JSON needs two characters per level.
 */
export function nestsTooDeep(json: string): boolean {
  return json.length > 2 * MAX_EVENT_DEPTH + 1 && openersOver(json, MAX_EVENT_DEPTH) && scanNesting(json, MAX_EVENT_DEPTH) !== undefined;
}

function openersOver(text: string, limit: number): boolean {
  let count = 0;
  for (const opener of ['{', '[']) {
    for (let at = text.indexOf(opener); at !== -1; at = text.indexOf(opener, at + 1)) if ((count += 1) > limit) return true;
  }
  return false;
}

export type DecodeResult = DecodedEvent | RejectedRecord;

export interface DecodedEvent {
  readonly ok: true;
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly value: unknown;
}

export interface RejectedRecord {
  readonly ok: false;
  readonly reason: RejectReason;
  readonly detail: string;
  readonly id?: number;
  readonly violations?: readonly Violation[];
}

/** The first value of a header: its text, null when it has no value, undefined when there is no such header. */
function headerText(headers: RecordHeaders | undefined, name: string): string | null | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? (value as ReadonlyArray<Buffer | string | null>)[0] : (value as Buffer | string | null | undefined);
  return first === undefined || first === null ? first : Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

/** The schema ID a record names: Confluent framing first, else the `schema-id` header. */
export function schemaIdOf(message: { value: Buffer | null; headers?: RecordHeaders | undefined }): number | undefined {
  const framed = message.value ? unframe(message.value) : undefined;
  if (framed) return framed.id;
  const text = headerText(message.headers, HEADERS.id);
  return typeof text === 'string' && /^\d{1,10}$/.test(text) ? Number(text) : undefined;
}

/**
 * A Kafka record of either encoding (headers or Confluent framing) → the event and its schema,
 * or why not. Records are hostile input: nothing here throws for any bytes (a validator that
 * fails on a pathological value reports INVALID).
 */
export function decodeRecord(registry: SchemaRegistry, message: { value: Buffer | null; headers?: RecordHeaders | undefined }, options: { maxBytes?: number } = {}): DecodeResult {
  const decoded = decodeRecordText(registry, message, options);
  return decoded.ok ? { ok: true, subject: decoded.subject, version: decoded.version, id: decoded.id, value: decoded.value } : decoded;
}

/** `decodeRecord`, with the event's JSON text beside its value (the flow keeps the numbers as written: see archive/event-json.ts). */
export function decodeRecordText(registry: SchemaRegistry, message: { value: Buffer | null; headers?: RecordHeaders | undefined }, options: { maxBytes?: number } = {}): (DecodedEvent & { readonly text: string }) | RejectedRecord {
  const bytes = message.value ?? Buffer.alloc(0);
  const id = schemaIdOf(message);
  const withId = id !== undefined ? { id } : {};
  if (options.maxBytes !== undefined && bytes.length > options.maxBytes) return { ok: false, reason: 'TOO_LARGE', detail: `the value is ${bytes.length} bytes, over the limit of ${options.maxBytes}`, ...withId };
  if (message.value === null) return { ok: false, reason: 'NOT_JSON', detail: 'the value is null (a tombstone)', ...withId };
  const payload = unframe(bytes)?.payload ?? bytes;
  // The detail is the flow's own words, not the runtime's: a quarantine row must come out the
  // same when a crashed unit is rebuilt under another Node.js version (JSON.parse's messages change).
  let text: string;
  try {
    text = decodeUtf8(payload);
  } catch {
    return { ok: false, reason: 'NOT_JSON', detail: 'the value is not UTF-8', ...withId };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'NOT_JSON', detail: 'the value is not JSON', ...withId };
  }
  if (nestsTooDeep(text)) return { ok: false, reason: 'TOO_DEEP', detail: `the value nests deeper than ${MAX_EVENT_DEPTH} levels of objects and arrays`, ...withId };
  if (id === undefined) {
    const header = headerText(message.headers, HEADERS.id);
    const detail = header === undefined ? `no ${HEADERS.id} header and no Confluent framing` : header === null ? `the ${HEADERS.id} header has no value, and the value has no Confluent framing` : `the ${HEADERS.id} header is ${JSON.stringify(header.slice(0, 40))}, not a decimal schema ID, and the value has no Confluent framing`;
    return { ok: false, reason: 'NO_SCHEMA_ID', detail };
  }
  const schema = registry.byId(id);
  if (!schema) return { ok: false, reason: 'UNKNOWN_SCHEMA_ID', detail: `schema ID ${id} is not in manifest serial ${registry.manifest.serial}`, id };
  let violations: Violation[];
  try {
    violations = schema.validate(value);
  } catch (error) {
    return { ok: false, reason: 'INVALID', detail: `${schema.subject} version ${schema.version} could not validate the value: ${messageOf(error)}`, id };
  }
  if (violations.length > 0) return { ok: false, reason: 'INVALID', detail: `the value does not match ${schema.subject} version ${schema.version}`, id, violations };
  return { ok: true, subject: schema.subject, version: schema.version, id, value, text };
}
