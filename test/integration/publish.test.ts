import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openRepository } from '../../src/adapters/git/repository.js';
import { openObjectStore } from '../../src/adapters/lake/object-store.js';
import { parseManifest } from '../../src/manifest/parse.js';
import type { ObjectStore } from '../../src/ports.js';
import { buildCatalogManifest } from '../../src/usecases/build-manifest.js';
import { publishManifest } from '../../src/usecases/publish-manifest.js';
import { createTestRepo } from '../support/git-repo.js';
import { uniqueName } from './support/names.js';

/** Publishing manifests, against the local directory and the GCS emulator alike. */
const repo = createTestRepo();
const directories: string[] = [];
afterAll(() => {
  repo.dispose();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const base = repo.git('rev-parse', 'HEAD').trim();
const users3 = JSON.parse(repo.git('show', 'HEAD:catalog/apps/users/3.json')) as { properties: Record<string, unknown> };
users3.properties.country = { description: 'Country.', type: 'string' };
repo.write('catalog/apps/users/4.json', JSON.stringify(users3, null, 2));
repo.commit('users v4');
const second = repo.git('rev-parse', 'HEAD').trim();
repo.write('README.md', 'not the catalog');
repo.commit('docs only');
const docsOnly = repo.git('rev-parse', 'HEAD').trim();

const build = (commit: string) => buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog', commit });

const backends: Array<[string, () => Promise<ObjectStore>]> = [
  ['file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'schemaflow-publish-'));
    directories.push(directory);
    return Promise.resolve(openObjectStore(`file://${directory}`));
  }],
  ['gcs', async () => {
    const bucket = uniqueName('publish');
    await new Storage({ apiEndpoint: inject('gcsEndpoint'), projectId: 'schemaflow-test' }).createBucket(bucket);
    return openObjectStore(`gs://${bucket}/registry`, { gcsEndpoint: inject('gcsEndpoint') });
  }],
];

describe.each(backends)('publishing manifests: %s', (_name, open) => {
  it('publishes <serial>.json and latest.json, is a no-op when nothing changed, and moves forward only', async () => {
    const store = await open();
    const repository = openRepository(repo.root);
    const first = build(base);
    expect(await publishManifest(store, repository, first.manifest, first.bytes)).toEqual({ status: 'published', serial: 1, keys: ['1.json', 'latest.json'] });
    expect(await publishManifest(store, repository, first.manifest, first.bytes)).toEqual({ status: 'unchanged', serial: 1 });

    const next = build(second);
    expect(await publishManifest(store, repository, next.manifest, next.bytes)).toMatchObject({ status: 'published', serial: 2 });
    // A commit that did not touch the catalog publishes nothing.
    const same = build(docsOnly);
    expect(await publishManifest(store, repository, same.manifest, same.bytes)).toEqual({ status: 'unchanged', serial: 2 });
    // An older run finishing late is superseded and changes nothing.
    expect(await publishManifest(store, repository, first.manifest, first.bytes)).toEqual({ status: 'superseded', by: second, serial: 2 });

    const latest = await store.get('latest.json');
    expect(parseManifest(latest?.bytes ?? new Uint8Array(), 'latest').serial).toBe(2);
    expect(Buffer.from(latest?.bytes ?? []).equals(Buffer.from(next.bytes))).toBe(true);
    expect((await store.list('')).map((entry) => entry.key)).toEqual(['1.json', '2.json', 'latest.json']);
  });

  it('two registrations racing leave latest.json at the newer commit and each serial published once', async () => {
    const store = await open();
    const repository = openRepository(repo.root);
    const older = build(base);
    const newer = build(second);
    const outcomes = await Promise.all([publishManifest(store, repository, newer.manifest, newer.bytes), publishManifest(store, repository, older.manifest, older.bytes)]);
    expect(outcomes.map((outcome) => outcome.status)).toContain('published');
    const latest = parseManifest((await store.get('latest.json'))?.bytes ?? new Uint8Array(), 'latest');
    expect(latest.serial).toBe(2);
    expect(latest.sourceCommit).toBe(second);
  });
});
