import { compareFindings, type Finding } from '../domain/finding.js';
import { UsageError } from '../domain/errors.js';
import { subjectOf } from '../domain/names.js';
import { compareText } from '../domain/text-order.js';
import { DEFAULT_CATALOG_SETTINGS, applyLevels, readCatalogSettings, type CatalogSettings } from '../catalog/config-files.js';
import { parseYamlDocument } from '../catalog/documents.js';
import { notRegularFileFinding } from '../catalog/entries.js';
import { findingOnFile } from '../catalog/finding-builder.js';
import { roleOf, type CatalogPathRole } from '../catalog/layout.js';
import { createPatternAnalyser, type PatternAnalyser } from '../catalog/patterns.js';
import { createSchemaCompiler } from '../catalog/schema-compiler.js';
import { applyOverrides, checkOverrideTargets, readOverrides, type Override, type OverrideTargets } from '../catalog/overrides.js';
import { createVersionReader } from '../catalog/versions.js';
import { COMPAT_CODES } from '../compat/codes.js';
import { createNodeValidators, nativePatterns } from '../compat/validators.js';
import { createManifestSchemaCompiler } from '../manifest/registry.js';
import type { ChangedPath, FileTree, Repository, SchemaDiffer, UntrustedPatterns } from '../ports.js';
import type { CrossCheckPair } from './subject-compatibility.js';
import { checkSubject, versionsIn } from './check-subject.js';
import { refuseShallowClone } from './full-history.js';

export interface CheckOptions {
  /** The catalog directory, relative to the repository root. */
  readonly catalogDir: string;
  /** Refs to try for the base branch, in order; the first that resolves is used. */
  readonly baseCandidates: readonly string[];
  /** A base already resolved (registration: the last manifest's commit, or EMPTY_TREE). */
  readonly base?: { readonly ref: string; readonly commit: string };
  /**
   * The commit whose rules judge the change (catalog.yaml, overrides.yaml, and each subject's
   * compatibility and status in its subject.yaml), when not the base's: registration asks
   * whether a version it refuses passes the rules it was merged under. Immutability is always
   * against the base.
   */
  readonly rules?: { readonly ref: string; readonly commit: string };
  /**
   * The commit whose catalog is checked; without it, the working tree (the CLI's check, with
   * uncommitted edits). The action and registration check HEAD's commit, as registration
   * publishes the commit's bytes, and a checkout can hold others: .gitattributes filters (ident,
   * working-tree-encoding, a filter driver) rewrite files as they are checked out.
   */
  readonly head?: { readonly ref: string; readonly commit: string };
  /** json-schema-diff, started on each pair as soon as it is ready (see crossCheckCatalog). */
  readonly differ?: SchemaDiffer;
  /**
   * Analyses the new versions' patterns, all files within one time budget. Default: one made for
   * this run, PATTERN_BUDGET_MS on `performance.now`.
   */
  readonly patterns?: PatternAnalyser;
  /**
   * Runs the patterns the analysis did not prove safe (lookaround, backreferences, polynomial
   * ones) when comparing versions tries values on them, each within a time limit: one that runs
   * too long is PATTERN_TIMEOUT, not a check that hangs (the adapter: createPatternSandbox).
   */
  readonly untrustedPatterns: UntrustedPatterns;
}

/**
 * A part of a subject a change can write or delete, by file: subject.yaml holds its settings,
 * README.md its documentation (no setting of the subject), `<N>.json` other than the change's new
 * versions (`newVersions`) its registered versions, edited or deleted; anything else in its
 * directory is `other` (a STRAY_FILE or INVALID_VERSION_FILE).
 */
export type SubjectPart = 'settings' | 'documentation' | 'versions' | 'other';

/** What happened to one subject in the change. */
export interface SubjectChange {
  readonly subject: string;
  readonly team: string;
  readonly name: string;
  readonly isNew: boolean;
  readonly newVersions: readonly number[];
  /** The parts of the subject the change touches, in the order of {@link SubjectPart}. */
  readonly parts: readonly SubjectPart[];
  /**
   * The parts of {@link parts} the change only deletes (every file of the part it touches is
   * deleted): a draft whose subject.yaml goes is removed, not new.
   */
  readonly deletedParts: readonly SubjectPart[];
  readonly errors: number;
  readonly warnings: number;
}

export interface CheckReport {
  readonly base: { readonly ref: string; readonly commit: string };
  /** The commit checked (CheckOptions.head); absent when the working tree was. */
  readonly head?: { readonly ref: string; readonly commit: string };
  /** Sorted, most severe first. */
  readonly findings: readonly Finding[];
  readonly subjects: readonly SubjectChange[];
  readonly changedFiles: number;
  /** The catalog files the change deletes: a finding on one points at the base commit, where it still is. */
  readonly deletedFiles: readonly string[];
  /** The rules this change was judged by: the base branch's catalog.yaml. */
  readonly settings: CatalogSettings;
  /** Pairs ready for the json-schema-diff cross-check (see crossCheckCatalog). */
  readonly crossCheck: readonly CrossCheckPair[];
  /** How many pairs json-schema-diff compared, skipped (outside its subset) or gave up on. */
  readonly crossChecked: { readonly checked: number; readonly skipped: number; readonly timedOut: number };
  /** The base branch's reviewed exceptions. */
  readonly overrides: readonly Override[];
  readonly catalogDir: string;
}

/** Git's empty tree: the base of a catalog's first registration. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

const FETCH_HINT = 'In GitHub Actions use actions/checkout with fetch-depth: 0; locally run `git fetch origin`.';

/**
 * The pull-request check without compatibility: layout, names, parsing, lint, immutability
 * and lifecycle, judged by the base branch's rules (DESIGN.md §3). Only what the change touches
 * is read, so the cost follows the change, not the size of the catalog.
 */
export function checkCatalog(repository: Repository, options: CheckOptions): CheckReport {
  refuseShallowClone(repository, 'so registered versions cannot be compared with the base branch');
  const base = options.base ?? resolveBase(repository, options.baseCandidates);
  const head = repository.resolveCommit('HEAD');
  const fork = head && base.commit !== EMPTY_TREE ? repository.mergeBase(base.commit, head) : base.commit;
  if (!fork) throw new UsageError(`HEAD shares no history with ${base.ref}; check that --base names the branch this one was made from.`, { code: 'BASE_UNRELATED' });

  const catalogDir = options.catalogDir.replace(/\/+$/, '');
  // Judge what this branch touched (since it forked) against the base branch as it is now, so a
  // version registered on base after the fork under the same number counts as modified.
  const sinceBase = repository.changedPaths(base.commit, catalogDir, options.head?.commit);
  const touched = fork === base.commit ? undefined : new Set(repository.changedPaths(fork, catalogDir, options.head?.commit).map((change) => change.path));
  const changes = touched ? sinceBase.filter((change) => touched.has(change.path)) : sinceBase;

  const baseTree = repository.treeAt(base.commit, `${base.ref} (${base.commit.slice(0, 7)})`);
  const headTree = options.head ? repository.treeAt(options.head.commit, `${options.head.ref} (${options.head.commit.slice(0, 7)})`) : repository.workingTree();
  // A commit's files in one git process, not one per read (the tree keeps them); the disk, to compare.
  const disk = options.head ? repository.workingTree() : undefined;
  if (options.head) headTree.readMany(changes.filter((change) => change.status !== 'deleted').map((change) => change.path));
  if (headTree.stat(catalogDir)?.kind !== 'directory' && baseTree.stat(catalogDir)?.kind !== 'directory') {
    // A mistyped --catalog would otherwise find nothing changed and pass.
    throw new UsageError(`there is no directory ${catalogDir}/ in the ${headTree.label} or on ${baseTree.label}: set --catalog (SCHEMAFLOW_CATALOG_DIR, input catalog-dir) to the directory that holds catalog.yaml, relative to the repository root, or create one with 'schemaflow init'`, { code: 'CATALOG_NOT_FOUND' });
  }
  const rulesTree = options.rules ? repository.treeAt(options.rules.commit, `${options.rules.ref} (${options.rules.commit.slice(0, 7)})`) : baseTree;
  const settings = readSettings(rulesTree, catalogDir);
  const findings: Finding[] = [];
  const subjects = new Map<string, { team: string; name: string; changes: ChangedPath[] }>();
  /** Changed files whose bytes on disk are not the commit's (CheckOptions.head only). */
  const rewritten: string[] = [];

  for (const change of changes) {
    const relative = change.path.slice(catalogDir.length + 1);
    // Git lists files, symlinks and submodules (a nested repository as `path/`): anything but a
    // regular file is reported here, before a reader would see it as nothing and skip it.
    const notFile = change.status === 'deleted' ? undefined : notRegularFileFinding(change.path, headTree.stat(change.path), headTree.label);
    if (notFile) {
      findings.push(notFile);
      continue;
    }
    if (disk && change.status !== 'deleted' && checkedOutOtherwise(disk, headTree, change.path)) rewritten.push(change.path);
    const role = roleOf(relative);
    switch (role.role) {
      case 'catalog-config':
        findings.push(...checkCatalogConfig(baseTree, headTree, change));
        break;
      case 'overrides':
        findings.push(...checkOverridesChange(headTree, change, catalogDir));
        break;
      case 'readme':
        break;
      case 'stray':
        if (change.status !== 'deleted') findings.push(findingOnFile(change.path, 'STRAY_FILE', `${change.path} is not part of the catalog layout (catalog.yaml, and README.md at the top, in a team or in a subject, besides <team>/<name>/{subject.yaml, <version>.json}); move or remove it.`));
        break;
      default: {
        const key = subjectOf(role.team, role.name);
        const group = subjects.get(key) ?? { team: role.team, name: role.name, changes: [] };
        group.changes.push(change);
        subjects.set(key, group);
      }
    }
  }

  if (options.head) findings.push(...checkoutFindings(repository, headTree, options.head.commit, rewritten));

  const compiler = createSchemaCompiler();
  const patterns = options.patterns ?? createPatternAnalyser({ now: () => performance.now() });
  const compileBundle = createManifestSchemaCompiler();
  const trusted = nativePatterns();
  const validators = createNodeValidators({ patterns: (pattern) => (patterns.provenSafe(pattern) ? trusted(pattern) : options.untrustedPatterns(pattern)) });
  const readHeadVersion = createVersionReader(headTree, catalogDir);
  const summaries: SubjectChange[] = [];
  const crossCheck: CrossCheckPair[] = [];
  for (const [subject, group] of [...subjects].sort(([a], [b]) => compareText(a, b))) {
    const result = checkSubject({ subject, ...group, catalogDir, baseTree, headTree, readHeadVersion, compiler, patterns, compileBundle, validators, settings, rulesTree, ...(options.differ ? { differ: options.differ } : {}) });
    findings.push(...result.findings);
    crossCheck.push(...result.crossCheck);
    summaries.push({ subject, team: group.team, name: group.name, isNew: result.isNew, newVersions: result.newVersions, ...partsOf(group.changes, catalogDir, result.newVersions), errors: 0, warnings: 0 });
  }

  const overrides = readBaseOverrides(rulesTree, catalogDir);
  const judged = applyOverrides(applyLevels(findings, settings.lint), overrides, catalogDir, (code) => code in COMPAT_CODES).sort(compareFindings);
  const subjectsWithCounts = summaries.map((summary) => {
    const prefix = `${catalogDir}/${summary.team}/${summary.name}/`;
    const own = judged.filter((finding) => finding.file.startsWith(prefix));
    return { ...summary, errors: own.filter((f) => f.severity === 'error').length, warnings: own.filter((f) => f.severity === 'warning').length };
  });
  return { base, ...(options.head ? { head: options.head } : {}), findings: judged, subjects: subjectsWithCounts, changedFiles: changes.length, deletedFiles: changes.filter((change) => change.status === 'deleted').map((change) => change.path), settings, crossCheck, crossChecked: { checked: 0, skipped: 0, timedOut: 0 }, overrides, catalogDir };
}

/** Whether the file on disk holds other bytes than the commit's: cheap, and true for a CRLF checkout too. */
function checkedOutOtherwise(disk: FileTree, headTree: FileTree, path: string): boolean {
  const committed = headTree.read(path);
  const checkedOut = disk.read(path);
  return committed !== undefined && checkedOut !== undefined && !Buffer.from(committed).equals(checkedOut);
}

/**
 * Files whose checkout is not their commit, even once git cleans them as it stores a file (so a
 * CRLF checkout under core.autocrlf is not one): a .gitattributes rule rewrote them on checkout
 * (ident expands a `$Id…$` span git would store otherwise; a filter driver), or they were edited.
 * The check reads the commit, as registration publishes it, but reviewers and tools reading the
 * checkout see something else, and registration refuses a checkout that differs from HEAD.
 */
function checkoutFindings(repository: Repository, headTree: FileTree, commit: string, candidates: readonly string[]): Finding[] {
  if (candidates.length === 0) return [];
  return repository.checkoutDiffers(commit, candidates).map((path) =>
    findingOnFile(
      path,
      'CHECKOUT_DIFFERS',
      `${path} on disk is not what ${headTree.label} holds, even as git would store it: a .gitattributes rule (ident, a filter) rewrites it on checkout, or it was edited since. Registration publishes the commit's bytes, which this check judged, while the checkout shows other ones; remove the rule for files under the catalog (git check-attr -a ${path} names it).`,
    ),
  );
}

const PARTS: Readonly<Record<CatalogPathRole['role'], SubjectPart | undefined>> = {
  'subject-config': 'settings',
  'subject-readme': 'documentation',
  version: 'versions',
  'bad-version-name': 'other',
  'subject-entry': 'other',
  'catalog-config': undefined,
  overrides: undefined,
  readme: undefined,
  stray: undefined,
};

/** The parts a subject's changes touch, and those of them the changes only delete (git's status of each path). */
function partsOf(changes: readonly ChangedPath[], catalogDir: string, newVersions: readonly number[]): { parts: SubjectPart[]; deletedParts: SubjectPart[] } {
  const written = new Set<SubjectPart>();
  const deleted = new Set<SubjectPart>();
  for (const change of changes) {
    const role = roleOf(change.path.slice(catalogDir.length + 1));
    const part = role.role === 'version' && newVersions.includes(role.version) ? undefined : PARTS[role.role];
    if (part) (change.status === 'deleted' ? deleted : written).add(part);
  }
  const order = ['settings', 'documentation', 'versions', 'other'] as const;
  return { parts: order.filter((part) => written.has(part) || deleted.has(part)), deletedParts: order.filter((part) => deleted.has(part) && !written.has(part)) };
}

function resolveBase(repository: Repository, candidates: readonly string[]): { ref: string; commit: string } {
  for (const ref of candidates) {
    const commit = repository.resolveCommit(ref);
    if (commit) return { ref, commit };
  }
  throw new UsageError(`the base branch was not found (tried ${candidates.join(', ')}); pass --base <ref>. ${FETCH_HINT}`, { code: 'BASE_NOT_FOUND' });
}

function readSettings(baseTree: FileTree, catalogDir: string): CatalogSettings {
  const file = `${catalogDir}/catalog.yaml`;
  const bytes = baseTree.read(file);
  if (!bytes) return DEFAULT_CATALOG_SETTINGS;
  const parsed = parseYamlDocument(file, bytes);
  // A broken catalog.yaml on the base branch is not this change's fault: judge by the defaults.
  return (parsed.ok ? readCatalogSettings(parsed.document).settings : undefined) ?? DEFAULT_CATALOG_SETTINGS;
}

/** overrides.yaml from the base branch (a broken one there is not this change's fault: none apply). */
function readBaseOverrides(baseTree: FileTree, catalogDir: string): Override[] {
  const file = `${catalogDir}/overrides.yaml`;
  const bytes = baseTree.read(file);
  const parsed = bytes ? parseYamlDocument(file, bytes) : undefined;
  return parsed?.ok ? readOverrides(parsed.document).overrides : [];
}

function checkOverridesChange(headTree: FileTree, change: ChangedPath, catalogDir: string): Finding[] {
  if (change.status === 'deleted') return [];
  const bytes = headTree.read(change.path);
  const parsed = bytes ? parseYamlDocument(change.path, bytes) : undefined;
  if (!parsed) return [];
  if (!parsed.ok) return [...parsed.findings];
  const { overrides, findings } = readOverrides(parsed.document);
  findings.push(...checkOverrideTargets(parsed.document, overrides, overrideTargetsIn(headTree, catalogDir)));
  findings.push(findingOnFile(change.path, 'CONFIG_CHANGED', `${change.path} changes the reviewed exceptions; they apply to pull requests after this one is merged (this one is judged by the base branch's overrides).`));
  return findings;
}

/** The subjects and versions of a tree, as overrides.yaml may name them (a subject is <team>-<name>; teams have no dash). */
function overrideTargetsIn(tree: FileTree, catalogDir: string): OverrideTargets {
  const directories = (dir: string): string[] => tree.list(dir).filter((entry) => entry.kind === 'directory').map((entry) => entry.name);
  return {
    rules: Object.keys(COMPAT_CODES),
    latestVersion(subject) {
      const dash = subject.indexOf('-');
      const versions = [...versionsIn(tree, `${catalogDir}/${subject.slice(0, dash)}/${subject.slice(dash + 1)}`).keys()];
      return dash > 0 && versions.length > 0 ? Math.max(...versions) : undefined;
    },
    subjects: () => directories(catalogDir).flatMap((team) => directories(`${catalogDir}/${team}`).map((name) => subjectOf(team, name))),
  };
}

function checkCatalogConfig(baseTree: FileTree, headTree: FileTree, change: ChangedPath): Finding[] {
  if (change.status === 'deleted') {
    return [findingOnFile(change.path, 'CONFIG_CHANGED', `${change.path} is deleted; later pull requests will be judged by the built-in defaults (FULL_TRANSITIVE, DEFAULT). This one is still judged by the base branch's copy.`)];
  }
  const bytes = headTree.read(change.path);
  if (!bytes) return [];
  const parsed = parseYamlDocument(change.path, bytes);
  if (!parsed.ok) return [...parsed.findings];
  const baseBytes = baseTree.read(change.path);
  const baseParsed = baseBytes ? parseYamlDocument(change.path, baseBytes) : undefined;
  const baseValue = (baseParsed?.ok ? baseParsed.document.value : {}) as Record<string, unknown> | null;
  const headValue = parsed.document.value as Record<string, unknown> | null;
  const environmentOf = (value: Record<string, unknown> | null, name: string): string => JSON.stringify((value?.environments as Record<string, unknown> | undefined)?.[name]);
  // An environment this pull request leaves as the base branch has it is not its doing: a
  // warning, so a catalog that holds one stays mergeable by every change to catalog.yaml.
  const findings = readCatalogSettings(parsed.document).findings.map((finding) => {
    const name = finding.code === 'ENVIRONMENT_STATE_WITHOUT_LAKE' ? String(finding.params.environment) : undefined;
    if (name === undefined || environmentOf(baseValue, name) !== environmentOf(headValue, name)) return finding;
    return { ...finding, severity: 'warning' as const, message: `${finding.message} (It is so on ${baseTree.label} already; this pull request does not change environments.${name}.)` };
  });
  const keys = [...new Set([...Object.keys(baseValue ?? {}), ...Object.keys(headValue ?? {})])].filter(
    (key) => JSON.stringify(baseValue?.[key]) !== JSON.stringify(headValue?.[key]),
  );
  if (keys.length > 0) {
    findings.push({
      ...findingOnFile(change.path, 'CONFIG_CHANGED', `${change.path} changes ${keys.join(', ')}. This pull request is still judged by the base branch's rules; the change applies to later ones and needs review by the catalog's owners (CODEOWNERS).`, { keys }),
      ...parsed.document.locate(`/${keys[0] ?? ''}`),
      pointer: `/${keys[0] ?? ''}`,
    });
  }
  return findings;
}
