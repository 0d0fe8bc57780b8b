import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findFreePort } from '../../../src/dev/processes.js';
import { mayPassOnRetry } from '../../../src/domain/retry.js';
import { createManifestLoader, loadManifest, type ManifestLoader } from '../../../src/sdk/manifest-source.js';
import { startGcsStub, type GcsStub } from '../../support/gcs-stub.js';

/**
 * Regression: every manifest the SDK could not load was `retriable: true`, so a producer that
 * retries on it retried a missing file, a 403 or a 404 for ever. Only what may pass when asked
 * again is retriable now: network errors, timeouts, 408/429/5xx.
 */
const root = mkdtempSync(join(tmpdir(), 'schemaflow-manifest-retriable-'));
mkdirSync(join(root, 'directory', 'latest.json'), { recursive: true });
writeFileSync(join(root, 'not-json.json'), 'not json');
writeFileSync(join(root, 'not-a-manifest.json'), '{"subjects": []}');
const refusing: Record<number, GcsStub> = {};
let closedPort = 0;

beforeAll(async () => {
  for (const status of [403, 404]) refusing[status] = await startGcsStub(status);
  // A port that was free a moment ago: nothing listens there (connection refused).
  closedPort = await findFreePort();
});
afterAll(async () => {
  await Promise.all(Object.values(refusing).map((stub) => stub.close()));
  rmSync(root, { recursive: true, force: true });
});

const failureOf = (location: string, loader: ManifestLoader): Promise<unknown> => loadManifest(location, loader).then(() => 'loaded', (error: unknown) => error);

describe('a manifest the SDK cannot load', () => {
  it.each([
    ['a missing file:// path', `file://${root}/nowhere/`, 'MANIFEST_UNREADABLE'],
    ['a directory where the file should be', `${root}/directory/`, 'MANIFEST_UNREADABLE'],
    ['a file that is not JSON', `${root}/not-json.json`, 'MANIFEST_INVALID'],
    ['a file that is not a manifest', `${root}/not-a-manifest.json`, 'MANIFEST_INVALID'],
    ['a file:// URL naming another host', 'file://server/manifests/', 'MANIFEST_UNREADABLE'],
  ])('is not retriable: %s', async (_name, location, code) => {
    expect(await failureOf(location, createManifestLoader())).toMatchObject({ code, retriable: false });
  });

  it('says that latest.json in a folder given with its trailing / is a directory', async () => {
    expect(await failureOf(`${root}/directory/`, createManifestLoader())).toMatchObject({ message: `cannot load the manifest from ${root}/directory/latest.json: it is a directory; a manifest is a file` });
  });

  it.each([403, 404])('is not retriable when GCS answers %i', async (status) => {
    const stub = refusing[status];
    const loader = createManifestLoader({ gcsEndpoint: stub?.url ?? '' });
    expect(await failureOf('gs://acme-schemaflow/manifests/', loader)).toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable: false });
  });

  it('is retriable when the connection is refused', async () => {
    const error = await failureOf(`https://127.0.0.1:${closedPort}/manifests/`, createManifestLoader());
    expect(error).toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable: true, message: `cannot load the manifest from https://127.0.0.1:${closedPort}/manifests/latest.json: fetch failed: connect ECONNREFUSED 127.0.0.1:${closedPort}` });
  });

  // fetch stands in for an https:// server (a loopback one would need a certificate Node trusts).
  it.each([[404, false], [503, true]])('says where it loaded from when the https:// server answers %i (retriable: %s)', async (status, retriable) => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('', { status })));
    try {
      expect(await failureOf('https://schemas.acme.example/manifests/', createManifestLoader())).toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable, message: `cannot load the manifest from https://schemas.acme.example/manifests/latest.json: the server answered ${status}` });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('keeps an injected loader\'s own answer, and is not retriable for an error that says nothing', async () => {
    const throwing = (error: Error): ManifestLoader => () => Promise.reject(error);
    expect(await failureOf('anywhere', throwing(Object.assign(new Error('busy'), { retriable: true })))).toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable: true });
    expect(await failureOf('anywhere', throwing(new Error('no such manifest')))).toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable: false });
  });
});

describe('mayPassOnRetry', () => {
  const withCause = (cause: unknown): Error => new TypeError('fetch failed', { cause });
  it.each([
    ['a GCS 503', { code: 503 }, true],
    ['a GCS 500', { code: 500 }, true],
    ['a 429', { code: 429 }, true],
    ['a 408', { status: 408 }, true],
    ['a GCS 404', { code: 404 }, false],
    ['a 403', { status: 403 }, false],
    ['a reset connection under fetch', withCause(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true],
    ['a connect timeout under fetch', withCause(Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' })), true],
    ['a temporary DNS failure', { code: 'EAI_AGAIN' }, true],
    ['a timeout signal', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), true],
    ['a host that does not resolve', withCause({ code: 'ENOTFOUND' }), false],
    ['a refused certificate', withCause({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), false],
    ['a missing file', { code: 'ENOENT' }, false],
    ['a file without permission', { code: 'EACCES' }, false],
    // The GCS client (gaxios) keeps the request's error as `error`; node-fetch's timeouts carry a type, no code.
    ['a GCS request timeout', Object.assign(new Error('network timeout at: https://storage.googleapis.com/…'), { error: Object.assign(new Error('network timeout'), { type: 'request-timeout' }) }), true],
    ['a GCS body timeout', Object.assign(new Error('Response timeout'), { error: Object.assign(new Error('Response timeout'), { type: 'body-timeout' }) }), true],
    ['a GCS reset connection', Object.assign(new Error('request failed'), { error: { code: 'ECONNRESET' } }), true],
    ['a GCS request refused for its credentials', Object.assign(new Error('Could not load the default credentials'), { error: new Error('no credentials') }), false],
    ['a plain error', new Error('something'), false],
    ['a thrown string', 'something', false],
  ] as const)('%s', (_name, error, expected) => {
    expect(mayPassOnRetry(error)).toBe(expected);
  });
});
