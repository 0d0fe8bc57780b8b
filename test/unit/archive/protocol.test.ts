import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import { stateKey } from '../../../src/archive/layout.js';
import { closingPlan, hourOfKey, lacksMarker, lastClosableHour, watermarkOf, type ClosureState } from '../../../src/archive/closure.js';
import { markMismatch, planPartition, recordToCheck } from '../../../src/archive/plan.js';
import { advanceState, claimedOffsets, drainedOffset, initialState, parseState, serializeState, type PendingIntent } from '../../../src/archive/state.js';
import { routeRecord, UnitBuilder, type Routed } from '../../../src/archive/unit.js';
import { frame } from '../../../src/manifest/framing.js';
import { createSchemaRegistry } from '../../../src/manifest/registry.js';
import type { Manifest, ManifestSubject } from '../../../src/manifest/types.js';
import type { KafkaRecord } from '../../../src/ports.js';
import { auditLake } from '../../../src/usecases/audit-lake.js';
import { closeHours, readClosure } from '../../../src/usecases/close-hours.js';
import { metadataOf, publishObject } from '../../../src/usecases/lake-objects.js';
import { writeLake } from '../../support/crafted-lake.js';

const schema = { type: 'object', required: ['id'], properties: { id: { type: 'string' }, at: { type: 'string' } } };
const subject = (name: string, id: number): ManifestSubject => ({
  subject: name,
  team: name.split('-')[0] ?? '',
  name: name.split('-')[1] ?? '',
  topic: name,
  description: 'd',
  owners: [],
  status: 'active',
  compatibility: { mode: 'FULL', policy: 'DEFAULT' },
  topicConfig: {},
  eventTime: { field: '/at', format: 'rfc3339' },
  pii: [],
  lakePath: `${name}/`,
  versions: [{ version: 1, id, fingerprint: 'sha256:x', path: 'p', registeredIn: 'c', schema }],
});
const manifest: Manifest = { format: '1.0', serial: 7, sourceCommit: 'c', environment: 'default', subjects: [subject('apps-users', 1), subject('apps-other', 2)] };
const registry = createSchemaRegistry(manifest);
const users = manifest.subjects[0] as ManifestSubject;
const T = Date.parse('2026-11-30T10:30:00Z');

const record = (offset: number, value: string | Buffer | null, headers: KafkaRecord['headers'] = { 'schema-id': '1' }, timestamp = T): KafkaRecord => ({
  topic: 'apps-users',
  partition: 0,
  offset: String(offset),
  timestamp: String(timestamp),
  key: null,
  value: typeof value === 'string' ? Buffer.from(value) : value,
  headers,
});

describe('planning a partition (flow.md §3.4 step 1)', () => {
  const state = initialState('apps-users', 0, 0n);
  const at = (next: string, pending: PendingIntent | null = null) => ({ ...state, next, pending });

  it('starts a new partition at the earliest offset Kafka has and idles when nothing is new', () => {
    expect(planPartition(initialState('apps-users', 0, 5n), { low: 5n, high: 9n })).toEqual({ action: 'archive', gap: null, pending: null, from: 5n, to: 9n });
    expect(planPartition(at('9'), { low: 5n, high: 9n })).toEqual({ action: 'idle', next: 9n });
  });

  it('records offsets retention deleted as a gap and stops when the lake is ahead of Kafka', () => {
    expect(planPartition(at('3'), { low: 5n, high: 9n })).toMatchObject({ action: 'archive', gap: { from: 3n, to: 4n }, from: 5n });
    expect(planPartition(at('12'), { low: 0n, high: 9n })).toMatchObject({ action: 'stop', code: 'OFFSET_AHEAD_OF_KAFKA' });
  });

  it('idles a partition read to its high watermark through offsets that carry no record (drainedTo)', () => {
    const drained = { ...at('7'), drainedTo: '9' };
    expect(planPartition(drained, { low: 5n, high: 9n })).toEqual({ action: 'idle', next: 7n });
    // New offsets since: the next unit starts at next, covering the markers before them.
    expect(planPartition(drained, { low: 5n, high: 12n })).toEqual({ action: 'archive', gap: null, pending: null, from: 7n, to: 12n });
    // The topic truncated below drainedTo since: it says nothing about what Kafka holds now.
    expect(planPartition({ ...at('7'), drainedTo: '12' }, { low: 5n, high: 9n })).toEqual({ action: 'archive', gap: null, pending: null, from: 7n, to: 9n });
  });

  it('records offsets retention deleted without an alert when an earlier run found them without a record', () => {
    expect(planPartition({ ...at('3'), drainedTo: '9' }, { low: 5n, high: 9n })).toMatchObject({ action: 'archive', gap: { from: 3n, to: 4n, empty: true }, from: 5n });
    // Retention deleted more than the offsets known to be empty: a gap like any other.
    expect(planPartition({ ...at('3'), drainedTo: '4' }, { low: 6n, high: 9n })).toEqual({ action: 'archive', gap: { from: 3n, to: 5n }, pending: null, from: 6n, to: 9n });
  });

  it('finishes a pending intent first, reading no further when retention passed its end', () => {
    const pending: PendingIntent = { start: '3', end: '6', records: 4, manifestSerial: 7, closedThrough: null, lastTimestamp: T, late: 0, runId: 'r', objects: [] };
    expect(planPartition(at('3', pending), { low: 0n, high: 20n })).toMatchObject({ action: 'archive', pending, from: 3n, to: 20n, gap: null });
    expect(planPartition(at('3', pending), { low: 10n, high: 20n })).toMatchObject({ action: 'archive', pending, from: 3n, to: 7n });
  });
});

describe('closing hours (flow.md §3.4 step 8)', () => {
  const hour = (iso: string): Date => new Date(iso);

  it('takes the slowest partition as the watermark: the snapshot time when drained, else its last timestamp', () => {
    expect(watermarkOf([{ through: 100, drained: true, pending: false }, { through: 50, drained: false, pending: false }], 1_000)).toBe(50);
    expect(watermarkOf([{ through: null, drained: true, pending: false }], 1_000)).toBe(1_000);
    expect(watermarkOf([{ through: null, drained: false, pending: false }], 1_000)).toBeUndefined();
    expect(watermarkOf([{ through: 100, drained: true, pending: true }], 1_000)).toBeUndefined();
  });

  it('closes each hour whose end plus the allowed lateness the watermark has passed, in order, at most limit', () => {
    const watermark = Date.parse('2026-11-30T13:20:00Z');
    const fifteen = 15 * 60_000;
    const last = lastClosableHour(watermark, fifteen);
    expect(last).toEqual(hour('2026-11-30T12:00:00Z'));
    expect(lastClosableHour(watermark, 30 * 60_000)).toEqual(hour('2026-11-30T11:00:00Z'));
    expect(closingPlan({ closedThrough: hour('2026-11-30T10:00:00Z'), last, limit: 10 })).toEqual({ hours: [hour('2026-11-30T11:00:00Z'), hour('2026-11-30T12:00:00Z')], target: last });
    expect(closingPlan({ closedThrough: hour('2026-11-29T00:00:00Z'), last, limit: 3 })).toEqual({ hours: [hour('2026-11-29T01:00:00Z'), hour('2026-11-29T02:00:00Z'), hour('2026-11-29T03:00:00Z')], target: hour('2026-11-29T03:00:00Z') });
    expect(hourOfKey('apps-users/v=2/dt=2026-11-30/hr=07/x.jsonl.gz')).toEqual(hour('2026-11-30T07:00:00Z'));
  });

  it('closes only hours with data when it lists them: an event from 1970 does not hold 2026 back', () => {
    const last = hour('2026-11-30T12:00:00Z');
    const dataHours = [hour('1970-01-01T00:00:00Z'), hour('2026-11-30T09:00:00Z'), hour('2026-11-30T13:00:00Z')];
    expect(closingPlan({ closedThrough: null, last, dataHours, limit: 336 })).toEqual({ hours: dataHours.slice(0, 2), target: last });
    expect(closingPlan({ closedThrough: null, last, dataHours, limit: 1 })).toEqual({ hours: dataHours.slice(0, 1), target: dataHours[0] });
    expect(closingPlan({ closedThrough: hour('2026-11-30T09:00:00Z'), last, dataHours, limit: 336 })).toEqual({ hours: [], target: last });
    expect(closingPlan({ closedThrough: null, last, limit: 336 })).toEqual({ hours: [], target: last });
  });

  it('finds the version folders of closed hours that lack their marker, and only those', () => {
    const closure: ClosureState = { format: 1, subject: 'apps-users', closedThrough: '2026-11-30T09:00:00.000Z', lateCounted: 0, revision: 1, updatedAt: '' };
    const lacks = (folder: string, markers: string[] = [], state: ClosureState = closure) => lacksMarker(folder, [`${folder}apps-users+0+1+2.jsonl.gz`], state, new Set(markers));
    expect(lacks('apps-users/v=1/dt=2026-11-30/hr=08/')).toBe(true);
    expect(lacks('apps-users/v=1/dt=2026-11-30/hr=08/', ['apps-users/v=1/dt=2026-11-30/hr=08/_CLOSED.json'])).toBe(false);
    expect(lacks('apps-users/v=1/dt=2026-11-30/hr=10/')).toBe(false); // not closed yet
    expect(lacks('apps-users/v=1/dt=2026-11-30/hr=08/', [], { ...closure, marking: { hours: ['2026-11-30T08:00:00.000Z'], late: 0, lateTotal: 0, watermark: '' } })).toBe(false); // still being marked
    // Outside the layout: late data, a version spelled otherwise, a folder below an hour.
    for (const folder of ['_late/apps-users/v=1/dt=2026-11-30/hr=08/', 'apps-users/v=01/dt=2026-11-30/hr=08/', 'apps-users/v=1/dt=2026-11-30/hr=08/sub/']) expect(lacks(folder)).toBe(false);
  });

  it('never closes an hour the clock has not reached, whatever timestamp a producer set', () => {
    const snapshot = Date.parse('2026-11-30T10:30:00Z');
    expect(watermarkOf([{ through: Date.parse('2100-01-01T00:00:00Z'), drained: false, pending: false }], snapshot)).toBe(snapshot);
  });

  it('finishes a closing pass that crashed while marking, from its intent: the hours are closed before any marker exists, every late record is counted once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'schemaflow-closure-'));
    try {
      const lake = openObjectStore(`file://${root}/lake`);
      const state = openObjectStore(`file://${root}/lake/_state`);
      for (const hr of ['08', '09']) await lake.create(`apps-users/v=1/dt=2026-11-30/hr=${hr}/apps-users+0+0+0.jsonl.gz`, gzipSync('{}\n'));
      const crash = (): Promise<void> => Promise.reject(new Error('killed'));
      const ports = (fault: () => Promise<void>) => ({ lake, state, clock: () => new Date(T), fault });
      const input = (lateTotal: number) => ({ subject: users, partitions: [{ through: T, drained: true, pending: false }], lateTotal, snapshotAt: T, latenessMs: 0, runId: 'r' });
      await expect(closeHours(ports(crash), input(2))).rejects.toThrow('killed');
      // Killed after the first marker: both hours are closed already (their records go to _late/).
      const { closure } = await readClosure(state, 'apps-users');
      expect(closure).toMatchObject({ closedThrough: '2026-11-30T09:00:00.000Z', marking: { hours: ['2026-11-30T08:00:00.000Z', '2026-11-30T09:00:00.000Z'], late: 2, lateTotal: 2 } });
      // The next pass (3 late records by now) writes the missing marker and counts the third later.
      const result = await closeHours(ports(() => Promise.resolve()), input(3));
      expect(result).toMatchObject({ closedThrough: '2026-11-30T09:00:00.000Z', markers: 2 });
      const marker = async (hr: string): Promise<unknown> => JSON.parse(Buffer.from((await lake.get(`apps-users/v=1/dt=2026-11-30/hr=${hr}/_CLOSED.json`))?.bytes ?? []).toString());
      expect(await marker('08')).toMatchObject({ lateSincePreviousMarker: 2 });
      expect(await marker('09')).toMatchObject({ lateSincePreviousMarker: 0 });
      const after = (await readClosure(state, 'apps-users')).closure;
      expect(after.marking).toBeUndefined();
      expect(after.lateCounted).toBe(2);
      // The partitions' total falls to 1 (a state written anew): the next marker counts none, not -1,
      // and the count starts again from 1, so the next late record is counted.
      await lake.create('apps-users/v=1/dt=2026-11-30/hr=10/apps-users+0+1+1.jsonl.gz', gzipSync('{}\n'));
      const later = T + 3_600_000;
      expect(await closeHours({ lake, state, clock: () => new Date(later), fault: () => Promise.resolve() }, { ...input(1), partitions: [{ through: later, drained: true, pending: false }], snapshotAt: later })).toMatchObject({ markers: 1 });
      expect(await marker('10')).toMatchObject({ lateSincePreviousMarker: 0 });
      expect((await readClosure(state, 'apps-users')).closure.lateCounted).toBe(1);
      await lake.create('apps-users/v=1/dt=2026-11-30/hr=11/apps-users+0+2+2.jsonl.gz', gzipSync('{}\n'));
      const latest = later + 3_600_000;
      await closeHours({ lake, state, clock: () => new Date(latest), fault: () => Promise.resolve() }, { ...input(2), partitions: [{ through: latest, drained: true, pending: false }], snapshotAt: latest });
      expect(await marker('11')).toMatchObject({ lateSincePreviousMarker: 1 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('routes events of a closed hour to _late/', async () => {
    const entry = record(3, '{"id":"a","at":"2026-11-30T08:05:00Z"}');
    expect(routeRecord(entry, registry, users, { maxRecordBytes: 1000, closedThrough: hour('2026-11-30T08:00:00Z') })).toMatchObject({ kind: 'late', version: 1 });
    expect(routeRecord(entry, registry, users, { maxRecordBytes: 1000, closedThrough: hour('2026-11-30T07:00:00Z') })).toMatchObject({ kind: 'data' });
    const builder = new UnitBuilder('apps-users', 0, 3n);
    builder.add(entry, routeRecord(entry, registry, users, { maxRecordBytes: 1000, closedThrough: hour('2026-11-30T09:00:00Z') }));
    expect(await builder.seal()).toMatchObject({ late: 1, lastTimestamp: T, objects: [{ key: '_late/apps-users/v=1/dt=2026-11-30/hr=08/apps-users+0+00000000000000000003+00000000000000000003.jsonl.gz', kind: 'late' }] });
  });
});

describe('partition state', () => {
  it('round-trips and moves forward only with a new revision', () => {
    const state = advanceState(initialState('apps-users', 0, 0n), { next: 10n, pending: null }, { runId: 'r1', now: new Date(T) });
    expect(parseState(serializeState(state), 'k', { topic: 'apps-users', partition: 0 })).toEqual(state);
    expect(state).toMatchObject({ next: '10', revision: 1, lastRunId: 'r1' });
  });

  it('records where the partition started, so the offsets it claims the lake holds are known exactly', () => {
    const run = { runId: 'r1', now: new Date(T) };
    const started = initialState('apps-users', 0, 5n);
    expect(claimedOffsets(started)).toBeUndefined();
    const pending: PendingIntent = { start: '5', end: '9', records: 5, manifestSerial: 7, closedThrough: null, lastTimestamp: T, late: 0, runId: 'r1', objects: [] };
    const intent = advanceState(started, { pending }, run);
    expect(claimedOffsets(intent)).toBeUndefined();
    const committed = advanceState(intent, { next: 10n, pending: null }, run);
    expect(committed.start).toBe('5');
    expect(claimedOffsets(parseState(serializeState(committed), 'k', { topic: 'apps-users', partition: 0 }))).toEqual({ first: 5n, next: 10n });
    // A state written before start was recorded: its writes beyond the pending intent say what it claims.
    const legacy = (state: object): ReturnType<typeof parseState> => {
      const { start: _start, ...rest } = state as { start: unknown };
      return parseState(new TextEncoder().encode(JSON.stringify(rest)), 'k', { topic: 'apps-users', partition: 0 });
    };
    expect(legacy(committed).start).toBeNull();
    expect(claimedOffsets(legacy(committed))).toEqual({ first: null, next: 10n });
    expect(claimedOffsets(legacy(intent))).toBeUndefined();
    expect(claimedOffsets(legacy(advanceState(committed, { pending: { ...pending, start: '10', end: '12' } }, run)))).toEqual({ first: null, next: 10n });
    expect(() => parseState(new TextEncoder().encode(JSON.stringify({ ...committed, start: '-1' })), 'k', { topic: 'apps-users', partition: 0 })).toThrow(/invalid "start" offset/);
  });

  it('keeps drainedTo until next moves, and drops one at or before next', () => {
    const run = { runId: 'r1', now: new Date(T) };
    const committed = advanceState(initialState('apps-users', 0, 0n), { next: 10n, pending: null }, run);
    const drained = advanceState(committed, { pending: null, drainedTo: 12n }, run);
    expect(drained).toMatchObject({ next: '10', drainedTo: '12', revision: 2 });
    expect(drainedOffset(drained, 12n)).toBe(12n);
    expect(drainedOffset(drained, 11n)).toBe(10n);
    expect(parseState(serializeState(drained), 'k', { topic: 'apps-users', partition: 0 })).toEqual(drained);
    const pending: PendingIntent = { start: '10', end: '14', records: 3, manifestSerial: 7, closedThrough: null, lastTimestamp: T, late: 0, runId: 'r1', objects: [] };
    const intent = advanceState(drained, { pending }, run);
    expect(intent.drainedTo).toBe('12');
    const moved = advanceState(intent, { next: 15n, pending: null }, run);
    expect(moved.drainedTo).toBeUndefined();
    expect(drainedOffset(moved, 20n)).toBe(15n);
    // A release before drainedTo kept it while next moved past: it says nothing, and is dropped.
    expect(parseState(new TextEncoder().encode(JSON.stringify({ ...committed, drainedTo: '9' })), 'k', { topic: 'apps-users', partition: 0 })).toEqual(committed);
    expect(() => parseState(new TextEncoder().encode(JSON.stringify({ ...committed, drainedTo: 'x' })), 'k', { topic: 'apps-users', partition: 0 })).toThrow(/invalid "drainedTo" offset/);
  });

  it('marks the last record a unit archived, to read it again; a commit from an intent without one drops the old mark', async () => {
    const builder = new UnitBuilder('apps-users', 0, 0n);
    for (const entry of [record(0, '{"id":"a"}'), record(1, null, {}, T + 5)]) builder.add(entry, routeRecord(entry, registry, users, { maxRecordBytes: 1000 }));
    const unit = await builder.seal();
    expect(unit?.lastRecord).toEqual({ offset: '1', timestamp: String(T + 5), bytes: null });
    const run = { runId: 'r1', now: new Date(T) };
    const marked = advanceState(initialState('apps-users', 0, 0n), { next: 2n, pending: null, lastRecord: unit?.lastRecord ?? null }, run);
    expect(parseState(serializeState(marked), 'k', { topic: 'apps-users', partition: 0 })).toEqual(marked);
    expect(advanceState(marked, { pending: null, drainedTo: 5n }, run).lastRecord).toEqual(unit?.lastRecord);
    expect(advanceState(marked, { next: 7n, pending: null, lastRecord: null }, run)).not.toHaveProperty('lastRecord');
    for (const bad of [{ offset: '-1', timestamp: '0', bytes: 1 }, { offset: '1', timestamp: 0, bytes: 1 }, { offset: '1', timestamp: '0', bytes: -2 }, 'x']) {
      expect(() => parseState(new TextEncoder().encode(JSON.stringify({ ...marked, lastRecord: bad })), 'gs://b/_state/apps-users/0.json', { topic: 'apps-users', partition: 0 })).toThrow(/gs:\/\/b\/_state\/apps-users\/0.json has an invalid "lastRecord"/);
    }
  });

  it('reads the marked record again only while Kafka has it, below where the run reads, and no crashed unit is rebuilt', () => {
    const mark = { offset: '7', timestamp: '1000', bytes: 12 };
    const state = { ...initialState('apps-users', 0, 0n), next: '8', lastRecord: mark };
    expect(recordToCheck(state, 0n, 8n)).toEqual(mark);
    expect(recordToCheck(state, 8n, 8n)).toBeNull();
    expect(recordToCheck({ ...state, lastRecord: { ...mark, offset: '8' } }, 0n, 8n)).toBeNull();
    expect(recordToCheck({ ...state, pending: { start: '8', end: '9', records: 2, manifestSerial: 1, closedThrough: null, lastTimestamp: 0, late: 0, runId: 'r', objects: [] } }, 0n, 8n)).toBeNull();
    expect(recordToCheck(initialState('apps-users', 0, 0n), 0n, 8n)).toBeNull();
    expect(markMismatch(mark, { timestamp: '1000', value: Buffer.alloc(12) })).toBeUndefined();
    expect(markMismatch(mark, { timestamp: '1001', value: Buffer.alloc(12) })).toBe('the record Kafka holds at offset 7 (Kafka timestamp 1001, 12 bytes) is not the one the lake archived there (Kafka timestamp 1000, 12 bytes): the topic was deleted and recreated');
    expect(markMismatch(mark, { timestamp: '1000', value: null })).toContain('(Kafka timestamp 1000, a tombstone)');
  });

  it('refuses corrupt or foreign state, naming the object', () => {
    expect(() => parseState(new TextEncoder().encode('{'), 'gs://b/_state/apps-users/0.json', { topic: 'apps-users', partition: 0 })).toThrow(/gs:\/\/b\/_state\/apps-users\/0.json is not JSON/);
    const other = serializeState(initialState('apps-users', 1, 0n));
    expect(() => parseState(other, 'k', { topic: 'apps-users', partition: 0 })).toThrow(/describes apps-users\/1/);
    const broken = new TextEncoder().encode(JSON.stringify({ ...initialState('apps-users', 0, 0n), pending: { start: '5', end: '2' } }));
    expect(() => parseState(broken, 'k', { topic: 'apps-users', partition: 0 })).toThrow(/STATE|offset range/);
    const intent = { start: '0', end: '2', records: 3, manifestSerial: 1, closedThrough: null, lastTimestamp: T, late: 0, runId: 'r1', objects: [] };
    const withLimit = (maxRecordBytes: unknown) => new TextEncoder().encode(JSON.stringify({ ...initialState('apps-users', 0, 0n), pending: { ...intent, maxRecordBytes } }));
    expect(parseState(withLimit(1000), 'k', { topic: 'apps-users', partition: 0 }).pending?.maxRecordBytes).toBe(1000);
    for (const bad of [0, -1, 1.5, '1000', null]) expect(() => parseState(withLimit(bad), 'k', { topic: 'apps-users', partition: 0 }), String(bad)).toThrow(/k has a pending intent with an invalid "maxRecordBytes"/);
  });
});

describe('routing records', () => {
  const route = (value: string | Buffer | null, headers?: KafkaRecord['headers']) => routeRecord(record(0, value, headers), registry, users, { maxRecordBytes: 100 });

  it('files valid events under their version and event hour, either encoding', () => {
    expect(route('{"id":"a","at":"2026-11-30T08:05:00Z"}')).toMatchObject({ kind: 'data', version: 1, id: 1, hour: new Date('2026-11-30T08:00:00Z') });
    expect(route(frame(1, Buffer.from('{"id":"a"}')), {})).toMatchObject({ kind: 'data', hour: new Date('2026-11-30T10:00:00Z') });
  });

  it('quarantines each kind of poison with its reason, in the hour of the Kafka timestamp', () => {
    // In the flow's own words, the same under any Node.js version (a rebuilt unit must match its intent).
    expect(route('nope')).toMatchObject({ kind: 'quarantine', reason: 'NOT_JSON', detail: 'the value is not JSON', hour: new Date('2026-11-30T10:00:00Z') });
    expect(route(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]))).toMatchObject({ reason: 'NOT_JSON', detail: 'the value is not UTF-8' });
    expect(route(null)).toMatchObject({ reason: 'NOT_JSON', detail: expect.stringContaining('tombstone') as string });
    expect(route('{"id":"a"}', {})).toMatchObject({ reason: 'NO_SCHEMA_ID' });
    expect(route('{"id":"a"}', { 'schema-id': '42' })).toMatchObject({ reason: 'UNKNOWN_SCHEMA_ID' });
    expect(route('{"at":"x"}')).toMatchObject({ reason: 'INVALID', detail: expect.stringContaining("must have required property 'id'") as string });
    expect(route('{"id":"a"}', { 'schema-id': '2' })).toMatchObject({ reason: 'WRONG_SUBJECT' });
    expect(route(`{"id":"${'x'.repeat(200)}"}`)).toMatchObject({ reason: 'TOO_LARGE' });
  });

  it('files records with hostile timestamps in real hours of the lake, never stopping the partition', async () => {
    const builder = new UnitBuilder('apps-users', 0, 0n);
    // Beyond a Date's range, beyond year 9999, Kafka's "no timestamp" (-1), and no number at all;
    // an event time before the epoch falls back to the Kafka timestamp.
    const entries = [
      record(0, '{"id":"a"}', undefined, 9e15),
      record(1, 'bad', undefined, 9e15),
      record(2, '{"id":"b"}', undefined, Date.UTC(12000, 0, 1)),
      record(3, '{"id":"c"}', undefined, -1),
      { ...record(4, '{"id":"d","at":"1969-12-31T23:00:00Z"}'), timestamp: 'not a number' },
    ];
    for (const entry of entries) builder.add(entry, routeRecord(entry, registry, users, { maxRecordBytes: 1000 }));
    const unit = await builder.seal();
    expect(unit?.objects.map((object) => [object.key.replace(/\/apps-users\+0\+.*$/, ''), object.count])).toEqual([
      ['_quarantine/apps-users/dt=9999-12-31/hr=23', 1],
      ['apps-users/v=1/dt=1970-01-01/hr=00', 2],
      ['apps-users/v=1/dt=9999-12-31/hr=23', 2],
    ]);
    // The last record with a timestamp (year 12000, as far as the lake goes): -1 and none say nothing.
    expect(unit?.lastTimestamp).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
  });

  it('quarantines an event nested over 1,000 levels as TOO_DEEP, small as it is: its row could not be written', async () => {
    // The object is one level, so `levels` arrays inside it make levels + 1.
    const nested = (levels: number): string => `{"id":"a","tags":${'['.repeat(levels)}${']'.repeat(levels)}}`;
    const builder = new UnitBuilder('apps-users', 0, 0n);
    // 6,000 levels in 12 KB: JSON.stringify of it overflowed the stack and stopped the partition.
    const entries = [record(0, nested(999)), record(1, nested(1000)), record(2, nested(6000))];
    const routes = entries.map((entry) => routeRecord(entry, registry, users, { maxRecordBytes: 1_000_000 }));
    expect(routes.map((routed) => (routed.kind === 'quarantine' ? routed.reason : routed.kind))).toEqual(['data', 'TOO_DEEP', 'TOO_DEEP']);
    expect(routes[1]).toMatchObject({ detail: 'the value nests deeper than 1000 levels of objects and arrays' });
    entries.forEach((entry, index) => builder.add(entry, routes[index] as Routed));
    const unit = await builder.seal();
    expect(unit?.objects.map((object) => [object.kind, object.count])).toEqual([
      ['quarantine', 2],
      ['data', 1],
    ]);
  });

  it('writes a 64-bit number of an event with the digits the producer sent, either encoding', async () => {
    const builder = new UnitBuilder('apps-users', 0, 0n);
    const entries = [record(0, '{"id":"a", "n": 12345678901234567891, "m": -0}'), { ...record(1, frame(1, Buffer.from('{"id":"b","n":9007199254740993}'))), headers: {} }];
    for (const entry of entries) builder.add(entry, routeRecord(entry, registry, users, { maxRecordBytes: 1000 }));
    const unit = await builder.seal();
    const rows = gunzipSync(unit?.objects[0]?.compressed ?? Buffer.alloc(0)).toString('utf8').trim().split('\n');
    expect(rows.map((row) => row.slice(0, row.indexOf(',"_kafka"')))).toEqual(['{"value":{"id":"a","n":12345678901234567891,"m":-0}', '{"value":{"id":"b","n":9007199254740993}']);
  });
});

describe('flush units', () => {
  const fill = (): UnitBuilder => {
    const builder = new UnitBuilder('apps-users', 0, 10n);
    const values = ['{"id":"a","at":"2026-11-30T08:00:00Z"}', 'bad', '{"id":"b","at":"2026-11-30T09:00:00Z"}', '{"id":"c","at":"2026-11-30T08:59:59Z"}'];
    values.forEach((value, index) => {
      const entry = record(10 + index * 2, value);
      builder.add(entry, routeRecord(entry, registry, users, { maxRecordBytes: 1000 }));
    });
    return builder;
  };

  it('seal into objects named by version, hour and offsets, the same on every replay', async () => {
    const unit = await fill().seal();
    expect(unit?.objects.map((object) => [object.key, object.count])).toEqual([
      ['_quarantine/apps-users/dt=2026-11-30/hr=10/apps-users+0+00000000000000000012+00000000000000000012.jsonl.gz', 1],
      ['apps-users/v=1/dt=2026-11-30/hr=08/apps-users+0+00000000000000000010+00000000000000000016.jsonl.gz', 2],
      ['apps-users/v=1/dt=2026-11-30/hr=09/apps-users+0+00000000000000000014+00000000000000000014.jsonl.gz', 1],
    ]);
    expect(unit).toMatchObject({ start: 10n, end: 16n, records: 4 });
    expect((await fill().seal())?.objects.map((object) => object.sha256)).toEqual(unit?.objects.map((object) => object.sha256));
    expect((await fill().seal(20n))?.end).toBe(20n);
    expect(await new UnitBuilder('apps-users', 0, 0n).seal()).toBeUndefined();
  });

  it('compress as they fill: the gzip bytes hold every row, hashed and sized uncompressed, in less memory than the rows', async () => {
    const builder = new UnitBuilder('apps-users', 0, 0n);
    const rows = 20_000;
    for (let offset = 0; offset < rows; offset += 1) {
      const entry = record(offset, `{"id":"event-${offset}-${'x'.repeat(offset % 50)}","at":"2026-11-30T08:00:00Z"}`);
      builder.add(entry, routeRecord(entry, registry, users, { maxRecordBytes: 1000 }));
    }
    // Once zlib has taken what it was handed (the flow waits for this too), the unit holds gzip bytes, not rows.
    await builder.settle();
    expect(builder.queued).toBe(0);
    expect(builder.memory).toBeLessThan(builder.bytes / 2);
    const [object] = (await builder.seal())?.objects ?? [];
    const content = gunzipSync(object?.compressed ?? Buffer.alloc(0));
    expect(object).toMatchObject({ count: rows, first: '0', last: String(rows - 1), size: content.length, sha256: createHash('sha256').update(content).digest('hex') });
    const lines = content.toString('utf8').split('\n');
    expect(lines).toHaveLength(rows + 1);
    expect(lines.at(-1)).toBe('');
    expect(lines.map((line) => (line ? (JSON.parse(line) as { _kafka: { offset: string } })._kafka.offset : '')).slice(0, rows)).toEqual(Array.from({ length: rows }, (_, offset) => String(offset)));
  });

  it('refuse records out of order', () => {
    const builder = fill();
    const late = record(11, '{"id":"z"}');
    expect(() => builder.add(late, routeRecord(late, registry, users, { maxRecordBytes: 1000 }))).toThrow(/out of order/);
  });
});

describe('lake audit', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  async function lakeWith(units: Array<[number, number]>, next: number, tamper?: (key: string) => Uint8Array | undefined, format?: string, audit: { subject?: string } = {}) {
    const root = mkdtempSync(join(tmpdir(), 'schemaflow-audit-'));
    roots.push(root);
    const lake = openObjectStore(`file://${root}/lake`);
    const state = openObjectStore(`file://${root}/lake/_state`);
    for (const [start, end] of units) {
      const builder = new UnitBuilder('apps-users', 0, BigInt(start));
      for (let offset = start; offset <= end; offset += 1) {
        const entry = record(offset, `{"id":"e${offset}","at":"2026-11-30T0${offset % 3}:00:00Z"}`);
        builder.add(entry, routeRecord(entry, registry, users, { maxRecordBytes: 1000 }));
      }
      const unit = await builder.seal();
      if (!unit) throw new Error('empty unit');
      for (const object of unit.objects) await publishObject(lake, object, tamper?.(object.key) ?? object.compressed, { ...metadataOf(object, unit, 'r'), ...(format ? { 'lake-format': format } : {}) });
    }
    await state.create(stateKey('apps-users', 0), serializeState({ ...initialState('apps-users', 0, 0n), next: String(next) }));
    return auditLake({ lake, state }, audit);
  }

  it('refuses to pass when it finds nothing to prove: a mistyped lake or subject is exit 2, naming the closest subject', async () => {
    await expect(lakeWith([], 0)).rejects.toMatchObject({ code: 'LAKE_EMPTY', exitCode: 2, message: expect.stringContaining('nothing is archived at') as string });
    await expect(lakeWith([[0, 4]], 5, undefined, undefined, { subject: 'apps-user' })).rejects.toMatchObject({ code: 'SUBJECT_NOT_IN_LAKE', message: expect.stringContaining('holds nothing of subject "apps-user". Did you mean apps-users?') as string });
    expect((await lakeWith([[0, 4]], 5, undefined, undefined, { subject: 'apps-users' })).ok).toBe(true);
  });

  it('passes a lake holding every offset once', async () => {
    const report = await lakeWith([[0, 4], [5, 9]], 10);
    expect(report.ok).toBe(true);
    expect(report.partitions[0]).toMatchObject({ first: '0', next: '10', records: 10, objects: 6 });
  });

  it('names offsets archived twice, offsets in no object, and content that does not match its hash', async () => {
    const twice = await lakeWith([[0, 4], [3, 9]], 10);
    expect(twice.ok).toBe(false);
    expect(twice.partitions[0]?.problems.map((problem) => problem.message).join('\n')).toContain('apps-users/0: offsets 3–4 are archived more than once (objects whose range includes offset 3: ');
    const hole = await lakeWith([[0, 4]], 10);
    expect(hole.partitions[0]?.problems).toEqual([{ code: 'OFFSETS_MISSING', message: 'apps-users/0: offsets 5–9 are in no object and no gap record (the state says the lake holds everything below 10)' }]);
    const tampered = await lakeWith([[0, 2]], 3, (key) => (key.includes('hr=01') ? gzipSync(Buffer.from('{"_kafka":{"topic":"apps-users","partition":0,"offset":"1"},"value":{"id":"forged"}}\n')) : undefined));
    expect(tampered.partitions[0]?.problems).toContainEqual({ code: 'CONTENT_MISMATCH', message: expect.stringMatching(/hr=01\/.*content SHA-256 \w+ does not match its metadata/) as string, key: expect.stringContaining('hr=01/') as string });
    // Offsets outside every unit in an object whose content is the one its metadata states (a
    // content-mismatched object's offsets are its CONTENT_MISMATCH's alone: audit-lake-bytes.test.ts).
    const outside = await auditLake(await writeLake({ objects: [{ first: 0n, last: 2n, offsets: [0n, 1n, 2n], unit: [0n, 4n, 5] }, { first: 3n, last: 12n, offsets: [3n, 4n, 7n, 8n, 9n, 12n], unit: [0n, 4n, 5], hour: 'hr=01' }], state: { start: 0n, next: 5n } }));
    expect(outside.partitions[0]?.problems.filter((problem) => problem.code === 'OFFSETS_OUTSIDE_UNITS').map((problem) => problem.message)).toEqual(['apps-users/0: offsets 7–9 are in an object outside every recorded unit', 'apps-users/0: offset 12 is in an object outside every recorded unit']);
    const newer = await lakeWith([[0, 2]], 3, undefined, '2');
    expect(newer.ok).toBe(false);
    expect(newer.partitions[0]?.problems).toContainEqual(expect.objectContaining({ code: 'LAKE_FORMAT_UNKNOWN', message: expect.stringContaining('states lake format 2, but this schemaflow reads format 1') as string }));
  });
});
