import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import type { Manifest, ManifestSubject } from '../../../src/manifest/types.js';
import type { KafkaRecord, RecordSource } from '../../../src/ports.js';
import { auditLake } from '../../../src/usecases/audit-lake.js';
import { runFlow } from '../../../src/usecases/flow-run.js';

/*
 * Regression: lake audit passed an object moved (with its metadata, as `gsutil mv` keeps it) into
 * another subject's folder, another version's or another kind's: every offset was still in exactly
 * one object, but queries over the subject's folder missed its rows and `lake audit --subject`
 * failed where the whole-lake audit passed. Its folder must now be the one its name and metadata
 * say (OBJECT_MISPLACED, naming where it belongs).
 */
const subjectOf = (name: string): ManifestSubject =>
  ({ subject: name, team: 'apps', name: name.slice(5), topic: name, description: 'd', owners: [], status: 'active', compatibility: { mode: 'FULL', policy: 'DEFAULT' }, topicConfig: {}, eventTime: null, pii: [], lakePath: `${name}/`, versions: [{ version: 1, id: 1, fingerprint: 'sha256:x', path: 'p', registeredIn: 'c', schema: { type: 'object' } }] }) as unknown as ManifestSubject;
const manifest: Manifest = { format: '1.0', serial: 1, sourceCommit: 'c', environment: 'default', subjects: [subjectOf('apps-users')] };
const root = mkdtempSync(join(tmpdir(), 'schemaflow-audit-misplaced-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const source: RecordSource = {
  offsets: () => Promise.resolve([{ topic: 'apps-users', partition: 0, low: 0n, high: 5n }]),
  read: async ([range], handle) => {
    if (!range) return;
    const records: KafkaRecord[] = [];
    for (let offset = range.from; offset < range.to; offset += 1n) records.push({ topic: 'apps-users', partition: 0, offset: String(offset), timestamp: String(Date.UTC(2026, 10, 30, 9)), key: null, value: Buffer.from('{}'), headers: { 'schema-id': '1' } });
    await handle({ topic: 'apps-users', partition: 0, records, done: true, heartbeat: () => Promise.resolve() });
  },
  recordPositions: () => Promise.resolve(),
  removeLeftoverGroups: () => Promise.resolve({ removed: [], problems: [] }),
  close: () => Promise.resolve(),
};

/** Moves a file lake object and its metadata files (`.schemaflow-meta/<key>.<generation>.json`). */
function move(lakePath: string, from: string, to: string): void {
  mkdirSync(dirname(join(lakePath, to)), { recursive: true });
  renameSync(join(lakePath, from), join(lakePath, to));
  const metaDir = dirname(join(lakePath, '.schemaflow-meta', from));
  const base = from.slice(from.lastIndexOf('/') + 1);
  mkdirSync(dirname(join(lakePath, '.schemaflow-meta', to)), { recursive: true });
  for (const file of readdirSync(metaDir).filter((name) => name.startsWith(`${base}.`))) renameSync(join(metaDir, file), join(lakePath, '.schemaflow-meta', `${to}${file.slice(base.length)}`));
}

const FOLDER = 'apps-users/v=1/dt=2026-11-30/hr=09/';
const NAME = 'apps-users+0+00000000000000000000+00000000000000000004.jsonl.gz';

describe('lake audit of an object moved out of its folder, with its metadata', () => {
  const cases: ReadonlyArray<[string, string, RegExp]> = [
    ['another subject’s folder, of a version it does not have', `apps-orders/v=7/dt=2026-11-30/hr=09/${NAME}`, /is misplaced: its folder is subject apps-orders's, but its name says it holds records of topic apps-users; its folder is v=7\/, but its metadata says schema version 1, so queries over the folders of apps-users do not read it, and lake audit --subject apps-users does not list it\. It belongs at apps-users\/v=1\/dt=2026-11-30\/hr=09\/apps-users\+0\+/],
    ['another version’s folder', `apps-users/v=2/dt=2026-11-30/hr=09/${NAME}`, /is misplaced: its folder is v=2\/, but its metadata says schema version 1, so queries over the folder it belongs in do not read it\. It belongs at apps-users\/v=1\//],
    ['the late folder', `_late/apps-users/v=1/dt=2026-11-30/hr=09/${NAME}`, /is misplaced: its folder is for late objects, but its metadata says it is data, .* It belongs at apps-users\/v=1\/dt=2026-11-30\/hr=09\//],
    ['the quarantine folder', `_quarantine/apps-users/dt=2026-11-30/hr=09/${NAME}`, /is misplaced: its folder is for quarantine objects, but its metadata says it is data, .* It belongs at apps-users\/v=1\//],
    ['a folder outside the layout', `apps-users/v=1/${NAME}`, /is in no folder of the lake layout \(.*\): queries over the folders of apps-users do not read it/],
  ];
  for (const [what, moved, message] of cases) {
    it(`fails an object in ${what} (OBJECT_MISPLACED), and passes it moved back`, async () => {
      const lakePath = join(root, `lake-${cases.findIndex((entry) => entry[1] === moved)}`);
      const stores = { lake: openObjectStore(`file://${lakePath}`), state: openObjectStore(`file://${lakePath}-state`) };
      await runFlow({ ...stores, source, manifests: { latest: () => Promise.resolve(manifest), bySerial: () => Promise.resolve(manifest) }, clock: () => new Date('2026-11-30T10:30:00Z'), log: () => undefined, fault: () => Promise.resolve() }, { runId: 'r1', subjects: ['apps-users'], shard: null, maxDurationMs: 60_000, flushBytes: 1 << 20, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 1_000 * 3_600_000 });
      expect((await stores.lake.list('')).map((entry) => entry.key)).toEqual([`${FOLDER}${NAME}`]);
      move(lakePath, `${FOLDER}${NAME}`, moved);
      expect((await stores.lake.get(moved))?.metadata).toMatchObject({ topic: 'apps-users', kind: 'data', 'schema-version': '1' });

      const report = await auditLake(stores);
      expect(report.ok).toBe(false);
      expect(report.partitions).toMatchObject([{ topic: 'apps-users', partition: 0, problems: [{ code: 'OBJECT_MISPLACED', key: moved, message: expect.stringMatching(message) as unknown }], problemCount: 1 }]);
      expect(report.partitions[0]?.problems[0]?.message.startsWith(`${moved}: `)).toBe(true);

      move(lakePath, moved, `${FOLDER}${NAME}`);
      expect((await auditLake(stores)).ok).toBe(true);
    });
  }
});
