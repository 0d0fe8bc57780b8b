import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runAction } from '../support/action.js';
import { listenLoopback, type Loopback } from '../support/loopback.js';
import { createFlowFixture, createTestLake, type FlowFixture, type TestLake } from './support/flow-fixture.js';
import { uniqueName } from './support/names.js';

/*
 * gs:// commands run with no Google credentials at all, and with a GCE metadata server of the
 * test's own (GCE_METADATA_HOST, which google-auth-library probes when it looks for credentials):
 * it records every request and answers 500, an answer gcp-metadata reports as a
 * MetadataLookupWarning on stderr. On the real GCS emulator an endpoint needs no credentials, so
 * nothing may reach it; without an endpoint the probe happens, and its warning must not be
 * printed over the command's own error.
 */
let metadata: Loopback;
const lookups: string[] = [];
let fixture: FlowFixture;
let lake: TestLake;
let home: string;
let noCredentials: Record<string, string>;
const storage = new Storage({ apiEndpoint: inject('gcsEndpoint'), projectId: 'schemaflow-test' });

beforeAll(async () => {
  metadata = await listenLoopback(
    createServer((request, response) => {
      lookups.push(`${request.method ?? ''} ${request.url ?? ''}`);
      response.statusCode = 500;
      response.end('metadata server of the test');
    }),
  );
  // An empty home: no gcloud application-default credentials file to find.
  home = mkdtempSync(join(tmpdir(), 'schemaflow-no-credentials-'));
  noCredentials = { GCE_METADATA_HOST: new URL(metadata.url).host, HOME: home, GOOGLE_APPLICATION_CREDENTIALS: '', CLOUDSDK_CONFIG: home };
  fixture = await createFlowFixture(['clicks']);
  lake = await createTestLake('gcs');
});
afterAll(async () => {
  lake.dispose();
  await fixture.dispose();
  rmSync(home, { recursive: true, force: true });
  await metadata.close();
});

describe('gs:// commands on the GCS emulator, without credentials', () => {
  it('ask no metadata server and print no warning: flow run, lake audit, show, search and types on a gs:// manifest and lake', async () => {
    const [clicks = ''] = fixture.subjects;
    await fixture.createTopic(clicks, 1);
    await fixture.send(clicks, [{ value: JSON.stringify({ id: 'a', at: '2026-11-30T10:00:00Z' }), headers: { 'schema-id': String(fixture.idOf(clicks, 2)) } }]);
    // The manifest in the emulator too, where registration would publish it.
    const bucket = lake.url.slice('gs://'.length).split('/')[0] ?? '';
    const manifests = `gs://${bucket}/manifests`;
    const latest = readFileSync(new URL(`${fixture.manifestUrl}/latest.json`));
    await storage.bucket(bucket).file('manifests/latest.json').save(latest, { resumable: false });
    await storage.bucket(bucket).file(`manifests/${fixture.manifest.serial}.json`).save(latest, { resumable: false });
    const env = { ...noCredentials, SCHEMAFLOW_MANIFEST_URL: manifests, SCHEMAFLOW_LAKE_URL: lake.url };

    const runs = {
      flow: await fixture.cli(['flow', 'run', '--subjects', clicks, '--workers', '2'], env),
      audit: await fixture.cli(['lake', 'audit'], env),
      show: await fixture.cli(['show', clicks], env),
      search: await fixture.cli(['search', clicks], env),
      types: await fixture.cli(['types', '--out', join(home, 'types')], env),
    };
    // actions/flow's bundle, in two threads (the bundle is their script too).
    const action = await runAction('flow', { cwd: process.cwd(), env: noCredentials, inputs: { 'kafka-brokers': inject('kafkaBrokers').join(','), 'manifest-url': manifests, 'lake-url': `gs://${bucket}/action-lake`, 'gcs-endpoint': inject('gcsEndpoint'), subjects: clicks, workers: '2', 'dry-run': 'false' } });
    expect(action.code, action.stdout).toBe(0);
    expect(action.outputs['records-archived']).toBe('1');
    expect(action.stderr).toBe('');
    for (const [name, run] of Object.entries(runs)) {
      expect({ name, code: run.code, stderr: run.stderr.includes('Warning') ? run.stderr : '' }, run.stdout + run.stderr).toEqual({ name, code: 0, stderr: '' });
    }
    expect(runs.audit.stdout).toContain(`ok      ${clicks}/0 offsets 0–0: 1 record in 1 object`);
    expect(lookups).toEqual([]);
  });

  it('explain a gs:// manifest the emulator does not hold: the location, and the endpoint that must hold it', async () => {
    const bucket = uniqueName('empty');
    await storage.createBucket(bucket);
    const run = await fixture.cli(['search', 'clicks'], { ...noCredentials, SCHEMAFLOW_MANIFEST_URL: `gs://${bucket}/manifests` });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      [
        `schemaflow: MANIFEST_UNREADABLE: cannot load the manifest from gs://${bucket}/manifests/latest.json: Not Found`,
        `  Check the manifest location gs://${bucket}/manifests (from SCHEMAFLOW_MANIFEST_URL): that registration published latest.json there (schemaflow register, or actions/register on merge), and that the GCS endpoint ${inject('gcsEndpoint')} answers and holds the bucket ${bucket}. To read another location, give --manifest-url (or SCHEMAFLOW_MANIFEST_URL, or --env with a catalog.yaml environment whose manifestUrl names it).`,
        '',
      ].join('\n'),
    );
    expect(lookups).toEqual([]);
  });
});

describe('a gs:// command without an endpoint and without credentials', () => {
  it('looks for credentials, and prints the error it ends with, not google-auth\'s MetadataLookupWarning', async () => {
    const before = lookups.length;
    // The request to storage.googleapis.com goes to a closed local port (an HTTPS proxy that is not there): no network is left.
    const run = await fixture.cli(['search', 'clicks'], { ...noCredentials, SCHEMAFLOW_MANIFEST_URL: 'gs://acme-nowhere/manifests', SCHEMAFLOW_GCS_ENDPOINT: '', HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' });
    // The credential search did probe the metadata server (what the warning reports): this test would see a lookup.
    expect(lookups.length).toBeGreaterThan(before);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('MetadataLookupWarning');
    expect(run.stderr).toMatch(/^schemaflow: MANIFEST_UNREADABLE: cannot load the manifest from gs:\/\/acme-nowhere\/manifests\/latest\.json: request to https:\/\/storage\.googleapis\.com\/.* failed, reason: connect ECONNREFUSED 127\.0\.0\.1:9\n {2}Check the manifest location gs:\/\/acme-nowhere\/manifests \(from SCHEMAFLOW_MANIFEST_URL\): .*that these credentials may read gs:\/\/acme-nowhere \(Application Default Credentials/);
  }, 90_000);
});
