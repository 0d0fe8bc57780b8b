import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openObjectStore } from '../../src/adapters/lake/object-store.js';
import { RULES } from '../../src/catalog/rules.js';
import { COMPAT_CODES } from '../../src/compat/codes.js';
import { extractFields } from '../../src/discovery/fields.js';
import { searchDocuments } from '../../src/discovery/search.js';
import { searchDocumentsOf } from '../../src/discovery/view.js';
import type { Manifest } from '../../src/manifest/types.js';
import { runSchemaflow } from '../support/cli.js';
import { CHROMIUM, ensureChromium } from '../tools/chromium.js';
import { createDiscoveryDir, exampleManifest, testSubject, withSubjects, writeClosure, type DiscoveryDir } from '../support/discovery-fixture.js';
import { createTestLake, type TestLake } from './support/flow-fixture.js';

/**
 * The static catalog as a person uses it: built by the CLI from a manifest and a lake on the GCS
 * emulator, opened from disk (file://) in Debian's headless Chromium driven by playwright-core.
 * Screenshots go to test-results/screenshots/ (kept as CI artifacts).
 */
const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

/** What Chromium needs on this machine (root, no GPU, no network of its own). */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir: DiscoveryDir;
let lake: TestLake;
let manifest: Manifest;
let site: string;
let profile: string;
let context: BrowserContext;
const problems: string[] = [];
const requests: string[] = [];

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, SCHEMAFLOW_MANIFEST_URL: dir.manifestUrl, SCHEMAFLOW_LAKE_URL: lake.url, SCHEMAFLOW_GCS_ENDPOINT: inject('gcsEndpoint'), ...extra });

beforeAll(async () => {
  ensureChromium();
  const example = exampleManifest();
  // A subject whose versions change an enum, a type and what is required, for the diff.
  const orders = testSubject('shop-orders', [
    { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'Order id.' }, status: { enum: ['new', 'paid'], description: 'Where the order is.' }, total: { type: 'integer', description: 'Total in cents.' } } },
    { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string', description: 'Order id.' }, status: { enum: ['new', 'paid', 'shipped'], description: 'Where the order is.' }, total: { type: ['integer', 'null'], description: 'Total in cents.' }, coupon: { type: 'string', description: 'Coupon code, if any.' } } },
  ], { description: 'Orders placed in the shop.', owners: ['@acme/shop'] });
  manifest = withSubjects(example, orders);
  dir = createDiscoveryDir(manifest);
  lake = await createTestLake('gcs');
  await writeClosure(openObjectStore(`${lake.url}/_state`, { gcsEndpoint: inject('gcsEndpoint') }), 'apps-users', '2026-11-30T10:00:00.000Z');
  site = join(dir.root, 'site');
  const built = await runSchemaflow(['site', '--out', site], { env: env() });
  expect(built.code, built.stderr).toBe(0);
  expect(built.stdout).toContain(`5 subjects from manifest serial ${manifest.serial}; freshness read from ${lake.url}/_state`);

  mkdirSync(SCREENSHOTS, { recursive: true });
  // A fresh, empty profile per run: nothing from an earlier run (cache, storage) can help a page work.
  profile = mkdtempSync(join(tmpdir(), 'schemaflow-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
  context.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
  context.on('request', (request) => requests.push(request.url()));
  context.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
});

afterAll(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
  dir?.dispose();
});

const open = async (path: string): Promise<Page> => {
  const page = await context.newPage();
  await page.goto(pathToFileURL(join(site, path)).href);
  return page;
};

/** Types a query and waits for the list to be re-ranked (the page waits for a pause in typing). */
const searchFor = async (page: Page, query: string): Promise<void> => {
  await page.locator('#search').fill(query);
  await expect.poll(() => page.locator('#search-status').textContent()).toContain(query.trim() === '' ? 'subjects.' : `“${query}”`);
};

const visibleSubjects = async (page: Page): Promise<string[]> => Promise.all((await page.locator('#subject-list > li:visible').all()).map(async (item) => (await item.getAttribute('data-subject')) ?? ''));

describe('the static catalog in Chromium, opened from disk', () => {
  it('lists every subject and filters the list as one types, in the CLI’s ranking', async () => {
    const page = await open('index.html');
    expect(await visibleSubjects(page)).toEqual(manifest.subjects.map((subject) => subject.subject));
    await expect.poll(() => page.locator('#search-status').textContent()).toBe('5 subjects.');
    await page.screenshot({ path: join(SCREENSHOTS, 'index.png'), fullPage: true });

    await searchFor(page, 'email');
    expect(await visibleSubjects(page)).toEqual(['apps-users']);
    expect(await page.locator('#search-status').textContent()).toBe('1 of 5 subjects match “email”.');
    expect(await page.locator('li[data-subject="apps-users"] .match').textContent()).toBe('Matched: field /email');
    await page.screenshot({ path: join(SCREENSHOTS, 'index-search-email.png'), fullPage: true });

    const documents = searchDocumentsOf(manifest);
    for (const query of ['payments amount', 'user', 'IDENTITY', 'shop coupon', 'cents']) {
      await searchFor(page, query);
      const expected = searchDocuments(documents, query).map((hit) => hit.subject);
      expect(expected.length, query).toBeGreaterThan(0);
      expect(await visibleSubjects(page), query).toEqual(expected);
    }
    await searchFor(page, 'nothing-matches-this');
    expect(await visibleSubjects(page)).toEqual([]);
    expect(await page.locator('#search-status').textContent()).toBe('No subject matches “nothing-matches-this”.');
    await searchFor(page, '');
    expect(await visibleSubjects(page)).toEqual(manifest.subjects.map((subject) => subject.subject));
    await page.close();
  });

  it('takes the query from ?q= and starts keyboard navigation at the skip link', async () => {
    const page = await context.newPage();
    await page.goto(`${pathToFileURL(join(site, 'index.html')).href}?q=security`);
    expect(await page.locator('#search').inputValue()).toBe('security');
    expect(await visibleSubjects(page)).toEqual(['apps-sessions']);
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');
    expect(await page.locator('label[for="search"]').textContent()).toBe('Search subjects, fields, owners and descriptions');
    await page.close();
  });

  it('shows a subject’s fields, freshness from the lake and the diff between versions', async () => {
    const index = await open('index.html');
    await index.getByRole('link', { name: 'apps-users', exact: true }).click();
    await index.waitForURL(/subjects\/apps-users\.html$/);
    const users = manifest.subjects.find((subject) => subject.subject === 'apps-users');
    const latest = users?.versions.at(-1);
    const fieldTable = index.locator('section[aria-labelledby="fields-title"] table');
    expect(await fieldTable.locator('tbody th[scope="row"]').allTextContents()).toEqual(extractFields(latest?.schema, users?.pii).fields.map((field) => field.pointer));
    expect(await fieldTable.locator('tbody tr', { has: index.locator('th', { hasText: /^\/email$/ }) }).locator('td').allTextContents()).toEqual(['string (email)', 'The user\'s e-mail address at the time of the change.', 'yes', 'PII']);
    expect(await index.locator('.freshness').textContent()).toBe('latest closed hour 2026-11-30 10:00 UTC (dt=2026-11-30/hr=10 and every hour before it is complete)');
    expect(await index.locator('#v3 .changes li').allTextContents()).toEqual(['Added /marketingOptIn (boolean, optional)']);
    expect(await index.locator('pre.query').textContent()).toContain(`read_json('${lake.url}/apps-users/**/*.jsonl.gz'`);
    await index.locator('#v2 summary').click();
    expect(await index.locator('#v2 details table tbody th').allTextContents()).toEqual(['/userId', '/kind', '/occurredAt', '/email', '/displayName', '/locale']);
    await index.screenshot({ path: join(SCREENSHOTS, 'subject-apps-users.png'), fullPage: true });

    const orders = await open('subjects/shop-orders.html');
    expect(await orders.locator('#v2 .changes li').allTextContents()).toEqual([
      'Changed /status: optional → required; values gained "shipped"',
      'Changed /total: type integer → integer | null',
      'Added /coupon (string, optional)',
    ]);
    expect(await orders.locator('.freshness').textContent()).toBe('no hour closed yet');
    await orders.locator('#v2').screenshot({ path: join(SCREENSHOTS, 'subject-shop-orders-diff.png') });
    await index.close();
    await orders.close();
  });

  it('documents every rule code', async () => {
    const page = await open('rules.html');
    expect(await page.locator('tbody tr').count()).toBe(Object.keys(RULES).length + Object.keys(COMPAT_CODES).length);
    expect(await page.locator('tr#PROPERTY_REMOVED td').last().textContent()).toBe(COMPAT_CODES.PROPERTY_REMOVED);
    await page.screenshot({ path: join(SCREENSHOTS, 'rules.png'), fullPage: true });
    await page.close();
  });

  it('logged no console error and loaded nothing from outside the site', () => {
    expect(problems).toEqual([]);
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.filter((url) => !url.startsWith(pathToFileURL(site).href))).toEqual([]);
  });
});

describe('freshness from a GCS lake', () => {
  let forbidding: Server;
  let silent: Server;
  beforeAll(async () => {
    // An endpoint that takes requests and never answers, standing for a lake behind a dead network.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    // An endpoint that refuses every request (403 is not retried), standing for a lake this runner may not read.
    forbidding = createServer((_request, response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 403, message: 'Forbidden by the test' } }));
    });
    await new Promise<void>((resolve) => forbidding.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await Promise.all([forbidding, silent].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  it('show reads the latest closed hour from the emulator', async () => {
    const run = await runSchemaflow(['show', 'apps-users'], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('  freshness      latest closed hour 2026-11-30 10:00 UTC');
    expect(run.stdout).toContain(`  lake           ${lake.url}/apps-users/`);
    expect(run.stdout).toContain('  INSTALL httpfs;\n  LOAD httpfs;');
  });

  it('show says why freshness is unknown when the lake refuses, and still exits 0', async () => {
    const { port } = forbidding.address() as AddressInfo;
    const run = await runSchemaflow(['show', 'apps-users', '--format', 'json'], { env: env({ SCHEMAFLOW_GCS_ENDPOINT: `http://127.0.0.1:${port}` }) });
    expect(run.code, run.stderr).toBe(0);
    const shown = JSON.parse(run.stdout) as { freshness: { state: string; text: string }; fields?: unknown };
    expect(shown.freshness.state).toBe('unknown');
    expect(shown.freshness.text).toMatch(/^unknown \(lake not reachable: gs:\/\/.+\/lake\/_state\/_closure\/apps-users\.json: Forbidden by the test\)$/);
  });

  it('show gives up on a lake that does not answer after 5 s, prints, and ends (exit 0)', async () => {
    const { port } = silent.address() as AddressInfo;
    const started = Date.now();
    const run = await runSchemaflow(['show', 'apps-users'], { env: env({ SCHEMAFLOW_GCS_ENDPOINT: `http://127.0.0.1:${port}` }), timeoutMs: 30_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`  freshness      unknown (lake not reachable: ${lake.url}/_state did not answer within 5 s)`);
    // Its requests to the lake have the same deadline, so nothing keeps the process after it has answered.
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
