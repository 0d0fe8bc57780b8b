import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import type { Manifest, ManifestSubject } from '../../../src/manifest/types.js';
import type { KafkaRecord, ObjectStore, RecordSource } from '../../../src/ports.js';
import { auditLake } from '../../../src/usecases/audit-lake.js';
import { runFlow, type FaultPoint } from '../../../src/usecases/flow-run.js';

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
    close: () => Promise.resolve(),
  };
}

let lakes = 0;
function testLake(): { lake: ObjectStore; state: ObjectStore } {
  lakes += 1;
  return { lake: openObjectStore(`file://${root}/lake${lakes}`), state: openObjectStore(`file://${root}/lake${lakes}/_state`) };
}

const run = (stores: { lake: ObjectStore; state: ObjectStore }, source: RecordSource, options: { flushBytes?: number; crashAt?: FaultPoint } = {}) =>
  runFlow(
    { ...stores, source, manifests: { latest: () => Promise.resolve(manifest), bySerial: () => Promise.resolve(manifest) }, clock: () => new Date('2026-11-30T10:30:00Z'), log: () => undefined, fault: (point) => (point === options.crashAt ? Promise.reject(new Error(`killed at ${point}`)) : Promise.resolve()) },
    { runId: 'r1', subjects: [], shard: null, maxDurationMs: 60_000, flushBytes: options.flushBytes ?? 1 << 20, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 0 },
  );

it('records what retention deleted after a crash left a gap record: the earlier record stays, the rest is the next gap, no offset in two', async () => {
  const stores = testLake();
  const records = Array.from({ length: 12 }, (_, offset) => event(offset));
  expect((await run(stores, partition(records.slice(0, 5)))).partitions[0]?.next).toBe('5');
  // Retention deletes 5–7; the run fails right after the gap record, before its state moves (as a kill would).
  const killed = await run(stores, partition(records.slice(0, 10), 8n), { crashAt: 'after-gap' });
  expect(killed.partitions[0]).toMatchObject({ status: 'stopped', next: '5' });
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
