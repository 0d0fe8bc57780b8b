import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import { stateKey } from '../../../src/archive/layout.js';
import { auditLake } from '../../../src/usecases/audit-lake.js';
import { auditProblems, writeLake } from '../../support/crafted-lake.js';

/*
 * lake audit on ranges no Kafka partition holds (offsets are signed 64-bit, a range runs
 * forwards): a hostile or broken object, gap record or unit is named, never counted, so no
 * offset wraps around in the audit's 64-bit runs and none is misreported.
 */
const seq = (from: bigint, to: bigint): bigint[] => Array.from({ length: Number(to - from) + 1 }, (_, index) => from + BigInt(index));
const B63 = 1n << 63n;

describe('lake audit of impossible offsets', () => {
  it('names an object whose name is past 2^63−1, and does not pass the lake', async () => {
    const problems = await auditProblems({ objects: [{ first: B63, last: B63 + 9n, offsets: seq(B63, B63 + 9n), unit: [B63, B63 + 9n, 10] }], state: { start: B63 - 10n, next: B63 - 5n } });
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`apps-users\\+0\\+0*${B63}\\+0*${B63 + 9n}\\.jsonl\\.gz: its name states offsets ${B63}–${B63 + 9n}, past the largest Kafka offset, ${B63 - 1n}; it was not read$`)));
    expect(problems.join('\n')).not.toMatch(/offsets? -\d/);
  });

  it('names a line past 2^63−1 instead of counting it as the offset it wraps to', async () => {
    const problems = await auditProblems({ objects: [{ first: 0n, last: 1n, offsets: [0n, (1n << 64n) + 0n, 1n], unit: [0n, 1n, 2] }], state: { start: 0n, next: 2n } });
    expect(problems).toContainEqual(expect.stringContaining(`line 2 holds offset ${1n << 64n}, past the largest Kafka offset, ${B63 - 1n}`));
    expect(problems.join('\n')).not.toContain('archived more than once');
  });

  it('still names an offset archived twice next to an object whose name crosses 2^63', async () => {
    const problems = await auditProblems({
      objects: [
        { first: B63 - 5n, last: B63 - 1n, offsets: seq(B63 - 5n, B63 - 1n), unit: [B63 - 5n, B63 - 1n, 5] },
        { first: B63 - 3n, last: B63, offsets: [B63 - 3n, B63], unit: [B63 - 5n, B63 - 1n, 5], hour: 'hr=01' },
        { first: B63 - 3n, last: B63 - 3n, offsets: [B63 - 3n], unit: [B63 - 5n, B63 - 1n, 5], hour: 'hr=02' },
      ],
      state: { start: B63 - 5n, next: B63 },
    });
    expect(problems).toContainEqual(expect.stringContaining(`its name states offsets ${B63 - 3n}–${B63}, past the largest Kafka offset`));
    expect(problems).toContainEqual(expect.stringContaining(`apps-users/0: offset ${B63 - 3n} is archived more than once`));
    expect(problems.join('\n')).not.toContain('outside every recorded unit');
  });

  it('names a gap record or a unit that ends before it starts, and leaves the whole unit beside it alone', async () => {
    const gap = await auditProblems({ objects: [{ first: 0n, last: 9n, offsets: seq(0n, 9n), unit: [0n, 9n, 10] }], gaps: [[10n, 5n]], state: { start: 0n, next: 10n } });
    expect(gap).toEqual(['_gaps/apps-users/0/00000000000000000010-00000000000000000005.json: the gap record names offsets 10–5, ending before it starts']);
    const unit = await auditProblems({ objects: [{ first: 0n, last: 9n, offsets: seq(0n, 9n), unit: [0n, 9n, 10] }, { first: 10n, last: 10n, offsets: [10n], unit: [10n, 5n, 1], hour: 'hr=01' }], state: { start: 0n, next: 11n } });
    expect(unit.filter((problem) => !problem.includes('outside every recorded unit') && !problem.includes('offset 10 ')).map((problem) => problem.replace(/^.*\.jsonl\.gz: /, ''))).toEqual(['its metadata states the unit 10–5, ending before it starts']);
    expect(unit.join('\n')).not.toMatch(/offsets 6–9/);
  });
});

describe('lake audit messages', () => {
  it('names the unit field that is missing or not a number, and reads one unit however its offsets are spelled', async () => {
    const noCount = await auditProblems({ objects: [{ first: 0n, last: 1n, offsets: [0n, 1n], unit: [0n, 1n, 2], meta: { 'unit-records': 'two' } }], state: { start: 0n, next: 2n } });
    expect(noCount).toContainEqual(expect.stringMatching(/\.jsonl\.gz: has no whole unit in its metadata: unit-records is "two", not a decimal number$/));
    expect(noCount.join('\n')).not.toContain('NaN');
    // Two objects of the unit 0–3: one names it 0–3, the other 00–03.
    const spelled = await auditProblems({ objects: [{ first: 0n, last: 1n, offsets: [0n, 1n], unit: [0n, 3n, 4] }, { first: 2n, last: 3n, offsets: [2n, 3n], unit: [0n, 3n, 4], hour: 'hr=01', meta: { 'unit-start': '00', 'unit-end': '03' } }], state: { start: 0n, next: 4n } });
    expect(spelled).toEqual([]);
  });

  it('says "offset N is" of one offset and "offsets N–M are" of several, whichever problem it names', async () => {
    // Offset 2 missing between two units, offset 5 beyond the state's next offset.
    const problems = await auditProblems({ objects: [{ first: 0n, last: 1n, offsets: [0n, 1n], unit: [0n, 1n, 2] }, { first: 3n, last: 5n, offsets: [3n, 4n, 5n], unit: [3n, 5n, 3], hour: 'hr=01' }], state: { start: 0n, next: 5n } });
    expect(problems).toContainEqual('apps-users/0: offset 2 is in no object and no gap record');
    expect(problems).toContainEqual("apps-users/0: offset 5 is in the lake but beyond the state's next offset 5");
    const several = await auditProblems({ objects: [{ first: 0n, last: 1n, offsets: [0n, 1n], unit: [0n, 1n, 2] }], state: { start: 0n, next: 4n } });
    expect(several).toContainEqual(expect.stringContaining('apps-users/0: offsets 2–3 are in no object and no gap record'));
  });

  it('names a unit holding more records than it consumed without an empty list of missing offsets, and a corrupt object as corrupt', async () => {
    const problems = await auditProblems({ objects: [{ first: 0n, last: 2n, offsets: [0n, 1n, 2n], unit: [0n, 2n, 3] }, { first: 1n, last: 2n, offsets: [1n, 2n], unit: [0n, 2n, 3], hour: 'hr=01' }], state: { start: 0n, next: 3n } });
    const unit = problems.find((problem) => problem.includes('consumed'));
    expect(unit).toMatch(/^apps-users\/0: the unit offsets 0–2 consumed 3 records but its objects hold 5 \(the unit's objects read: /);
    expect(problems).toContainEqual(expect.stringContaining('apps-users/0: offsets 1–2 are archived more than once'));
  });

  it('names where it looked for a missing state, and calls an unreadable one unreadable, not missing too', async () => {
    const spec = { objects: [{ first: 0n, last: 1n, offsets: [0n, 1n], unit: [0n, 1n, 2] as const }], state: { start: 0n, next: 2n } };
    const stores = await writeLake(spec);
    const elsewhere = openObjectStore(`file://${mkdtempSync(join(tmpdir(), 'schemaflow-no-state-'))}`);
    const missing = (await auditLake({ lake: stores.lake, state: elsewhere })).partitions[0]?.problems;
    expect(missing).toEqual([{ code: 'STATE_MISSING', message: `apps-users/0: the lake has objects but no flow state at ${elsewhere.location}/${stateKey('apps-users', 0)} (if the flow keeps its state elsewhere, give --state)` }]);
    const stored = await stores.state.get(stateKey('apps-users', 0));
    await stores.state.replace(stateKey('apps-users', 0), Buffer.from('not json'), stored?.generation ?? null);
    const unreadable = (await auditLake(stores)).partitions[0]?.problems ?? [];
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]?.code).toBe('STATE_CORRUPT');
    expect(unreadable[0]?.message).not.toContain('no flow state');
  });
});

