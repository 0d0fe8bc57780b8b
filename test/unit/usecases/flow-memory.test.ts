import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import type { Manifest, ManifestSubject } from '../../../src/manifest/types.js';
import type { KafkaRecord, RecordSource } from '../../../src/ports.js';
import { auditLake } from '../../../src/usecases/audit-lake.js';
import { runFlow } from '../../../src/usecases/flow-run.js';

/* runFlow on the file lake with records handed over in memory: the memory budget over hostile hours. */
const subject = { subject: 'apps-users', team: 'apps', name: 'users', topic: 'apps-users', description: 'd', owners: [], status: 'active', compatibility: { mode: 'FULL', policy: 'DEFAULT' }, topicConfig: {}, eventTime: null, pii: [], lakePath: 'apps-users/', versions: [{ version: 1, id: 1, fingerprint: 'sha256:x', path: 'p', registeredIn: 'c', schema: { type: 'object' } }] } as unknown as ManifestSubject;
const manifest: Manifest = { format: '1.0', serial: 1, sourceCommit: 'c', environment: 'default', subjects: [subject] };
const root = mkdtempSync(join(tmpdir(), 'schemaflow-flow-memory-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One partition whose records are handed over in a single batch. */
function oneBatch(records: readonly KafkaRecord[]): RecordSource {
  return {
    offsets: () => Promise.resolve([{ topic: 'apps-users', partition: 0, low: 0n, high: BigInt(records.length) }]),
    read: async (_ranges, handle) => void (await handle({ topic: 'apps-users', partition: 0, records: [...records], done: true, heartbeat: () => Promise.resolve() })),
    recordPositions: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

it('keeps one batch of records spread over hundreds of hours within the memory budget: a new object checks it', async () => {
  // Each record in an hour of its own: each opens an object, and each object a compressor (~300 KiB).
  const records = Array.from({ length: 400 }, (_, offset): KafkaRecord => ({ topic: 'apps-users', partition: 0, offset: String(offset), timestamp: String(Date.UTC(2020, 0, 1) + offset * 3_600_000), key: null, value: Buffer.from('{}'), headers: { 'schema-id': '1' } }));
  const lake = openObjectStore(`file://${root}/lake`);
  const state = openObjectStore(`file://${root}/lake/_state`);
  const flushBytes = 1024 * 1024;
  const report = await runFlow({ lake, state, source: oneBatch(records), manifests: { latest: () => Promise.resolve(manifest), bySerial: () => Promise.resolve(manifest) }, clock: () => new Date('2026-11-30T10:30:00Z'), log: () => undefined, fault: () => Promise.resolve() }, { runId: 'r1', subjects: [], shard: null, maxDurationMs: 60_000, flushBytes, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 0 });
  const [partition] = report.partitions;
  expect(partition).toMatchObject({ status: 'archived', records: 400, written: 400, objects: 400, next: '400' });
  // Four flush sizes hold about 13 compressors: the batch is cut into units of that many objects.
  expect(partition?.units).toBeGreaterThanOrEqual(Math.ceil(400 / Math.ceil((4 * flushBytes) / (300 * 1024))));
  expect((await auditLake({ lake, state })).ok).toBe(true);
});
