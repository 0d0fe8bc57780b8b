import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRecordSource } from '../../src/adapters/kafka/record-source.js';
import { openObjectStore } from '../../src/adapters/lake/object-store.js';
import type { Manifest } from '../../src/manifest/types.js';
import { auditLake } from '../../src/usecases/audit-lake.js';
import { runFlow } from '../../src/usecases/flow-run.js';
import { createFlowFixture, type FlowFixture } from './support/flow-fixture.js';

/**
 * A record whose schema ID the flow's manifest does not know: the flow re-reads the manifest
 * once (its copy may be older than the producer's); still unknown → UNKNOWN_SCHEMA_ID. Runs the
 * use case in-process with the real broker and a file lake; only the manifest source is ours.
 */
let fixture: FlowFixture;
const scratch = mkdtempSync(join(tmpdir(), 'schemaflow-reread-'));
beforeAll(async () => {
  fixture = await createFlowFixture();
});
afterAll(async () => {
  await fixture.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

it('re-reads the manifest once for an unknown schema ID, then quarantines what is still unknown', async () => {
  const topic = fixture.subjects[0] ?? '';
  await fixture.createTopic(topic, 1);
  const at = '2026-11-30T10:00:00Z';
  await fixture.send(topic, [
    { headers: { 'schema-id': String(fixture.idOf(topic, 1)) }, value: JSON.stringify({ id: 'a', at }) },
    { headers: { 'schema-id': String(fixture.idOf(topic, 2)) }, value: JSON.stringify({ id: 'b', at, ref: 'r' }) },
    { headers: { 'schema-id': '999999' }, value: JSON.stringify({ id: 'c', at }) },
    { headers: { 'schema-id': String(fixture.idOf(topic, 2)) }, value: JSON.stringify({ id: 'd', at }) },
  ]);
  // The flow starts with an older manifest that has only version 1; the newer one has version 2.
  const older: Manifest = { ...fixture.manifest, serial: fixture.manifest.serial - 1, subjects: fixture.manifest.subjects.map((subject) => ({ ...subject, versions: subject.versions.filter((version) => version.version === 1) })) };
  const served = [older, fixture.manifest];
  let reads = 0;
  const manifests = { latest: () => Promise.resolve(served[Math.min(reads++, 1)] as Manifest), bySerial: () => Promise.reject(new Error('not needed')) };
  const lake = openObjectStore(`file://${scratch}/lake`);
  const state = openObjectStore(`file://${scratch}/lake/_state`);
  const source = createRecordSource(fixture.kafka, { runId: 'reread' });
  const lines: string[] = [];
  const report = await runFlow({ lake, state, source, manifests, clock: () => new Date(), fault: () => Promise.resolve(), log: (line) => lines.push(line) }, { runId: 'reread', subjects: [topic], shard: null, maxDurationMs: 60_000, flushBytes: 1 << 20, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 900_000 });
  await source.close();

  expect(reads).toBe(2);
  expect(lines.join('\n')).toContain(`manifest serial ${fixture.manifest.serial} replaces ${older.serial}`);
  expect(report.exitCode).toBe(0);
  expect(report.manifestSerial).toBe(fixture.manifest.serial);
  const [partition] = report.partitions;
  expect(partition).toMatchObject({ status: 'archived', records: 4, written: 3, quarantined: { UNKNOWN_SCHEMA_ID: 1 }, next: '4' });
  const keys = (await lake.list(`${topic}/`)).filter((entry) => entry.key.endsWith('.jsonl.gz')).map((entry) => entry.key.split('/')[1]);
  expect(keys.sort()).toEqual(['v=1', 'v=2']);
  expect((await auditLake({ lake, state })).ok).toBe(true);
});
