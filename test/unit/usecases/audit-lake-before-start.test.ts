import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { initialState, serializeState } from '../../../src/archive/state.js';
import { auditLake } from '../../../src/usecases/audit-lake.js';
import { writeLake, type CraftedObject } from '../../support/crafted-lake.js';

/*
 * Regression: the audit proved [state.start, state.next) and never looked before start, so a lake
 * holding offsets the flow never archived under its state (every DuckDB query over the subject
 * reads them) passed, its report beginning the partition at 0. No run writes before start (a
 * partition's first run starts at Kafka's earliest offset and start never moves): they are
 * OFFSETS_BEFORE_START, one problem naming the offsets, objects and state.
 */
const seq = (from: bigint, to: bigint): bigint[] => Array.from({ length: Number(to - from) + 1 }, (_, index) => from + BigInt(index));
const unit = (first: bigint, last: bigint, hour = 'hr=00'): CraftedObject => ({ first, last, offsets: seq(first, last), unit: [first, last, Number(last - first) + 1], hour });
const key = (first: string, last: string): string => `apps-users/v=1/dt=2026-11-30/hr=00/apps-users+0+${first.padStart(20, '0')}+${last.padStart(20, '0')}.jsonl.gz`;

describe('lake audit of offsets before the one the flow started the partition at', () => {
  it('fails them as one OFFSETS_BEFORE_START naming the offsets, the objects and the state', async () => {
    const report = await auditLake(await writeLake({ objects: [unit(0n, 9n), unit(10n, 19n, 'hr=01')], state: { start: 10n, next: 20n } }));
    expect(report.ok).toBe(false);
    expect(report.partitions[0]).toMatchObject({ first: '10', next: '20', problemCount: 1 });
    const [problem] = report.partitions[0]?.problems ?? [];
    expect(problem?.code).toBe('OFFSETS_BEFORE_START');
    expect(problem?.message).toMatch(/^apps-users\/0: offsets 0–9 are in the lake but before offset 10, where its state file:\/\/\S+\/apps-users\/0\.json says the flow started the partition/);
    expect(problem?.message).toContain(key('0', '9'));
    expect(problem?.message).toContain('set the state\'s "start" to 0');
  });

  it('passes the same lake once the state says the flow started the partition at 0, and a lake that holds nothing before its start', async () => {
    expect((await auditLake(await writeLake({ objects: [unit(0n, 9n), unit(10n, 19n, 'hr=01')], state: { start: 0n, next: 20n } }))).ok).toBe(true);
    expect((await auditLake(await writeLake({ objects: [unit(10n, 19n, 'hr=01')], state: { start: 10n, next: 20n } }))).ok).toBe(true);
  });

  it('names a gap record before the start too, and calls the offsets between them and the start no hole', async () => {
    const report = await auditLake(await writeLake({ objects: [unit(0n, 4n), unit(10n, 19n, 'hr=01')], gaps: [[5n, 6n]], state: { start: 10n, next: 20n } }));
    expect(report.partitions[0]?.problems.map((problem) => problem.code)).toEqual(['OFFSETS_BEFORE_START']);
    expect(report.partitions[0]?.problems[0]?.message).toMatch(/^apps-users\/0: offsets 0–6 are in the lake .*\(objects: \S+; gap records: _gaps\/apps-users\/0\/00000000000000000005-00000000000000000006\.json\)/);
  });

  it('is no retention rule’s work: with --retention, a whole unit before the start neither passes nor ends the expired front', async () => {
    // Unit 10–19 lost its first object, and its state was last committed longer ago than the retention: the rule may have deleted it.
    const stores = await writeLake({ objects: [unit(0n, 9n), { first: 15n, last: 19n, offsets: seq(15n, 19n), unit: [10n, 19n, 10], hour: 'hr=01' }], state: { start: 10n, next: 20n } });
    writeFileSync(`${stores.state.location.slice('file://'.length)}/apps-users/0.json`, serializeState({ ...initialState('apps-users', 0, 10n), next: '20', revision: 2, updatedAt: '2026-11-30T10:00:00.000Z' }));
    const report = await auditLake(stores, { retentionMs: 86_400_000, now: new Date('2027-01-01T00:00:00Z') });
    expect(report.ok).toBe(false);
    expect(report.partitions[0]).toMatchObject({ expired: 'offsets 10–19', problems: [expect.objectContaining({ code: 'OFFSETS_BEFORE_START' })] });
  });
});
