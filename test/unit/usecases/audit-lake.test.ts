import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import { stateKey } from '../../../src/archive/layout.js';
import { advanceState, initialState, serializeState, type PartitionState } from '../../../src/archive/state.js';
import type { Manifest, ManifestSubject } from '../../../src/manifest/types.js';
import type { KafkaRecord, ObjectStore, PartitionOffsets, RecordSource } from '../../../src/ports.js';
import { auditLake } from '../../../src/usecases/audit-lake.js';
import { runFlow, type FaultPoint } from '../../../src/usecases/flow-run.js';

/*
 * lake audit of partitions the lake holds nothing of but whose flow state remains: the lake is
 * archived by runFlow on the file lake (records handed over in memory), then objects are deleted
 * as an accident or a bug would. The state lives outside the lake, as `--state` allows.
 */
const subjectOf = (name: string, id: number): ManifestSubject =>
  ({ subject: name, team: 'apps', name: name.slice(5), topic: name, description: 'd', owners: [], status: 'active', compatibility: { mode: 'FULL', policy: 'DEFAULT' }, topicConfig: {}, eventTime: null, pii: [], lakePath: `${name}/`, versions: [{ version: 1, id, fingerprint: 'sha256:x', path: 'p', registeredIn: 'c', schema: { type: 'object' } }] }) as unknown as ManifestSubject;
const manifest: Manifest = { format: '1.0', serial: 1, sourceCommit: 'c', environment: 'default', subjects: [subjectOf('apps-users', 1), subjectOf('apps-other', 2)] };
const root = mkdtempSync(join(tmpdir(), 'schemaflow-audit-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const event = (topic: string, partition: number, offset: bigint): KafkaRecord => ({ topic, partition, offset: String(offset), timestamp: String(Date.UTC(2026, 10, 30, 9)), key: null, value: Buffer.from('{}'), headers: { 'schema-id': topic === 'apps-users' ? '1' : '2' } });

/** Partitions with every record in [low, high), each read in one batch. */
function kafka(partitions: readonly PartitionOffsets[]): RecordSource {
  return {
    offsets: (topics) => Promise.resolve(partitions.filter((entry) => topics.includes(entry.topic))),
    read: async (ranges, handle) => {
      for (const range of ranges) {
        const records: KafkaRecord[] = [];
        for (let offset = range.from; offset < range.to; offset += 1n) records.push(event(range.topic, range.partition, offset));
        if (records.length > 0) await handle({ topic: range.topic, partition: range.partition, records, done: true, heartbeat: () => Promise.resolve() });
      }
    },
    recordPositions: () => Promise.resolve(),
    removeLeftoverGroups: () => Promise.resolve({ removed: [], problems: [] }),
    close: () => Promise.resolve(),
  };
}

interface Stores {
  readonly lake: ObjectStore;
  readonly state: ObjectStore;
  readonly lakePath: string;
}

let lakes = 0;
function testLake(): Stores {
  lakes += 1;
  const lakePath = join(root, `lake${lakes}`);
  return { lake: openObjectStore(`file://${lakePath}`), state: openObjectStore(`file://${root}/state${lakes}`), lakePath };
}

// A lateness no hour reaches: no _CLOSED.json lists the objects these tests delete.
const archive = (stores: Stores, partitions: readonly PartitionOffsets[], options: { subjects?: string[]; crashAt?: FaultPoint } = {}) =>
  runFlow(
    { lake: stores.lake, state: stores.state, source: kafka(partitions), manifests: { latest: () => Promise.resolve(manifest), bySerial: () => Promise.resolve(manifest) }, clock: () => new Date('2026-11-30T10:30:00Z'), log: () => undefined, fault: (point) => (point === options.crashAt ? Promise.reject(new Error(`killed at ${point}`)) : Promise.resolve()) },
    { runId: 'r1', subjects: options.subjects ?? [], shard: null, maxDurationMs: 60_000, flushBytes: 1 << 20, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 1_000 * 3_600_000 },
  );

/** Deletes every lake object of a partition (data, quarantine, late and gap records), as an accident would. */
async function deleteObjectsOf(stores: Stores, topic: string, partition: number): Promise<string[]> {
  const keys = (await stores.lake.list('')).map((entry) => entry.key).filter((key) => key.includes(`/${topic}+${partition}+`) || key.startsWith(`_gaps/${topic}/${partition}/`));
  for (const key of keys) rmSync(join(stores.lakePath, key));
  return keys;
}

/** Each partition's problem messages (the codes are asserted where they matter). */
const problemsOf = (report: Awaited<ReturnType<typeof auditLake>>): Record<string, readonly string[]> => Object.fromEntries(report.partitions.map((entry) => [`${entry.topic}/${entry.partition}`, entry.problems.map((problem) => problem.message)]));

const users = (partition: number, low: bigint, high: bigint): PartitionOffsets => ({ topic: 'apps-users', partition, low, high });
const other = (low: bigint, high: bigint): PartitionOffsets => ({ topic: 'apps-other', partition: 0, low, high });

describe('lake audit of partitions whose objects are gone but whose state remains', () => {
  it('fails when every object of a partition was deleted, naming the offsets its state claims and the state', async () => {
    const stores = testLake();
    await archive(stores, [users(0, 0n, 10n), users(1, 0n, 7n), other(0n, 4n)]);
    expect((await auditLake(stores)).ok).toBe(true);
    expect(await deleteObjectsOf(stores, 'apps-users', 1)).not.toEqual([]);

    const report = await auditLake(stores);
    expect(report.ok).toBe(false);
    const missing = `apps-users/1: offsets 0–6 are in no object and no gap record: the lake holds nothing of this partition, but its state ${stores.state.location}/apps-users/1.json says every offset from 0 (where the flow started it) below 7 was archived (if a retention rule deleted them, audit with --retention and the age of the rule)`;
    expect(problemsOf(report)).toEqual({ 'apps-other/0': [], 'apps-users/0': [], 'apps-users/1': [missing] });
    expect(report.partitions.find((entry) => entry.partition === 1)).toMatchObject({ first: '0', next: '7', objects: 0, records: 0, gaps: 0, pending: null });

    // --subject audits the state-only partitions of that subject (its topic) and no other.
    expect(problemsOf(await auditLake(stores, { subject: 'apps-users' }))).toEqual({ 'apps-users/0': [], 'apps-users/1': [missing] });
    const apart = await auditLake(stores, { subject: 'apps-other' });
    expect(apart.ok).toBe(true);
    expect(problemsOf(apart)).toEqual({ 'apps-other/0': [] });
  });

  it('starts the missing offsets where the flow started the partition, not at 0', async () => {
    const stores = testLake();
    // Retention had deleted 0–2 before the first run: the flow starts at 3 and records no gap.
    await archive(stores, [users(0, 0n, 5n), users(1, 3n, 9n)], { subjects: ['apps-users'] });
    await deleteObjectsOf(stores, 'apps-users', 1);
    expect(problemsOf(await auditLake(stores))['apps-users/1']).toEqual([expect.stringMatching(/^apps-users\/1: offsets 3–8 are in no object and no gap record: .* every offset from 3 \(where the flow started it\) below 9 was archived \(if a retention rule deleted them, audit with --retention and the age of the rule\)$/)]);
  });

  it('fails when the lake holds nothing but states that claim offsets: exit 1 naming them, not "nothing is archived" (exit 2)', async () => {
    const stores = testLake();
    await archive(stores, [users(0, 0n, 5n), users(1, 0n, 2n)], { subjects: ['apps-users'] });
    await deleteObjectsOf(stores, 'apps-users', 0);
    await deleteObjectsOf(stores, 'apps-users', 1);
    const report = await auditLake(stores);
    expect(report.ok).toBe(false);
    expect(Object.entries(problemsOf(report)).map(([where, problems]) => [where, problems.length])).toEqual([['apps-users/0', 1], ['apps-users/1', 1]]);
    expect(problemsOf(await auditLake(stores, { subject: 'apps-users' }))['apps-users/1']?.[0]).toContain('offsets 0–1 are in no object and no gap record');
  });

  it('passes a state that claims nothing: the start of a partition, and a first unit a crashed run left pending', async () => {
    const stores = testLake();
    await archive(stores, [users(0, 0n, 5n)], { subjects: ['apps-users'] });
    // Killed after its first unit's intent, before any object: the next run finishes the unit.
    const killed = await archive(stores, [other(2n, 6n)], { subjects: ['apps-other'], crashAt: 'after-intent' });
    expect(killed.partitions[0]).toMatchObject({ status: 'stopped', next: '2' });
    expect(await stores.lake.list('_quarantine/')).toEqual([]);
    expect((await stores.lake.list('apps-other/')).length).toBe(0);
    // A state at its start (next == start), as if written before the first unit.
    await stores.state.create(stateKey('apps-users', 1), serializeState({ ...initialState('apps-users', 1, 7n), revision: 1 }));

    const report = await auditLake(stores);
    expect(report.ok).toBe(true);
    expect(problemsOf(report)).toEqual({ 'apps-users/0': [] });
    // Nothing archived of the subject yet: still exit 2, saying so rather than suggesting the subject itself.
    await expect(auditLake(stores, { subject: 'apps-other' })).rejects.toMatchObject({ code: 'SUBJECT_NOT_IN_LAKE', exitCode: 2, message: expect.stringContaining('holds nothing of subject "apps-other" yet: its flow state claims no archived offset') as string });
    // A lake whose only states claim nothing is empty: exit 2 as before.
    const fresh = testLake();
    await archive(fresh, [other(2n, 6n)], { subjects: ['apps-other'], crashAt: 'after-intent' });
    expect((await fresh.state.list('')).map((entry) => entry.key)).toEqual(['apps-other/0.json']);
    await expect(auditLake(fresh)).rejects.toMatchObject({ code: 'LAKE_EMPTY', exitCode: 2 });
  });

  it('names only the committed offsets of a partition whose later unit is pending: the crashed unit is the next run’s', async () => {
    const stores = testLake();
    await archive(stores, [users(0, 0n, 3n), other(0n, 5n)]);
    await archive(stores, [other(0n, 9n)], { subjects: ['apps-other'], crashAt: 'after-intent' });
    await deleteObjectsOf(stores, 'apps-other', 0);
    const report = await auditLake(stores);
    expect(problemsOf(report)['apps-other/0']).toEqual([expect.stringMatching(/^apps-other\/0: offsets 0–4 are in no object and no gap record: .* below 5 was archived \(if a retention rule deleted them, audit with --retention and the age of the rule\)$/)]);
    expect(report.partitions.find((entry) => entry.topic === 'apps-other')).toMatchObject({ first: '0', next: '5', pending: null });
  });

  it('names the offsets of a state written before start was recorded, and a corrupt state, as problems', async () => {
    const stores = testLake();
    await archive(stores, [users(0, 0n, 3n)], { subjects: ['apps-users'] });
    const run = { runId: 'old', now: new Date('2026-11-30T10:00:00Z') };
    const committed = advanceState(advanceState(initialState('apps-users', 1, 0n), { pending: null }, run), { next: 7n, pending: null }, run);
    const { start: _start, ...legacy } = committed satisfies PartitionState;
    await stores.state.create(stateKey('apps-users', 1), new TextEncoder().encode(JSON.stringify(legacy)));
    await stores.state.create(stateKey('apps-users', 2), new TextEncoder().encode('{'));
    const problems = problemsOf(await auditLake(stores));
    expect(problems['apps-users/1']).toEqual([`apps-users/1: offsets up to 6 are in no object and no gap record: the lake holds nothing of this partition, but its state ${stores.state.location}/apps-users/1.json says every offset below 7 was archived (the state predates recording where the partition started, so the first missing offset is not known) (if a retention rule deleted them, audit with --retention and the age of the rule)`]);
    expect(problems['apps-users/2']).toEqual([expect.stringContaining(`flow state ${stores.state.location}/apps-users/2.json is not JSON`)]);
  });
});

describe('lake audit of partitions trimmed from the front', () => {
  /** Two runs, two units of apps-users/0 (0–4 and 5–9); then the objects of the first are deleted. */
  async function trimmed(): Promise<Stores> {
    const stores = testLake();
    await archive(stores, [users(0, 0n, 5n)]);
    await archive(stores, [users(0, 0n, 10n)]);
    expect((await auditLake(stores)).ok).toBe(true);
    const oldest = (await stores.lake.list('apps-users/')).map((entry) => entry.key).filter((key) => key.includes('+00000000000000000000+'));
    expect(oldest).toHaveLength(1);
    for (const key of oldest) rmSync(join(stores.lakePath, key));
    return stores;
  }

  it('fails when the oldest objects are gone: the state says where the flow started the partition', async () => {
    const report = await auditLake(await trimmed());
    expect(report.ok).toBe(false);
    expect(problemsOf(report)['apps-users/0']).toEqual(['apps-users/0: offsets 0–4 are in no object and no gap record: the flow started the partition at 0, and its first object begins at 5 (if a retention rule deleted them, audit with --retention and the age of the rule)']);
  });

  const DAY = 86_400_000;
  // runFlow's clock (the states' updatedAt) is 2026-11-30T10:30Z.
  const later = (days: number): Date => new Date(Date.parse('2026-11-30T10:30:00Z') + days * DAY);

  it('with a retention age, reports the missing front as expired and passes', async () => {
    const stores = await trimmed();
    const report = await auditLake(stores, { retentionMs: 7 * DAY, now: later(1) });
    expect(report.ok).toBe(true);
    expect(report.partitions.find((entry) => entry.partition === 0)).toMatchObject({ first: '5', next: '10', expired: 'offsets 0–4', problems: [] });
  });

  it('with a retention age, expires an emptied partition only when its state was committed longer ago than the age', async () => {
    const stores = await trimmed();
    await archive(stores, [users(0, 0n, 10n), users(1, 0n, 3n)]);
    await deleteObjectsOf(stores, 'apps-users', 0);
    // Too young for the rule to have deleted everything: a problem naming the last commit.
    const young = await auditLake(stores, { retentionMs: 7 * DAY, now: later(1) });
    expect(problemsOf(young)['apps-users/0']).toEqual([expect.stringContaining('offsets 0–9 are in no object and no gap record: the lake holds nothing of this partition')]);
    expect(problemsOf(young)['apps-users/0']?.[0]).toContain('less than the retention of 7d ago: a retention rule cannot have deleted them all');
    const old = await auditLake(stores, { retentionMs: 7 * DAY, now: later(30) });
    expect(old.ok).toBe(true);
    expect(old.partitions.find((entry) => entry.partition === 0)).toMatchObject({ expired: 'offsets 0–9', problems: [] });
  });

  it('with a retention age, still refuses a lake with no object at all (a mistyped --lake looks the same): exit 2', async () => {
    const stores = await trimmed();
    await deleteObjectsOf(stores, 'apps-users', 0);
    await expect(auditLake(stores, { retentionMs: 7 * DAY, now: later(30) })).rejects.toMatchObject({ code: 'LAKE_EMPTY' });
  });

  it('with a retention age, expires a front unit the rule deleted part of; without, names its missing records', async () => {
    const stores = testLake();
    // One unit of two hours (0–4 at 09:00, 5–9 at 10:00), then a unit 10–14 (the same topic, grown).
    const hours = (high: bigint): RecordSource => ({
      ...kafka([users(0, 0n, high)]),
      read: async ([range], handle) => {
        if (!range) return;
        const records: KafkaRecord[] = [];
        for (let offset = range.from; offset < range.to; offset += 1n) records.push({ ...event('apps-users', 0, offset), timestamp: String(Date.UTC(2026, 10, 30, offset < 5n ? 9 : 10)) });
        await handle({ topic: 'apps-users', partition: 0, records, done: true, heartbeat: () => Promise.resolve() });
      },
    });
    const run = (source: RecordSource) => runFlow({ lake: stores.lake, state: stores.state, source, manifests: { latest: () => Promise.resolve(manifest), bySerial: () => Promise.resolve(manifest) }, clock: () => new Date('2026-11-30T10:30:00Z'), log: () => undefined, fault: () => Promise.resolve() }, { runId: 'r1', subjects: ['apps-users'], shard: null, maxDurationMs: 60_000, flushBytes: 1 << 20, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 1_000 * 3_600_000 });
    await run(hours(10n));
    await run(hours(15n));
    const nine = (await stores.lake.list('apps-users/')).map((entry) => entry.key).filter((key) => key.includes('/hr=09/') && key.includes('+00000000000000000000+'));
    expect(nine).toHaveLength(1);
    for (const key of nine) rmSync(join(stores.lakePath, key));
    expect(problemsOf(await auditLake(stores))['apps-users/0']?.[0]).toMatch(/^apps-users\/0: the unit offsets 0–9 consumed 10 records but its objects hold 5; in no object: offsets 0–4/);
    const report = await auditLake(stores, { retentionMs: DAY, now: later(2) });
    expect(report.ok).toBe(true);
    expect(report.partitions[0]).toMatchObject({ expired: 'offsets 0–9', first: '0', next: '15', problems: [] });
  });

  // Regression: with no whole unit left, every offset up to the state's next was called expired
  // whatever the state's age, so a retention audit passed a partition that lost its newest records.
  it('with a retention age, fails a partition with no whole unit left whose state is younger than the age; expires it once older', async () => {
    const stores = testLake();
    // One unit 0–9 of two hours: 0–4 at 09:00, 5–9 at 10:00 (two objects).
    const source: RecordSource = {
      ...kafka([users(0, 0n, 10n)]),
      read: async ([range], handle) => {
        if (!range) return;
        const records: KafkaRecord[] = [];
        for (let offset = range.from; offset < range.to; offset += 1n) records.push({ ...event('apps-users', 0, offset), timestamp: String(Date.UTC(2026, 10, 30, offset < 5n ? 9 : 10)) });
        await handle({ topic: 'apps-users', partition: 0, records, done: true, heartbeat: () => Promise.resolve() });
      },
    };
    await runFlow({ lake: stores.lake, state: stores.state, source, manifests: { latest: () => Promise.resolve(manifest), bySerial: () => Promise.resolve(manifest) }, clock: () => new Date('2026-11-30T10:30:00Z'), log: () => undefined, fault: () => Promise.resolve() }, { runId: 'r1', subjects: ['apps-users'], shard: null, maxDurationMs: 60_000, flushBytes: 1 << 20, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 1_000 * 3_600_000 });
    // The newest object (5–9) is lost; the older one (0–4) is still there, so it is no front.
    const newest = (await stores.lake.list('apps-users/')).map((entry) => entry.key).filter((key) => key.includes('/hr=10/'));
    expect(newest).toHaveLength(1);
    for (const key of newest) rmSync(join(stores.lakePath, key));
    const young = await auditLake(stores, { retentionMs: 90 * DAY, now: new Date('2026-11-30T10:31:00Z') });
    expect(young.ok).toBe(false);
    expect(young.partitions[0]).toMatchObject({ expired: null, problems: [expect.objectContaining({ code: 'UNIT_INCOMPLETE' })] });
    expect(young.partitions[0]?.problems[0]?.message).toMatch(/^apps-users\/0: the unit offsets 0–9 consumed 10 records but its objects hold 5; in no object: offsets 5–9 .*less than the retention of 90d ago: a retention rule cannot have deleted part of its newest unit\)$/);
    // Older than the rule's age, the whole unit may be the rule's work (its objects a day apart).
    const old = await auditLake(stores, { retentionMs: DAY, now: later(2) });
    expect(old.ok).toBe(true);
    expect(old.partitions[0]).toMatchObject({ expired: 'offsets 0–9', problems: [] });
  });
});
