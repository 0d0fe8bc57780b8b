import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { manifestHint } from '../../src/config/manifest-hint.js';
import { runSchemaflow } from '../support/cli.js';
import { startGcsStub } from '../support/gcs-stub.js';
import { createTestRepo } from '../support/git-repo.js';

/**
 * A manifest that cannot be read (MANIFEST_UNREADABLE) is explained alike by every command that
 * reads one: the location and where it came from, what registration should have put there, and
 * how to name another. (gs:// against the real emulator: test/integration/gcs-cli.test.ts.)
 */
const root = mkdtempSync(join(tmpdir(), 'schemaflow-manifest-hint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const nowhere = `file://${root}/nowhere`;
writeFileSync(join(root, 'events.ndjson'), '{}\n');

async function cli(argv: string[], env: Record<string, string>) {
  const err: string[] = [];
  // Port 9 (discard): nothing answers, and every command here stops at the manifest before it would connect.
  const code = await runCli(argv, { env: { SCHEMAFLOW_KAFKA_BROKERS: '127.0.0.1:9', ...env }, io: { out: () => undefined, err: (line) => err.push(line) } });
  return { code, stderr: err.join('\n') };
}

const readers: ReadonlyArray<readonly string[]> = [
  ['search', 'users'],
  ['show', 'apps-users'],
  ['site', '--out', join(root, 'site')],
  ['types', '--out', join(root, 'types')],
  ['produce', 'apps-users', join(root, 'events.ndjson')],
  ['flow', 'run'],
  ['flow', 'close'],
];

describe('a manifest that cannot be read', () => {
  it.each(readers)('is explained the same way by schemaflow %s …', async (...argv) => {
    const { code, stderr } = await cli([...argv], { SCHEMAFLOW_MANIFEST_URL: nowhere });
    expect(code).toBe(1);
    expect(stderr).toBe(
      [
        `schemaflow: MANIFEST_UNREADABLE: cannot load the manifest from ${nowhere}/latest.json: ENOENT: no such file or directory, open '${root}/nowhere/latest.json'`,
        `  Check the manifest location ${nowhere} (from SCHEMAFLOW_MANIFEST_URL): that registration published latest.json there (schemaflow register, or actions/register on merge), and that this user may read that directory. To read another location, give --manifest-url (or SCHEMAFLOW_MANIFEST_URL, or --env with a catalog.yaml environment whose manifestUrl names it).`,
      ].join('\n'),
    );
  });

  it('names where the location came from: the flag, the catalog.yaml environment or the default', async () => {
    expect((await cli(['search', 'users', '--manifest-url', nowhere], {})).stderr).toContain(`Check the manifest location ${nowhere} (from --manifest-url):`);
    mkdirSync(join(root, 'catalog'), { recursive: true });
    writeFileSync(join(root, 'catalog', 'catalog.yaml'), `environments:\n  staging:\n    manifestUrl: ${nowhere}\n`);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const inEnvironment = await runSchemaflow(['types', '--out', join(root, 'types'), '--env', 'staging'], { cwd: root, env });
    expect(inEnvironment.code).toBe(1);
    expect(inEnvironment.stderr).toContain(`Check the manifest location ${nowhere} (from the manifestUrl of catalog.yaml environment "staging"):`);
    const byDefault = await runSchemaflow(['search', 'users'], { cwd: root, env });
    expect(byDefault.code).toBe(1);
    expect(byDefault.stderr).toContain('Check the manifest location file://./.schemaflow/manifests (from the default: no --manifest-url, SCHEMAFLOW_MANIFEST_URL or --env named one):');
  });

  it('says what a gs:// location needs: credentials on GCS, the endpoint on an emulator', () => {
    const origin = { manifestUrl: 'gs://acme-schemaflow/manifests/', source: 'env', flag: 'input manifest-url', environmentOption: 'input env' } as const;
    expect(manifestHint(origin)).toBe(
      'Check the manifest location gs://acme-schemaflow/manifests (from SCHEMAFLOW_MANIFEST_URL): that registration published latest.json there (schemaflow register, or actions/register on merge), and that these credentials may read gs://acme-schemaflow (Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, a workload identity, or gcloud auth application-default login). To read another location, give input manifest-url (or SCHEMAFLOW_MANIFEST_URL, or input env with a catalog.yaml environment whose manifestUrl names it).',
    );
    expect(manifestHint({ ...origin, gcsEndpoint: 'http://127.0.0.1:4443' })).toContain('and that the GCS endpoint http://127.0.0.1:4443 answers and holds the bucket acme-schemaflow.');
  });
});

// Regression: plan and register read latest.json through the object store, so a store that could
// not be read ended them as OBJECT_STORE_FAILED (a file:// one as an unexpected error with a stack
// trace), with nothing said about where the location came from or what to check.
describe('registration reading the published manifest', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  // Port 9 (discard): plan goes on without a cluster, as a provisional plan, and reads the manifest.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, SCHEMAFLOW_KAFKA_BROKERS: '127.0.0.1:9' };
  // Not "check that registration published latest.json there": this is registration, and it starts a catalog where there is none.
  const hint = (location: string, access: string): string =>
    `  Check the manifest location ${location} (from --manifest-url): that its latest.json, which registration published there before and reads to build on, is a manifest file, and ${access}. To read another location, give --manifest-url (or SCHEMAFLOW_MANIFEST_URL, or --env with a catalog.yaml environment whose manifestUrl names it).`;

  it('explains a file:// location that cannot be read (latest.json a directory): MANIFEST_UNREADABLE, exit 1', async () => {
    mkdirSync(join(repo.root, 'published', 'latest.json'), { recursive: true });
    const run = await runSchemaflow(['plan', '--manifest-url', 'file://./published'], { cwd: repo.root, env });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      [`schemaflow: MANIFEST_UNREADABLE: cannot load the manifest from file://${repo.root}/published/latest.json: EISDIR: illegal operation on a directory, read`, hint('file://./published', 'that this user may read that directory'), ''].join('\n'),
    );
  });

  it('explains a gs:// location the endpoint refuses (403): the bucket and the endpoint that must hold it', async () => {
    const gcs = await startGcsStub(403);
    try {
      const run = await runSchemaflow(['plan', '--manifest-url', 'gs://acme-refused/manifests', '--gcs-endpoint', gcs.url], { cwd: repo.root, env });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        [
          'schemaflow: MANIFEST_UNREADABLE: cannot load the manifest from gs://acme-refused/manifests/latest.json: the stub answers 403',
          hint('gs://acme-refused/manifests', `that the GCS endpoint ${gcs.url} answers and holds the bucket acme-refused`),
          '',
        ].join('\n'),
      );
      // Asked once: a 403 is not retried.
      expect(gcs.requests).toEqual(['GET /storage/v1/b/acme-refused/o/manifests%2Flatest.json?']);
    } finally {
      await gcs.close();
    }
  });

  // Regression: plan and register read and published a relative file:// location from the root of
  // the repository, every reader (produce, flow, show…) from where it runs, as the README says: run
  // from a subdirectory, registration published where no reader of the same location looked.
  it('reads a relative file:// location from where it runs, as the readers do, not from the root of the repository', async () => {
    mkdirSync(join(repo.root, 'apps', 'here', 'latest.json'), { recursive: true });
    const run = await runSchemaflow(['plan', '--manifest-url', 'file://./here'], { cwd: join(repo.root, 'apps'), env });
    expect(run.stderr).toContain(`cannot load the manifest from file://${repo.root}/apps/here/latest.json: EISDIR`);
    expect(run.code).toBe(1);
  });

  // Regression: the store refused an https:// location (where readers load a manifest) as "not a supported location", naming no setting.
  it.each([['plan'], ['register', '--dry-run']])('refuses an https:// location in schemaflow %s before reading anything (exit 2), naming where it came from', async (...argv) => {
    const run = await runSchemaflow([...argv], { cwd: repo.root, env: { ...env, SCHEMAFLOW_MANIFEST_URL: 'https://schemas.example.com/manifests' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'schemaflow: error: the manifest location https://schemas.example.com/manifests (from SCHEMAFLOW_MANIFEST_URL) is https://, which readers load a manifest from (produce, types, flow, search, show, site), but registration publishes the manifest and so needs a location it writes: gs://bucket/prefix or file://./directory. To name one, give --manifest-url (or SCHEMAFLOW_MANIFEST_URL, or --env with a catalog.yaml environment whose manifestUrl names it).',
    );
  });
});

