import { isSchemaObject } from '../catalog/schema-walk.js';
import { FORMAT_SAMPLES } from '../compat/generate.js';
import { decodeFileUrl } from '../domain/file-url.js';
import { resolveRefs, type Schema } from './fields.js';

/**
 * The text a consumer or producer pastes: a DuckDB query over a subject's history in the lake
 * (DESIGN.md §6 layout, README "Reading the lake") and a producer call with the SDK.
 */

/** SQL string literal: single quotes doubled, so a lake URL cannot end the string. */
const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * Where DuckDB finds the lake root: a `file://` lake as the path it names (`file://./lake` →
 * `lake`, relative to the directory DuckDB runs in), a `gs://` lake as it is.
 */
export function duckdbRoot(lakeUrl: string): string {
  const root = lakeUrl.replace(/\/+$/, '');
  const file = decodeFileUrl(root);
  if (!file?.ok) return root;
  const path = file.path.replace(/^\.\/+/, '');
  return path === '' || path === '.' ? '.' : path;
}

/**
 * DuckDB's read of the lake objects a glob matches, Hive-partitioned with the path's types
 * pinned: left to DuckDB, `hr` is text when a glob matches an hour 00–09 and a number otherwise,
 * so `hr < 10` would fail on one day and not the next. Pinned, `v` and `hr` are integers (`hr =
 * 5` and `hr = '05'` both match) and `dt` a date, whatever the glob matches. `union_by_name`:
 * versions add fields.
 */
export function duckdbLakeRead(glob: string): string {
  return `read_json(${sqlString(glob)}, format = 'newline_delimited', hive_partitioning = true, hive_types = {'v': INTEGER, 'dt': DATE, 'hr': INTEGER}, union_by_name = true)`;
}

/**
 * A ready-to-paste DuckDB query of a subject's whole history: every archived event with its
 * schema version, partition, offset and hour (`duckdbLakeRead`). A `gs://` lake needs DuckDB's
 * httpfs extension and a GCS secret (an HMAC key: DuckDB reads GCS through its S3 API).
 */
export function duckdbQuery(subject: string, lakeUrl: string, lakePath: string): string {
  const root = duckdbRoot(lakeUrl);
  const glob = `${root}/${lakePath.replace(/^\/+/, '').replace(/\/*$/, '/')}**/*.jsonl.gz`;
  const remote = root.startsWith('gs://');
  return [
    ...(remote
      ? [
          'INSTALL httpfs;',
          'LOAD httpfs;',
          '-- An HMAC key of a service account that may read the bucket (roles/storage.objectViewer):',
          "CREATE SECRET (TYPE gcs, KEY_ID 'YOUR_HMAC_ACCESS_ID', SECRET 'YOUR_HMAC_SECRET');",
        ]
      : root.startsWith('/')
        ? []
        : [`-- ${sqlString(root)} is relative: run DuckDB in the directory the lake URL is relative to.`]),
    `-- The history of ${subject}; add WHERE dt >= '2026-01-01' to read recent days only. Late events: _late/${subject}/.`,
    // Offsets are decimal strings in the rows (Kafka's 64-bit offsets): cast to sort them as numbers.
    'SELECT value.*, _schema.version AS schema_version, _kafka.partition AS kafka_partition, CAST(_kafka.offset AS BIGINT) AS kafka_offset, dt, hr',
    `FROM ${duckdbLakeRead(glob)}`,
    'ORDER BY dt, hr, kafka_partition, kafka_offset;',
  ].join('\n');
}

/** Strings tried for a `pattern`, the first it accepts is used. */
const PATTERN_CANDIDATES = ['a', 'A', 'ABC', 'abc', 'en', 'en-GB', '0', '123', 'a1', 'x-1', 'ada@example.com', '2024-05-01'];

function exampleString(schema: Schema): string {
  const format = typeof schema.format === 'string' ? FORMAT_SAMPLES[schema.format] : undefined;
  if (format !== undefined) return format;
  const minLength = typeof schema.minLength === 'number' ? Math.min(schema.minLength, 64) : 0;
  if (typeof schema.pattern === 'string') {
    try {
      const pattern = new RegExp(schema.pattern, 'u');
      const found = PATTERN_CANDIDATES.find((candidate) => candidate.length >= minLength && pattern.test(candidate));
      if (found !== undefined) return found;
    } catch {
      // Not a valid u-mode pattern: registration reports it; the example stays generic.
    }
  }
  return 'text'.padEnd(minLength, 'x');
}

function exampleNumber(schema: Schema, integer: boolean): number {
  const minimum = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + (integer ? 1 : 0.5) : 0;
  const value = integer ? Math.ceil(minimum) : minimum;
  return typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? Math.ceil(value / schema.multipleOf) * schema.multipleOf : value;
}

/**
 * Values one example may hold. The example is a tree: a valid schema of a few KB whose required
 * properties each use the next definition three times builds 3^N values (43 million at the
 * depth bound), and show and every site page print it.
 */
const MAX_EXAMPLE_VALUES = 10_000;

/** An example event, and whether it was cut short at MAX_EXAMPLE_VALUES (required fields left out). */
export interface ExampleEvent {
  readonly event: unknown;
  readonly cut: boolean;
}

/**
 * An example event for a bundled schema: its required properties (at any depth) with values of
 * their type, enum or const, format and simple bounds. A starting point to edit, not a promise:
 * the SDK validates what is really sent. At most MAX_EXAMPLE_VALUES values: past them, required
 * properties and array items are left out and `cut` says so.
 */
export function buildExampleEvent(root: unknown): ExampleEvent {
  let values = 0;
  let cut = false;
  /** Whether one more value fits; once one does not, the example is cut. */
  const room = (): boolean => {
    if (values < MAX_EXAMPLE_VALUES) return true;
    cut = true;
    return false;
  };
  const build = (node: unknown, seen: ReadonlySet<string>, depth: number): unknown => {
    values += 1;
    const { schema, seen: next, cyclic } = resolveRefs(root, node, seen);
    if (cyclic || depth > 16) return {};
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] as unknown;
    const branches: unknown[] = [schema.oneOf, schema.anyOf].flatMap((list) => (Array.isArray(list) ? (list as unknown[]) : []));
    const declared = [schema.type].flat().filter((type): type is string => typeof type === 'string' && type !== 'null');
    if (declared.length === 0 && branches.length > 0) return build(branches[0], next, depth + 1);
    const type = declared[0] ?? (isSchemaObject(schema.properties) ? 'object' : 'items' in schema ? 'array' : 'string');
    switch (type) {
      case 'object': {
        const object: Record<string, unknown> = {};
        const required = new Set<string>();
        for (const part of [schema, ...(Array.isArray(schema.allOf) ? schema.allOf : []).map((entry: unknown) => resolveRefs(root, entry, next).schema)]) {
          if (Array.isArray(part.required)) for (const name of part.required) if (typeof name === 'string') required.add(name);
        }
        const properties: Record<string, unknown> = {};
        for (const part of [schema, ...(Array.isArray(schema.allOf) ? schema.allOf : []).map((entry: unknown) => resolveRefs(root, entry, next).schema)]) {
          if (isSchemaObject(part.properties)) Object.assign(properties, part.properties);
        }
        for (const name of required) {
          if (!room()) break;
          // defineProperty: a property named __proto__ must become a key, not a prototype.
          Object.defineProperty(object, name, { value: build(properties[name] ?? {}, next, depth + 1), enumerable: true, writable: true, configurable: true });
        }
        return object;
      }
      case 'array': {
        const minItems = typeof schema.minItems === 'number' ? Math.min(schema.minItems, 3) : 0;
        const items: unknown[] = [];
        while (items.length < minItems && room()) items.push(build(schema.items ?? {}, next, depth + 1));
        return items;
      }
      case 'integer':
      case 'number':
        return exampleNumber(schema, type === 'integer');
      case 'boolean':
        return true;
      default:
        return exampleString(schema);
    }
  };
  const event = build(root, new Set(), 0);
  return { event, cut };
}

/** The example event of `buildExampleEvent`, without saying whether it was cut. */
export function exampleEvent(root: unknown): unknown {
  return buildExampleEvent(root).event;
}

/** JavaScript source for a value: JSON, indented, with identifier keys unquoted. */
function jsLiteral(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2)
    .split('\n')
    .map((line, index) => (index === 0 ? line : `${indent}${line}`))
    .join('\n')
    .replace(/^(\s*)"([A-Za-z_$][A-Za-z0-9_$]*)":/gm, '$1$2:');
}

/**
 * A producer call with the SDK (README "Producing events"): the manifest from the configured
 * location, an example event of the given version, sent with that version pinned.
 */
export function producerSnippet(input: { subject: string; version: number; schema: unknown; manifestLocation: string }): string {
  const example = buildExampleEvent(input.schema);
  return [
    "import { Kafka } from 'kafkajs';",
    "import { createProducer } from 'schemaflow';",
    '',
    "const kafka = new Kafka({ brokers: ['127.0.0.1:19092'] }); // your brokers and auth",
    `const producer = await createProducer({ manifest: ${JSON.stringify(input.manifestLocation)}, kafka });`,
    'await producer.connect();',
    ...(example.cut ? [`// The example is cut short at ${MAX_EXAMPLE_VALUES.toLocaleString('en-US')} values: the schema's required fields nest too widely. Fill in the required fields left out, or the SDK refuses the event.`] : []),
    `await producer.send(${JSON.stringify(input.subject)}, ${jsLiteral(example.event, '')}, { version: ${input.version} });`,
    'await producer.disconnect();',
  ].join('\n');
}

/**
 * The manifest location as the SDK takes it: `<manifestUrl>/latest.json`, a `file://` location
 * as a plain path (`file://./.schemaflow/manifests` → `./.schemaflow/manifests/latest.json`).
 */
export function manifestLocation(manifestUrl: string): string {
  const latest = `${manifestUrl.replace(/\/+$/, '')}/latest.json`;
  const file = decodeFileUrl(latest);
  if (!file?.ok) return latest;
  const path = file.path;
  return path.startsWith('/') || path.startsWith('./') || path.startsWith('../') ? path : `./${path}`;
}
