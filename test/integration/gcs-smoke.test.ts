import { Storage } from '@google-cloud/storage';
import { describe, expect, inject, it } from 'vitest';
import { uniqueName } from './support/names.js';

// apiEndpoint, never STORAGE_EMULATOR_HOST (DESIGN.md §9); projectId avoids project discovery.
const storage = new Storage({ apiEndpoint: inject('gcsEndpoint'), projectId: 'schemaflow-test' });

describe('the local GCS emulator through @google-cloud/storage', () => {
  it('creates a bucket, uploads create-only, lists and downloads', async () => {
    const [bucket] = await storage.createBucket(uniqueName('smoke'));
    const file = bucket.file('manifests/1.json');

    await file.save('{"serial":1}', { preconditionOpts: { ifGenerationMatch: 0 }, resumable: false, contentType: 'application/json' });
    const [metadata] = await file.getMetadata();
    expect(Number(metadata.generation)).toBeGreaterThan(0);

    // A second create-only upload of the same name fails with 412 and leaves the first intact.
    const second = file.save('{"serial":2}', { preconditionOpts: { ifGenerationMatch: 0 }, resumable: false });
    await expect(second).rejects.toMatchObject({ code: 412 });

    // Resumable uploads (the client's default for large objects) work against the emulator too.
    await bucket.file('manifests/2.json').save('{"serial":2}', { preconditionOpts: { ifGenerationMatch: 0 }, resumable: true });
    await bucket.file('other/x.txt').save('x', { resumable: false });

    const [files] = await bucket.getFiles({ prefix: 'manifests/' });
    expect(files.map((listed) => listed.name).sort()).toEqual(['manifests/1.json', 'manifests/2.json']);

    const [content] = await file.download();
    expect(content.toString('utf8')).toBe('{"serial":1}');
  });

  it('moves an object by generation compare-and-swap: a stale generation gets 412', async () => {
    const [bucket] = await storage.createBucket(uniqueName('cas'));
    const latest = bucket.file('manifests/latest.json');
    await latest.save('v1', { preconditionOpts: { ifGenerationMatch: 0 }, resumable: false });
    const [first] = await latest.getMetadata();

    await latest.save('v2', { preconditionOpts: { ifGenerationMatch: Number(first.generation) }, resumable: false });
    const stale = latest.save('v3', { preconditionOpts: { ifGenerationMatch: Number(first.generation) }, resumable: false });
    await expect(stale).rejects.toMatchObject({ code: 412 });

    const [content] = await latest.download();
    expect(content.toString('utf8')).toBe('v2');
  });
});
