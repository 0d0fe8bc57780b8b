import { readCatalogSettings, readSubjectSettings, type CatalogSettings, type SubjectSettings } from '../catalog/config-files.js';
import { parseJsonDocument, parseYamlDocument, unreadableMessage } from '../catalog/documents.js';
import { describeEntry } from '../catalog/entries.js';
import { SchemaflowError, UsageError } from '../domain/errors.js';
import { bundleSchema } from '../manifest/bundle.js';
import { buildManifest, serializeManifest, type SubjectInput } from '../manifest/build.js';
import { assignIds, type Registration } from '../manifest/ids.js';
import { fingerprint } from '../manifest/jcs.js';
import type { Manifest, ManifestVersion } from '../manifest/types.js';
import type { FileTree, Repository, TreeEntry } from '../ports.js';
import { refuseShallowClone } from './full-history.js';

export interface BuildManifestOptions {
  readonly catalogDir: string;
  /** The commit to build from (default HEAD). */
  readonly commit?: string;
  /** An environment of catalog.yaml whose topic overrides apply. */
  readonly environment?: string;
  /** The last published manifest: every ID and fingerprint in it must be reproduced. */
  readonly previous?: Manifest;
}

function readYaml<T>(tree: FileTree, file: string, read: (document: Parameters<typeof readCatalogSettings>[0]) => { settings?: T; findings: Array<{ message: string }> }): T | undefined {
  const bytes = tree.read(file);
  // A submodule or link in its place is not "no file" (built-in defaults): it is refused.
  const entry = bytes ? undefined : tree.stat(file);
  const what = entry ? describeEntry(entry) : undefined;
  if (what !== undefined) throw new SchemaflowError('CATALOG_INVALID', `${file} is ${what} at ${tree.label}, not a regular file; replace it with the YAML file itself.`);
  if (!bytes) return undefined;
  const parsed = parseYamlDocument(file, bytes);
  if (!parsed.ok) throw new SchemaflowError('CATALOG_INVALID', unreadableMessage(parsed));
  const { settings, findings } = read(parsed.document);
  if (!settings) throw new SchemaflowError('CATALOG_INVALID', findings.map((finding) => finding.message).join('\n'));
  return settings;
}

/**
 * The manifest of the catalog at a commit of the default branch (DESIGN.md §4): IDs from its
 * first-parent history, each version bundled and fingerprinted (SHA-256 of RFC 8785), serial =
 * the number of first-parent commits that changed the catalog. The same commit always gives the
 * same bytes. Refuses shallow clones and histories in which a registered version changed.
 * `nextId` is the ID the next version to land gets (past those of versions deleted since).
 */
export function buildCatalogManifest(repository: Repository, options: BuildManifestOptions): { manifest: Manifest; bytes: Uint8Array; registrations: Registration[]; nextId: number } {
  refuseShallowClone(repository, 'and IDs come from the whole first-parent history');
  const ref = options.commit ?? 'HEAD';
  const commit = repository.resolveCommit(ref);
  if (!commit) throw new UsageError(`${ref} does not name a commit`, { code: 'COMMIT_NOT_FOUND' });
  const catalogDir = options.catalogDir.replace(/\/+$/, '');
  const history = repository.firstParentHistory(commit, catalogDir);
  if (history.length === 0) throw new UsageError(`${catalogDir}/ has no history up to ${ref}: nothing to register`, { code: 'CATALOG_EMPTY' });
  const { registrations, problems, nextId } = assignIds(history, catalogDir);
  if (problems.length > 0) throw new SchemaflowError('HISTORY_REWRITTEN', `the first-parent history of ${ref} cannot be registered:\n  - ${problems.join('\n  - ')}`);

  const commitTree = repository.treeAt(commit, `${ref} (${commit.slice(0, 7)})`);
  // Every subject.yaml and version file in one read, then served from memory.
  const prefetched = commitTree.readMany([...new Set(registrations.flatMap((entry) => [entry.path, `${catalogDir}/${entry.team}/${entry.name}/subject.yaml`]))]);
  const tree: FileTree = { ...commitTree, read: (path) => prefetched.get(path) ?? commitTree.read(path) };
  const catalog: CatalogSettings = readYaml(tree, `${catalogDir}/catalog.yaml`, readCatalogSettings) ?? { compatibility: { mode: 'FULL_TRANSITIVE', policy: 'DEFAULT' }, lint: {}, topic: {}, environments: {} };
  // Its own keys only: `in` also finds what every object inherits (toString, constructor, __proto__).
  if (options.environment !== undefined && !Object.hasOwn(catalog.environments, options.environment)) {
    throw new UsageError(`environment ${JSON.stringify(options.environment)} is not in ${catalogDir}/catalog.yaml (known: ${Object.keys(catalog.environments).join(', ') || 'none'})`, { code: 'CONFIG_INVALID' });
  }

  const parsedFiles = new Map<string, unknown>();
  const readVersion = (catalogPath: string): unknown => {
    if (parsedFiles.has(catalogPath)) return parsedFiles.get(catalogPath);
    const file = `${catalogDir}/${catalogPath}`;
    const bytes = tree.read(file);
    if (!bytes) throw new SchemaflowError('CATALOG_INVALID', unreadableVersion(file, tree.stat(file), commit, registrations));
    const parsed = parseJsonDocument(file, bytes);
    if (!parsed.ok) throw new SchemaflowError('CATALOG_INVALID', unreadableMessage(parsed));
    parsedFiles.set(catalogPath, parsed.document.value);
    return parsed.document.value;
  };

  /** The version files each version's bundle was made from. */
  const sources = new Map<string, string[]>();
  const bySubject = new Map<string, Registration[]>();
  for (const registration of registrations) bySubject.set(registration.subject, [...(bySubject.get(registration.subject) ?? []), registration]);
  const subjects: SubjectInput[] = [];
  for (const [subject, entries] of bySubject) {
    const first = entries[0] as Registration;
    const settings: SubjectSettings | undefined = readYaml(tree, `${catalogDir}/${first.team}/${first.name}/subject.yaml`, readSubjectSettings);
    if (!settings) throw new SchemaflowError('CATALOG_INVALID', `${subject} has versions but no subject.yaml at ${commit.slice(0, 12)}`);
    const versions: ManifestVersion[] = entries.map((entry) => {
      const catalogPath = `${entry.team}/${entry.name}/${entry.version}.json`;
      const read = new Set<string>([catalogPath]);
      const schema = bundleSchema(catalogPath, readVersion(catalogPath), (path) => (read.add(path), readVersion(path)));
      sources.set(`${subject}@${entry.version}`, [...read].map((path) => `${catalogDir}/${path}`));
      return { version: entry.version, id: entry.id, fingerprint: fingerprint(schema), path: entry.path, registeredIn: entry.commit, schema };
    });
    subjects.push({ team: first.team, name: first.name, settings, versions });
  }

  const manifest = buildManifest({ sourceCommit: commit, serial: history.length, environment: options.environment, catalog, subjects });
  if (options.previous) {
    // A fingerprint may change while every file it was made from is as registered: the bundler
    // then makes a different (fixed) bundle of the same files, which is no rewritten history.
    const previous = options.previous;
    let before: FileTree | undefined;
    const sameFiles = (key: string): boolean => {
      try {
        before ??= repository.treeAt(previous.sourceCommit, `manifest serial ${previous.serial} (${previous.sourceCommit.slice(0, 7)})`);
      } catch {
        return false;
      }
      const tree = before;
      return (sources.get(key) ?? []).every((file) => sameBytes(tree.read(file), commitTree.read(file)));
    };
    verifyAgainst(manifest, previous, sameFiles);
  }
  return { manifest, bytes: serializeManifest(manifest), registrations, nextId };
}

/**
 * Why a version file cannot be read at `commit`. One that is there but not a regular file (a
 * submodule the check did not refuse before it knew to) can be neither replaced nor deleted
 * later, since IDs come from the history and a registered path never changes: the only way out
 * is to drop the commit that added it from the default branch.
 */
function unreadableVersion(file: string, entry: TreeEntry | undefined, commit: string, registrations: readonly Registration[]): string {
  if (entry === undefined) return `${file} is referenced but missing at ${commit.slice(0, 12)}`;
  const what = describeEntry(entry) ?? 'unreadable';
  const added = registrations.find((registration) => registration.path === file)?.commit;
  return (
    `${file} is ${what} at ${commit.slice(0, 12)}, not a regular file, so it cannot be registered${added ? ` (added in ${added.slice(0, 12)})` : ''}. ` +
    `A version file on the default branch can never be replaced or deleted (IDs come from its history), so remove the commit that added it from the default branch ` +
    `(the commit of the last published manifest must stay in its history) and add the version again as a regular JSON file; the pull-request check reports such entries as NOT_REGULAR_FILE.`
  );
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => a !== undefined && b !== undefined && Buffer.from(a).equals(b);

/**
 * Every version of the previous manifest keeps its ID and its fingerprint, unless every file its
 * bundle is made from is byte for byte as then (`sameFiles`); otherwise history was rewritten.
 */
function verifyAgainst(manifest: Manifest, previous: Manifest, sameFiles: (key: string) => boolean): void {
  const current = new Map(manifest.subjects.flatMap((subject) => subject.versions.map((version) => [`${subject.subject}@${version.version}`, version] as const)));
  const problems: string[] = [];
  for (const subject of previous.subjects) {
    for (const version of subject.versions) {
      const now = current.get(`${subject.subject}@${version.version}`);
      if (!now) problems.push(`${subject.subject} version ${version.version} (ID ${version.id}) is gone`);
      else if (now.id !== version.id) problems.push(`${subject.subject} version ${version.version} would move from ID ${version.id} to ${now.id}`);
      else if (now.fingerprint !== version.fingerprint && !sameFiles(`${subject.subject}@${version.version}`)) problems.push(`${subject.subject} version ${version.version} changed since it was registered (${version.fingerprint} → ${now.fingerprint})`);
    }
  }
  if (problems.length > 0) throw new SchemaflowError('HISTORY_REWRITTEN', `the catalog does not reproduce manifest serial ${previous.serial} (${previous.sourceCommit.slice(0, 12)}); the default branch's history was rewritten or a registered version changed:\n  - ${problems.join('\n  - ')}`);
}
