import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/action.js';

/**
 * actions/flow's committed bundle, refusing or reading its locations before it reads any record
 * (no broker needed: the manifest is loaded first, and a bad configuration stops the run before).
 */
const workspace = mkdtempSync(join(tmpdir(), 'schemaflow-flow-action-'));
const missing = `file://${workspace}/no-manifests`;
mkdirSync(join(workspace, 'catalog'));
writeFileSync(join(workspace, 'catalog', 'catalog.yaml'), `environments:\n  staging:\n    manifestUrl: ${missing}\n    lakeUrl: file://${workspace}/lake\n  dev: {}\n`);
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const inputs = { 'kafka-brokers': '127.0.0.1:9', 'dry-run': 'true' };

describe('actions/flow locations', () => {
  it('reads the manifest and lake of the catalog.yaml environment input env names', async () => {
    const run = await runAction('flow', { cwd: workspace, inputs: { ...inputs, env: 'staging' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${missing}/latest.json`);
    // What to check, in the inputs' names (the CLI says --manifest-url and --env).
    expect(run.stdout).toContain(`Check the manifest location ${missing} (from the manifestUrl of catalog.yaml environment "staging"): that registration published latest.json there`);
    expect(run.stdout).toContain('To read another location, give input manifest-url (or SCHEMAFLOW_MANIFEST_URL, or input env with a catalog.yaml environment whose manifestUrl names it).');
  });

  it('refuses a manifest or lake nothing names: the built-in defaults are on the runner’s disk', async () => {
    const run = await runAction('flow', { cwd: workspace, inputs: { ...inputs, env: 'dev', 'lake-url': `file://${workspace}/lake` } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::input manifest-url is empty and neither SCHEMAFLOW_MANIFEST_URL nor a catalog.yaml environment (input env) names a location: the flow would use file://./.schemaflow/manifests on the runner, which nothing keeps. Set the repository variables the workflow passes (SCHEMAFLOW_MANIFEST_URL).');
    const neither = await runAction('flow', { cwd: workspace, inputs });
    expect(neither.stdout).toMatch(/::error::input manifest-url is empty .*; input lake-url is empty and neither SCHEMAFLOW_LAKE_URL nor/);
  });

  it('refuses an environment catalog.yaml does not have', async () => {
    const run = await runAction('flow', { cwd: workspace, inputs: { ...inputs, env: 'prod' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::environment "prod" (input env) is not in catalog/catalog.yaml (known: staging, dev)');
  });
});
