import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openObjectStore } from '../../src/adapters/lake/object-store.js';
import { COMMAND_MODULES } from '../../src/cli/program.js';
import { flagSettings, readsLocation } from '../../src/cli/command.js';
import { runSchemaflow } from '../support/cli.js';
import { createDiscoveryDir, exampleManifest, writeClosure, type DiscoveryDir } from '../support/discovery-fixture.js';

/**
 * `--env` from the command line: a catalog.yaml environment's locations stand in for the
 * defaults of every command that reads them (the built CLI, run where catalog/catalog.yaml is).
 */
let data: DiscoveryDir;
let cwd: string;
const env = { PATH: process.env.PATH, HOME: process.env.HOME };

beforeAll(async () => {
  data = createDiscoveryDir(exampleManifest());
  // The state is not named: it is <lake>/_state/, under the environment's lake.
  await writeClosure(openObjectStore(`${data.lakeUrl}/_state`), 'apps-users', '2026-11-30T10:00:00.000Z');
  cwd = mkdtempSync(join(tmpdir(), 'schemaflow-env-cli-'));
  mkdirSync(join(cwd, 'catalog'));
  writeFileSync(join(cwd, 'catalog', 'catalog.yaml'), `environments:\n  staging:\n    manifestUrl: ${data.manifestUrl}\n    lakeUrl: ${data.lakeUrl}\n  broken:\n    lakeUrl: s3://acme-lake\n`);
});
afterAll(() => {
  data.dispose();
  rmSync(cwd, { recursive: true, force: true });
});

describe('--env', () => {
  it('is taken, with --catalog, by every command that reads a location an environment can name', async () => {
    const commands = (await Promise.all(COMMAND_MODULES.map((module) => module.load()))).flat();
    const reading = commands.filter(readsLocation);
    // The demo runs the example catalog's own `dev` environment on local services, by design.
    const taking = reading.filter((command) => command.name !== 'demo');
    expect(taking.map((command) => command.name)).toEqual(['plan', 'register', 'produce', 'types', 'flow run', 'flow close', 'lake audit', 'search', 'show', 'site']);
    for (const command of taking) {
      expect(command.options, command.name).toHaveProperty('env');
      expect(flagSettings(command), command.name).toContain('catalogDir');
    }
  });

  it('says in help that --catalog matters only with --env, where the command reads no catalog otherwise', async () => {
    const help = await runSchemaflow(['lake', 'audit', '--help'], { cwd, env });
    expect(help.stdout).toMatch(/--catalog <value> +The catalog directory.*\(read with --env only\)/);
    const register = await runSchemaflow(['register', '--help'], { cwd, env });
    expect(register.stdout).not.toContain('(read with --env only)');
  });

  it('refuses a location whose % starts no escape, exit 2', async () => {
    const run = await runSchemaflow(['lake', 'audit', '--lake', 'file://./a%zz'], { cwd, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--lake="file://./a%zz": holds a % that starts no escape (%XX): write a literal % as %25');
    const show = await runSchemaflow(['show', 'apps-users', '--manifest-url', 'file://./m%zz'], { cwd, env });
    expect(show.code).toBe(2);
    expect(show.stderr).toContain('--manifest-url="file://./m%zz": holds a % that starts no escape');
  });

  it('reads the catalog directory only for --env: a bad SCHEMAFLOW_CATALOG_DIR does not stop a command run without it', async () => {
    const missing = `file://${cwd}/no-lake-here`;
    const plain = await runSchemaflow(['lake', 'audit', '--lake', missing], { cwd, env: { ...env, SCHEMAFLOW_CATALOG_DIR: '/srv/catalog' } });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain(`nothing is archived at ${missing}`);
    const inEnvironment = await runSchemaflow(['lake', 'audit', '--env', 'staging'], { cwd, env: { ...env, SCHEMAFLOW_CATALOG_DIR: '/srv/catalog' } });
    expect(inEnvironment.code).toBe(2);
    expect(inEnvironment.stderr).toContain('SCHEMAFLOW_CATALOG_DIR="/srv/catalog"');
  });

  it('reads the environment’s manifest, lake and (derived from the lake) state: show', async () => {
    const run = await runSchemaflow(['show', 'apps-users', '--env', 'staging'], { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`  lake           ${data.lakeUrl}/apps-users/`);
    expect(run.stdout).toContain('  freshness      latest closed hour 2026-11-30 10:00 UTC');
  });

  it('reads the environment’s lake: lake audit, unless --lake or SCHEMAFLOW_LAKE_URL names another', async () => {
    const audit = await runSchemaflow(['lake', 'audit', '--env', 'staging'], { cwd, env });
    expect(audit.code).toBe(2);
    expect(audit.stderr).toContain(`nothing is archived at ${data.lakeUrl}`);
    const flag = await runSchemaflow(['lake', 'audit', '--env', 'staging', '--lake', 'file:///nonexistent-schemaflow-lake'], { cwd, env });
    expect(flag.stderr).toContain('nothing is archived at file:///nonexistent-schemaflow-lake');
    const variable = await runSchemaflow(['lake', 'audit', '--env', 'staging'], { cwd, env: { ...env, SCHEMAFLOW_LAKE_URL: 'file:///nonexistent-variable-lake' } });
    expect(variable.stderr).toContain('nothing is archived at file:///nonexistent-variable-lake');
  });

  it('refuses an unknown environment, a bad location in catalog.yaml, or a missing catalog.yaml, exit 2', async () => {
    const unknown = await runSchemaflow(['search', 'user', '--env', 'prod'], { cwd, env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('schemaflow: error: environment "prod" (--env) is not in catalog/catalog.yaml (known: staging, broken)');
    const broken = await runSchemaflow(['flow', 'run', '--env', 'broken', '--dry-run'], { cwd, env });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('catalog/catalog.yaml environments.broken.lakeUrl="s3://acme-lake": expected a URL starting with file://, gs://');
    const elsewhere = await runSchemaflow(['types', '--out', join(cwd, 'types'), '--env', 'staging', '--catalog', 'schemas'], { cwd, env });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('--env staging needs schemas/catalog.yaml');
  });
});

describe('the site workflow', () => {
  it('builds the site in the prod environment, so it reads where registration published with the variables unset', async () => {
    const site = mkdtempSync(join(tmpdir(), 'schemaflow-site-workflow-'));
    try {
      mkdirSync(join(site, 'catalog'));
      writeFileSync(join(site, 'catalog', 'catalog.yaml'), `environments:\n  prod:\n    manifestUrl: ${data.manifestUrl}\n    lakeUrl: ${data.lakeUrl}\n`);
      const workflow = readFileSync(new URL('../../.github/workflows/site.yml', import.meta.url), 'utf8');
      const command = /run: npx schemaflow (site [^\n]*)/.exec(workflow)?.[1] ?? '';
      expect(command).toContain('--env prod');
      // GitHub passes an unset repository variable as an empty string.
      const run = await runSchemaflow(command.split(' ').map((word) => (word === '_site' ? join(site, '_site') : word)), { cwd: site, env: { ...env, SCHEMAFLOW_MANIFEST_URL: '', SCHEMAFLOW_LAKE_URL: '' } });
      expect(run.code, run.stderr).toBe(0);
      expect(readFileSync(join(site, '_site', 'subjects', 'apps-users.html'), 'utf8')).toContain('apps-users');
    } finally {
      rmSync(site, { recursive: true, force: true });
    }
  });
});

