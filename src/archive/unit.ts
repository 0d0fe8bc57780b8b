import { createHash } from 'node:crypto';
import { createGzip, type Gzip } from 'node:zlib';
import { decodeRecordText, type RejectReason } from '../manifest/decode.js';
import type { SchemaRegistry } from '../manifest/registry.js';
import type { ManifestSubject } from '../manifest/types.js';
import { dataKey, lateKey, quarantineKey, type Range } from './layout.js';
import { kafkaTimeMs, routeHour } from './routing.js';
import { dataRow, quarantineRow, type KafkaRecord } from './rows.js';
import type { IntendedObject, ObjectKind, RecordMark } from './state.js';

/** Why a record went to `_quarantine/`: the decoder's reasons plus the flow's own. */
export type QuarantineReason = RejectReason | 'WRONG_SUBJECT';

/** Where one record goes. */
export type Routed =
  | { readonly kind: 'data' | 'late'; readonly subject: string; readonly version: number; readonly id: number; readonly value: unknown; readonly text?: string; readonly hour: Date }
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
  const decoded = decodeRecordText(registry, record, { maxBytes: limits.maxRecordBytes });
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
  return { kind: late ? 'late' : 'data', subject: decoded.subject, version: decoded.version, id: decoded.id, value: decoded.value, text: decoded.text, hour };
}

/** An object of a sealed unit: its gzip bytes, and the size and hash of its uncompressed content. */
export interface BuiltObject extends IntendedObject {
  readonly compressed: Buffer;
  /** Uncompressed bytes. */
  readonly size: number;
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
  /** The Kafka timestamp of its last record that has one (epoch ms): how far in time the partition is archived. */
  readonly lastTimestamp: number;
  /** Records that went to `_late/`. */
  readonly late: number;
  /** Records that went to `_quarantine/`, by reason. */
  readonly quarantined: Readonly<Partial<Record<QuarantineReason, number>>>;
  readonly objects: readonly BuiltObject[];
  /** Its last record (absent for a unit committed from an intent that did not record it). */
  readonly lastRecord?: RecordMark;
}

/**
 * Rows are handed to the compressor in chunks of about this many characters. A unit has an
 * object open for every hour and version its records fall in (dozens, for a day of events),
 * each holding its pending rows as strings (several times their length in heap): 16 KiB chunks
 * held tens of MB less heap at 1M events than 64 KiB ones, at the same speed (npm run bench:flow).
 */
const CHUNK_CHARS = 16 * 1024;
/**
 * What an open gzip stream holds whatever its input: zlib's deflate state at the default
 * windowBits 15 and memLevel 8 is (1 << 17) + (1 << 17) bytes, plus node's 16 KiB output chunk.
 */
const COMPRESSOR_BYTES = 300 * 1024;

/**
 * One object being filled: rows are compressed as they arrive (zlib on the libuv threadpool,
 * so gzip runs beside the main thread) and hashed over the same uncompressed chunks, so a unit
 * holds its objects' gzip bytes, not their rows.
 */
class Bucket {
  readonly kind: ObjectKind;
  readonly subject: string;
  readonly hour: Date;
  readonly schema: { id: number; version: number } | undefined;
  readonly first: bigint;
  last: bigint;
  count = 0;
  size = 0;
  private lines: string[] = [];
  private chars = 0;
  private readonly hash = createHash('sha256');
  private readonly gzip: Gzip = createGzip({ level: 6 });
  private readonly output: Buffer[] = [];
  private outputBytes = 0;
  private failure: Error | undefined;

  constructor(routed: Routed, offset: bigint) {
    this.kind = routed.kind;
    this.subject = routed.subject;
    this.hour = routed.hour;
    this.schema = routed.kind === 'quarantine' ? undefined : { id: routed.id, version: routed.version };
    this.first = offset;
    this.last = offset;
    this.gzip.on('data', (chunk: Buffer) => {
      this.output.push(chunk);
      this.outputBytes += chunk.length;
    });
    this.gzip.on('error', (error) => (this.failure ??= error));
  }

  /** Bytes this object holds in memory now: pending rows, rows queued for zlib, gzip output, the compressor. */
  get memory(): number {
    return this.chars + this.gzip.writableLength + this.outputBytes + COMPRESSOR_BYTES;
  }

  add(line: string, offset: bigint): void {
    this.lines.push(line);
    this.chars += line.length + 1;
    this.count += 1;
    this.last = offset;
    if (this.chars >= CHUNK_CHARS) this.drain();
  }

  private drain(): void {
    if (this.lines.length === 0) return;
    this.lines.push('');
    const chunk = Buffer.from(this.lines.join('\n'), 'utf8');
    this.lines = [];
    this.chars = 0;
    this.size += chunk.length;
    this.hash.update(chunk);
    this.gzip.write(chunk);
  }

  /** Rows written to zlib and not compressed yet. */
  get queued(): number {
    return this.gzip.writableLength;
  }

  /** Resolves once zlib has taken every row written so far (backpressure: the reader waits for the compressor). */
  async settle(): Promise<void> {
    // 'drain' comes only after a write that found the buffer over its high-water mark.
    if (!this.gzip.writableNeedDrain || this.failure) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.gzip.off('drain', done);
        this.gzip.off('error', done);
        resolve();
      };
      this.gzip.once('drain', done);
      this.gzip.once('error', done);
    });
  }

  /** Ends the stream: the object's gzip bytes and the SHA-256 of its uncompressed content. */
  async finish(): Promise<{ compressed: Buffer; sha256: string; size: number }> {
    this.drain();
    await new Promise<void>((resolve, reject) => {
      this.gzip.once('end', resolve);
      this.gzip.once('error', reject);
      this.gzip.end();
    });
    if (this.failure) throw this.failure;
    return { compressed: Buffer.concat(this.output, this.outputBytes), sha256: this.hash.digest('hex'), size: this.size };
  }

  /** Frees the compressor of a unit that will not be sealed. */
  discard(): void {
    this.gzip.destroy();
  }
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
  private lastTimestamp = Number.NEGATIVE_INFINITY;
  /** The Kafka timestamp and value size of the last record added (its mark, without an object per record). */
  private lastKafkaTimestamp = '';
  private lastBytes: number | null = null;
  private lateCount = 0;
  private readonly quarantinedBy: Partial<Record<QuarantineReason, number>> = {};
  private recent: Bucket | undefined;

  constructor(topic: string, partition: number, start: bigint) {
    this.topic = topic;
    this.partition = partition;
    this.start = start;
  }

  /** Records added so far. */
  get records(): number {
    return this.count;
  }

  /** Objects the unit fills (one per kind, version and hour of its records), each with a compressor. */
  get objects(): number {
    return this.buckets.size;
  }

  /** Uncompressed row bytes added so far (what the flush threshold compares: it sizes the objects). */
  get bytes(): number {
    return this.size;
  }

  /** Bytes the unit holds in memory now (what the run's memory budget adds up). */
  get memory(): number {
    let total = 0;
    for (const bucket of this.buckets.values()) total += bucket.memory;
    return total;
  }

  /** Rows handed to zlib that it has not compressed yet (see `settle`). */
  get queued(): number {
    let total = 0;
    for (const bucket of this.buckets.values()) total += bucket.queued;
    return total;
  }

  /** Waits until zlib has compressed what was handed to it, so rows never pile up faster than it compresses. */
  async settle(): Promise<void> {
    await Promise.all([...this.buckets.values()].map((bucket) => bucket.settle()));
  }

  /** The offset of the last record added, if any. */
  get last(): bigint | undefined {
    return this.lastOffset;
  }

  add(record: KafkaRecord, routed: Routed): void {
    const offset = BigInt(record.offset);
    if (offset < this.start || (this.lastOffset !== undefined && offset <= this.lastOffset)) throw new RangeError(`offset ${offset} of ${this.topic}/${this.partition} is out of order (unit starts at ${this.start}, last added ${String(this.lastOffset)})`);
    const bucket = this.bucketFor(routed, offset);
    const line = routed.kind === 'quarantine' ? quarantineRow(record, routed.reason, routed.detail) : dataRow(record, routed.value, { id: routed.id, version: routed.version }, routed.text);
    // Kafka's "no timestamp" (-1), or none at all, says nothing of how far the partition is.
    const timestamp = Number(record.timestamp);
    if (timestamp >= 0) this.lastTimestamp = kafkaTimeMs(timestamp);
    if (routed.kind === 'late') this.lateCount += 1;
    else if (routed.kind === 'quarantine') this.quarantinedBy[routed.reason] = (this.quarantinedBy[routed.reason] ?? 0) + 1;
    bucket.add(line, offset);
    this.size += line.length + 1;
    this.count += 1;
    this.lastOffset = offset;
    this.lastKafkaTimestamp = record.timestamp;
    this.lastBytes = record.value === null ? null : record.value.length;
  }

  /** The bucket of a record's kind, version and hour; consecutive records mostly share one. */
  private bucketFor(routed: Routed, offset: bigint): Bucket {
    const recent = this.recent;
    const version = routed.kind === 'quarantine' ? 0 : routed.version;
    if (recent && recent.kind === routed.kind && (recent.schema?.version ?? 0) === version && recent.hour.getTime() === routed.hour.getTime()) return recent;
    const id = `${routed.kind}|${version}|${routed.hour.getTime()}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = new Bucket(routed, offset);
      this.buckets.set(id, bucket);
    }
    this.recent = bucket;
    return bucket;
  }

  /** The unit `[start, end]` (end defaults to the last record added); undefined when it holds no record. */
  async seal(end: bigint | undefined = this.lastOffset): Promise<SealedUnit | undefined> {
    if (end === undefined || this.lastOffset === undefined) return undefined;
    const objects = await Promise.all(
      [...this.buckets.values()].map(async (bucket): Promise<BuiltObject> => {
        const range: Range = { topic: this.topic, partition: this.partition, first: bucket.first, last: bucket.last };
        const { compressed, sha256, size } = await bucket.finish();
        return {
          key: !bucket.schema ? quarantineKey(bucket.subject, bucket.hour, range) : bucket.kind === 'late' ? lateKey(bucket.subject, bucket.schema.version, bucket.hour, range) : dataKey(bucket.subject, bucket.schema.version, bucket.hour, range),
          kind: bucket.kind,
          count: bucket.count,
          first: bucket.first.toString(),
          last: bucket.last.toString(),
          sha256,
          compressed,
          size,
          ...(bucket.schema ? { schema: bucket.schema } : {}),
        };
      }),
    );
    this.buckets.clear();
    this.recent = undefined;
    objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const lastRecord: RecordMark = { offset: this.lastOffset.toString(), timestamp: this.lastKafkaTimestamp, bytes: this.lastBytes };
    return { topic: this.topic, partition: this.partition, start: this.start, end, records: this.count, lastTimestamp: this.lastTimestamp, late: this.lateCount, quarantined: { ...this.quarantinedBy }, objects, lastRecord };
  }

  /** Frees what an unsealed unit holds (its partition stopped, or the run ends without it). */
  discard(): void {
    for (const bucket of this.buckets.values()) bucket.discard();
    this.buckets.clear();
    this.recent = undefined;
  }
}
