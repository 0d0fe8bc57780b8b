import type { IHeaders, Kafka, Message, Producer, RecordMetadata } from 'kafkajs';
import type { Manifest } from '../manifest/types.js';
import { EventValidationError } from './errors.js';
import { messageOf } from '../domain/errors.js';
import { MAX_EVENT_DEPTH, nestsTooDeep } from '../manifest/decode.js';
import { HEADERS, frame } from '../manifest/framing.js';
import { createManifestLoader, loadManifest, reloadManifest, type ManifestLoader } from './manifest-source.js';
import { createSchemaRegistry, type RegisteredSchema, type SchemaRegistry, type Violation } from '../manifest/registry.js';

export interface ProducerOptions {
  /** The manifest: an object, or where to load it (path, `file://`, `https://`, `gs://`). */
  readonly manifest: string | Manifest;
  /** The caller's kafkajs client: connection, authentication and client id stay theirs. */
  readonly kafka: Kafka;
  /** Also frame values the Confluent way (magic byte 0 + 4-byte big-endian ID). Default false. */
  readonly confluentFraming?: boolean;
  /** How the manifest is fetched. Default: files, https and gs (with `gcsEndpoint`). */
  readonly loader?: ManifestLoader;
  /** For `gs://` manifests on an emulator. Default unset (Google Cloud Storage). */
  readonly gcsEndpoint?: string;
  /** Receives notices such as an upgrade to a newer version after `refresh()`. Default: none. */
  readonly log?: (message: string) => void;
}

/**
 * Event types per subject, filled in by `schemaflow types` (module augmentation): each subject
 * maps its version numbers, and `latest`, to the event type.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SubjectEvents {}

/**
 * The event type for a subject: its latest version's without a version (V undefined), version V's
 * for a literal V, and any version's for a version known only at run time (V `number`: the
 * validator then checks the one given; the latest's type would refuse what an older version
 * takes, and take what it refuses). Unknown for subjects without types.
 */
export type EventOf<S extends string, V extends number | undefined = undefined> = S extends keyof SubjectEvents
  ? [V] extends [undefined]
    ? SubjectEvents[S] extends { latest: infer Latest } ? Latest : unknown
    : number extends V
      ? SubjectEvents[S][Exclude<keyof SubjectEvents[S], 'latest'>]
      : V extends keyof SubjectEvents[S] ? SubjectEvents[S][V] : never
  : unknown;

export interface SendOptions<V extends number | undefined = number> {
  /** The schema version to validate against. Default: the subject's latest version when the manifest was (re)loaded. */
  readonly version?: V;
  readonly key?: string | Buffer | null;
  readonly partition?: number;
  readonly headers?: IHeaders;
}

/** A producer that validates every event against its registered schema before sending it. */
export interface SchemaProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /**
   * Serializes one event, validates that JSON (what consumers will read: no class getters or
   * inherited properties, a toJSON's result, a Date as its string) and sends those bytes to the
   * subject's topic; invalid → EventValidationError, nothing sent.
   */
  send<S extends string, V extends number | undefined = undefined>(subject: S, event: EventOf<S, V>, options?: SendOptions<V>): Promise<RecordMetadata[]>;
  /** Serializes and validates every event first, as `send` does (all violations of all events), then sends them in one batch. */
  sendBatch<S extends string, V extends number | undefined = undefined>(subject: S, events: ReadonlyArray<{ value: EventOf<S, V>; key?: string | Buffer | null; partition?: number; headers?: IHeaders }>, options?: { version?: V }): Promise<RecordMetadata[]>;
  /**
   * Sends events already written as JSON text, one text per event, as `sendBatch` sends values:
   * every text is checked first, then all are sent in one batch. Each is validated as the flow
   * will read it and sent as written, so a number a double would change (`12345678901234567891`)
   * keeps its digits. A text that is not JSON is a violation (keyword `json`), as is one holding
   * a lone UTF-16 surrogate, which UTF-8 cannot carry (it would go out as U+FFFD).
   */
  sendJson<S extends string>(subject: S, events: ReadonlyArray<{ json: string; key?: string | Buffer | null; partition?: number; headers?: IHeaders }>, options?: { version?: number }): Promise<RecordMetadata[]>;
  /**
   * Checks one JSON text as `sendJson` does, without sending it: its violations, or the event
   * ready for `sendChecked`. For callers that report each event and send the valid ones (a file
   * of lines), so no event is checked twice.
   */
  checkJson(subject: string, json: string, options?: { version?: number }): CheckedJson;
  /** Sends in one batch events `checkJson` of this producer passed for this subject, as checked. */
  sendChecked(subject: string, events: ReadonlyArray<{ checked: ValidJson; key?: string | Buffer | null; partition?: number; headers?: IHeaders }>): Promise<RecordMetadata[]>;
  /** Reloads the manifest (opt-in); later sends without a version use the new latest versions. */
  refresh(): Promise<void>;
  /** The schema a send would use. */
  schemaFor(subject: string, version?: number): RegisteredSchema;
}

/** A JSON text `checkJson` passed: the bytes to send and the schema they were validated against. */
export interface ValidJson {
  readonly ok: true;
  readonly schema: RegisteredSchema;
  readonly json: Buffer;
}

/** What `checkJson` answers: the event ready to send, or every violation (paths from the event's root). */
export type CheckedJson = ValidJson | { readonly ok: false; readonly violations: readonly Violation[] };

/** A UTF-16 surrogate without its pair: with the u flag, a pair is one code point, never Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether a value nests objects and arrays deeper than `limit`, walked without recursion. */
function deeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  // An object met again is walked again only when met deeper (shared parts of an event).
  const deepest = new Map<object, number>();
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null || (deepest.get(next.value) ?? 0) >= next.depth) continue;
    if (next.depth > limit) return true;
    deepest.set(next.value, next.depth);
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

/**
 * `createProducer({ manifest, kafka })`: validators are compiled once per schema ID; messages carry
 * the `schema-id`, `schema-subject` and `schema-version` headers; the topic is the subject.
 * The kafkajs producer is created with `allowAutoTopicCreation: false`: registration creates topics.
 */
export async function createProducer(options: ProducerOptions): Promise<SchemaProducer> {
  const loader = options.loader ?? createManifestLoader(options.gcsEndpoint ? { gcsEndpoint: options.gcsEndpoint } : {});
  let registry: SchemaRegistry = createSchemaRegistry(await loadManifest(options.manifest, loader));
  const producer: Producer = options.kafka.producer({ allowAutoTopicCreation: false });

  // What checkText passed: sendChecked sends nothing else, so no caller skips the check.
  const passed = new WeakSet<ValidJson>();
  const tooDeep = (path: string): CheckedJson => ({ ok: false, violations: [{ path, keyword: 'maxDepth', message: `nests deeper than ${MAX_EVENT_DEPTH} levels of objects and arrays` }] });

  /**
   * JSON text as consumers will read it: its depth checked on the text first (ajv recurses, so an
   * event deep enough under a recursive schema overflows the stack inside it), then the schema
   * validates its parse; the text's own bytes are what is sent.
   */
  const checkText = (schema: RegisteredSchema, text: string, path: string): CheckedJson => {
    // What the flow would quarantine as TOO_DEEP is not sent.
    if (nestsTooDeep(text)) return tooDeep(path);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { ok: false, violations: [{ path, keyword: 'json', message: `is not JSON (${messageOf(error)}): the flow would quarantine it as NOT_JSON` }] };
    }
    const violations = schema.validate(value).map((violation) => ({ ...violation, path: `${path}${violation.path}` }));
    if (violations.length > 0) return { ok: false, violations };
    const valid: ValidJson = { ok: true, schema, json: Buffer.from(text, 'utf8') };
    passed.add(valid);
    return valid;
  };

  /**
   * JSON text given by the caller (sendJson, checkJson), checked as checkText does. A lone UTF-16 surrogate
   * (an emoji cut in half by a slice) has no UTF-8 form: Buffer.from writes U+FFFD in its place,
   * so the event sent would not be the one validated. JSON.stringify escapes one (\udXXX), so
   * send's text never holds one.
   */
  const checkWritten = (schema: RegisteredSchema, text: string, path: string): CheckedJson => {
    const lone = LONE_SURROGATE.exec(text);
    if (lone) {
      const escape = `\\u${lone[0].charCodeAt(0).toString(16)}`;
      return { ok: false, violations: [{ path, keyword: 'json', message: `holds a lone UTF-16 surrogate (${escape} at character ${lone.index + 1}), which UTF-8 cannot carry: it would be sent as U+FFFD; write it as the JSON escape ${escape}, or send the value with send()` }] };
    }
    return checkText(schema, text, path);
  };

  /**
   * The event as it will go out: serialized once, and that text checked (checkText). Validating
   * the live object instead passed what JSON.stringify does not send (a class getter, an
   * inherited property, the object a toJSON replaces).
   */
  const serialize = (schema: RegisteredSchema, event: unknown, path: string): CheckedJson => {
    let text: string | undefined;
    try {
      text = JSON.stringify(event);
    } catch (error) {
      // A RangeError is also a string too long for V8: only a deep event is called deep (one deep enough overflows JSON.stringify itself).
      if (error instanceof RangeError && deeperThan(event, MAX_EVENT_DEPTH)) return tooDeep(path);
      throw error;
    }
    // JSON.stringify gives nothing at all for undefined, a function or a symbol.
    if (text === undefined) return { ok: false, violations: [{ path, keyword: 'type', message: `is ${typeof event}, not a JSON value: there is nothing to send` }] };
    return checkText(schema, text, path);
  };

  /** All events checked first (every violation of every event), then sent in one batch. */
  const sendAll = (subject: string, schema: RegisteredSchema, checked: readonly CheckedJson[], extras: ReadonlyArray<{ key?: string | Buffer | null; partition?: number; headers?: IHeaders }>): Promise<RecordMetadata[]> => {
    const violations = checked.flatMap((result) => (result.ok ? [] : result.violations));
    if (violations.length > 0) throw new EventValidationError(subject, schema.version, violations);
    return producer.send({ topic: subject, messages: checked.flatMap((result, index) => (result.ok ? [message(result, extras[index] ?? {})] : [])) });
  };

  const message = ({ schema, json }: ValidJson, extra: { key?: string | Buffer | null; partition?: number; headers?: IHeaders }): Message => ({
    value: options.confluentFraming ? frame(schema.id, json) : json,
    ...(extra.key !== undefined ? { key: extra.key } : {}),
    ...(extra.partition !== undefined ? { partition: extra.partition } : {}),
    headers: { ...extra.headers, [HEADERS.id]: String(schema.id), [HEADERS.subject]: schema.subject, [HEADERS.version]: String(schema.version) },
  });

  const api: SchemaProducer = {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    schemaFor: (subject, version) => registry.resolve(subject, version),
    async send(subject, event, sendOptions = {}) {
      const schema = registry.resolve(subject, sendOptions.version);
      const serialized = serialize(schema, event, '');
      if (!serialized.ok) throw new EventValidationError(subject, schema.version, serialized.violations);
      return producer.send({ topic: subject, messages: [message(serialized, sendOptions)] });
    },
    async sendBatch(subject, events, batchOptions = {}) {
      const schema = registry.resolve(subject, batchOptions.version);
      return sendAll(subject, schema, events.map((event, index) => serialize(schema, event.value, `/${index}`)), events);
    },
    async sendJson(subject, events, batchOptions = {}) {
      const schema = registry.resolve(subject, batchOptions.version);
      return sendAll(subject, schema, events.map((event, index) => checkWritten(schema, event.json, `/${index}`)), events);
    },
    checkJson: (subject, json, checkOptions = {}) => checkWritten(registry.resolve(subject, checkOptions.version), json, ''),
    async sendChecked(subject, events) {
      for (const [index, { checked }] of events.entries()) {
        if (!passed.has(checked)) throw new TypeError(`sendChecked: event ${index} was not passed by checkJson of this producer; nothing was sent`);
        if (checked.schema.subject !== subject) throw new TypeError(`sendChecked: event ${index} was checked against ${checked.schema.subject}, not ${subject}; nothing was sent`);
      }
      return producer.send({ topic: subject, messages: events.map(({ checked, ...extra }) => message(checked, extra)) });
    },
    /**
     * Uses the manifest loaded when its serial is not older than the one in use when it arrives:
     * the serial only grows, so an older one (a stale cache or CDN answer, or an overlapping
     * refresh that finished last) is logged and left.
     */
    async refresh() {
      const loaded = await reloadManifest(options.manifest, loader, () => registry.manifest, options.log);
      if (!loaded) return;
      const before = registry;
      registry = createSchemaRegistry(loaded, before);
      for (const subject of registry.manifest.subjects) {
        const previous = before.manifest.subjects.find((entry) => entry.subject === subject.subject)?.versions.at(-1)?.version;
        const latest = subject.versions.at(-1)?.version;
        if (previous !== undefined && latest !== undefined && latest !== previous) options.log?.(`${subject.subject}: sends without a version now use version ${latest} (was ${previous}) after the manifest refresh to serial ${registry.manifest.serial}`);
      }
    },
  };
  return api;
}
