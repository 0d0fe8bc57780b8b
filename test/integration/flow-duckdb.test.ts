import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { duckdbLakeRead } from '../../src/discovery/snippets.js';
import { BASE_TIME } from './support/events.js';
import { createFlowFixture, createTestLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';

/**
 * End to end: events of 3 subjects × 3 partitions × 2 schema versions, archived by the CLI into
 * the file lake, then read back by DuckDB with Hive partitioning: exactly the produced events,
 * 64-bit numbers included.
 */
let fixture: FlowFixture;
let lake: TestLake;
beforeAll(async () => {
  fixture = await createFlowFixture(['clicks', 'views', 'orders']);
  lake = await createTestLake('file');
});
afterAll(async () => {
  lake.dispose();
  await fixture.dispose();
});

it('DuckDB reads back exactly the produced events, by subject, version and hour', async () => {
  const produced = new Map<string, Array<{ id: string; version: number; hr: number; n: string }>>();
  for (const subject of fixture.subjects) {
    await fixture.createTopic(subject, 3);
    // `n`: a 64-bit number beyond a double's integers, which must reach DuckDB digit for digit.
    const events = Array.from({ length: 90 }, (_, index) => ({ id: `${subject}-${index}`, version: (index % 2) + 1, partition: index % 3, hour: index % 4, n: (2n ** 62n + BigInt(index)).toString() }));
    await fixture.send(subject, [
      ...events.map((event) => ({ partition: event.partition, timestamp: String(BASE_TIME + event.hour * 3_600_000), headers: { 'schema-id': String(fixture.idOf(subject, event.version)) }, value: `${JSON.stringify({ id: event.id, at: new Date(BASE_TIME + event.hour * 3_600_000).toISOString(), ...(event.version === 2 ? { ref: 'r' } : {}) }).slice(0, -1)},"n":${event.n}}` })),
      // Not events: they go to _quarantine/ and must not show up in the subject's data.
      { partition: 0, headers: { 'schema-id': String(fixture.idOf(subject, 1)) }, value: '{"broken' },
      { partition: 1, value: JSON.stringify({ id: 'no-id-header', at: new Date(BASE_TIME).toISOString() }) },
    ]);
    produced.set(subject, events.map(({ id, version, hour, n }) => ({ id, version, hr: new Date(BASE_TIME + hour * 3_600_000).getUTCHours(), n })));
  }
  const run = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', fixture.subjects.join(','), '--flush-bytes', '8KiB']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect((await fixture.cli(['lake', 'audit', '--lake', lake.url])).code).toBe(0);

  const root = new URL(lake.url).pathname;
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  for (const subject of fixture.subjects) {
    const reader = await connection.runAndReadAll(`SELECT value.id AS id, value.n::VARCHAR AS n, v, _schema.version AS version, dt, hr, _kafka.partition AS partition FROM ${duckdbLakeRead(`${root}/${subject}/**/*.jsonl.gz`)} ORDER BY id`);
    const rows = reader.getRowObjectsJS() as Array<{ id: string; n: string; v: number; version: bigint; dt: Date; hr: number; partition: bigint }>;
    const expected = [...(produced.get(subject) ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    expect(rows.map((row) => ({ id: row.id, version: Number(row.version), hr: row.hr, n: row.n })), subject).toEqual(expected);
    expect(rows.every((row) => BigInt(row.v) === row.version)).toBe(true);
    expect(new Set(rows.map((row) => row.hr)).size).toBe(4);
    expect(new Set(rows.map((row) => Number(row.partition)))).toEqual(new Set([0, 1, 2]));
  }
  const quarantined = await connection.runAndReadAll(`SELECT reason, count(*) AS n FROM read_json('${root}/_quarantine/**/*.jsonl.gz', format = 'newline_delimited') GROUP BY reason ORDER BY reason`);
  expect(quarantined.getRowObjectsJS()).toEqual([{ reason: 'NOT_JSON', n: 3n }, { reason: 'NO_SCHEMA_ID', n: 3n }]);
});
