import { createHash } from 'node:crypto';
import { decodeRecord, type RejectReason } from '../manifest/decode.js';
import type { SchemaRegistry } from '../manifest/registry.js';
import type { ManifestSubject } from '../manifest/types.js';
import { dataKey, lateKey, quarantineKey, type Range } from './layout.js';
import { routeHour } from './routing.js';
import { dataRow, quarantineRow, type KafkaRecord } from './rows.js';
import type { IntendedObject, ObjectKind } from './state.js';

/** Why a record went to `_quarantine/`: the decoder's reasons plus the flow's own. */
export type QuarantineReason = RejectReason | 'WRONG_SUBJECT';

/** Where one record goes. */
export type Routed =
  | { readonly kind: 'data' | 'late'; readonly subject: string; readonly version: number; readonly id: number; readonly value: unknown; readonly hour: Date }
  | { readonly kind: 'quarantine'; readonly subject: string; readonly reason: QuarantineReason; readonly detail: string; readonly hour: Date };

/** What routing depends on besides the record: limits and the subject's last closed hour. */
export interface RouteContext {
  readonly maxRecordBytes: number;
  /** Events of this hour or earlier go to `_late/`: a closed hour is never written again. */
  readonly closedThrough?: Date | null;
}

/**
 * Routes a record of a subject's topic: decoded and valid → its version and hour (event time,
 * else the Kafka timestamp), under `_late/` when that hour is closed; anything else →
 * quarantine, in the hour of its Kafka timestamp (the event time may be what is broken). Pure:
 * the same record, manifest and closed hour route the same way.
 */
export function routeRecord(record: KafkaRecord, registry: SchemaRegistry, subject: ManifestSubject, limits: RouteContext): Routed {
  const decoded = decodeRecord(registry, record, { maxBytes: limits.maxRecordBytes });
  const kafkaHour = (): Date => routeHour(undefined, null, Number(record.timestamp)).hour;
  if (!decoded.ok) {
    const violations = decoded.violations?.map((violation) => `${violation.path || '(the event)'} ${violation.message}`).join('; ');
    return { kind: 'quarantine', subject: subject.subject, reason: decoded.reason, detail: violations ? `${decoded.detail}: ${violations}` : decoded.detail, hour: kafkaHour() };
  }
  if (decoded.subject !== subject.subject) {
    return { kind: 'quarantine', subject: subject.subject, reason: 'WRONG_SUBJECT', detail: `schema ID ${decoded.id} is ${decoded.subject} version ${decoded.version}, but the record is on topic ${record.topic} of ${subject.subject}`, hour: kafkaHour() };
  }
  const hour = routeHour(decoded.value, subject.eventTime, Number(record.timestamp)).hour;
  const late = limits.closedThrough !== undefined && limits.closedThrough !== null && hour.getTime() <= limits.closedThrough.getTime();
  return { kind: late ? 'late' : 'data', subject: decoded.subject, version: decoded.version, id: decoded.id, value: decoded.value, hour };
}

/** An object of a sealed unit, with its uncompressed content. */
export interface BuiltObject extends IntendedObject {
  readonly content: Buffer;
  /** The schema of data and late objects. */
  readonly schema?: { readonly id: number; readonly version: number };
}

/** A flush unit: consecutive offsets of one partition and the objects they fill. */
export interface SealedUnit {
  readonly topic: string;
  readonly partition: number;
  readonly start: bigint;
  readonly end: bigint;
  readonly records: number;
  /** The largest Kafka timestamp among the records (epoch ms). */
  readonly maxTimestamp: number;
  /** Records that went to `_late/`. */
  readonly late: number;
  readonly objects: readonly BuiltObject[];
}

interface Bucket {
  readonly kind: ObjectKind;
  readonly subject: string;
  readonly hour: Date;
  readonly schema?: { id: number; version: number };
  readonly lines: string[];
  first: bigint;
  last: bigint;
}

/**
 * Collects the records of one partition from `start` on, in offset order, into one bucket per
 * (kind, subject, version, hour), and seals them into objects whose names and content are a pure
 * function of the records: a replay of the same offsets builds the same objects.
 */
export class UnitBuilder {
  readonly topic: string;
  readonly partition: number;
  readonly start: bigint;
  private readonly buckets = new Map<string, Bucket>();
  private count = 0;
  private size = 0;
  private lastOffset: bigint | undefined;
  private maxTimestamp = Number.NEGATIVE_INFINITY;
  private lateCount = 0;

  constructor(topic: string, partition: number, start: bigint) {
    this.topic = topic;
    this.partition = partition;
    this.start = start;
  }

  /** Records added so far. */
  get records(): number {
    return this.count;
  }

  /** Uncompressed bytes buffered so far (what a flush threshold compares). */
  get bytes(): number {
    return this.size;
  }

  /** The offset of the last record added, if any. */
  get last(): bigint | undefined {
    return this.lastOffset;
  }

  add(record: KafkaRecord, routed: Routed): void {
    const offset = BigInt(record.offset);
    if (offset < this.start || (this.lastOffset !== undefined && offset <= this.lastOffset)) throw new RangeError(`offset ${offset} of ${this.topic}/${this.partition} is out of order (unit starts at ${this.start}, last added ${String(this.lastOffset)})`);
    const id = routed.kind === 'quarantine' ? `q|${routed.hour.getTime()}` : `${routed.kind}|${routed.version}|${routed.hour.getTime()}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = { kind: routed.kind, subject: routed.subject, hour: routed.hour, ...(routed.kind !== 'quarantine' ? { schema: { id: routed.id, version: routed.version } } : {}), lines: [], first: offset, last: offset };
      this.buckets.set(id, bucket);
    }
    const line = routed.kind === 'quarantine' ? quarantineRow(record, routed.reason, routed.detail) : dataRow(record, routed.value, { id: routed.id, version: routed.version });
    const timestamp = Number(record.timestamp);
    if (Number.isFinite(timestamp) && timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    if (routed.kind === 'late') this.lateCount += 1;
    bucket.lines.push(line);
    bucket.last = offset;
    this.size += line.length + 1;
    this.count += 1;
    this.lastOffset = offset;
  }

  /** The unit `[start, end]` (end defaults to the last record added); undefined when it holds no record. */
  seal(end: bigint | undefined = this.lastOffset): SealedUnit | undefined {
    if (end === undefined || this.lastOffset === undefined) return undefined;
    const objects = [...this.buckets.values()].map((bucket): BuiltObject => {
      const range: Range = { topic: this.topic, partition: this.partition, first: bucket.first, last: bucket.last };
      const content = Buffer.from(`${bucket.lines.join('\n')}\n`, 'utf8');
      return {
        key: !bucket.schema ? quarantineKey(bucket.subject, bucket.hour, range) : bucket.kind === 'late' ? lateKey(bucket.subject, bucket.schema.version, bucket.hour, range) : dataKey(bucket.subject, bucket.schema.version, bucket.hour, range),
        kind: bucket.kind,
        count: bucket.lines.length,
        first: bucket.first.toString(),
        last: bucket.last.toString(),
        sha256: createHash('sha256').update(content).digest('hex'),
        content,
        ...(bucket.schema ? { schema: bucket.schema } : {}),
      };
    });
    objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { topic: this.topic, partition: this.partition, start: this.start, end, records: this.count, maxTimestamp: this.maxTimestamp, late: this.lateCount, objects };
  }
}
