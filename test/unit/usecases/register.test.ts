import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRepository } from '../../../src/adapters/git/repository.js';
import { createFileStore } from '../../../src/adapters/lake/file-store.js';
import { createPatternSandbox } from '../../../src/adapters/pattern-sandbox.js';
import { serializeManifest } from '../../../src/manifest/build.js';
import { parseManifest } from '../../../src/manifest/parse.js';
import type { Manifest } from '../../../src/manifest/types.js';
import type { TopicAction, TopicAdmin } from '../../../src/topics/plan.js';
import { buildCatalogManifest } from '../../../src/usecases/build-manifest.js';
import { publishManifest } from '../../../src/usecases/publish-manifest.js';
import { registerCatalog } from '../../../src/usecases/register.js';
import { createTestRepo } from '../../support/git-repo.js';

// Regression: neither registerCatalog nor publishManifest compared latest.json's environment with
// the one being registered. Two registration workflows given the same SCHEMAFLOW_MANIFEST_URL
// (which wins over an environment's manifestUrl) publish to one location: a later commit silently
// replaced the other environment's latest.json, and the same commit failed with MANIFEST_CONFLICT
// "Check the default branch for a force-push".
describe('registration over another environment\'s manifest', () => {
  const repo = createTestRepo();
  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-environments-'));
  afterAll(() => {
    repo.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const manifests = createFileStore(dir);
  const applied: TopicAction[][] = [];
  const topics: TopicAdmin = { brokerCount: () => Promise.resolve(1), describe: () => Promise.resolve(new Map()), apply: (actions) => Promise.resolve(void applied.push([...actions])) };
  const register = (environment: string) => registerCatalog({ repository: openRepository(repo.root), manifests, topics, untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', environment, dryRun: false, reconcile: false });
  const refusal = () => ({ code: 'ENVIRONMENT_MISMATCH', exitCode: 2, message: expect.stringContaining(`${dir}/latest.json is the manifest of environment "dev" (serial 1, from `) as unknown }) as const;

  it('is refused naming both environments and the location, before a topic or a manifest changes', async () => {
    expect((await register('dev')).publish.status).toBe('published');
    applied.length = 0;

    // The same commit: it was MANIFEST_CONFLICT, blaming a force-push.
    const sameCommit = register('prod');
    await expect(sameCommit).rejects.toMatchObject(refusal());
    await expect(sameCommit).rejects.toThrow(/this registration is for environment "prod": nothing was changed/);

    // A later commit: it replaced dev's latest.json with prod's.
    repo.write('catalog/apps/users/subject.yaml', `${readFileSync(join(repo.root, 'catalog/apps/users/subject.yaml'), 'utf8')}# edited\n`);
    repo.commit('a later commit');
    await expect(register('prod')).rejects.toMatchObject(refusal());
    expect(applied).toEqual([]);
    expect(parseManifest(readFileSync(join(dir, 'latest.json')), 'latest.json')).toMatchObject({ environment: 'dev', serial: 1 });

    // publishManifest refuses it too (latest.json may change while topics are applied).
    const { manifest, bytes } = buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog', environment: 'prod' });
    await expect(publishManifest(manifests, openRepository(repo.root), manifest, bytes)).rejects.toMatchObject(refusal());
    // Without --env the environment is "default", and the message says so.
    await expect(registerCatalog({ repository: openRepository(repo.root), manifests, untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', dryRun: false, reconcile: false })).rejects.toThrow(/for environment "default" \(no --env, or no env input in actions\/register\)/);
    expect((await register('dev')).publish.status).toBe('published');
  });
});

// Regression: a fingerprint may change while every file of its bundle is as registered (a fixed
// bundler), which verifyAgainst accepts; but the serial of a commit is the same, so registering
// the last registered commit again after such an upgrade (workflow_dispatch, or a re-run of a
// run that failed once <serial>.json was created) found <serial>.json holding other bytes and
// failed MANIFEST_CONFLICT "Check the default branch for a force-push".
describe('registering a commit again after an upgrade that changed its bundles', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  const register = (manifests: ReturnType<typeof createFileStore>) => registerCatalog({ repository: openRepository(repo.root), manifests, untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', dryRun: false, reconcile: false });
  const built = () => buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog' }).manifest;
  /** What an older release published for the same commit: another bundle of the same files. */
  const olderRelease = (manifest: Manifest): Uint8Array =>
    serializeManifest({ ...manifest, subjects: manifest.subjects.map((subject) => ({ ...subject, versions: subject.versions.map((version) => (subject.subject === 'apps-users' && version.version === 1 ? { ...version, fingerprint: `sha256:${'0'.repeat(64)}` } : version)) })) });

  it('is unchanged when latest.json holds that serial, and keeps it as published', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schemaflow-upgrade-'));
    try {
      const manifests = createFileStore(dir);
      const older = olderRelease(built());
      await manifests.create('1.json', older);
      await manifests.create('latest.json', older);
      expect((await register(manifests)).publish).toEqual({ status: 'unchanged', serial: 1 });
      expect(readFileSync(join(dir, 'latest.json'))).toEqual(Buffer.from(older));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('moves latest.json to <serial>.json as published when a run failed after creating it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schemaflow-upgrade-'));
    try {
      const manifests = createFileStore(dir);
      const older = olderRelease(built());
      await manifests.create('1.json', older);
      expect((await register(manifests)).publish).toMatchObject({ status: 'published', serial: 1 });
      expect(readFileSync(join(dir, 'latest.json'))).toEqual(Buffer.from(older));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is still a conflict, naming the cause, when <serial>.json differs in more than the bundles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schemaflow-upgrade-'));
    try {
      const manifests = createFileStore(dir);
      const manifest = built();
      const bytes = serializeManifest(manifest);
      const publish = async (other: Manifest) => {
        await manifests.create('1.json', serializeManifest(other));
        return publishManifest(manifests, openRepository(repo.root), manifest, bytes);
      };
      // The same commit, with topic settings another release derived otherwise.
      const otherSettings = { ...manifest, subjects: manifest.subjects.map((subject) => ({ ...subject, topicConfig: { ...subject.topicConfig, partitions: 99 } })) };
      await expect(publish(otherSettings)).rejects.toMatchObject({ code: 'MANIFEST_CONFLICT', message: expect.stringContaining('another schemaflow release built it from this same commit, and it differs in more than the fingerprints and bundled schemas a release may change') as unknown });
      rmSync(join(dir, '1.json'));
      // Another commit: another history, another repository or another workflow.
      const otherCommit = { ...manifest, sourceCommit: 'f'.repeat(40), subjects: manifest.subjects.slice(1) };
      await expect(publish(otherCommit)).rejects.toMatchObject({ code: 'MANIFEST_CONFLICT', message: expect.stringContaining(`serial 1 was published from another history. Check the default branch for a force-push, and that no other repository or registration workflow (another environment) publishes to ${manifests.location}`) as unknown });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

