import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileStore } from '../../../src/adapters/lake/file-store.js';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import { FILE_LAKE_TOPIC_MAX, objectFileNameBytes } from '../../../src/archive/layout.js';
import type { Manifest, ManifestSubject } from '../../../src/manifest/types.js';
import type { KafkaRecord, RecordSource } from '../../../src/ports.js';
import { auditLake } from '../../../src/usecases/audit-lake.js';
import { runFlow } from '../../../src/usecases/flow-run.js';

/*
 * Regression: a topic longer than 147 characters (the catalog allows 249) could never be
 * archived into a file lake. The temporary file (17 more characters) and the metadata file (38
 * more) were named after the object, so they passed the 255 bytes a file name may have while
 * the object's own name fitted, and the partition stopped every run with a bare ENAMETOOLONG.
 * The store's own files have short names now, and a name it cannot hold says why and what to do.
 */
const root = mkdtempSync(join(tmpdir(), 'schemaflow-file-store-names-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Archives three records of partition 0 of `topic` (its subject of the same name) into a fresh file lake. */
async function archive(topic: string) {
  const subject = { subject: topic, team: 'apps', name: topic.slice(5), topic, description: 'd', owners: [], status: 'active', compatibility: { mode: 'FULL', policy: 'DEFAULT' }, topicConfig: {}, eventTime: null, pii: [], lakePath: `${topic}/`, versions: [{ version: 1, id: 1, fingerprint: 'sha256:x', path: 'p', registeredIn: 'c', schema: { type: 'object' } }] } as unknown as ManifestSubject;
  const manifest: Manifest = { format: '1.0', serial: 1, sourceCommit: 'c', environment: 'default', subjects: [subject] };
  const source: RecordSource = {
    offsets: () => Promise.resolve([{ topic, partition: 0, low: 0n, high: 3n }]),
    read: async ([range], handle) => {
      if (!range) return;
      const records: KafkaRecord[] = [];
      for (let offset = range.from; offset < range.to; offset += 1n) records.push({ topic, partition: 0, offset: String(offset), timestamp: String(Date.UTC(2026, 10, 30, 9)), key: null, value: Buffer.from('{}'), headers: { 'schema-id': '1' } });
      await handle({ topic, partition: 0, records, done: true, heartbeat: () => Promise.resolve() });
    },
    recordPositions: () => Promise.resolve(),
    removeLeftoverGroups: () => Promise.resolve({ removed: [], problems: [] }),
    close: () => Promise.resolve(),
  };
  const lakePath = mkdtempSync(join(root, 'lake-'));
  const stores = { lake: openObjectStore(`file://${lakePath}`), state: openObjectStore(`file://${lakePath}/_state`) };
  // Closing the hour too (a lateness of 0): its marker, closure state and their locks are named after the subject.
  const report = await runFlow({ ...stores, source, manifests: { latest: () => Promise.resolve(manifest), bySerial: () => Promise.resolve(manifest) }, clock: () => new Date('2026-11-30T10:30:00Z'), log: () => undefined, fault: () => Promise.resolve() }, { runId: 'r1', subjects: [], shard: null, maxDurationMs: 60_000, flushBytes: 1 << 20, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 0 });
  return { report, stores, lakePath };
}

describe('a file lake and long names', () => {
  it('archives and audits a topic whose objects’ file names have the most bytes a file name may have (255)', async () => {
    const topic = `apps-${'x'.repeat(197)}`;
    expect(objectFileNameBytes(topic, 0)).toBe(255);
    const { report, stores, lakePath } = await archive(topic);
    expect(report.partitions).toMatchObject([{ status: 'archived', next: '3' }]);
    expect(report.partitions[0]).not.toHaveProperty('problem');
    expect(report.closures).toMatchObject([{ hoursClosed: 1, markers: 1 }]);
    expect(report.exitCode).toBe(0);
    const folder = `${topic}/v=1/dt=2026-11-30/hr=09/`;
    const name = `${topic}+0+${'0'.repeat(20)}+${'0'.repeat(19)}2.jsonl.gz`;
    expect((await stores.lake.list(`${topic}/`)).map((entry) => entry.key)).toEqual([`${folder}_CLOSED.json`, `${folder}${name}`]);
    expect((await stores.lake.get(`${folder}${name}`))?.metadata).toMatchObject({ topic, count: '3' });
    expect(await auditLake(stores)).toMatchObject({ ok: true, closedHours: 1 });
    // No temporary file or lock is left beside the objects.
    expect(readdirSync(join(lakePath, folder)).sort()).toEqual(['_CLOSED.json', name]);
  });

  it('stops a topic whose objects’ file names are longer than 255 bytes with OBJECT_STORE_FAILED naming the object, the limit and what to do', async () => {
    const topic = `apps-u${'x'.repeat(200)}`;
    expect(objectFileNameBytes(topic, 0)).toBe(259);
    const { report } = await archive(topic);
    expect(report.exitCode).toBe(1);
    expect(report.partitions[0]?.status).toBe('stopped');
    expect(report.partitions[0]?.problem).toMatch(new RegExp(`^file://${root}/lake-\\w+/${topic}/v=1/dt=2026-11-30/hr=09/${topic}\\+0\\+0{20}\\+0{19}2\\.jsonl\\.gz: the name "apps-ux{34}…" is 259 bytes, over the 255 bytes file systems allow in one name, so a file lake cannot hold this object \\(each part of a key is a file or folder name\\)\\. A GCS lake \\(gs://\\) has no such limit; or give the subject a shorter name: .* topics of up to ${FILE_LAKE_TOPIC_MAX} characters fit\\.$`));
  });

  it('names its metadata and locks of a long name by a digest, keeps the names existing lakes have, and fails a name no file system holds', async () => {
    const store = createFileStore(join(root, 'names'));
    const { generation } = await store.create('apps-users/a.jsonl.gz', new Uint8Array([1]), { metadata: { count: '1' } });
    expect(readdirSync(join(root, 'names', '.schemaflow-meta', 'apps-users'))).toEqual([`a.jsonl.gz.${generation}.json`]);
    // 251 bytes: with `.lock` (a replace) or `.<generation>.json` (metadata) it would be no file name.
    const long = `apps-users/${'z'.repeat(251)}`;
    const first = await store.replace(long, new Uint8Array([1]), null, { metadata: { count: '1' } });
    await store.replace(long, new Uint8Array([2]), first.generation, { metadata: { count: '2' } });
    expect((await store.get(long))?.metadata).toEqual({ count: '2' });
    expect(readdirSync(join(root, 'names', 'apps-users')).sort()).toEqual(['a.jsonl.gz', 'z'.repeat(251)]);
    await expect(store.get(`apps-users/${'y'.repeat(256)}`)).rejects.toMatchObject({ code: 'OBJECT_STORE_FAILED', retriable: false, message: expect.stringContaining('is 256 bytes, over the 255 bytes') as unknown });
  });
});
