import { isSchemaObject } from '../catalog/schema-walk.js';
import { resolveRefs, type Schema } from '../discovery/fields.js';
import { exampleEvent } from '../discovery/snippets.js';
import { fromPointer } from '../domain/finding.js';
import type { ManifestSubject } from '../manifest/types.js';

/**
 * Sample events for the demo: varied, readable values built from a subject's bundled schema
 * (its root `examples` first, when it has any), each stating an event time in the last few hours
 * so the lake shows several hours and closes the older ones. The caller validates every sample
 * with the registered schema and keeps only the valid ones: this builder aims, ajv decides.
 */

const HOUR = 3_600_000;

/** Strings tried for a `pattern`; the first it accepts is used. */
const PATTERN_CANDIDATES = ['en-GB', 'en', 'de-DE', 'fr', 'EUR', 'USD', 'GBP', 'abc', 'ABC', 'a1', '123', 'x-1', '2024-05-01'];

/** The time of sample `index`: spread over the `hours` hours before `now`, a few seconds apart. */
export function sampleTime(now: Date, index: number, hours = 4): Date {
  return new Date(now.getTime() - (index % hours) * HOUR - 15 * 60_000 - index * 7_000);
}

function uuidOf(index: number): string {
  const hex = (index + 1).toString(16).padStart(12, '0').slice(-12);
  return `2f1c7a4e-5b3d-4c8e-9a6f-${hex}`;
}

function sampleString(schema: Schema, name: string, index: number, at: Date): string {
  switch (schema.format) {
    case 'date-time':
      return at.toISOString();
    case 'date':
      return at.toISOString().slice(0, 10);
    case 'time':
      return at.toISOString().slice(11, 19) + 'Z';
    case 'uuid':
      return uuidOf(index);
    case 'email':
    case 'idn-email':
      return `user${index + 1}@example.com`;
    case 'uri':
    case 'iri':
      return `https://example.com/${name}/${index + 1}`;
    case 'hostname':
      return `host${index + 1}.example.com`;
    case 'ipv4':
      return `192.0.2.${(index % 250) + 1}`;
    default:
  }
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : 64;
  if (typeof schema.pattern === 'string') {
    try {
      const pattern = new RegExp(schema.pattern, 'u');
      const found = [...PATTERN_CANDIDATES.slice(index % PATTERN_CANDIDATES.length), ...PATTERN_CANDIDATES].find((candidate) => pattern.test(candidate));
      if (found !== undefined) return found;
    } catch {
      // Not a u-mode pattern: registration reports it; the generic value below may still pass.
    }
  }
  const text = `${name || 'value'}-${index + 1}`;
  return text.padEnd(minLength, 'x').slice(0, Math.max(minLength, maxLength));
}

function sampleNumber(schema: Schema, index: number, integer: boolean): number {
  const low = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 0;
  const high = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : low + 5_000;
  const span = Math.max(1, Math.floor(high - low) + 1);
  const value = low + ((index * 37 + 11) % span);
  const step = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? schema.multipleOf : undefined;
  const stepped = step ? Math.ceil(value / step) * step : value;
  return integer ? Math.ceil(stepped) : stepped;
}

/** One sample value of `node` (a subschema of `root`). */
function sampleValue(root: unknown, node: unknown, name: string, index: number, at: Date, seen: ReadonlySet<string>, depth: number): unknown {
  const { schema, seen: next, cyclic } = resolveRefs(root, node, seen);
  if (cyclic || depth > 8) return undefined;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[(index + depth) % schema.enum.length] as unknown;
  const branches = [schema.oneOf, schema.anyOf].flatMap((list) => (Array.isArray(list) ? (list as unknown[]) : []));
  const declared = [schema.type].flat().filter((type): type is string => typeof type === 'string' && type !== 'null');
  if (declared.length === 0 && branches.length > 0) return sampleValue(root, branches[index % branches.length], name, index, at, next, depth + 1);
  const type = declared[0] ?? (isSchemaObject(schema.properties) ? 'object' : 'string');
  switch (type) {
    case 'object': {
      const object: Record<string, unknown> = {};
      const required = new Set(Array.isArray(schema.required) ? schema.required.filter((entry): entry is string => typeof entry === 'string') : []);
      const properties = isSchemaObject(schema.properties) ? schema.properties : {};
      Object.keys(properties).forEach((property, position) => {
        // Optional properties in about two of three events, so the lake shows both.
        if (!required.has(property) && (index + position) % 3 === 2) return;
        const value = sampleValue(root, properties[property], property, index, at, next, depth + 1);
        // defineProperty: a property named __proto__ must become a key, not a prototype.
        if (value !== undefined) Object.defineProperty(object, property, { value, enumerable: true, writable: true, configurable: true });
      });
      return object;
    }
    case 'array': {
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const count = Math.max(minItems, 1 + (index % 2));
      return Array.from({ length: Math.min(count, 5) }, (_, item) => sampleValue(root, schema.items ?? {}, name, index + item, at, next, depth + 1));
    }
    case 'integer':
    case 'number':
      return sampleNumber(schema, index, type === 'integer');
    case 'boolean':
      return index % 2 === 0;
    default:
      return sampleString(schema, name, index, at);
  }
}

/** Writes the event time the subject routes by (subject.yaml `eventTime`) into an event. */
function withEventTime(event: unknown, eventTime: ManifestSubject['eventTime'], at: Date): unknown {
  const tokens = eventTime ? fromPointer(eventTime.field) : undefined;
  if (!eventTime || !tokens || tokens.length === 0 || !isSchemaObject(event)) return event;
  const copy: Record<string, unknown> = structuredClone(event);
  let node = copy;
  for (const token of tokens.slice(0, -1)) {
    const child = node[token];
    if (!isSchemaObject(child)) return event;
    node = child;
  }
  node[tokens.at(-1) ?? ''] = eventTime.format === 'epoch-millis' ? at.getTime() : at.toISOString();
  return copy;
}

/**
 * Candidates for sample `index` of a subject's version, best first: the schema's own `examples`,
 * a generated varied event, and the minimal example the discovery snippets show; each carries
 * the sample's event time.
 */
export function sampleCandidates(subject: ManifestSubject, schema: unknown, index: number, now: Date): unknown[] {
  const at = sampleTime(now, index);
  const examples = isSchemaObject(schema) && Array.isArray(schema.examples) ? (schema.examples as unknown[]) : [];
  return [
    ...(examples.length > 0 ? [examples[index % examples.length]] : []),
    sampleValue(schema, schema, '', index, at, new Set(), 0),
    exampleEvent(schema),
  ].map((event) => withEventTime(event, subject.eventTime, at));
}
