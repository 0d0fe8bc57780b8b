import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_TIME, hourDir, mixedRecords } from './support/events.js';
import { coverageProblems, createFlowFixture, createTestLake, readLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';

/** `schemaflow flow run` and `lake audit` against the real broker, on the file lake (the GCS emulator in flow-crash.test.ts). */
let fixture: FlowFixture;
const lakes: TestLake[] = [];
let mixed: ReturnType<typeof mixedRecords>;
beforeAll(async () => {
  fixture = await createFlowFixture();
  const [clicks = '', views = ''] = fixture.subjects;
  await fixture.createTopic(clicks, 2, { 'max.message.bytes': '8388608' });
  await fixture.createTopic(views, 1);
  mixed = mixedRecords(fixture, clicks, 60, 2);
  await fixture.send(clicks, mixed.messages);
  // A 5 MB record: valid JSON with a schema ID, but over the flow's record limit.
  await fixture.send(clicks, [{ partition: 0, timestamp: String(BASE_TIME), headers: { 'schema-id': String(fixture.idOf(clicks, 1)) }, value: JSON.stringify({ id: 'big', at: new Date(BASE_TIME).toISOString(), pad: 'x'.repeat(5 * 1024 * 1024) }) }]);
  // A quiet topic: three records, far below any flush threshold.
  await fixture.send(views, [0, 1, 2].map((index) => ({ timestamp: String(BASE_TIME + index * 3_600_000), headers: { 'schema-id': String(fixture.idOf(views, 1)) }, value: JSON.stringify({ id: `v${index}`, at: '2020-01-01T00:00:00Z' }) })));
});
afterAll(async () => {
  for (const lake of lakes) lake.dispose();
  await fixture.dispose();
});

async function lakeFor(backend: 'file' | 'gcs' = 'file'): Promise<TestLake> {
  const lake = await createTestLake(backend);
  lakes.push(lake);
  return lake;
}

describe('flow run', () => {
  it('archives events by version and hour, quarantines poison with reasons, flushes a quiet topic, and audits clean', async () => {
    const [clicks = '', views = ''] = fixture.subjects;
    const lake = await lakeFor();

    // Hours older than 30 h close now; the third run below closes a newer one.
    const run = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', `${clicks},${views}`, '--flush-bytes', '4KiB', '--allowed-lateness', '30h']);
    expect(run.stderr).not.toContain('error');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`archived\\s+${clicks}/0 offsets 0–30`));

    const contents = await readLake(lake);
    for (const [topic, partition, high] of [[clicks, 0, 31], [clicks, 1, 30], [views, 0, 3]] as const) expect(coverageProblems(contents, topic, partition, high)).toEqual([]);
    const quarantine = contents.rows.filter((row) => row.key.startsWith('_quarantine/'));
    const reasons: Record<string, number> = {};
    for (const row of quarantine) reasons[String(row.row.reason)] = (reasons[String(row.row.reason)] ?? 0) + 1;
    expect(reasons).toEqual({ ...mixed.quarantined, TOO_LARGE: 1 });
    const big = quarantine.find((row) => row.row.reason === 'TOO_LARGE');
    expect(String(big?.row.raw).length).toBeGreaterThan(5 * 1024 * 1024);
    // Routed by the event's own time (clicks) or the Kafka timestamp (views); never the wall clock.
    const clickKeys = new Set(contents.rows.filter((row) => row.key.startsWith(`${clicks}/`)).map((row) => row.key.split('/').slice(0, 4).join('/')));
    expect([...clickKeys].sort()).toEqual(['v=1', 'v=2'].flatMap((version) => [0, 1, 2].map((hour) => `${clicks}/${version}/${hourDir(hour)}`)));
    expect(contents.rows.filter((row) => row.key.startsWith(`${views}/`)).map((row) => row.key.split('/').slice(2, 4).join('/'))).toEqual([0, 1, 2].map(hourDir));
    const row = contents.rows.find((entry) => entry.key.startsWith(`${clicks}/v=2/`))?.row as { value: { ref: string }; _schema: { id: number; version: number }; _kafka: { headers: Record<string, string> } };
    expect(row._schema).toEqual({ id: fixture.idOf(clicks, 2), version: 2 });
    expect(row._kafka.headers['schema-id']).toBe(String(fixture.idOf(clicks, 2)));

    const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url]);
    expect(audit.code, audit.stdout).toBe(0);
    expect(audit.stdout).toContain(`ok      ${clicks}/0 offsets 0–30: 31 records`);

    // Lag monitoring: the archived positions are in the stable group (never members, never read from).
    const admin = fixture.kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: 'schemaflow-flow', topics: [clicks] });
    await admin.disconnect();
    expect(committed?.partitions.map((entry) => [entry.partition, entry.offset]).sort()).toEqual([[0, '31'], [1, '30']]);

    // Every partition was read to its snapshot, so each hour with data is closed, per version.
    const markers = contents.keys.filter((key) => key.endsWith('/_CLOSED.json')).sort();
    expect(markers).toEqual([...[...clickKeys].sort().map((path) => `${path}/_CLOSED.json`), ...[0, 1, 2].map((hour) => `${views}/v=1/${hourDir(hour)}/_CLOSED.json`)]);
    expect(run.stdout).toContain(`${clicks}: hours closed through`);

    // A second run finds nothing new: no object is added, every partition is idle.
    const before = contents.keys.length;
    const again = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', `${clicks},${views}`, '--allowed-lateness', '30h']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`idle\\s+${views}/0 at offset 3`));
    expect((await readLake(lake)).keys.length).toBe(before);

    // A record for a closed hour goes to _late/, the closed hour is never written again, and the
    // next marker written (a new hour) counts it.
    const closedHour = (await readLake(lake)).keys.filter((key) => key.startsWith(`${views}/v=1/${hourDir(0)}/`)).sort();
    await fixture.send(views, [
      { partition: 0, timestamp: String(BASE_TIME), headers: { 'schema-id': String(fixture.idOf(views, 1)) }, value: JSON.stringify({ id: 'late', at: '2020-01-01T00:00:00Z' }) },
      { partition: 0, timestamp: String(BASE_TIME + 40 * 3_600_000), headers: { 'schema-id': String(fixture.idOf(views, 1)) }, value: JSON.stringify({ id: 'new', at: '2020-01-01T00:00:00Z' }) },
    ]);
    const third = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', views]);
    expect(third.code, third.stdout + third.stderr).toBe(0);
    const after = await readLake(lake);
    expect(after.keys.filter((key) => key.startsWith(`${views}/v=1/${hourDir(0)}/`)).sort()).toEqual(closedHour);
    expect(after.rows.filter((entry) => entry.key.startsWith(`_late/${views}/v=1/${hourDir(0)}/`)).map((entry) => entry.offset)).toEqual([3]);
    const marker = (await lake.objects()).find((object) => object.key === `${views}/v=1/${hourDir(40)}/_CLOSED.json`);
    expect(JSON.parse(marker?.bytes.toString('utf8') ?? '{}')).toMatchObject({ subject: views, version: 1, hour: new Date(BASE_TIME + 40 * 3_600_000).toISOString(), lateSincePreviousMarker: 1, objects: [{ key: expect.stringContaining(`${views}+0+00000000000000000004+00000000000000000004`) as string }] });
    expect(coverageProblems(after, views, 0, 5)).toEqual([]);
    expect((await fixture.cli(['lake', 'audit', '--lake', lake.url])).code).toBe(0);
  });

  it('records offsets deleted by retention as a gap, exits 1, and the audit accounts for them', async () => {
    const topic = fixture.subjects[1] ?? '';
    const lake = await lakeFor('gcs');
    const first = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const admin = fixture.kafka.admin();
    await admin.connect();
    const high = Number((await admin.fetchTopicOffsets(topic))[0]?.high);
    await fixture.send(topic, [0, 1, 2, 3].map((index) => ({ headers: { 'schema-id': String(fixture.idOf(topic, 1)) }, value: JSON.stringify({ id: `g${index}`, at: '2020-01-01T00:00:00Z' }) })));
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: String(high + 2) }] });
    await admin.disconnect();

    const dry = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic, '--dry-run']);
    expect(dry.stdout).toContain(`would record offsets ${high}–${high + 1} as a retention gap`);
    const run = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain(`gap: offsets ${high}–${high + 1} were deleted by retention`);
    expect(run.stderr).toContain('alert:');
    const contents = await readLake(lake);
    expect(contents.gaps).toEqual([{ topic, partition: 0, from: high, to: high + 1 }]);
    expect(coverageProblems(contents, topic, 0, high + 4)).toEqual([]);
    const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url, '--subject', topic]);
    expect(audit.code, audit.stdout).toBe(0);
    expect(audit.stdout).toMatch(/ 1 gap record(;|$)/m);
  });

  it('fails the audit naming the exact offsets when an object goes missing', async () => {
    const topic = fixture.subjects[0] ?? '';
    const lake = await lakeFor();
    expect((await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic, '--flush-bytes', '4KiB'])).code).toBe(0);
    const contents = await readLake(lake);
    const victim = contents.rows.find((row) => row.key.startsWith(`${topic}/v=2/`) && row.partition === 1);
    if (!victim) throw new Error('no object to remove');
    rmSync(join(new URL(lake.url).pathname, victim.key));
    const offsets = contents.rows.filter((row) => row.key === victim.key).map((row) => row.offset);
    const audit = await fixture.cli(['lake', 'audit', '--lake', lake.url]);
    expect(audit.code).toBe(1);
    expect(audit.stdout).toContain(`FAILED  ${topic}/1`);
    expect(audit.stdout).toMatch(/consumed \d+ records but its objects hold \d+/);
    expect(audit.stdout).toContain(`offset ${String(offsets[0])}`);
    expect(audit.stdout).toContain(`${victim.key} is listed by`);
  });

  it('stops a partition whose lake state is ahead of Kafka, and rejects bad options with exit 2', async () => {
    const lake = await lakeFor();
    const topic = fixture.subjects[1] ?? '';
    expect((await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic])).code).toBe(0);
    // As if the topic were deleted and recreated: the lake says more was archived than Kafka has.
    const statePath = join(new URL(lake.url).pathname, '_state', topic, '0.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { next: string };
    writeFileSync(statePath, JSON.stringify({ ...state, next: '100' }));
    const ahead = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', topic]);
    expect(ahead.code, ahead.stdout + ahead.stderr).toBe(1);
    expect(ahead.stdout).toMatch(new RegExp(`stopped\\s+${topic}/0`));
    expect(ahead.stdout).toContain("the lake has offsets up to 99 but Kafka's high watermark is");
    const bad = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', 'nope-nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--subjects names nope-nope');
    expect((await fixture.cli(['flow', 'run', '--lake', lake.url, '--max-duration', 'soon'])).code).toBe(2);
    expect((await fixture.cli(['flow', 'run', '--lake', lake.url], { SCHEMAFLOW_FAULT: 'nowhere' })).code).toBe(2);
  });

  it('a partition stopped ahead of Kafka holds the hours of its subject open, though the others are done', async () => {
    const clicks = fixture.subjects[0] ?? '';
    const lake = await lakeFor();
    expect((await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', clicks, '--allowed-lateness', '100h'])).code).toBe(0);
    const statePath = join(new URL(lake.url).pathname, '_state', clicks, '1.json');
    const archived = readFileSync(statePath, 'utf8');
    writeFileSync(statePath, JSON.stringify({ ...(JSON.parse(archived) as object), next: '1000' }));
    // Partition 0 is read to its end; partition 1's records since "the recreation" are not archived.
    const held = await fixture.cli(['flow', 'close', '--lake', lake.url, '--subjects', clicks, '--allowed-lateness', '1s', '--format', 'json']);
    expect(held.code, held.stdout + held.stderr).toBe(1);
    const report = JSON.parse(held.stdout) as { partitions: Array<{ partition: number; status: string }>; closures: Array<{ markers: number; closedThrough: string | null }> };
    expect(report.partitions.map((entry) => [entry.partition, entry.status])).toEqual([[0, 'idle'], [1, 'stopped']]);
    // Closed through partition 1's last archived record at most: before any hour with data.
    expect(report.closures[0]?.markers, JSON.stringify(report.closures)).toBe(0);
    expect(Date.parse(report.closures[0]?.closedThrough ?? '1970-01-01T00:00:00Z')).toBeLessThan(BASE_TIME);
    expect((await readLake(lake)).keys.filter((key) => key.endsWith('/_CLOSED.json'))).toEqual([]);
    // Once the partition archives again, the hours close.
    writeFileSync(statePath, archived);
    const closed = await fixture.cli(['flow', 'close', '--lake', lake.url, '--subjects', clicks, '--allowed-lateness', '1s', '--format', 'json']);
    expect(closed.code, closed.stdout + closed.stderr).toBe(0);
    expect((JSON.parse(closed.stdout) as { closures: Array<{ markers: number }> }).closures[0]?.markers).toBeGreaterThan(0);
  });

  it('a run that ends before reading a partition reports it incomplete with the offsets left, not idle; the next run reads them', async () => {
    const views = fixture.subjects[1] ?? '';
    const lake = await lakeFor();
    const short = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', views, '--max-duration', '1ms', '--format', 'json']);
    expect(short.code, short.stdout + short.stderr).toBe(0);
    const [partition] = (JSON.parse(short.stdout) as { partitions: Array<{ status: string; from: string; next: string; high: string; records: number; problem?: string }> }).partitions;
    const left = `offsets ${partition?.from}–${Number(partition?.high) - 1}`;
    expect(Number(partition?.high)).toBeGreaterThan(Number(partition?.from));
    expect(partition).toMatchObject({ status: 'incomplete', next: partition?.from, records: 0 });
    expect(partition?.problem).toBe(`${left} are left for the next run: the read ended before them (the time budget, a stop, or a broker that sent nothing)`);
    const text = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', views, '--max-duration', '1ms']);
    expect(text.stdout).toMatch(new RegExp(`incomplete\\s+${views}/0 at offset ${partition?.from}\\n\\s+${left} are left for the next run`));
    const rest = await fixture.cli(['flow', 'run', '--lake', lake.url, '--subjects', views]);
    expect(rest.stdout).toMatch(new RegExp(`archived\\s+${views}/0 ${left}, next ${partition?.high}`));
  });
});
