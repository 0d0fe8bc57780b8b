import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { initialState, serializeState, type PartitionState } from '../../../src/archive/state.js';
import { auditLake } from '../../../src/usecases/audit-lake.js';
import { writeLake } from '../../support/crafted-lake.js';

/*
 * Regression: `lake audit --retention` chose the front to expire up to the first unit whole() calls
 * whole, and whole() calls a crashed run's pending unit whole whatever its objects hold. So the
 * committed unit before a pending one, which lost records a minute ago, was reported expired and
 * the audit passed, where without the pending unit it fails as UNIT_INCOMPLETE (README: "a younger
 * state's newest unit cannot have expired"). The front now ends at the first whole committed unit.
 */
const seq = (from: bigint, to: bigint): bigint[] => Array.from({ length: Number(to - from) + 1 }, (_, index) => from + BigInt(index));
const DAY = 86_400_000;

/** Unit 0–9 committed at `updatedAt`, its object 5–9 gone; unit 10–19 published in part, its intent `pending` or not. */
async function lakeWithState(pending: PartitionState['pending'], updatedAt: string) {
  const stores = await writeLake({
    objects: [
      { first: 0n, last: 4n, offsets: seq(0n, 4n), unit: [0n, 9n, 10] },
      { first: 10n, last: 14n, offsets: seq(10n, 14n), unit: [10n, 19n, 10], hour: 'hr=01' },
    ],
    state: { start: 0n, next: 10n },
  });
  const state: PartitionState = { ...initialState('apps-users', 0, 0n), next: '10', revision: 3, updatedAt, pending };
  writeFileSync(`${stores.state.location.slice('file://'.length)}/apps-users/0.json`, serializeState(state));
  return stores;
}

const intent = { start: '10', end: '19', records: 10, manifestSerial: 1, closedThrough: null, lastTimestamp: 0, late: 0, runId: 'r2', objects: [] };
const minuteAgo = '2026-11-30T23:59:00.000Z';
const now = new Date('2026-12-01T00:00:00Z');

describe('lake audit --retention of a partition whose next unit a crashed run left pending', () => {
  it('fails the committed unit that lost records a minute ago, as without the pending unit, and leaves the pending unit to the next run', async () => {
    const lost = expect.objectContaining({ code: 'UNIT_INCOMPLETE', message: expect.stringMatching(/^apps-users\/0: the unit offsets 0–9 consumed 10 records but its objects hold 5; in no object: offsets 5–9 .*less than the retention of 90d ago/) });
    const report = await auditLake(await lakeWithState(intent, minuteAgo), { retentionMs: 90 * DAY, now });
    expect(report.ok).toBe(false);
    expect(report.partitions[0]).toMatchObject({ expired: null, pending: 'offsets 10–19', problems: [lost] });
    // Without the intent (unit 10–19 is then beyond the state, a problem of its own), the same unit fails the same way.
    const control = await auditLake(await lakeWithState(null, minuteAgo), { retentionMs: 90 * DAY, now });
    expect(control.partitions[0]?.expired).toBeNull();
    expect(control.partitions[0]?.problems).toContainEqual(lost);
  });

  it('expires the committed front of a state older than the retention, and still reports the pending unit as pending', async () => {
    const report = await auditLake(await lakeWithState(intent, minuteAgo), { retentionMs: DAY, now: new Date(Date.parse(minuteAgo) + 2 * DAY) });
    expect(report.ok).toBe(true);
    expect(report.partitions[0]).toMatchObject({ expired: 'offsets 0–9', pending: 'offsets 10–19', problems: [] });
  });
});
