import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openObjectStore } from '../../src/adapters/lake/object-store.js';
import { createManifestLoader, loadManifest } from '../../src/sdk/manifest-source.js';
import { runSchemaflow } from '../support/cli.js';
import { createTestRepo } from '../support/git-repo.js';
import { createDiscoveryDir, exampleManifest, type DiscoveryDir } from '../support/discovery-fixture.js';
import { createFlowFixture, type FlowFixture } from './support/flow-fixture.js';
import { uniqueName } from './support/names.js';

/**
 * Regression: a `gs://` location whose bucket does not exist read as "nothing there" (`show`
 * said "no hour closed yet", the flow planned from Kafka's earliest offset, registration took
 * it for a first one), because GCS answers 404 for a missing bucket as for a missing object
 * (the emulator with the very same body). Every reader and writer now fails with
 * BUCKET_NOT_FOUND (exit 2) naming the bucket, against the real GCS emulator.
 */
const storage = (): Storage => new Storage({ apiEndpoint: inject('gcsEndpoint'), projectId: 'schemaflow-test' });
const refusal = (bucket: string, location: string): string => `the bucket gs://${bucket} does not exist, or these credentials cannot see it: check the location ${location} (a mistyped bucket name?), or create the bucket`;

describe('a gs:// store whose bucket does not exist', () => {
  it('refuses reads and writes with BUCKET_NOT_FOUND, while a missing object in a bucket that exists is still none', async () => {
    const bucket = uniqueName('missing');
    const store = openObjectStore(`gs://${bucket}/lake/_state`, { gcsEndpoint: inject('gcsEndpoint') });
    const refused = { code: 'BUCKET_NOT_FOUND', exitCode: 2, message: refusal(bucket, `gs://${bucket}/lake/_state`) };
    await expect(store.get('_closure/apps-users.json')).rejects.toMatchObject(refused);
    await expect(store.create('t/0.json', new TextEncoder().encode('{}'))).rejects.toMatchObject(refused);
    await expect(store.replace('t/0.json', new TextEncoder().encode('{}'), null)).rejects.toMatchObject(refused);
    await expect(store.replace('t/0.json', new TextEncoder().encode('{}'), '7')).rejects.toMatchObject(refused);

    const existing = uniqueName('present');
    await storage().createBucket(existing);
    const present = openObjectStore(`gs://${existing}/lake/_state`, { gcsEndpoint: inject('gcsEndpoint') });
    expect(await present.get('_closure/apps-users.json')).toBeUndefined();
    expect(await present.get('_closure/apps-users.json')).toBeUndefined();
  });

  it('loads no manifest from it: BUCKET_NOT_FOUND, where a bucket without latest.json is MANIFEST_UNREADABLE', async () => {
    const loader = createManifestLoader({ gcsEndpoint: inject('gcsEndpoint') });
    const bucket = uniqueName('missing');
    await expect(loadManifest(`gs://${bucket}/prod/latest.json`, loader)).rejects.toMatchObject({ code: 'BUCKET_NOT_FOUND', exitCode: 2, message: refusal(bucket, `gs://${bucket}/prod/latest.json`) });
    const existing = uniqueName('present');
    await storage().createBucket(existing);
    await expect(loadManifest(`gs://${existing}/prod/latest.json`, loader)).rejects.toMatchObject({ code: 'MANIFEST_UNREADABLE', exitCode: 1 });
  });
});

describe('discovery with a gs:// lake whose bucket does not exist', () => {
  let dir: DiscoveryDir;
  beforeAll(() => {
    dir = createDiscoveryDir(exampleManifest());
  });
  afterAll(() => dir.dispose());
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ ...process.env, SCHEMAFLOW_MANIFEST_URL: dir.manifestUrl, SCHEMAFLOW_GCS_ENDPOINT: inject('gcsEndpoint'), ...extra });

  it('show fails (exit 2) naming the bucket, instead of "no hour closed yet"', async () => {
    const bucket = uniqueName('missing');
    const shown = await runSchemaflow(['show', 'apps-users', '--lake', `gs://${bucket}/events`], { env: env({}) });
    expect(shown.stdout).toBe('');
    expect(shown.stderr).toContain(`schemaflow: error: ${refusal(bucket, `gs://${bucket}/events/_state`)}`);
    expect(shown.code).toBe(2);
  });

  it('site fails (exit 2) naming the bucket of the state location, and writes nothing', async () => {
    const lake = uniqueName('present');
    await storage().createBucket(lake);
    const bucket = uniqueName('missing');
    const out = join(dir.root, 'site');
    const built = await runSchemaflow(['site', '--out', out], { env: env({ SCHEMAFLOW_LAKE_URL: `gs://${lake}/events`, SCHEMAFLOW_STATE_URL: `gs://${bucket}/state` }) });
    expect(built.stderr).toContain(refusal(bucket, `gs://${bucket}/state`));
    expect(built.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('search and show fail (exit 2) on a manifest location whose bucket does not exist', async () => {
    const bucket = uniqueName('missing');
    const searched = await runSchemaflow(['search', 'email'], { env: env({ SCHEMAFLOW_MANIFEST_URL: `gs://${bucket}/manifests` }) });
    expect(searched.stderr).toContain(refusal(bucket, `gs://${bucket}/manifests/latest.json`));
    expect(searched.code).toBe(2);
  });

  it('show still answers when the bucket exists and holds no state: no hour closed yet', async () => {
    const lake = uniqueName('present');
    await storage().createBucket(lake);
    const shown = await runSchemaflow(['show', 'apps-users', '--lake', `gs://${lake}/events`], { env: env({}) });
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toContain('no hour closed yet');
    expect(shown.code).toBe(0);
  });
});

describe('the flow with a state location whose bucket does not exist', () => {
  let fixture: FlowFixture;
  beforeAll(async () => {
    fixture = await createFlowFixture(['views']);
    await fixture.createTopic(fixture.subjects[0] ?? '', 1);
  });
  afterAll(() => fixture.dispose());

  it('refuses flow run, its dry run and flow close (exit 2) instead of planning from the earliest offset', async () => {
    const [views = ''] = fixture.subjects;
    const lake = uniqueName('present');
    await storage().createBucket(lake);
    const bucket = uniqueName('missing');
    for (const args of [['flow', 'run', '--dry-run'], ['flow', 'run'], ['flow', 'close']]) {
      const run = await fixture.cli([...args, '--lake', `gs://${lake}/events`, '--state', `gs://${bucket}/state`, '--subjects', views]);
      expect(run.stderr, args.join(' ')).toContain(refusal(bucket, `gs://${bucket}/state`));
      expect(run.code, args.join(' ')).toBe(2);
    }
    const [files] = await storage().bucket(lake).getFiles();
    expect(files).toEqual([]);
  });
});

describe('registration with a manifest location whose bucket does not exist', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());

  it('fails before planning anything (exit 2), instead of taking it for a first registration', async () => {
    const bucket = uniqueName('missing');
    const run = await runSchemaflow(['register', '--dry-run'], { cwd: repo.root, env: { ...process.env, SCHEMAFLOW_MANIFEST_URL: `gs://${bucket}/prod`, SCHEMAFLOW_GCS_ENDPOINT: inject('gcsEndpoint'), SCHEMAFLOW_KAFKA_BROKERS: inject('kafkaBrokers').join(',') } });
    expect(run.stdout).not.toContain('first registration');
    expect(run.stderr).toContain(refusal(bucket, `gs://${bucket}/prod`));
    expect(run.code).toBe(2);
  });
});
