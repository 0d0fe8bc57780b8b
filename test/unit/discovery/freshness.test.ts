import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import { UsageError } from '../../../src/domain/errors.js';
import { describeFreshness } from '../../../src/discovery/view.js';
import type { ObjectStore } from '../../../src/ports.js';
import { buildSite, readFreshness, type DiscoveryPorts } from '../../../src/usecases/discover.js';
import { testManifest, testSubject, writeClosure } from '../../support/discovery-fixture.js';

/** A store whose reads behave as given (the port, not a module mock: STYLE.md habit 4), counting them. */
function storeThat(get: ObjectStore['get']): ObjectStore & { reads: number } {
  const store = {
    location: 'gs://unreachable/lake/_state',
    reads: 0,
    get: (key: string) => {
      store.reads += 1;
      return get(key);
    },
    create: () => Promise.reject(new Error('read only')),
    replace: () => Promise.reject(new Error('read only')),
    list: () => Promise.resolve([]),
  };
  return store;
}

const root = mkdtempSync(join(tmpdir(), 'schemaflow-freshness-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('readFreshness', () => {
  it('reads the latest closed hour the flow recorded', async () => {
    const state = openObjectStore(`file://${root}/state`);
    await writeClosure(state, 'shop-orders', '2026-11-30T23:00:00.000Z');
    const freshness = await readFreshness(state, 'shop-orders');
    expect(freshness).toEqual({ state: 'closed', closedThrough: '2026-11-30T23:00:00.000Z' });
    expect(describeFreshness(freshness)).toBe('latest closed hour 2026-11-30 23:00 UTC (dt=2026-11-30/hr=23 and every hour before it is complete)');
    expect(await readFreshness(state, 'shop-other')).toEqual({ state: 'none' });
  });

  it('gives up on a store that does not answer, without failing', async () => {
    const stalled = storeThat(() => new Promise(() => undefined));
    const started = Date.now();
    const freshness = await readFreshness(stalled, 'shop-orders', 100);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(describeFreshness(freshness)).toBe('unknown (lake not reachable: gs://unreachable/lake/_state did not answer within 0.1 s)');
  });

  it('reports a store error as not reachable and a corrupt state as unreadable', async () => {
    const failing = storeThat(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')));
    expect(describeFreshness(await readFreshness(failing, 'shop-orders'))).toBe('unknown (lake not reachable: connect ECONNREFUSED 127.0.0.1:9)');
    const corrupt = storeThat((key) => Promise.resolve({ key, generation: '1', bytes: new TextEncoder().encode('{"format": 2}'), metadata: {} }));
    expect(describeFreshness(await readFreshness(corrupt, 'shop-orders'))).toMatch(/^unknown \(closure state unreadable: closure state gs:\/\/unreachable\/lake\/_state\/_closure\/shop-orders\.json is not a format-1 closure state/);
  });

  it('fails on a state location that names no bucket: a configuration error, not a lake out of reach', async () => {
    const missing = storeThat(() => Promise.reject(new UsageError('the bucket gs://unreachable does not exist', { code: 'BUCKET_NOT_FOUND' })));
    await expect(readFreshness(missing, 'shop-orders')).rejects.toMatchObject({ code: 'BUCKET_NOT_FOUND', exitCode: 2 });
  });
});

describe('buildSite', () => {
  const manifest = testManifest(['shop-a', 'shop-b', 'shop-c'].map((name) => testSubject(name, [{ type: 'object', properties: { id: { type: 'string' } } }])));
  const ports = (state: ObjectStore): DiscoveryPorts => ({ manifest: () => Promise.resolve(manifest), manifestLabel: 'test', state, locations: { lakeUrl: 'gs://lake/x', manifestUrl: 'gs://m/x' }, clock: () => new Date('2026-12-01T00:00:00Z') });

  it('stops reading after the first subject finds the lake not reachable', async () => {
    const failing = storeThat(() => Promise.reject(new Error('403 Forbidden')));
    const { files, lake } = await buildSite(ports(failing));
    expect(failing.reads).toBe(1);
    expect(lake).toBe('lake not reachable: 403 Forbidden');
    const index = files.find((file) => file.path === 'index.html')?.content ?? '';
    expect(index.match(/unknown \(lake not reachable: 403 Forbidden\)/g)).toHaveLength(3);
  });

  it('builds no site when the state location names no bucket', async () => {
    const missing = storeThat(() => Promise.reject(new UsageError('the bucket gs://unreachable does not exist', { code: 'BUCKET_NOT_FOUND' })));
    await expect(buildSite(ports(missing))).rejects.toMatchObject({ code: 'BUCKET_NOT_FOUND', message: 'the bucket gs://unreachable does not exist' });
    expect(missing.reads).toBe(1);
  });

  it('reads every subject’s freshness when the lake answers', async () => {
    const state = openObjectStore(`file://${root}/site-state`);
    await writeClosure(state, 'shop-c', '2026-11-29T05:00:00.000Z');
    const { files, lake } = await buildSite(ports(state));
    expect(lake).toBe(`freshness read from ${state.location}`);
    expect(files.find((file) => file.path === 'subjects/shop-c.html')?.content).toContain('latest closed hour 2026-11-29 05:00 UTC');
    expect(files.find((file) => file.path === 'subjects/shop-a.html')?.content).toContain('no hour closed yet');
    expect(files.find((file) => file.path === 'index.html')?.content).toContain('lake freshness read at 2026-12-01T00:00:00.000Z');
  });
});
