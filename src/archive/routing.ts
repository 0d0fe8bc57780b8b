import { fromPointer } from '../domain/finding.js';
import { hourOf } from './layout.js';

/** Where a subject's events carry their own time (subject.yaml `eventTime`). */
export interface EventTimeSpec {
  readonly field: string;
  readonly format: 'rfc3339' | 'epoch-millis';
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Parsed `eventTime.field` pointers: the flow looks one up for every record. */
const pointerTokens = new Map<string, readonly string[]>();

function tokensOf(pointer: string): readonly string[] {
  let tokens = pointerTokens.get(pointer);
  if (!tokens) {
    tokens = fromPointer(pointer) ?? [];
    pointerTokens.set(pointer, tokens);
  }
  return tokens;
}

/** The event time a record states, or undefined when it states none usable. */
export function eventTimeOf(value: unknown, spec: EventTimeSpec | null | undefined): Date | undefined {
  if (!spec) return undefined;
  let current: unknown = value;
  for (const token of tokensOf(spec.field)) {
    current = typeof current === 'object' && current !== null && !Array.isArray(current) && Object.prototype.hasOwnProperty.call(current, token) ? (current as Record<string, unknown>)[token] : undefined;
  }
  if (spec.format === 'rfc3339') {
    if (typeof current !== 'string' || !RFC3339.test(current)) return undefined;
    const time = Date.parse(current);
    return Number.isFinite(time) ? new Date(time) : undefined;
  }
  if (typeof current !== 'number' || !Number.isInteger(current)) return undefined;
  const time = new Date(current);
  return Number.isFinite(time.getTime()) ? time : undefined;
}

/**
 * The UTC hour a record belongs to: its event time when the subject names one and the record
 * carries it, else its Kafka timestamp. Never the wall clock, so a replay routes identically.
 */
export function routeHour(value: unknown, spec: EventTimeSpec | null | undefined, kafkaTimestampMs: number): { hour: Date; source: 'event' | 'kafka' } {
  const event = eventTimeOf(value, spec);
  return event ? { hour: hourOf(event), source: 'event' } : { hour: hourOf(new Date(kafkaTimestampMs)), source: 'kafka' };
}
