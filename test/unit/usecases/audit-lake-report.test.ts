import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import { auditLake, type AuditReport } from '../../../src/usecases/audit-lake.js';
import { MAX_PROBLEMS } from '../../../src/usecases/audit-codes.js';
import { checkObject } from '../../../src/usecases/audit-object.js';
import { OffsetRuns } from '../../../src/archive/offset-runs.js';
import { AUDIT_CODES } from '../../../src/usecases/audit-codes.js';
import { LAKE_FORMAT, sha256 } from '../../../src/usecases/lake-objects.js';
import { writeLake } from '../../support/crafted-lake.js';

/** `schemaflow lake audit` on a crafted file lake, in process. */
async function audit(stores: Awaited<ReturnType<typeof writeLake>>, format: 'text' | 'json') {
  const out: string[] = [];
  const code = await runCli(['lake', 'audit', '--lake', stores.lake.location, '--state', stores.state.location, '--format', format], { env: {}, io: { out: (line) => out.push(line), err: (line) => out.push(line) } });
  return { code, stdout: out.join('\n') };
}

// 60 one-record objects whose metadata each says 2 records: 60 problems of one partition.
const offsets = Array.from({ length: 60 }, (_, index) => BigInt(index));
const miscounted = { objects: offsets.map((offset) => ({ first: offset, last: offset, offsets: [offset], unit: [offset, offset, 1] as const, meta: { count: '2' } })), state: { start: 0n, next: 60n } };

// One whole object, in an hour whose _CLOSED.json lists it and 60 objects the lake does not hold: 60 problems of the closed hours.
const hour = 'apps-users/v=1/dt=2026-11-30/hr=00/';
const absentNames = Array.from({ length: 60 }, (_, index) => `gone-${index}.jsonl.gz`);
const overlisted = { objects: [{ first: 0n, last: 0n, offsets: [0n], unit: [0n, 0n, 1] as const }], markers: { 'hr=00': ['apps-users+0+00000000000000000000+00000000000000000000.jsonl.gz', ...absentNames] }, state: { start: 0n, next: 1n } };

describe('lake audit --format json', () => {
  it('gives every problem a code from the documented table, its message, and the object it is about', async () => {
    const stores = await writeLake({ objects: [{ first: 0n, last: 1n, offsets: [0n, 1n], unit: [0n, 1n, 2], meta: { count: '3' } }], state: { start: 0n, next: 4n } });
    const { code, stdout } = await audit(stores, 'json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as AuditReport;
    const key = 'apps-users/v=1/dt=2026-11-30/hr=00/apps-users+0+00000000000000000000+00000000000000000001.jsonl.gz';
    expect(report.partitions[0]?.problems).toEqual([
      { code: 'COUNT_MISMATCH', message: `${key}: holds 2 records, its metadata says 3`, key },
      { code: 'OFFSETS_MISSING', message: 'apps-users/0: offsets 2–3 are in no object and no gap record (the state says the lake holds everything below 4)' },
    ]);
    expect(report.partitions[0]?.problemCount).toBe(2);
    for (const problem of report.partitions[0]?.problems ?? []) expect(Object.keys(AUDIT_CODES)).toContain(problem.code);
  });

  it(`lists the first ${MAX_PROBLEMS} problems of a partition and counts them all, so a cut list is told apart`, async () => {
    const stores = await writeLake(miscounted);
    const { code, stdout } = await audit(stores, 'json');
    expect(code).toBe(1);
    const partition = (JSON.parse(stdout) as AuditReport).partitions[0];
    expect(partition?.problemCount).toBe(60);
    expect(partition?.problems).toHaveLength(MAX_PROBLEMS);
    // Every entry is a problem of the lake: the cut is a count, not a problem without a code.
    expect(new Set(partition?.problems.map((problem) => problem.code))).toEqual(new Set(['COUNT_MISMATCH']));
    expect(partition?.problems.map((problem) => problem.key)).toEqual(offsets.slice(0, MAX_PROBLEMS).map((offset) => `apps-users/v=1/dt=2026-11-30/hr=00/apps-users+0+${String(offset).padStart(20, '0')}+${String(offset).padStart(20, '0')}.jsonl.gz`));
  });

  it('says in text how many problems it did not print', async () => {
    const { code, stdout } = await audit(await writeLake(miscounted), 'text');
    expect(code).toBe(1);
    expect(stdout.split('\n').filter((line) => line.includes('its metadata says 2'))).toHaveLength(MAX_PROBLEMS);
    expect(stdout).toContain('\n    apps-users/0: … and 10 more problems\n');
  });

  it(`lists the first ${MAX_PROBLEMS} problems of the closed hours and counts them all, as a partition's`, async () => {
    const { code, stdout } = await audit(await writeLake(overlisted), 'json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as AuditReport;
    expect(report.partitions[0]?.problemCount).toBe(0);
    expect(report.hourProblemCount).toBe(60);
    expect(report.hourProblems).toEqual(absentNames.slice(0, MAX_PROBLEMS).map((name) => ({ code: 'MARKED_OBJECT_MISSING', message: `${hour}${name} is listed by ${hour}_CLOSED.json but is not in the lake`, key: `${hour}${name}` })));
  });

  it('says in text how many problems of the closed hours it did not print', async () => {
    const { code, stdout } = await audit(await writeLake(overlisted), 'text');
    expect(code).toBe(1);
    expect(stdout.split('\n').filter((line) => line.includes('is listed by'))).toHaveLength(MAX_PROBLEMS);
    expect(stdout).toMatch(/\n {4}closed hours: … and 10 more problems$/);
  });

  // Regression: an object's problems were spread into one push, which overflows the call stack past ~150,000 arguments.
  it('lists and counts the problems of an object with one per row, 200,000 of them', async () => {
    const stores = await writeLake({ objects: [{ first: 0n, last: 0n, offsets: [0n], unit: [0n, 0n, 1] }], state: { start: 0n, next: 2n } });
    const content = Buffer.from('not json\n'.repeat(200_000));
    const key = 'apps-users/v=1/dt=2026-11-30/hr=01/apps-users+0+00000000000000000001+00000000000000000001.jsonl.gz';
    await stores.lake.create(key, gzipSync(content), { metadata: { 'lake-format': LAKE_FORMAT, kind: 'data', count: '0', sha256: sha256(content), 'unit-start': '1', 'unit-end': '1', 'unit-records': '1' } });
    const partition = (await auditLake(stores)).partitions[0];
    // Every line, the name it does not match, and its unit's missing record.
    expect(partition?.problemCount).toBe(200_002);
    expect(partition?.problems).toHaveLength(MAX_PROBLEMS);
    expect(partition?.problems[0]).toEqual({ code: 'ROW_NOT_JSON', message: `${key}: line 1 is not JSON`, key });
  });

  it('keeps the problems of an object bounded while it reads it, its cause first', () => {
    const key = 'apps-users/v=1/dt=2026-11-30/hr=01/apps-users+0+00000000000000000000+00000000000000000001.jsonl.gz';
    const object = { key, generation: '1', bytes: gzipSync(Buffer.from('not json\n'.repeat(100_000))), metadata: {} };
    const checked = checkObject(key, { topic: 'apps-users', partition: 0, first: 0n, last: 1n }, object, new OffsetRuns(), 'file:///lake');
    // Every line, the name it does not match, and no metadata: the cause, listed first though found last.
    expect(checked.problems.count).toBe(100_002);
    expect(checked.problems.listed).toHaveLength(MAX_PROBLEMS);
    expect(checked.problems.listed.map((problem) => problem.code).slice(0, 3)).toEqual(['METADATA_MISSING', 'ROW_NOT_JSON', 'ROW_NOT_JSON']);
    expect(checked.problems.listed.at(-1)?.message).toBe(`${key}: line ${MAX_PROBLEMS - 1} is not JSON`);
  });

  it('numbers the lines it names as an editor does, whatever the lines before them were', () => {
    const key = 'apps-users/v=1/dt=2026-11-30/hr=01/apps-users+0+00000000000000000000+00000000000000000001.jsonl.gz';
    const row = (partition: number, offset: string): string => JSON.stringify({ _kafka: { topic: 'apps-users', partition, offset } });
    const content = ['not json', row(0, '0'), '', 'not json either', row(1, '1'), row(0, '7')].join('\n');
    const object = { key, generation: '1', bytes: gzipSync(Buffer.from(content)), metadata: {} };
    const checked = checkObject(key, { topic: 'apps-users', partition: 0, first: 0n, last: 1n }, object, new OffsetRuns(), 'file:///lake');
    expect(checked.problems.listed.slice(1).map((problem) => problem.message.slice(key.length + 2))).toEqual([
      'line 1 is not JSON',
      'line 4 is not JSON',
      'line 5 is not a record of apps-users/0',
      'line 6 holds offset 7, outside the range its name states',
      'its name states offsets 0–1 but it holds offsets 0–7',
    ]);
  });
});
