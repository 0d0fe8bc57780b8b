import { fromPointer } from '../domain/finding.js';
import { rfc3339Ms } from '../domain/instant.js';
import { hourOf } from './layout.js';

/** Where a subject's events carry their own time (subject.yaml `eventTime`). */
export interface EventTimeSpec {
  readonly field: string;
  readonly format: 'rfc3339' | 'epoch-millis';
}

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

/**
 * The instants the lake's layout can name: `dt=YYYY-MM-DD` has four-digit years from the epoch
 * on, 1970-01-01T00:00Z through 9999-12-31T23:59:59.999Z (a JavaScript Date reaches further
 * either way, and beyond ±8.64e15 ms names no instant at all).
 */
const LAKE_TIME_MIN = 0;
const LAKE_TIME_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const inLakeTime = (ms: number): boolean => ms >= LAKE_TIME_MIN && ms <= LAKE_TIME_MAX;

/** The event time a record states, or undefined when it states none usable (in the lake's range). */
export function eventTimeOf(value: unknown, spec: EventTimeSpec | null | undefined): Date | undefined {
  if (!spec) return undefined;
  let current: unknown = value;
  for (const token of tokensOf(spec.field)) {
    current = typeof current === 'object' && current !== null && !Array.isArray(current) && Object.prototype.hasOwnProperty.call(current, token) ? (current as Record<string, unknown>)[token] : undefined;
  }
  if (spec.format === 'rfc3339') {
    if (typeof current !== 'string') return undefined;
    const time = rfc3339Ms(current);
    return time !== undefined && inLakeTime(time) ? new Date(time) : undefined;
  }
  return typeof current === 'number' && Number.isInteger(current) && inLakeTime(current) ? new Date(current) : undefined;
}

/**
 * The instant a Kafka timestamp places a record at: a producer may set any 64-bit value, so one
 * before the epoch (-1 is Kafka's "no timestamp") places it at the epoch's first hour, one
 * beyond year 9999 at that year's last, and one that is no number at all at the epoch: a hostile
 * timestamp files its record in a real hour instead of stopping the partition.
 */
export function kafkaTime(timestampMs: number): Date {
  return new Date(kafkaTimeMs(timestampMs));
}

/** `kafkaTime` as epoch milliseconds, for the flow's per-record bookkeeping. */
export function kafkaTimeMs(timestampMs: number): number {
  return Number.isNaN(timestampMs) ? LAKE_TIME_MIN : Math.min(Math.max(timestampMs, LAKE_TIME_MIN), LAKE_TIME_MAX);
}

/**
 * The UTC hour a record belongs to: its event time when the subject names one and the record
 * carries it (within the lake's range), else its Kafka timestamp (`kafkaTime`). Never the wall clock, so a replay routes identically.
 */
export function routeHour(value: unknown, spec: EventTimeSpec | null | undefined, kafkaTimestampMs: number): { hour: Date; source: 'event' | 'kafka' } {
  const event = eventTimeOf(value, spec);
  return event ? { hour: hourOf(event), source: 'event' } : { hour: hourOf(kafkaTime(kafkaTimestampMs)), source: 'kafka' };
}
