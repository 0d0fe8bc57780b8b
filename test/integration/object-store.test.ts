import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openObjectStore } from '../../src/adapters/lake/object-store.js';
import type { ObjectStore } from '../../src/ports.js';
import { uniqueName } from './support/names.js';

/**
 * One conformance suite for every ObjectStore backend: the local directory and GCS (through
 * the emulator). Both must give the same answers to the same calls.
 */
const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const backends: Array<[string, () => Promise<ObjectStore>]> = [
  [
    'file',
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'schemaflow-store-'));
      directories.push(directory);
      return Promise.resolve(openObjectStore(`file://${directory}/lake`));
    },
  ],
  [
    'gcs',
    async () => {
      const endpoint = inject('gcsEndpoint');
      const bucket = uniqueName('store');
      await new Storage({ apiEndpoint: endpoint, projectId: 'schemaflow-test' }).createBucket(bucket);
      return openObjectStore(`gs://${bucket}/prefix/lake`, { gcsEndpoint: endpoint });
    },
  ],
];

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const decode = (bytes: Uint8Array | undefined): string | undefined => (bytes ? new TextDecoder().decode(bytes) : undefined);

describe.each(backends)('ObjectStore conformance: %s', (_name, open) => {
  it('creates only once and reads back bytes and metadata', async () => {
    const store = await open();
    expect(await store.get('manifests/1.json')).toBeUndefined();
    const { generation } = await store.create('manifests/1.json', text('{"serial":1}'), { contentType: 'application/json', metadata: { serial: '1' } });
    expect(generation).not.toBe('');
    const read = await store.get('manifests/1.json');
    expect(decode(read?.bytes)).toBe('{"serial":1}');
    expect(read?.generation).toBe(generation);
    expect(read?.metadata).toEqual({ serial: '1' });
    await expect(store.create('manifests/1.json', text('other'))).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    expect(decode((await store.get('manifests/1.json'))?.bytes)).toBe('{"serial":1}');
  });

  it('moves an object by compare-and-swap on its generation', async () => {
    const store = await open();
    const first = await store.replace('latest.json', text('v1'), null);
    await expect(store.replace('latest.json', text('x'), null)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    const second = await store.replace('latest.json', text('v2'), first.generation);
    await expect(store.replace('latest.json', text('v3'), first.generation)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    expect(decode((await store.get('latest.json'))?.bytes)).toBe('v2');
    expect((await store.get('latest.json'))?.generation).toBe(second.generation);
  });

  it('lets exactly one of many racing writers win a compare-and-swap', async () => {
    const store = await open();
    const { generation } = await store.create('state/p0.json', text('0'));
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, index) => store.replace('state/p0.json', text(`writer ${index}`), generation)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected').every((result) => (result).reason.code === 'PRECONDITION_FAILED')).toBe(true);
  });

  it('lists by prefix in key order, nested keys and binary bytes included', async () => {
    const store = await open();
    const binary = new Uint8Array([0, 255, 1, 254, 10, 13]);
    await store.create('apps-users/v=1/dt=2024-05-01/hr=12/b.jsonl.gz', binary);
    await store.create('apps-users/v=1/dt=2024-05-01/hr=12/a.jsonl.gz', text('a'));
    await store.create('apps-users2/x', text('x'));
    await store.create('other/y', text('y'));
    const listed = await store.list('apps-users/');
    expect(listed.map((entry) => entry.key)).toEqual(['apps-users/v=1/dt=2024-05-01/hr=12/a.jsonl.gz', 'apps-users/v=1/dt=2024-05-01/hr=12/b.jsonl.gz']);
    expect(listed[1]?.size).toBe(6);
    expect([...((await store.get('apps-users/v=1/dt=2024-05-01/hr=12/b.jsonl.gz'))?.bytes ?? [])]).toEqual([...binary]);
    expect((await store.list('')).map((entry) => entry.key)).toContain('other/y');
  });
});

describe('openObjectStore', () => {
  it('names a bucket that does not exist when listing (exit 2), and a store it cannot reach', async () => {
    const endpoint = inject('gcsEndpoint');
    const missing = openObjectStore(`gs://${uniqueName('missing')}/lake`, { gcsEndpoint: endpoint });
    await expect(missing.list('')).rejects.toMatchObject({ code: 'BUCKET_NOT_FOUND', exitCode: 2, message: expect.stringMatching(/^the bucket gs:\/\/missing-[^ ]+ does not exist, or these credentials cannot see it: check the location gs:\/\/missing-[^ ]+\/lake \(a mistyped bucket name\?\), or create the bucket$/) as string });
    const unreachable = openObjectStore('gs://any-bucket/lake', { gcsEndpoint: 'http://127.0.0.1:1', deadlineMs: 2_000 });
    await expect(unreachable.list('')).rejects.toMatchObject({ code: 'OBJECT_STORE_FAILED', message: expect.stringContaining('gs://any-bucket/lake/*: ') as string });
  });

  it('refuses locations it does not know and keys that leave the store', async () => {
    expect(() => openObjectStore('s3://bucket/x')).toThrow(/not a supported location/);
    const directory = mkdtempSync(join(tmpdir(), 'schemaflow-store-'));
    directories.push(directory);
    const store = openObjectStore(`file://${directory}`);
    await expect(store.create('../escape', text('x'))).rejects.toMatchObject({ code: 'INVALID_KEY' });
  });
});
