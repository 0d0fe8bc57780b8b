import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import type { Manifest, ManifestSubject } from '../../../src/manifest/types.js';
import type { KafkaRecord, ObjectStore, RecordSource } from '../../../src/ports.js';
import { SchemaflowError } from '../../../src/domain/errors.js';
import { auditLake } from '../../../src/usecases/audit-lake.js';
import { runFlow, type FaultPoint, type FlowPorts } from '../../../src/usecases/flow-run.js';

/* runFlow on the file lake with one partition's records handed over in memory (the integration tests read a real broker). */
const subject = { subject: 'apps-users', team: 'apps', name: 'users', topic: 'apps-users', description: 'd', owners: [], status: 'active', compatibility: { mode: 'FULL', policy: 'DEFAULT' }, topicConfig: {}, eventTime: null, pii: [], lakePath: 'apps-users/', versions: [{ version: 1, id: 1, fingerprint: 'sha256:x', path: 'p', registeredIn: 'c', schema: { type: 'object' } }] } as unknown as ManifestSubject;
const manifest: Manifest = { format: '1.0', serial: 1, sourceCommit: 'c', environment: 'default', subjects: [subject] };
const root = mkdtempSync(join(tmpdir(), 'schemaflow-flow-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const event = (offset: number, timestamp = Date.UTC(2026, 10, 30, 9)): KafkaRecord => ({ topic: 'apps-users', partition: 0, offset: String(offset), timestamp: String(timestamp), key: null, value: Buffer.from('{}'), headers: { 'schema-id': '1' } });

/** Partition 0 of apps-users: its records from `low` (retention deleted those below), in one batch. */
function partition(records: readonly KafkaRecord[], low = 0n): RecordSource {
  const high = BigInt(records.length);
  return {
    offsets: () => Promise.resolve([{ topic: 'apps-users', partition: 0, low, high }]),
    read: async ([range], handle) => {
      const batch = records.filter((record) => BigInt(record.offset) >= (range?.from ?? 0n) && BigInt(record.offset) >= low);
      if (batch.length > 0) await handle({ topic: 'apps-users', partition: 0, records: batch, done: true, heartbeat: () => Promise.resolve() });
    },
    recordPositions: () => Promise.resolve(),
    removeLeftoverGroups: () => Promise.resolve({ removed: [], problems: [] }),
    close: () => Promise.resolve(),
  };
}

let lakes = 0;
function testLake(): { lake: ObjectStore; state: ObjectStore } {
  lakes += 1;
  return { lake: openObjectStore(`file://${root}/lake${lakes}`), state: openObjectStore(`file://${root}/lake${lakes}/_state`) };
}

const run = (stores: { lake: ObjectStore; state: ObjectStore }, source: RecordSource, options: { runId?: string; flushBytes?: number; crashAt?: FaultPoint; fault?: FlowPorts['fault']; now?: string; closeOnly?: boolean; dryRun?: boolean; repairMarkers?: boolean; manifests?: FlowPorts['manifests']; maxRecordBytes?: number } = {}) =>
  runFlow(
    { ...stores, source, manifests: options.manifests ?? { latest: () => Promise.resolve(manifest), bySerial: () => Promise.resolve(manifest) }, clock: () => new Date(options.now ?? '2026-11-30T10:30:00Z'), log: () => undefined, fault: options.fault ?? ((point) => (point === options.crashAt ? Promise.reject(new Error(`killed at ${point}`)) : Promise.resolve())) },
    { runId: options.runId ?? 'r1', subjects: [], shard: null, maxDurationMs: 60_000, flushBytes: options.flushBytes ?? 1 << 20, maxRecordBytes: options.maxRecordBytes ?? 1 << 20, dryRun: options.dryRun ?? false, closeOnly: options.closeOnly ?? false, repairMarkers: options.repairMarkers ?? false, latenessMs: 0 },
  );

it('records what retention deleted after a crash left a gap record: the earlier record stays, the rest is the next gap, no offset in two', async () => {
  const stores = testLake();
  const records = Array.from({ length: 12 }, (_, offset) => event(offset));
  expect((await run(stores, partition(records.slice(0, 5)))).partitions[0]?.next).toBe('5');
  // Retention deletes 5–7; the run fails right after the gap record, before its state moves (as a kill would).
  const killed = await run(stores, partition(records.slice(0, 10), 8n), { crashAt: 'after-gap' });
  expect(killed.partitions[0]).toMatchObject({ status: 'stopped', next: '5' });
  // Audited before the next run: the gap record at the state's next offset is the crashed run's, not a fault.
  const between = await auditLake(stores);
  expect(between).toMatchObject({ ok: true, partitions: [{ next: '5', gaps: 1, pending: 'offsets 5–7' }] });
  // By the next run retention has deleted 8 and 9 as well.
  const report = await run(stores, partition(records, 10n));
  expect(report.partitions[0]).toMatchObject({ status: 'archived', next: '12', gaps: [{ from: '5', to: '7' }, { from: '8', to: '9' }] });
  const gaps = (await stores.lake.list('_gaps/')).map((entry) => entry.key.replace(/^.*\//, ''));
  expect(gaps).toEqual(['00000000000000000005-00000000000000000007.json', '00000000000000000008-00000000000000000009.json']);
  expect(await auditLake(stores)).toMatchObject({ ok: true });
});

it('cuts one batch of records spread over hundreds of hours into units of at most 64 objects, each with its compressor', async () => {
  // Each record in an hour of its own: each opens an object, and each object a compressor (~300 KiB).
  const records = Array.from({ length: 400 }, (_, offset) => event(offset, Date.UTC(2020, 0, 1) + offset * 3_600_000));
  const stores = testLake();
  const flushBytes = 1024 * 1024;
  const report = await run(stores, partition(records), { flushBytes });
  const [archived] = report.partitions;
  expect(archived).toMatchObject({ status: 'archived', records: 400, written: 400, objects: 400, next: '400' });
  // A unit opens 64 compressors at most: the batch is cut into units of that many objects.
  expect(archived?.units).toBe(Math.ceil(400 / 64));
  expect((await auditLake(stores)).ok).toBe(true);
});

/** Partition 0 of apps-users handed over in two batches; `onFirst` once the first is handled. */
function twoBatches(first: readonly KafkaRecord[], second: readonly KafkaRecord[], onFirst: () => void): RecordSource {
  return {
    ...partition([...first, ...second]),
    read: async (_ranges, handle) => {
      const heartbeat = () => Promise.resolve();
      const more = await handle({ topic: 'apps-users', partition: 0, records: first, done: false, heartbeat });
      onFirst();
      if (more) await handle({ topic: 'apps-users', partition: 0, records: second, done: true, heartbeat });
    },
  };
}

const filler = (offset: number): KafkaRecord => ({ ...event(offset), value: Buffer.from(JSON.stringify({ pad: 'x'.repeat(2_000) })) });

it('reads on while a full unit is published: its uploads hold up neither the partition nor the fetch', async () => {
  const stores = testLake();
  // The first unit's uploads wait until the reader is done with the first batch (or 5 s, so a regression fails instead of hanging).
  let firstHandled = false;
  let openGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
    setTimeout(resolve, 5_000);
  });
  const lake: ObjectStore = { ...stores.lake, location: stores.lake.location, get: (key) => stores.lake.get(key), list: (prefix) => stores.lake.list(prefix), replace: (...args) => stores.lake.replace(...args), create: async (...args) => {
    await gate;
    return stores.lake.create(...args);
  } };
  const uploadedBeforeReaderWentOn: boolean[] = [];
  const first = Array.from({ length: 600 }, (_, offset) => filler(offset));
  const second = Array.from({ length: 10 }, (_, offset) => filler(600 + offset));
  const source = twoBatches(first, second, () => {
    firstHandled = true;
    openGate();
  });
  const watched: ObjectStore = { ...lake, create: async (...args) => {
    const result = await lake.create(...args);
    uploadedBeforeReaderWentOn.push(!firstHandled);
    return result;
  } };
  // 600 rows of 2 KB pass a 1 MiB flush size (the run's memory budget is four of them): a unit is flushed mid-batch.
  const report = await run({ lake: watched, state: stores.state }, source, { flushBytes: 1 << 20 });
  expect(report.partitions[0]).toMatchObject({ status: 'archived', records: 610, written: 610, next: '610' });
  expect(report.partitions[0]?.units).toBeGreaterThanOrEqual(2);
  // The reader was done with the batch (and free for the next fetch) while the unit it filled was still uploading.
  expect(uploadedBeforeReaderWentOn[0]).toBe(false);
  expect((await auditLake(stores)).ok).toBe(true);
});

it('stops a partition whose unit fails while the partition reads on: nothing read after it is published, the state stays before it', async () => {
  const stores = testLake();
  const failing: ObjectStore = { ...stores.lake, location: stores.lake.location, get: (key) => stores.lake.get(key), list: (prefix) => stores.lake.list(prefix), replace: (...args) => stores.lake.replace(...args), create: () => Promise.reject(new Error('storage refused the upload')) };
  const first = Array.from({ length: 600 }, (_, offset) => filler(offset));
  const second = Array.from({ length: 10 }, (_, offset) => filler(600 + offset));
  const logs: string[] = [];
  const report = await runFlow(
    { lake: failing, state: stores.state, source: twoBatches(first, second, () => undefined), manifests: { latest: () => Promise.resolve(manifest), bySerial: () => Promise.resolve(manifest) }, clock: () => new Date('2026-11-30T10:30:00Z'), log: (line) => logs.push(line), fault: () => Promise.resolve() },
    { runId: 'r1', subjects: [], shard: null, maxDurationMs: 60_000, flushBytes: 1 << 20, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 0 },
  );
  expect(report.exitCode).toBe(1);
  expect(report.partitions[0]).toMatchObject({ status: 'stopped', next: '0', objects: 0, problem: expect.stringContaining('storage refused the upload') });
  expect(logs.filter((line) => line.startsWith('error: apps-users/0: '))).toHaveLength(1);
  expect(await stores.lake.list('apps-users/')).toEqual([]);
});

it('settles the unit in flight when the read fails: the run ends only after its commit', async () => {
  const stores = testLake();
  const slow: ObjectStore = { ...stores.lake, location: stores.lake.location, get: (key) => stores.lake.get(key), list: (prefix) => stores.lake.list(prefix), replace: (...args) => stores.lake.replace(...args), create: async (...args) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return stores.lake.create(...args);
  } };
  const records = Array.from({ length: 600 }, (_, offset) => filler(offset));
  const source: RecordSource = {
    ...partition(records),
    read: async (_ranges, handle) => {
      await handle({ topic: 'apps-users', partition: 0, records, done: false, heartbeat: () => Promise.resolve() });
      throw new Error('the broker went away');
    },
  };
  await expect(run({ lake: slow, state: stores.state }, source)).rejects.toThrow('the broker went away');
  // The unit flushed mid-batch was committed before the run gave up, not after.
  const state = await stores.state.get('apps-users/0.json');
  expect(JSON.parse(Buffer.from(state?.bytes ?? []).toString())).toMatchObject({ pending: null, next: expect.not.stringMatching(/^0$/) });
});

it('starts no upload of a unit after one of its uploads failed, and ends the publish only when the started ones have', async () => {
  const stores = testLake();
  // One record an hour: a unit of 40 objects.
  const records = Array.from({ length: 40 }, (_, offset) => event(offset, Date.UTC(2026, 0, 1) + offset * 3_600_000));
  const attempts: string[] = [];
  let returned = false;
  let afterReturn = 0;
  const failing: ObjectStore = { ...stores.lake, location: stores.lake.location, get: (key) => stores.lake.get(key), list: (prefix) => stores.lake.list(prefix), replace: (...args) => stores.lake.replace(...args), create: async (key, ...rest) => {
    attempts.push(key);
    if (attempts.length === 2) throw new Error('storage refused the upload');
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (returned) afterReturn += 1;
    return stores.lake.create(key, ...rest);
  } };
  const report = await run({ lake: failing, state: stores.state }, partition(records));
  returned = true;
  const bytes = report.partitions[0]?.bytes;
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(report.partitions[0]).toMatchObject({ status: 'stopped', next: '0', problem: expect.stringContaining('storage refused the upload') });
  // The first object alone, then at most the run's 16 upload slots were under way when the second failed.
  expect(attempts.length).toBeLessThanOrEqual(17);
  expect(afterReturn).toBe(0);
  expect(report.partitions[0]?.bytes).toBe(bytes);
});

/** Partition 0 of apps-users with `high` offsets, of which `records` carry records and the rest (markers, aborted records) none: the source hands a batch without records at the end, as the Kafka source does. */
function withMarkers(records: readonly KafkaRecord[], high: bigint, low = 0n): RecordSource {
  return {
    ...partition(records, low),
    offsets: () => Promise.resolve([{ topic: 'apps-users', partition: 0, low, high }]),
    read: async ([range], handle) => {
      const batch = records.filter((record) => BigInt(record.offset) >= (range?.from ?? 0n) && BigInt(record.offset) >= low);
      if (batch.length > 0) await handle({ topic: 'apps-users', partition: 0, records: batch, done: false, heartbeat: () => Promise.resolve() });
      await handle({ topic: 'apps-users', partition: 0, records: [], done: true, heartbeat: () => Promise.resolve() });
    },
  };
}

it('records a partition whose last offsets carry no record drained, covers them with the unit read before them, and records their expiry without an alert', async () => {
  const stores = testLake();
  const records = Array.from({ length: 5 }, (_, offset) => event(offset));
  // Records held when the end comes: the unit ends at the snapshot, covering the markers after them.
  const held = await run(testLake(), withMarkers(records, 7n));
  expect(held.partitions[0]).toMatchObject({ status: 'archived', next: '7' });
  expect(held.partitions[0]?.drainedTo).toBeUndefined();

  expect((await run(stores, partition(records))).partitions[0]).toMatchObject({ status: 'archived', next: '5' });
  // Two markers since, and nothing else: drained to the snapshot, no lag, the hour closed.
  const quiet = await run(stores, withMarkers(records, 7n));
  expect(quiet.partitions[0]).toMatchObject({ status: 'idle', next: '5', drainedTo: '7' });
  expect(quiet.closures[0]?.closedThrough).toBe('2026-11-30T09:00:00.000Z');
  expect(quiet.exitCode).toBe(0);
  expect(await auditLake(stores)).toMatchObject({ ok: true });
  // Retention deletes the markers: a gap record that says they held no record, and no alert.
  const expired = await run(stores, withMarkers(records, 7n, 7n));
  expect(expired.partitions[0]).toMatchObject({ status: 'idle', next: '7', gaps: [] });
  expect(expired.exitCode).toBe(0);
  const [gap] = await stores.lake.list('_gaps/');
  expect(JSON.parse(new TextDecoder().decode((await stores.lake.get(gap?.key ?? ''))?.bytes))).toMatchObject({ from: '5', to: '6', reason: 'RETENTION', noRecords: true });
  expect(await auditLake(stores)).toMatchObject({ ok: true });
});

// Regression: a dry run listed offsets an earlier run had read and found without a record as a
// retention gap that loses records (exit 1, and the gaps metric), though the run it previews
// records them without an alert.
it('previews the expiry of offsets found to carry no record as the run records it: no alert', async () => {
  const stores = testLake();
  const records = Array.from({ length: 5 }, (_, offset) => event(offset));
  await run(stores, partition(records));
  expect((await run(stores, withMarkers(records, 7n))).partitions[0]).toMatchObject({ next: '5', drainedTo: '7' });
  const dry = await run(stores, withMarkers(records, 7n, 7n), { dryRun: true });
  expect(dry.partitions[0]).toMatchObject({ status: 'planned', gaps: [], problem: 'would record offsets 5–6, deleted by retention, as a gap without an alert: an earlier run read them and found no record (transaction markers or aborted records)' });
  expect(dry.exitCode).toBe(0);
  expect((await run(stores, withMarkers(records, 7n, 7n))).exitCode).toBe(0);
  // Offsets deleted before any run read them are previewed as the alert they will be.
  const lossy = testLake();
  await run(lossy, partition(records));
  const ahead = Array.from({ length: 10 }, (_, offset) => event(offset));
  const preview = await run(lossy, partition(ahead, 8n), { dryRun: true });
  expect(preview.partitions[0]).toMatchObject({ status: 'planned', gaps: [{ from: '5', to: '7' }] });
  expect(preview.exitCode).toBe(1);
});

it('closes the hours of a drained partition in flow close too, which reads only the states', async () => {
  const stores = testLake();
  const records = Array.from({ length: 5 }, (_, offset) => event(offset));
  expect((await run(stores, partition(records), { now: '2026-11-30T09:30:00Z' })).partitions[0]).toMatchObject({ next: '5' });
  // Markers since; at 09:30 hour 09 has not ended, so nothing closes yet.
  const quiet = await run(stores, withMarkers(records, 7n), { now: '2026-11-30T09:40:00Z' });
  expect(quiet.partitions[0]).toMatchObject({ next: '5', drainedTo: '7' });
  expect(quiet.closures[0]?.hoursClosed).toBe(0);
  // flow close after the hour: the partition counts as drained though next is short of high.
  const closed = await run(stores, withMarkers(records, 7n), { now: '2026-11-30T10:30:00Z', closeOnly: true });
  expect(closed.closures[0]).toMatchObject({ closedThrough: '2026-11-30T09:00:00.000Z', hoursClosed: 1 });
});

it('marks the hours it closes in the folder of a version it learned by re-reading the manifest', async () => {
  const v2 = { ...subject.versions[0], version: 2, id: 2, fingerprint: 'sha256:y' } as ManifestSubject['versions'][number];
  const newer: Manifest = { ...manifest, serial: 2, subjects: [{ ...subject, versions: [...subject.versions, v2] }] };
  // The run starts on serial 1; serial 2 is published before the record of version 2 is read.
  let reads = 0;
  const manifests = { latest: () => Promise.resolve((reads += 1) === 1 ? manifest : newer), bySerial: (serial: number) => Promise.resolve(serial === 1 ? manifest : newer) };
  const stores = testLake();
  const report = await run(stores, partition([event(0, Date.UTC(2026, 10, 30, 8)), { ...event(1, Date.UTC(2026, 10, 30, 8, 30)), headers: { 'schema-id': '2' } }]), { manifests });
  expect(report.closures).toMatchObject([{ subject: 'apps-users', closedThrough: '2026-11-30T09:00:00.000Z', markers: 2 }]);
  // A unit is routed with one serial: the record before the switch went in a unit of its own.
  expect(report.partitions[0]).toMatchObject({ status: 'archived', units: 2 });
  const markers = (await stores.lake.list('apps-users/')).map((entry) => entry.key).filter((key) => key.endsWith('_CLOSED.json'));
  expect(markers).toEqual(['apps-users/v=1/dt=2026-11-30/hr=08/_CLOSED.json', 'apps-users/v=2/dt=2026-11-30/hr=08/_CLOSED.json']);
  expect(await auditLake(stores)).toMatchObject({ ok: true });

  // lake audit finds a closed hour's data folder without its marker (as runs before left v=2)…
  rmSync(join(fileURLToPath(stores.lake.location), 'apps-users/v=2/dt=2026-11-30/hr=08/_CLOSED.json'));
  expect(await auditLake(stores)).toMatchObject({ ok: false, hourProblems: [{ code: 'MARKER_MISSING', message: 'apps-users/v=2/dt=2026-11-30/hr=08/ holds data of an hour apps-users closed (through 2026-11-30T09:00:00.000Z) but has no _CLOSED.json; flow close --repair-markers writes it', key: 'apps-users/v=2/dt=2026-11-30/hr=08/_CLOSED.json' }] });
  // …unless a closing pass is still marking that hour: the next run writes the marker.
  const closure = await stores.state.get('_closure/apps-users.json');
  const marking = { hours: ['2026-11-30T08:00:00.000Z'], late: 0, lateTotal: 0, watermark: '2026-11-30T10:30:00.000Z' };
  const marked = await stores.state.replace('_closure/apps-users.json', new TextEncoder().encode(JSON.stringify({ ...(JSON.parse(new TextDecoder().decode(closure?.bytes)) as object), marking })), closure?.generation ?? null);
  expect(await auditLake(stores)).toMatchObject({ ok: true });
  await stores.state.replace('_closure/apps-users.json', closure?.bytes ?? new Uint8Array(), marked.generation);
  // flow close --repair-markers writes it, listing the folder's objects; a second pass writes nothing.
  const repair = await run(stores, partition([]), { closeOnly: true, repairMarkers: true, manifests });
  expect(repair.closures).toMatchObject([{ subject: 'apps-users', repaired: 1 }]);
  const written = JSON.parse(new TextDecoder().decode((await stores.lake.get('apps-users/v=2/dt=2026-11-30/hr=08/_CLOSED.json'))?.bytes)) as unknown;
  expect(written).toMatchObject({ lateSincePreviousMarker: 0, objects: [{ key: expect.stringMatching(/^apps-users\/v=2\/dt=2026-11-30\/hr=08\/apps-users\+0\+/) as string }] });
  expect(await auditLake(stores)).toMatchObject({ ok: true });
  expect((await run(stores, partition([]), { closeOnly: true, repairMarkers: true, manifests })).closures[0]?.repaired).toBeUndefined();
});

it('stops only the partition whose state is unreadable: the others archive, and its subject keeps its hours open', async () => {
  const stores = testLake();
  const records = (partition: number): KafkaRecord[] => [0, 1].map((offset) => ({ ...event(offset, Date.UTC(2026, 10, 30, 8)), partition }));
  const source: RecordSource = {
    ...partition([]),
    offsets: () => Promise.resolve([0, 1].map((index) => ({ topic: 'apps-users', partition: index, low: 0n, high: 2n }))),
    read: async (ranges, handle) => {
      for (const range of ranges) await handle({ topic: 'apps-users', partition: range.partition, records: records(range.partition), done: true, heartbeat: () => Promise.resolve() });
    },
  };
  await stores.state.create('apps-users/0.json', new TextEncoder().encode('{"format": 1, "topic": "apps-us'));
  const report = await run(stores, source);
  expect(report.partitions.map((entry) => [entry.partition, entry.status, entry.next])).toEqual([
    [0, 'stopped', '0'],
    [1, 'archived', '2'],
  ]);
  expect(report.partitions[0]?.problem).toMatch(/^flow state file:\/\/.*\/apps-users\/0\.json is not JSON\. .*Do not delete it/);
  expect(report.closures).toEqual([{ subject: 'apps-users', closedThrough: null, hoursClosed: 0, markers: 0, held: 'the flow state of apps-users/0 is unreadable' }]);
  expect(report.exitCode).toBe(1);
});

it('rebuilds a crashed unit with the subject as its intent’s manifest serial defined it, event time included', async () => {
  const stores = testLake();
  // Kafka time 07:00 and 08:00; the events say 01:00 and 02:00 of the day before.
  const records = [0, 1].map((offset) => ({ ...event(offset, Date.UTC(2026, 10, 30, 7 + offset)), value: Buffer.from(JSON.stringify({ at: `2026-11-29T0${1 + offset}:00:00Z` })) }));
  const withEventTime: Manifest = { ...manifest, serial: 2, subjects: [{ ...subject, eventTime: { field: '/at', format: 'rfc3339' } }] };
  const manifests = (latest: Manifest) => ({ latest: () => Promise.resolve(latest), bySerial: (serial: number) => Promise.resolve(serial === 1 ? manifest : withEventTime) });
  const crashed = await run(stores, partition(records), { crashAt: 'mid-publish', manifests: manifests(manifest) });
  expect(crashed.partitions[0]).toMatchObject({ status: 'stopped', next: '0' });
  // Serial 2 gives the subject an event time before the next run: the unit of serial 1 is rebuilt
  // by Kafka time, as it was built, and matches its intent (it stopped the partition for good).
  const next = await run(stores, partition(records), { manifests: manifests(withEventTime) });
  expect(next.partitions[0]).toMatchObject({ status: 'archived', recovered: true, next: '2' });
  const objects = (await stores.lake.list('apps-users/')).map((entry) => entry.key).filter((key) => key.endsWith('.jsonl.gz'));
  expect(objects.map((key) => key.replace(/\/apps-users\+.*$/, ''))).toEqual(['apps-users/v=1/dt=2026-11-30/hr=07', 'apps-users/v=1/dt=2026-11-30/hr=08']);
  expect(await auditLake(stores)).toMatchObject({ ok: true });
});

// Regression: the partition stopped with the manifest store's words alone ("cannot load the
// manifest from …/1.json: ENOENT"), which said neither why a run wanted an old serial nor what to do.
it('stops a partition whose crashed unit needs a manifest serial that cannot be read, naming the unit, the serial and the fix', async () => {
  const stores = testLake();
  const records = [event(0), event(1)];
  const newer: Manifest = { ...manifest, serial: 2 };
  expect((await run(stores, partition(records), { crashAt: 'after-intent', runId: 'crashed' })).partitions[0]).toMatchObject({ status: 'stopped', next: '0' });
  const gone = new SchemaflowError('MANIFEST_UNREADABLE', 'cannot load the manifest from file:///m/1.json: ENOENT: no such file or directory');
  const report = await run(stores, partition(records), { runId: 'r2', manifests: { latest: () => Promise.resolve(newer), bySerial: () => Promise.reject(gone) } });
  expect(report.partitions[0]).toMatchObject({ status: 'stopped', next: '0' });
  expect(report.partitions[0]?.problem).toBe('apps-users/0 offsets 0–1: run crashed stopped while publishing this unit, routed with manifest serial 1, and rebuilding its 1 unpublished object needs that serial, which cannot be read: cannot load the manifest from file:///m/1.json: ENOENT: no such file or directory. Registration never replaces or removes manifests/<serial>.json: restore 1.json beside latest.json. Nothing was written; the partition stops until then and holds its subject\'s hours.');
});

it('holds the hours of a partition left incomplete at its last archived record, however far ahead an earlier one was stamped', async () => {
  const stores = testLake();
  // Offset 0 stamped in 2100, offset 1 at 01:00; Kafka has 10 offsets, the read ends after two.
  const records = [event(0, Date.UTC(2100, 0, 1)), event(1, Date.UTC(2026, 10, 30, 1))];
  const source: RecordSource = {
    ...partition(records),
    offsets: () => Promise.resolve([{ topic: 'apps-users', partition: 0, low: 0n, high: 10n }]),
    read: async (_ranges, handle) => {
      await handle({ topic: 'apps-users', partition: 0, records, done: false, heartbeat: () => Promise.resolve() });
    },
  };
  const report = await run(stores, source);
  expect(report.partitions[0]).toMatchObject({ status: 'incomplete', next: '2', through: Date.UTC(2026, 10, 30, 1) });
  // Hours close through 00:00 (its end at the watermark, 01:00), not through 09:00 by the run's start.
  expect(report.closures).toMatchObject([{ subject: 'apps-users', closedThrough: '2026-11-30T00:00:00.000Z' }]);
});

it('publishes nothing of a unit with data in hours another run closed while it read them; the next run files them as late', async () => {
  const stores = testLake();
  // Regression: a quarantined record was counted as it was routed, so a unit never published counted it, and the next run counted it again.
  const records = [event(0, Date.UTC(2026, 10, 30, 8, 10)), { ...event(1, Date.UTC(2026, 10, 30, 8, 20)), value: Buffer.from('nope') }];
  // A closing pass of another run (flow close while a shard still reads) closes 08:00 mid-read.
  const closure = { format: 1, subject: 'apps-users', closedThrough: '2026-11-30T08:00:00.000Z', lateCounted: 0, revision: 1, updatedAt: '2026-11-30T10:29:00.000Z' };
  const source: RecordSource = {
    ...partition(records),
    read: async (_ranges, handle) => {
      await stores.state.replace('_closure/apps-users.json', new TextEncoder().encode(JSON.stringify(closure)), null);
      await handle({ topic: 'apps-users', partition: 0, records, done: true, heartbeat: () => Promise.resolve() });
    },
  };
  const overlapped = await run(stores, source);
  expect(overlapped.partitions[0]).toMatchObject({ status: 'contended', next: '0', problem: expect.stringMatching(/^another run closed the hours of apps-users through 2026-11-30T08:00:00.000Z while this run read apps-users\/0 offsets 0–1/) as string });
  expect(await stores.lake.list('apps-users/')).toEqual([]);
  expect(await stores.lake.list('_quarantine/')).toEqual([]);
  expect(overlapped.partitions[0]?.quarantined).toEqual({});
  const next = await run(stores, partition(records));
  expect(next.partitions[0]).toMatchObject({ status: 'archived', next: '2', late: 1, quarantined: { NOT_JSON: 1 } });
  expect(await auditLake(stores)).toMatchObject({ ok: true });
});

it('reads nothing into a lake that holds the subject with a state store that has no state of its topic (a mistyped --state)', async () => {
  const stores = testLake();
  const records = [event(0), event(1)];
  expect((await run(stores, partition(records))).partitions[0]).toMatchObject({ status: 'archived', next: '2' });
  const before = (await stores.lake.list('')).map((entry) => entry.key);
  const elsewhere = { lake: stores.lake, state: openObjectStore(`file://${root}/elsewhere${lakes}`) };
  const report = await run(elsewhere, partition(records));
  expect(report.partitions[0]).toMatchObject({ status: 'stopped', next: '0', problem: expect.stringContaining(`but the state store ${elsewhere.state.location} has no flow state of topic apps-users: it is not the state store this lake was archived with (check --state)`) as string });
  expect(report.closures).toMatchObject([{ held: 'the state store has no flow state of apps-users, whose data the lake holds' }]);
  expect(report.exitCode).toBe(1);
  expect((await stores.lake.list('')).map((entry) => entry.key)).toEqual(before);
  // A state removed from the right store (after its topic was recreated) is refused the same way:
  // the new topic's offsets would name records the lake already holds under them.
  const removed = { lake: stores.lake, state: openObjectStore(`file://${root}/removed${lakes}`) };
  await removed.state.create('_closure/apps-users.json', (await stores.state.get('_closure/apps-users.json'))?.bytes ?? new Uint8Array());
  expect((await run(removed, partition([event(0)]))).partitions[0]).toMatchObject({ status: 'stopped', next: '0' });
});

/** A promise and the function that settles it. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

// Regression: a run closed hours from the partition states it read when it planned. An
// overlapping run that wrote a unit's intent for hour 09 meanwhile was not seen, so hour 09 was
// closed and that unit's object landed in it after its marker (WRITTEN_AFTER_CLOSE).
it('closes hours by the partition states as stored when it closes: an intent another run wrote since holds them', async () => {
  const stores = testLake();
  const records = Array.from({ length: 10 }, (_, offset) => event(offset, Date.UTC(2026, 10, 30, 9, 5 + offset)));
  // Offsets 0–4 archived at 09:30: hour 09 is open (closed through 08:00).
  expect((await run(stores, partition(records.slice(0, 5)), { now: '2026-11-30T09:30:00Z' })).closures[0]?.closedThrough).toBe('2026-11-30T08:00:00.000Z');
  // Run A plans at 10:30 with nothing to read, and is held right after planning.
  const planned = gate();
  const releaseA = gate();
  const runA = run(stores, partition(records.slice(0, 5)), { runId: 'A', fault: async (point) => (point === 'after-plan' ? (planned.open(), releaseA.opened) : undefined) });
  await planned.opened;
  // Run B reads offsets 5–9 (hour 09), writes its unit's intent and is held while uploading.
  const uploading = gate();
  const releaseB = gate();
  const slowLake: ObjectStore = { ...stores.lake, location: stores.lake.location, create: async (...args) => (uploading.open(), await releaseB.opened, stores.lake.create(...args)) };
  const runB = run({ lake: slowLake, state: stores.state }, partition(records), { runId: 'B' });
  await uploading.opened;
  expect(JSON.parse(new TextDecoder().decode((await stores.state.get('apps-users/0.json'))?.bytes))).toMatchObject({ pending: { runId: 'B' } });
  releaseA.open();
  const a = await runA;
  expect(a.closures).toMatchObject([{ closedThrough: '2026-11-30T08:00:00.000Z', hoursClosed: 0, held: 'a partition has a pending unit or has archived nothing yet' }]);
  releaseB.open();
  expect((await runB).partitions[0]).toMatchObject({ status: 'archived', next: '10', written: 5 });
  expect(await auditLake(stores)).toMatchObject({ ok: true });
});

it('stops a partition whose crashed unit retention made impossible to rebuild, naming the range, the missing objects and the README section', async () => {
  const stores = testLake();
  // A unit of two objects (hours 08 and 09); the run dies after publishing the first.
  const records = [event(0, Date.UTC(2026, 10, 30, 8)), event(1, Date.UTC(2026, 10, 30, 9)), event(2, Date.UTC(2026, 10, 30, 9))];
  expect((await run(stores, partition(records), { crashAt: 'mid-publish' })).partitions[0]).toMatchObject({ status: 'stopped', next: '0' });
  // Retention deletes offset 0 before the next run: the unit's unpublished object cannot be rebuilt.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const report = await run(stores, partition(records, 1n));
    expect(report.exitCode).toBe(1);
    expect(report.partitions[0]).toMatchObject({ status: 'stopped', next: '0', problem: expect.stringMatching(/^apps-users\/0 offsets 0–2: run r1 stopped while publishing this unit, 1 of its 2 objects were never published \(apps-users\/v=1\/dt=2026-11-30\/hr=0\d\/apps-users\+0\+\d+\+\d+\.jsonl\.gz\), and Kafka has since deleted offsets below 1, so the unit cannot be rebuilt\./) as string });
    expect(report.closures).toMatchObject([{ hoursClosed: 0 }]);
  }
  const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
  expect(readme).toContain('- **A unit that cannot be rebuilt** (`INTENT_UNRECOVERABLE`)');
});

// Regression: a partition that never had a record has no state, so every run checked for a
// mistyped --state by listing every object of the subject in the lake (and in a file lake,
// reading each of them): a cost that grew with the lake, for a partition with nothing to do.
it('does not list the lake for a partition without a state while the store has states of its topic', async () => {
  const stores = testLake();
  const listed: string[] = [];
  const lake: ObjectStore = { ...stores.lake, location: stores.lake.location, list: (prefix) => (listed.push(prefix), stores.lake.list(prefix)) };
  // Partition 0 has records in 40 hours; partition 1 never had one (low = high = 0).
  const records = Array.from({ length: 40 }, (_, offset) => event(offset, Date.UTC(2026, 10, 28) + offset * 3_600_000));
  const source: RecordSource = { ...partition(records), offsets: () => Promise.resolve([{ topic: 'apps-users', partition: 0, low: 0n, high: 40n }, { topic: 'apps-users', partition: 1, low: 0n, high: 0n }]) };
  expect((await run({ lake, state: stores.state }, source)).partitions.map((entry) => entry.status)).toEqual(['archived', 'idle']);
  listed.length = 0;
  const again = await run({ lake, state: stores.state }, source);
  expect(again.partitions.map((entry) => entry.status)).toEqual(['idle', 'idle']);
  expect(listed.filter((prefix) => prefix.startsWith('apps-users/') || prefix.startsWith('_quarantine/'))).toEqual([]);
});

it('rebuilds a crashed unit with the record size limit it was routed with, whatever --max-record-bytes is now', async () => {
  const stores = testLake();
  const big = { ...event(1), value: Buffer.from(JSON.stringify({ pad: 'x'.repeat(5000) })) };
  const records = [event(0), big, event(2)];
  const killed = await run(stores, partition(records), { crashAt: 'after-intent', runId: 'a' });
  expect(killed.partitions[0]).toMatchObject({ status: 'stopped' });
  // Lowered after the crash (say after an out-of-memory kill): the pending unit still archives the 5 KB record as data.
  const report = await run(stores, partition(records), { runId: 'b', maxRecordBytes: 1000 });
  expect(report.partitions[0]).toMatchObject({ status: 'archived', recovered: true, next: '3', written: 3, quarantined: {} });
  expect(await stores.lake.list('_quarantine/')).toEqual([]);
  expect(await auditLake(stores)).toMatchObject({ ok: true });
  // Records after the rebuilt unit go by the limit of the run.
  const more = await run(stores, partition([...records, { ...big, offset: '3' }]), { runId: 'c', maxRecordBytes: 1000 });
  expect(more.partitions[0]).toMatchObject({ status: 'archived', next: '4', quarantined: { TOO_LARGE: 1 } });
});

it('stops a partition whose crashed unit rebuilds differently, naming the first object that differs and why it may', async () => {
  const stores = testLake();
  const records = [event(0), event(1), event(2)];
  await run(stores, partition(records), { crashAt: 'after-intent', runId: 'a' });
  // The topic was recreated: other records at the same offsets.
  const other = records.map((record) => ({ ...record, value: Buffer.from('{"other":true}') }));
  const report = await run(stores, partition(other), { runId: 'b' });
  const problem = report.partitions[0]?.problem ?? '';
  expect(report.partitions[0]).toMatchObject({ status: 'stopped', next: '0' });
  expect(problem).toMatch(/^apps-users\/0 offsets 0–2 rebuilt from Kafka differ from the intent of run a: apps-users\/v=1\/dt=2026-11-30\/hr=09\/apps-users\+0\+0+\+0+2\.jsonl\.gz holds 3 records with SHA-256 [0-9a-f]{64}, where the intent has 3 with [0-9a-f]{64}; nothing was overwritten\. /);
  expect(problem).toContain('(the topic was recreated)');
  expect(problem).toContain('finish the unit with that release');
  expect(problem).toContain('The intent is kept in the state for inspection.');
  // Nothing was published, the intent stays.
  expect(await stores.lake.list('apps-users/')).toEqual([]);
});

it('stops a partition whose unknown schema ID the manifest could not be re-read for, naming the record, the ID and the failure', async () => {
  const stores = testLake();
  const records = [event(0), { ...event(1), headers: { 'schema-id': '77' } }, event(2)];
  let reads = 0;
  const manifests: FlowPorts['manifests'] = { latest: () => (++reads === 1 ? Promise.resolve(manifest) : Promise.reject(new Error('503 from the manifest bucket'))), bySerial: () => Promise.resolve(manifest) };
  const report = await run(stores, partition(records), { manifests });
  expect(report.partitions[0]).toMatchObject({ status: 'stopped', next: '0' });
  expect(report.partitions[0]?.problem).toBe('apps-users/0 offset 1: schema ID 77 is not in manifest serial 1, and re-reading the manifest to look for it failed: 503 from the manifest bucket. The partition stops for this run, with nothing lost: the next run reads this record again');
  // The next run, with the manifest readable, quarantines it as unknown and archives the rest.
  const next = await run(stores, partition(records));
  expect(next.partitions[0]).toMatchObject({ status: 'archived', next: '3', written: 2, quarantined: { UNKNOWN_SCHEMA_ID: 1 } });
  expect(await auditLake(stores)).toMatchObject({ ok: true });
});
