import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { dataKey } from '../../../src/archive/layout.js';
import { dataRow } from '../../../src/archive/rows.js';
import { duckdbLakeRead, duckdbQuery, duckdbRoot, exampleEvent, manifestLocation, producerSnippet } from '../../../src/discovery/snippets.js';
import { createSchemaRegistry } from '../../../src/manifest/registry.js';
import { exampleManifest, testManifest, testSubject } from '../../support/discovery-fixture.js';

describe('the DuckDB query', () => {
  it.each([
    ['file://./lake', 'lake'],
    ['file://./lake/', 'lake'],
    ['file://localhost/srv/data/lake', '/srv/data/lake'],
    ['file:///srv/data/lake', '/srv/data/lake'],
    ['file://./', '.'],
    ['file:///tmp/with%20space', '/tmp/with space'],
    ['gs://acme-lake/events/', 'gs://acme-lake/events'],
  ])('reads the lake %s at %s', (url, root) => {
    expect(duckdbRoot(url)).toBe(root);
  });

  it('has the file lake form of the README for a file:// lake, with no extension or secret', () => {
    const query = duckdbQuery('apps-users', 'file://./lake', 'apps-users/');
    expect(query).toContain("FROM read_json('lake/apps-users/**/*.jsonl.gz', format = 'newline_delimited', hive_partitioning = true, hive_types = {'v': INTEGER, 'dt': DATE, 'hr': INTEGER}, union_by_name = true)");
    expect(query).not.toMatch(/httpfs|SECRET/);
  });

  it('loads httpfs and names a GCS secret for a gs:// lake', () => {
    const lines = duckdbQuery('apps-users', 'gs://acme-lake/events', 'apps-users/').split('\n');
    expect(lines.slice(0, 2)).toEqual(['INSTALL httpfs;', 'LOAD httpfs;']);
    expect(lines.find((line) => line.startsWith('CREATE SECRET'))).toBe("CREATE SECRET (TYPE gcs, KEY_ID 'YOUR_HMAC_ACCESS_ID', SECRET 'YOUR_HMAC_SECRET');");
    expect(lines.join('\n')).toContain("read_json('gs://acme-lake/events/apps-users/**/*.jsonl.gz'");
  });

  it('cannot be broken out of by a quote in the lake URL', () => {
    expect(duckdbQuery('a-b', "file:///tmp/it's", 'a-b/')).toContain("read_json('/tmp/it''s/a-b/**/*.jsonl.gz'");
  });

  const lake = mkdtempSync(join(tmpdir(), 'schemaflow-duckdb-'));
  afterAll(() => rmSync(lake, { recursive: true, force: true }));

  it('runs as printed in DuckDB over a lake in the flow’s layout, across versions that add fields', async () => {
    const write = (version: number, hour: string, offsets: number[], value: (offset: number) => unknown): void => {
      const key = dataKey('shop-orders', version, new Date(hour), { topic: 'shop-orders', partition: 0, first: BigInt(offsets[0] ?? 0), last: BigInt(offsets.at(-1) ?? 0) });
      const rows = offsets.map((offset) => dataRow({ topic: 'shop-orders', partition: 0, offset: String(offset), timestamp: String(Date.parse(hour)), key: null, value: null, headers: {} }, value(offset), { id: 10 + version, version }));
      mkdirSync(dirname(join(lake, key)), { recursive: true });
      writeFileSync(join(lake, key), gzipSync(`${rows.join('\n')}\n`));
    };
    write(1, '2026-11-30T09:00:00Z', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (offset) => ({ id: `o${offset}` }));
    write(2, '2026-11-30T10:00:00Z', [11, 12], (offset) => ({ id: `o${offset}`, note: 'gift' }));
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const reader = await connection.runAndReadAll(duckdbQuery('shop-orders', `file://${lake}`, 'shop-orders/'));
    const rows = reader.getRowObjectsJS() as Array<Record<string, unknown>>;
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 13 }, (_, offset) => `o${offset}`));
    expect(rows.map((row) => Number(row.kafka_offset))).toEqual(Array.from({ length: 13 }, (_, offset) => offset));
    expect(rows.at(-1)).toMatchObject({ note: 'gift', schema_version: 2n, hr: 10 });
    expect(rows[0]).toMatchObject({ note: null, schema_version: 1n, hr: 9 });
  });

  it.each([
    ['an hour before 10:00', 'hr=09'],
    ['an hour from 10:00', 'hr=10'],
    ['every hour', 'hr=*'],
  ])('gives the path’s keys the same types whatever the glob matches: %s', async (_name, hours) => {
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const read = duckdbLakeRead(`${lake}/shop-orders/*/*/${hours}/*.jsonl.gz`);
    const reader = await connection.runAndReadAll(`SELECT DISTINCT typeof(v) AS v, typeof(dt) AS dt, typeof(hr) AS hr FROM ${read} WHERE hr < 24 AND hr >= '00'`);
    expect(reader.getRowObjectsJS()).toEqual([{ v: 'INTEGER', dt: 'DATE', hr: 'INTEGER' }]);
  });
});

describe('the producer snippet', () => {
  const manifest = exampleManifest();

  it.each(manifest.subjects.map((subject) => [subject.subject, subject] as const))('builds an example event %s’s latest version accepts', (_name, subject) => {
    const latest = subject.versions.at(-1);
    if (!latest) throw new Error(`${subject.subject} has no version`);
    const registered = createSchemaRegistry(manifest).resolve(subject.subject, latest.version);
    expect(registered.validate(exampleEvent(latest.schema))).toEqual([]);
  });

  it.each([
    ['patterns and bounds', { type: 'object', required: ['code', 'n', 'price', 'tags'], properties: { code: { type: 'string', pattern: '^[A-Z]{3}$' }, n: { type: 'integer', minimum: 5, multipleOf: 5 }, price: { type: 'number', exclusiveMinimum: 0 }, tags: { type: 'array', minItems: 2, items: { type: 'string', minLength: 3 } } } }],
    ['references, allOf and oneOf', { $ref: '#/$defs/E', $defs: { E: { type: 'object', allOf: [{ type: 'object', required: ['kind'], properties: { kind: { const: 'x' } } }], required: ['pay'], properties: { pay: { oneOf: [{ type: 'object', required: ['card'], properties: { card: { type: 'string', format: 'uuid' } } }, { type: 'null' }] } } } } }],
    ['a property named __proto__', { type: 'object', required: ['__proto__'], properties: { ['__proto__']: { type: 'boolean' } } }],
  ])('builds a valid example for %s', (_name, schema) => {
    const manifestOf = testManifest([testSubject('t-x', [schema])]);
    expect(createSchemaRegistry(manifestOf).resolve('t-x').validate(exampleEvent(schema))).toEqual([]);
  });

  it('is JavaScript that sends that event with the version pinned', () => {
    const users = manifest.subjects.find((subject) => subject.subject === 'apps-users');
    const latest = users?.versions.at(-1);
    const snippet = producerSnippet({ subject: 'apps-users', version: latest?.version ?? 0, schema: latest?.schema, manifestLocation: 'gs://acme/manifests/latest.json' });
    expect(snippet).toContain("import { createProducer } from 'schemaflow';");
    expect(snippet).toContain('createProducer({ manifest: "gs://acme/manifests/latest.json", kafka })');
    const call = /await producer\.send\(("apps-users"), ([\s\S]*), \{ version: (\d+) \}\);/.exec(snippet);
    expect(call?.[3]).toBe(String(latest?.version));
    expect(JSON.stringify(runInNewContext(`(${call?.[2] ?? ''})`))).toBe(JSON.stringify(exampleEvent(latest?.schema)));
  });

  it.each([
    ['file://./.schemaflow/manifests', './.schemaflow/manifests/latest.json'],
    ['file://./manifests/', './manifests/latest.json'],
    ['file://localhost/srv/manifests', '/srv/manifests/latest.json'],
    ['file:///srv/manifests', '/srv/manifests/latest.json'],
    ['gs://acme-schemaflow/manifests', 'gs://acme-schemaflow/manifests/latest.json'],
    ['https://example.com/m/', 'https://example.com/m/latest.json'],
  ])('names the manifest at %s as %s', (url, location) => {
    expect(manifestLocation(url)).toBe(location);
  });
});
