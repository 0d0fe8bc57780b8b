import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInEnvironment } from '../../../src/adapters/catalog-environment.js';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import { UsageError } from '../../../src/domain/errors.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A directory outside any git repository, with `files` in it. */
function directoryWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'schemaflow-env-'));
  roots.push(root);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), content);
  }
  return root;
}

const CATALOG_YAML = [
  'lint:',
  '  MISSING_DESCRIPTION: error',
  'environments:',
  '  prod:',
  '    manifestUrl: gs://acme-prod/manifests',
  '    lakeUrl: gs://acme-lake/events',
  '  dev: {}',
  '',
].join('\n');

const root = directoryWith({ 'catalog/catalog.yaml': CATALOG_YAML });
const LOCATIONS = ['manifestUrl', 'lakeUrl', 'stateUrl'] as const;

function resolve(name: string | undefined, input: { env?: Record<string, string>; flags?: Partial<Record<'manifestUrl' | 'lakeUrl' | 'stateUrl' | 'catalogDir', string>>; directory?: string } = {}) {
  return resolveInEnvironment(LOCATIONS, { env: input.env ?? {}, ...(input.flags ? { flags: input.flags } : {}) }, name === undefined ? undefined : { name, given: '--env', directory: input.directory ?? root });
}

function problem(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('settings in a catalog.yaml environment', () => {
  it('are the environment’s locations when neither a flag nor a variable names them, the state derived from its lake', () => {
    expect(resolve('prod').values).toEqual({ manifestUrl: 'gs://acme-prod/manifests', lakeUrl: 'gs://acme-lake/events', stateUrl: 'gs://acme-lake/events/_state/' });
  });

  it('are the flag’s, then the variable’s, even with --env, as a flag and a variable win over a default', () => {
    const { values, sources } = resolve('prod', { flags: { manifestUrl: 'file:///tmp/x' }, env: { SCHEMAFLOW_LAKE_URL: 'gs://from-variable/lake' } });
    expect(values).toEqual({ manifestUrl: 'file:///tmp/x', lakeUrl: 'gs://from-variable/lake', stateUrl: 'gs://from-variable/lake/_state/' });
    expect(sources).toEqual({ manifestUrl: 'flag', lakeUrl: 'env', stateUrl: 'default' });
  });

  it('are the defaults in an environment that names no location, and without --env', () => {
    const defaults = { manifestUrl: 'file://./.schemaflow/manifests', lakeUrl: 'file://./lake', stateUrl: 'file://./lake/_state/' };
    expect(resolve('dev').values).toEqual(defaults);
    expect(resolve(undefined).values).toEqual(defaults);
  });

  it('read catalog.yaml in the catalog directory the catalogDir setting names', () => {
    const other = directoryWith({ 'schemas/catalog.yaml': 'environments:\n  prod:\n    lakeUrl: file:///srv/lake\n' });
    expect(resolve('prod', { directory: other, flags: { catalogDir: 'schemas' } }).values.lakeUrl).toBe('file:///srv/lake');
    expect(resolve('prod', { directory: other, env: { SCHEMAFLOW_CATALOG_DIR: './schemas/' } }).values.lakeUrl).toBe('file:///srv/lake');
  });

  it('refuse an environment catalog.yaml does not have, whatever else is set, naming the ones it has', () => {
    const error = problem(() => resolve('staging', { flags: { manifestUrl: 'file:///tmp/x', lakeUrl: 'file:///tmp/y' } }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe('environment "staging" (--env) is not in catalog/catalog.yaml (known: prod, dev)');
  });

  it('refuse --env without a catalog.yaml, or with one that cannot be read', () => {
    const empty = directoryWith({});
    expect(problem(() => resolve('prod', { directory: empty })).message).toBe(`--env prod needs catalog/catalog.yaml, which is not in ${empty} (the catalog directory is the catalogDir setting, relative to the root of the git repository)`);
    const broken = directoryWith({ 'catalog/catalog.yaml': 'environments:\n  prod: [\n' });
    const error = problem(() => resolve('prod', { directory: broken }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^--env prod needs catalog\/catalog.yaml, which cannot be read: catalog\/catalog.yaml/);
  });

  it('check the environment’s values as settings, naming catalog.yaml, the environment and the key', () => {
    const bad = directoryWith({ 'catalog/catalog.yaml': 'environments:\n  prod:\n    lakeUrl: s3://acme-lake\n    stateUrl: gs://acme-state/\n' });
    const error = problem(() => resolve('prod', { directory: bad }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe('invalid configuration:\n  - catalog/catalog.yaml environments.prod.lakeUrl="s3://acme-lake": expected a URL starting with file://, gs://');
    // Only the settings the command reads: a command that reads no lake is not stopped by it.
    expect(resolveInEnvironment(['manifestUrl'], { env: {} }, { name: 'prod', given: '--env', directory: bad }).values.manifestUrl).toBe('file://./.schemaflow/manifests');
  });

  it('refuse an environment catalog.yaml’s schema refuses, and only for that environment', () => {
    const typo = directoryWith({ 'catalog/catalog.yaml': 'lint:\n  NOT_A_RULE: sometimes\nenvironments:\n  prod:\n    lakeURL: gs://acme-lake\n  dev:\n    lakeUrl: gs://dev-lake\n' });
    expect(problem(() => resolve('prod', { directory: typo })).message).toBe('--env prod: catalog/catalog.yaml /environments/prod: unknown key "lakeURL" (see catalog.schema.json).');
    expect(resolve('dev', { directory: typo }).values.lakeUrl).toBe('gs://dev-lake');
  });

  it('read a relative file:// location from the root of the repository holding catalog.yaml, wherever the command runs in it', () => {
    const repo = directoryWith({ 'catalog/catalog.yaml': 'environments:\n  dev:\n    manifestUrl: file://./.schemaflow/manifests\n    lakeUrl: file://./lake%25s\n    stateUrl: file:///srv/state\n' });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    mkdirSync(join(repo, 'catalog', 'apps'), { recursive: true });
    for (const directory of [repo, join(repo, 'catalog', 'apps')]) {
      expect(resolve('dev', { directory }).values).toEqual({ manifestUrl: `file://${repo}/.schemaflow/manifests`, lakeUrl: `file://${repo}/lake%25s`, stateUrl: 'file:///srv/state' });
    }
    // Where the store opens it: the same directory, a literal % kept.
    expect(openObjectStore(resolve('dev', { directory: join(repo, 'catalog', 'apps') }).values.lakeUrl).location).toBe(`file://${repo}/lake%s`);
  });

  it('keep the environment’s state when a flag or variable names its own lake, however spelled', () => {
    const repo = directoryWith({ 'catalog/catalog.yaml': 'environments:\n  dev:\n    lakeUrl: file://./lake\n    stateUrl: file://./state\n  prod:\n    lakeUrl: gs://acme-lake/events\n    stateUrl: gs://acme-state/flow\n' });
    const state = (name: string, input: { env?: Record<string, string>; flags?: { lakeUrl: string } }) => resolve(name, { ...input, directory: repo }).values.stateUrl;
    // Relative to where the command runs (here the root), as the store opens it.
    expect(state('dev', { env: { SCHEMAFLOW_LAKE_URL: 'file://./lake' } })).toBe(`file://${repo}/state`);
    expect(state('dev', { flags: { lakeUrl: `file://${repo}/lake/` } })).toBe(`file://${repo}/state`);
    expect(state('prod', { env: { SCHEMAFLOW_LAKE_URL: ' gs://acme-lake/events/\n' } })).toBe('gs://acme-state/flow');
    // Absolute spellings of the same directory, and of the same bucket and prefix.
    for (const lakeUrl of [`file://${repo}/./lake`, `file://${repo}/catalog/../lake`, `file://${repo}//lake`, `file://${repo}/l%61ke`]) expect(state('dev', { flags: { lakeUrl } }), lakeUrl).toBe(`file://${repo}/state`);
    expect(state('prod', { flags: { lakeUrl: 'gs://acme-lake/events//' } })).toBe('gs://acme-state/flow');
    // Another lake takes its own state, trimmed like the lake: a bucket's root is not its prefix.
    expect(state('prod', { flags: { lakeUrl: 'gs://acme-lake//' } })).toBe('gs://acme-lake/_state/');
    expect(state('dev', { flags: { lakeUrl: 'file://./other' } })).toBe('file://./other/_state/');
    expect(state('prod', { env: { SCHEMAFLOW_LAKE_URL: 'gs://other-lake/events\n' } })).toBe('gs://other-lake/events/_state/');
  });

  it('refuse a stateUrl without a lakeUrl for a command that reads the state: a state belongs to one lake', () => {
    const repo = directoryWith({ 'catalog/catalog.yaml': 'environments:\n  dev:\n    stateUrl: file://./state\n    manifestUrl: file://./manifests\n' });
    expect(problem(() => resolve('dev', { directory: repo })).message).toBe('catalog/catalog.yaml environments.dev names a stateUrl but no lakeUrl: a flow state belongs to one lake, so name the lake whose state it is (lakeUrl) beside it');
    expect(resolveInEnvironment(['manifestUrl'], { env: {} }, { name: 'dev', given: '--env', directory: repo }).values.manifestUrl).toBe(`file://${repo}/manifests`);
    // Not refused when the state is given as well: the environment's is not used.
    expect(resolve('dev', { directory: repo, flags: { lakeUrl: 'file:///srv/lake', stateUrl: 'file:///srv/state' } }).values.stateUrl).toBe('file:///srv/state');
    expect(resolve('dev', { directory: repo, env: { SCHEMAFLOW_STATE_URL: 'file:///srv/state' } }).values.stateUrl).toBe('file:///srv/state');
  });
});

