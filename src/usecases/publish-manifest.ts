import { SchemaflowError, UsageError, messageOf } from '../domain/errors.js';
import { mayPassOnRetry } from '../domain/retry.js';
import { parseManifest } from '../manifest/parse.js';
import type { Manifest } from '../manifest/types.js';
import type { ObjectStore, Repository } from '../ports.js';

export type PublishOutcome =
  | { readonly status: 'published'; readonly serial: number; readonly keys: readonly string[] }
  | { readonly status: 'unchanged'; readonly serial: number }
  | { readonly status: 'superseded'; readonly by: string; readonly serial: number };

/** Keys relative to the manifest location (SCHEMAFLOW_MANIFEST_URL): `<serial>.json`, `latest.json`. */
const LATEST = 'latest.json';
const MAX_ATTEMPTS = 5;

/** Equal manifests apart from the commit they were built from (a commit that did not touch the catalog). */
function sameContent(a: Manifest, b: Manifest): boolean {
  return a.serial === b.serial && JSON.stringify(a.subjects) === JSON.stringify(b.subjects) && a.environment === b.environment;
}

/**
 * Built from the same commit, apart from what a schemaflow release may change while every file is
 * as registered (build-manifest.ts verifyAgainst): versions' fingerprints and bundled schemas.
 */
function sameCommitOtherBundles(a: Manifest, b: Manifest): boolean {
  const versionsWithoutBundles = (manifest: Manifest): string => JSON.stringify(manifest.subjects.map((subject) => ({ ...subject, versions: subject.versions.map(({ fingerprint: _fingerprint, schema: _schema, ...version }) => version) })));
  return a.serial === b.serial && a.sourceCommit === b.sourceCommit && a.environment === b.environment && versionsWithoutBundles(a) === versionsWithoutBundles(b);
}

/** Why `<serial>.json` holds another manifest than the one built, and what to do about it. */
function conflictMessage(location: string, key: string, other: Manifest, manifest: Manifest): string {
  const held = `${location}/${key} already holds a different manifest for serial ${manifest.serial} (from ${other.sourceCommit.slice(0, 12)}, environment ${JSON.stringify(other.environment)}) than the one built from ${manifest.sourceCommit.slice(0, 12)}`;
  if (other.sourceCommit === manifest.sourceCommit && other.environment === manifest.environment) {
    return `${held}: another schemaflow release built it from this same commit, and it differs in more than the fingerprints and bundled schemas a release may change. A published serial never changes: the next commit that changes the catalog publishes serial ${manifest.serial + 1} as this release builds it.`;
  }
  return `${held}: serial ${manifest.serial} was published from another history. Check the default branch for a force-push, and that no other repository or registration workflow (another environment) publishes to ${location}: each needs its own manifest location.`;
}

/**
 * The manifest registration last published (`<location>/latest.json`) and its generation, or
 * undefined before the first. A store that cannot be read is MANIFEST_UNREADABLE, the code every
 * other reader of the manifest reports (the CLI and the actions add what to check:
 * manifestHint), with the store's `retriable`; a missing bucket stays BUCKET_NOT_FOUND (exit 2),
 * and a file that is no manifest MANIFEST_INVALID.
 */
export async function readPublishedManifest(store: ObjectStore): Promise<{ readonly manifest: Manifest; readonly generation: string } | undefined> {
  const source = `${store.location}/${LATEST}`;
  let latest: Awaited<ReturnType<ObjectStore['get']>>;
  try {
    latest = await store.get(LATEST);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // The store's own error names the key already: the reason is its cause's (trimmed: GCS's messages end with a newline).
    const reason = messageOf(error instanceof SchemaflowError && error.cause !== undefined ? error.cause : error).trim();
    throw new SchemaflowError('MANIFEST_UNREADABLE', `cannot load the manifest from ${source}: ${reason}`, { cause: error, retriable: mayPassOnRetry(error) });
  }
  return latest ? { manifest: parseManifest(latest.bytes, source), generation: latest.generation } : undefined;
}

/**
 * Refuses to register one environment over another's manifest: every environment has its own
 * topic settings, so latest.json names the one it was built for (DESIGN.md §4, Environments), and
 * publishing over it would hand that environment's producers and flow another's manifest. Two
 * registration workflows given the same SCHEMAFLOW_MANIFEST_URL (it wins over an environment's
 * manifestUrl) end here. Bad configuration: exit 2, before a topic or a manifest changes.
 */
export function refuseOtherEnvironment(current: Manifest, environment: string, location: string): void {
  if (current.environment === environment) return;
  const named = (name: string): string => `environment ${JSON.stringify(name)}${name === 'default' ? ' (no --env, or no env input in actions/register)' : ''}`;
  throw new UsageError(
    `${location}/${LATEST} is the manifest of ${named(current.environment)} (serial ${current.serial}, from ${current.sourceCommit.slice(0, 12)}), and this registration is for ${named(environment)}: ` +
      `nothing was changed. Each environment publishes to its own manifest location: give this one its own (catalog.yaml environments.<name>.manifestUrl, which --manifest-url, the action's manifest-url input and SCHEMAFLOW_MANIFEST_URL override, so do not pass the other environment's), or register ${current.environment === 'default' ? 'without --env (the action: without the env input)' : `with --env ${current.environment} (the action: env: ${current.environment})`} if that environment is the one meant.`,
    { code: 'ENVIRONMENT_MISMATCH' },
  );
}

/**
 * Publishes a manifest (DESIGN.md §4): `<serial>.json` create-only, then `latest.json` (a full
 * copy), both under the manifest location, moved by generation compare-and-swap. A latest.json of
 * another environment is refused (refuseOtherEnvironment). Only a manifest
 * whose source commit equals or descends from the one in latest.json is published; an older
 * run is `superseded` (exit 0); an unchanged catalog is a no-op. A lost race re-reads latest.json
 * and decides again, so two registrations racing publish each serial once and never move
 * latest.json backwards.
 */
export async function publishManifest(store: ObjectStore, repository: Repository, manifest: Manifest, bytes: Uint8Array): Promise<PublishOutcome> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const latest = await readPublishedManifest(store);
    const current = latest?.manifest;
    if (current) {
      refuseOtherEnvironment(current, manifest.environment, store.location);
      if (current.sourceCommit !== manifest.sourceCommit && !repository.isAncestor(current.sourceCommit, manifest.sourceCommit)) {
        return { status: 'superseded', by: current.sourceCommit, serial: current.serial };
      }
      if (sameContent(current, manifest) || current.serial > manifest.serial) return { status: 'unchanged', serial: current.serial };
    }

    const key = `${manifest.serial}.json`;
    // latest.json is a copy of <serial>.json.
    let copy = bytes;
    try {
      await store.create(key, bytes, { contentType: 'application/json', metadata: { serial: String(manifest.serial), sourceCommit: manifest.sourceCommit } });
    } catch (error) {
      if ((error as SchemaflowError).code !== 'PRECONDITION_FAILED') throw error;
      // Another run published this serial: fine if it is the same manifest, otherwise history diverged.
      const existing = await store.get(key);
      if (!existing || Buffer.compare(Buffer.from(existing.bytes), Buffer.from(bytes)) !== 0) {
        const other = existing ? parseManifest(existing.bytes, `${store.location}/${key}`) : undefined;
        if (other && !sameContent(other, manifest)) {
          if (!sameCommitOtherBundles(other, manifest)) throw new SchemaflowError('MANIFEST_CONFLICT', conflictMessage(store.location, key, other, manifest));
          // This commit registered again after an upgrade that changed its bundles (a re-run, or
          // one after a run that failed once <serial>.json was created): the serial stays as
          // published, and the next commit that changes the catalog carries the new bundles.
          if (current?.serial === manifest.serial) return { status: 'unchanged', serial: manifest.serial };
          copy = existing?.bytes ?? bytes;
        }
      }
    }

    try {
      await store.replace(LATEST, copy, latest?.generation ?? null, { contentType: 'application/json', metadata: { serial: String(manifest.serial), sourceCommit: manifest.sourceCommit } });
      return { status: 'published', serial: manifest.serial, keys: [key, LATEST] };
    } catch (error) {
      if ((error as SchemaflowError).code !== 'PRECONDITION_FAILED') throw error;
      // latest.json moved under us: decide again with what is there now.
    }
  }
  throw new SchemaflowError('PUBLISH_CONTENTION', `${store.location}/${LATEST} kept changing during ${MAX_ATTEMPTS} attempts; run registration again`, { retriable: true });
}
