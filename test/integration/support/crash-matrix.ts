import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedRecords } from './events.js';
import { coverageProblems, createFlowFixture, createTestLake, readLake, type FlowFixture, type TestLake } from './flow-fixture.js';

/**
 * Crash scenarios (flow.md §3.5): each run in the list is killed with SIGKILL at its named
 * point (`SCHEMAFLOW_FAULT`), then one clean run follows. `@n` is the n-th time a point is
 * reached, so later units are hit too.
 */
const SCENARIOS: ReadonlyArray<{ readonly name: string; readonly faults: readonly string[]; readonly workers?: number }> = [
  { name: 'after planning', faults: ['after-plan'] },
  { name: 'mid-read, before any flush', faults: ['mid-read'] },
  { name: 'before the intent of the second unit', faults: ['before-intent@2'] },
  { name: 'after the intent, nothing published', faults: ['after-intent'] },
  { name: 'mid-upload of an object', faults: ['mid-upload@2'] },
  { name: 'mid-publish, some objects of a unit published', faults: ['mid-publish@2'] },
  { name: 'after publishing, before the commit', faults: ['after-publish'] },
  { name: 'after the commit of the third unit', faults: ['after-commit@3'] },
  { name: 'after recording positions', faults: ['after-position'] },
  { name: 'after an intent, then again while finishing it', faults: ['after-intent@3', 'recovery-after-publish'] },
  { name: 'twice in a row at different points', faults: ['after-publish@2', 'mid-publish'] },
  { name: 'while writing hour markers', faults: ['mid-closure'] },
  // --workers 2: a thread's crash point kills the process, every thread; the runs after are threaded too.
  { name: 'in one of two threads, after the intent of its second unit', faults: ['after-intent@2'], workers: 2 },
  { name: 'while the main thread writes hour markers after two threads', faults: ['mid-closure'], workers: 2 },
];

/**
 * The crash matrix on one lake backend: after every scenario, `lake audit` passes and an
 * independent read of the lake (fs, or @google-cloud/storage) holds every offset exactly once.
 */
export function defineCrashMatrix(backend: 'file' | 'gcs'): void {
  let fixture: FlowFixture;
  const lakes: TestLake[] = [];
  const partitions = 2;
  const records = 60;
  beforeAll(async () => {
    fixture = await createFlowFixture();
    const [clicks = '', views = ''] = fixture.subjects;
    await fixture.createTopic(clicks, partitions);
    await fixture.createTopic(views, 1);
    await fixture.send(clicks, mixedRecords(fixture, clicks, records, partitions).messages);
  });
  afterAll(async () => {
    for (const lake of lakes) lake.dispose();
    await fixture.dispose();
  });

  async function expectExactlyOnce(lake: TestLake, topic: string, highs: readonly number[]): Promise<void> {
    const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    const contents = await readLake(lake);
    for (const [partition, high] of highs.entries()) expect(coverageProblems(contents, topic, partition, high)).toEqual([]);
  }

  describe(`crash matrix on the ${backend} lake`, () => {
    for (const scenario of SCENARIOS) {
      it(`recovers from a crash ${scenario.name} (${scenario.faults.join(', ')}${scenario.workers ? `, --workers ${scenario.workers}` : ''})`, async () => {
        const topic = fixture.subjects[0] ?? '';
        const lake = await createTestLake(backend);
        lakes.push(lake);
        const args = ['flow', 'run', '--lake', lake.url, '--subjects', topic, '--flush-bytes', '2KiB', ...(scenario.workers ? ['--workers', String(scenario.workers)] : [])];
        for (const fault of scenario.faults) {
          const crashed = await fixture.cli(args, { SCHEMAFLOW_FAULT: fault });
          expect(crashed.signal, `the run should have died at ${fault}: ${crashed.stdout}${crashed.stderr}`).toBe('SIGKILL');
          expect(crashed.stderr).toContain(`killing the run at ${fault.split('@')[0] ?? ''}`);
        }
        const clean = await fixture.cli(args);
        expect(clean.code, clean.stdout + clean.stderr).toBe(0);
        await expectExactlyOnce(lake, topic, [records / partitions, records / partitions]);
        // Nothing left to do: a further run publishes nothing.
        const keys = (await readLake(lake)).keys.length;
        expect((await fixture.cli(args)).code).toBe(0);
        expect((await readLake(lake)).keys.length).toBe(keys);
      });
    }

    it('recovers from a crash after recording a retention gap, before the state moved (after-gap)', async () => {
      const topic = fixture.subjects[1] ?? '';
      const lake = await createTestLake(backend);
      lakes.push(lake);
      const event = (index: number) => ({ headers: { 'schema-id': String(fixture.idOf(topic, 1)) }, value: JSON.stringify({ id: `v${index}`, at: '2026-11-30T10:00:00Z' }) });
      await fixture.send(topic, [0, 1, 2, 3].map(event));
      const args = ['flow', 'run', '--lake', lake.url, '--subjects', topic];
      expect((await fixture.cli(args)).code).toBe(0);
      await fixture.send(topic, [4, 5, 6, 7, 8, 9].map(event));
      const admin = fixture.kafka.admin();
      await admin.connect();
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '7' }] });
      await admin.disconnect();
      const crashed = await fixture.cli(args, { SCHEMAFLOW_FAULT: 'after-gap' });
      expect(crashed.signal).toBe('SIGKILL');
      const rerun = await fixture.cli(args);
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(1);
      expect(rerun.stdout).toContain('gap: offsets 4–6');
      await expectExactlyOnce(lake, topic, [10]);
      expect((await readLake(lake)).gaps).toEqual([{ topic, partition: 0, from: 4, to: 6 }]);
    });
  });
}
