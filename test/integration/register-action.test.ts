import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runAction } from '../support/action.js';
import { createTestRepo } from '../support/git-repo.js';
import { uniqueName } from './support/names.js';

/** The committed bundle of actions/register, run as the runner runs it: a process with INPUT_* variables. */
const team = uniqueName('ra').replace(/[^a-z0-9]/g, '').slice(0, 20);
const repo = createTestRepo({ withCatalog: false });
const directory = mkdtempSync(join(tmpdir(), 'schemaflow-register-action-'));
afterAll(() => {
  repo.dispose();
  rmSync(directory, { recursive: true, force: true });
});
repo.write(`catalog/${team}/events/subject.yaml`, 'description: Events.\nowners: ["@acme/x"]\n');
repo.write(`catalog/${team}/events/1.json`, JSON.stringify({ description: 'An event.', type: 'object', properties: { id: { description: 'Id.', type: 'string' } } }));
repo.commit('events v1');

const register = (inputs: Record<string, string>) => runAction('register', { cwd: repo.root, inputs: { 'dry-run': 'false', reconcile: 'false', ...inputs } });

describe('actions/register', () => {
  it('registers, sets every output and writes a job summary; fails the step when the broker is unreachable', async () => {
    const manifestUrl = `file://${directory}/registry`;
    const result = await register({ 'kafka-brokers': inject('kafkaBrokers').join(','), 'manifest-url': manifestUrl });
    expect(result.stdout).not.toContain('::error');
    expect(result.code).toBe(0);
    // On the actions' Node.js 24 (runAction): no warning of a dependency's in the step's log.
    expect(result.stderr).toBe('');
    expect(result.outputs).toEqual({ status: 'published', serial: '1', 'new-versions': '1', 'manifest-url': `file://${directory}/registry` });
    expect(result.summary).toContain('schemaflow registration: published');
    expect(result.summary).toContain(`${team}-events`);

    const failed = await register({ 'kafka-brokers': '127.0.0.1:1', 'manifest-url': manifestUrl });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('::error::cannot reach the Kafka brokers 127.0.0.1:1');

    // An unset repository variable arrives as an empty input: refused, not published on the runner's disk.
    const unset = await register({ 'kafka-brokers': inject('kafkaBrokers').join(','), 'manifest-url': '' });
    expect(unset.code).toBe(1);
    expect(unset.stdout).toContain('::error::input manifest-url is empty and no SCHEMAFLOW_MANIFEST_URL or catalog.yaml environment names a location');
  });

  // Regression: the published manifest read through the object store failed without the hint
  // every other reader of it gives (here an unexpected EISDIR, for a gs:// one OBJECT_STORE_FAILED).
  it('explains a published manifest it cannot read in the inputs\' names, and publishes nothing', async () => {
    const unreadable = join(directory, 'unreadable');
    mkdirSync(join(unreadable, 'latest.json'), { recursive: true });
    const failed = await register({ 'kafka-brokers': inject('kafkaBrokers').join(','), 'manifest-url': `file://${unreadable}` });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(`::error::cannot load the manifest from file://${unreadable}/latest.json: EISDIR: illegal operation on a directory, read%0A  Check the manifest location file://${unreadable} (from input manifest-url): that its latest.json, which registration published there before and reads to build on, is a manifest file, and that this user may read that directory.`);
    expect(failed.stdout).toContain('To read another location, give input manifest-url (or SCHEMAFLOW_MANIFEST_URL, or input env with a catalog.yaml environment whose manifestUrl names it).');
    expect(readdirSync(unreadable)).toEqual(['latest.json']);
  });

  // Regression: the action registered whatever branch it ran on (workflow_dispatch takes any),
  // publishing a pull request's versions with IDs the default branch would assign again.
  it("compares HEAD with the event's default branch and publishes nothing when it is not there", async () => {
    const event = join(directory, 'event.json');
    writeFileSync(event, JSON.stringify({ repository: { default_branch: 'trunk' } }));
    const registry = join(directory, 'branch-registry');
    const refused = await runAction('register', { cwd: repo.root, env: { GITHUB_ACTIONS: 'true', GITHUB_EVENT_PATH: event }, inputs: { 'dry-run': 'false', reconcile: 'false', 'kafka-brokers': inject('kafkaBrokers').join(','), 'manifest-url': `file://${registry}` } });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('::error::origin/trunk, the default branch, does not resolve in this clone');
    expect(existsSync(registry)).toBe(false);
  });

  // Regression: an https:// location (readers only) was refused by the store as "not a supported location", naming no input.
  it('refuses an https:// manifest location before anything runs, naming the input that gave it', async () => {
    const refused = await register({ 'kafka-brokers': inject('kafkaBrokers').join(','), 'manifest-url': 'https://schemas.example.com/manifests' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('::error::the manifest location https://schemas.example.com/manifests (from input manifest-url) is https://, which readers load a manifest from (produce, types, flow, search, show, site), but registration publishes the manifest and so needs a location it writes: gs://bucket/prefix or file://./directory. To name one, give input manifest-url (or SCHEMAFLOW_MANIFEST_URL, or input env with a catalog.yaml environment whose manifestUrl names it).');
  });
});
