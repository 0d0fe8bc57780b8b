import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { gapKey, parseGapName } from '../archive/layout.js';
import type { IntendedObject } from '../archive/state.js';
import type { BuiltObject, SealedUnit } from '../archive/unit.js';
import { SchemaflowError } from '../domain/errors.js';
import type { ObjectStore } from '../ports.js';

/** The lake layout version written in every object's metadata; `lake audit` refuses objects of another. */
export const LAKE_FORMAT = '1';

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const isPreconditionFailure = (error: unknown): boolean => error instanceof SchemaflowError && error.code === 'PRECONDITION_FAILED';

/** The SHA-256 of an object's uncompressed content, or undefined when there is no such object. */
export async function contentHashOf(lake: ObjectStore, key: string): Promise<string | undefined> {
  const existing = await lake.get(key);
  if (!existing) return undefined;
  if (!key.endsWith('.gz')) return sha256(existing.bytes);
  try {
    return sha256(gunzipSync(existing.bytes));
  } catch {
    return 'not-gzip';
  }
}

/**
 * Publishes one object create-only (GCS ifGenerationMatch 0). When the name exists — a previous
 * attempt, or a retried request whose answer was lost — the existing content must hash the same:
 * then it is already published. Different content is never overwritten: the partition stops.
 */
export async function publishObject(lake: ObjectStore, object: IntendedObject, bytes: Uint8Array, metadata: Record<string, string>): Promise<'created' | 'existed'> {
  try {
    await lake.create(object.key, bytes, { contentType: object.key.endsWith('.gz') ? 'application/gzip' : 'application/json', metadata });
    return 'created';
  } catch (error) {
    if (!isPreconditionFailure(error)) throw error;
    const found = await contentHashOf(lake, object.key);
    if (found === object.sha256) return 'existed';
    throw new SchemaflowError('OBJECT_CONFLICT', `${lake.location}/${object.key} already exists with different content (SHA-256 ${String(found)}, expected ${object.sha256}). It was not overwritten; the partition stops. Compare both versions and tell the maintainers: replays must be byte-identical.`);
  }
}

/** Object metadata (flow.md §3.3): offsets, count, content hash, schema, run, and the unit it belongs to. */
export function metadataOf(object: BuiltObject, unit: SealedUnit, runId: string): Record<string, string> {
  return {
    'lake-format': LAKE_FORMAT,
    kind: object.kind,
    topic: unit.topic,
    partition: String(unit.partition),
    first: object.first,
    last: object.last,
    count: String(object.count),
    sha256: object.sha256,
    'unit-start': unit.start.toString(),
    'unit-end': unit.end.toString(),
    'unit-records': String(unit.records),
    'run-id': runId,
    ...(object.schema ? { 'schema-id': String(object.schema.id), 'schema-version': String(object.schema.version) } : {}),
  };
}

/** A gap record: offsets `[from, to]` of a partition that Kafka no longer had when the flow came to read them. */
export interface GapRecord {
  readonly topic: string;
  readonly partition: number;
  readonly from: string;
  readonly to: string;
  readonly reason: 'RETENTION';
  /** An earlier run had read these offsets and found no record (transaction markers, aborted records): nothing was lost. */
  readonly noRecords?: true;
  readonly observedLow: string;
  readonly runId: string;
  readonly detectedAt: string;
}

/** Writes `_gaps/<topic>/<partition>/<from>-<to>.json` create-only; an existing record for the same range is accepted. */
export async function publishGap(lake: ObjectStore, gap: GapRecord): Promise<{ key: string; to: bigint }> {
  // A run that crashed after publishing a gap from this offset, before its state moved, left
  // it; retention may have deleted more since, so this gap reaches further. That record is
  // the gap (the caller records the rest as the next one): an offset is never in two gaps.
  const start = gapKey(gap.topic, gap.partition, BigInt(gap.from), 0n).replace(/[^-]*\.json$/, '');
  const earlier = (await lake.list(start)).map((entry) => parseGapName(entry.key)).find((range) => range !== undefined && range.first === BigInt(gap.from));
  if (earlier && earlier.last !== BigInt(gap.to)) return { key: gapKey(gap.topic, gap.partition, earlier.first, earlier.last), to: earlier.last };
  const key = gapKey(gap.topic, gap.partition, BigInt(gap.from), BigInt(gap.to));
  const bytes = new TextEncoder().encode(`${JSON.stringify(gap, null, 2)}\n`);
  try {
    await lake.create(key, bytes, { contentType: 'application/json', metadata: { 'lake-format': LAKE_FORMAT, kind: 'gap', topic: gap.topic, partition: String(gap.partition), first: gap.from, last: gap.to, count: '0', sha256: sha256(bytes), 'run-id': gap.runId } });
  } catch (error) {
    if (!isPreconditionFailure(error)) throw error;
    const existing = await lake.get(key);
    const parsed = existing ? (JSON.parse(new TextDecoder().decode(existing.bytes)) as Partial<GapRecord>) : undefined;
    if (parsed?.topic !== gap.topic || parsed.partition !== gap.partition || parsed.from !== gap.from || parsed.to !== gap.to) throw new SchemaflowError('OBJECT_CONFLICT', `${lake.location}/${key} exists but does not record the gap ${gap.topic}/${gap.partition} ${gap.from}–${gap.to}`);
  }
  return { key, to: BigInt(gap.to) };
}

/** For messages: `apps-users/0 offsets 10–19`. */
export const describeRange = (topic: string, partition: number, from: bigint | string, to: bigint | string): string => `${topic}/${partition} offsets ${String(from)}–${String(to)}`;
