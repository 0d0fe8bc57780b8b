import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRepository } from '../../src/adapters/git/repository.js';
import type { Manifest, ManifestSubject } from '../../src/manifest/types.js';
import type { ObjectStore } from '../../src/ports.js';
import { buildCatalogManifest } from '../../src/usecases/build-manifest.js';
import { createTestRepo } from './git-repo.js';

/** The manifest of the example catalog, built from a real git repository as registration builds it. */
export function exampleManifest(): Manifest {
  const repo = createTestRepo();
  try {
    return buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog' }).manifest;
  } finally {
    repo.dispose();
  }
}

/** A subject of a hand-made manifest: `schemas` are its versions 1, 2, … */
export function testSubject(subject: string, schemas: readonly unknown[], extra: Partial<ManifestSubject> = {}): ManifestSubject {
  const [team = 'team', ...name] = subject.split('-');
  return {
    subject,
    team,
    name: name.join('-'),
    topic: subject,
    description: `${subject} events.`,
    owners: ['@acme/data'],
    status: 'active',
    compatibility: { mode: 'FULL_TRANSITIVE', policy: 'DEFAULT' },
    topicConfig: { partitions: 3 },
    eventTime: null,
    pii: [],
    lakePath: `${subject}/`,
    versions: schemas.map((schema, index) => ({ version: index + 1, id: index + 1, fingerprint: `sha256:${String(index).repeat(64).slice(0, 64)}`, path: `catalog/${team}/${name.join('-')}/${index + 1}.json`, registeredIn: 'a'.repeat(40), schema })),
    ...extra,
  };
}

export function testManifest(subjects: readonly ManifestSubject[], serial = 7): Manifest {
  return { format: '1.0', serial, sourceCommit: 'b'.repeat(40), environment: 'default', subjects };
}

/** The manifest with more subjects, whose versions get the IDs after its own (an ID names one schema). */
export function withSubjects(manifest: Manifest, ...subjects: readonly ManifestSubject[]): Manifest {
  let next = Math.max(0, ...manifest.subjects.flatMap((subject) => subject.versions.map((version) => version.id)));
  const added = subjects.map((subject) => ({ ...subject, versions: subject.versions.map((version) => ({ ...version, id: (next += 1) })) }));
  return { ...manifest, subjects: [...manifest.subjects, ...added] };
}

/** A directory with `manifests/latest.json` and a `lake/`, removed by `dispose`. */
export interface DiscoveryDir {
  readonly root: string;
  readonly manifestUrl: string;
  readonly lakeUrl: string;
  dispose(): void;
}

export function createDiscoveryDir(manifest: Manifest): DiscoveryDir {
  const root = mkdtempSync(join(tmpdir(), 'schemaflow-discovery-'));
  mkdirSync(join(root, 'manifests'));
  mkdirSync(join(root, 'lake'));
  writeFileSync(join(root, 'manifests', 'latest.json'), JSON.stringify(manifest));
  return { root, manifestUrl: `file://${root}/manifests`, lakeUrl: `file://${root}/lake`, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/** Records that the flow closed a subject's hours through `hour` (ISO), as closeHours writes it. */
export async function writeClosure(state: ObjectStore, subject: string, hour: string): Promise<void> {
  const body = { format: 1, subject, closedThrough: hour, lateCounted: 0, revision: 1, updatedAt: hour };
  await state.replace(`_closure/${subject}.json`, new TextEncoder().encode(`${JSON.stringify(body, null, 2)}\n`), null);
}
