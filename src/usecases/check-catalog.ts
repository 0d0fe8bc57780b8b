import { compareFindings, type Finding } from '../domain/finding.js';
import { UsageError } from '../domain/errors.js';
import { subjectOf } from '../domain/names.js';
import { compareText } from '../domain/text-order.js';
import {
  DEFAULT_CATALOG_SETTINGS,
  applyLevels,
  readCatalogSettings,
  readSubjectSettings,
  type CatalogSettings,
  type SubjectSettings,
} from '../catalog/config-files.js';
import { parseYamlDocument, type ParsedDocument } from '../catalog/documents.js';
import { notRegularFileFinding } from '../catalog/entries.js';
import { findingAt, findingOnFile } from '../catalog/finding-builder.js';
import { fileLakeNameProblem, nameProblems, roleOf, type CatalogPathRole } from '../catalog/layout.js';
import { lintVersion } from '../catalog/lint-version.js';
import { createPatternAnalyser, type PatternAnalyser } from '../catalog/patterns.js';
import { createSchemaCompiler } from '../catalog/schema-compiler.js';
import { applyOverrides, checkOverrideTargets, readOverrides, type Override, type OverrideTargets } from '../catalog/overrides.js';
import { compileVersion, createVersionReader, metaSchemaFindings } from '../catalog/versions.js';
import { COMPAT_CODES } from '../compat/codes.js';
import { createNodeValidators, type NodeValidators } from '../compat/validators.js';
import { createManifestSchemaCompiler, type ManifestSchemaCompiler } from '../manifest/registry.js';
import type { ChangedPath, FileTree, Repository, SchemaDiffer } from '../ports.js';
import { checkBundle } from './check-bundle.js';
import { subjectCompatibility, type CrossCheckPair } from './subject-compatibility.js';
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
  /** json-schema-diff, started on each pair as soon as it is ready (see crossCheckCatalog). */
  readonly differ?: SchemaDiffer;
  /**
   * Analyses the new versions' patterns, all files within one time budget. Default: one made for
   * this run, PATTERN_BUDGET_MS on `performance.now`.
   */
  readonly patterns?: PatternAnalyser;
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
  /** Sorted, most severe first. */
  readonly findings: readonly Finding[];
  readonly subjects: readonly SubjectChange[];
  readonly changedFiles: number;
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
  const sinceBase = repository.changedPaths(base.commit, catalogDir);
  const touched = fork === base.commit ? undefined : new Set(repository.changedPaths(fork, catalogDir).map((change) => change.path));
  const changes = touched ? sinceBase.filter((change) => touched.has(change.path)) : sinceBase;

  const baseTree = repository.treeAt(base.commit, `${base.ref} (${base.commit.slice(0, 7)})`);
  const headTree = repository.workingTree();
  if (headTree.stat(catalogDir)?.kind !== 'directory' && baseTree.stat(catalogDir)?.kind !== 'directory') {
    // A mistyped --catalog would otherwise find nothing changed and pass.
    throw new UsageError(`there is no directory ${catalogDir}/ in the ${headTree.label} or on ${baseTree.label}: set --catalog (SCHEMAFLOW_CATALOG_DIR, input catalog-dir) to the directory that holds catalog.yaml, relative to the repository root, or create one with 'schemaflow init'`, { code: 'CATALOG_NOT_FOUND' });
  }
  const rulesTree = options.rules ? repository.treeAt(options.rules.commit, `${options.rules.ref} (${options.rules.commit.slice(0, 7)})`) : baseTree;
  const settings = readSettings(rulesTree, catalogDir);
  const findings: Finding[] = [];
  const subjects = new Map<string, { team: string; name: string; changes: ChangedPath[] }>();

  for (const change of changes) {
    const relative = change.path.slice(catalogDir.length + 1);
    // Git lists files, symlinks and submodules (a nested repository as `path/`): anything but a
    // regular file is reported here, before a reader would see it as nothing and skip it.
    const notFile = change.status === 'deleted' ? undefined : notRegularFileFinding(change.path, headTree.stat(change.path), headTree.label);
    if (notFile) {
      findings.push(notFile);
      continue;
    }
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

  const compiler = createSchemaCompiler();
  const patterns = options.patterns ?? createPatternAnalyser({ now: () => performance.now() });
  const compileBundle = createManifestSchemaCompiler();
  const validators = createNodeValidators();
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
  return { base, findings: judged, subjects: subjectsWithCounts, changedFiles: changes.length, settings, crossCheck, crossChecked: { checked: 0, skipped: 0, timedOut: 0 }, overrides, catalogDir };
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

interface SubjectInput {
  readonly subject: string;
  readonly team: string;
  readonly name: string;
  readonly changes: readonly ChangedPath[];
  readonly catalogDir: string;
  readonly baseTree: FileTree;
  /** Where the subject's compatibility and status are read: the base, or CheckOptions.rules. */
  readonly rulesTree: FileTree;
  readonly headTree: FileTree;
  readonly readHeadVersion: ReturnType<typeof createVersionReader>;
  readonly compiler: ReturnType<typeof createSchemaCompiler>;
  readonly patterns: PatternAnalyser;
  /** Compiles a new version's bundle as producers and the flow will (checkBundle). */
  readonly compileBundle: ManifestSchemaCompiler;
  readonly validators: NodeValidators;
  /** The base branch's catalog.yaml: the default compatibility mode and policy. */
  readonly settings: CatalogSettings;
  readonly differ?: SchemaDiffer;
}

/** Findings after which a version is not compiled or compared. */
const BLOCKING = new Set(['SCHEMA_INVALID', 'SCHEMA_DIALECT_UNSUPPORTED', 'REMOTE_REF', 'REF_OUTSIDE_CATALOG', 'INVALID_PATTERN', 'SCHEMA_ID_NOT_ALLOWED']);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

function versionsIn(tree: FileTree, dir: string): Map<number, string> {
  const versions = new Map<number, string>();
  for (const entry of tree.list(dir)) {
    const role = roleOf(`t/n/${entry.name}`);
    if (role.role === 'version' && entry.kind === 'file') versions.set(role.version, entry.path);
  }
  return versions;
}

function readSubject(tree: FileTree, file: string): { settings?: SubjectSettings; findings: Finding[]; exists: boolean; document?: ParsedDocument } {
  const entry = tree.stat(file);
  if (!entry) return { findings: [], exists: false };
  if (entry.kind !== 'file') return { findings: [], exists: true };
  const bytes = tree.read(file);
  const parsed = bytes ? parseYamlDocument(file, bytes) : undefined;
  if (!parsed) return { findings: [], exists: true };
  if (!parsed.ok) return { findings: [...parsed.findings], exists: true };
  return { ...readSubjectSettings(parsed.document), exists: true, document: parsed.document };
}

/**
 * A subject whose topic is too long for a file lake to archive every partition of: the flow
 * would stop those partitions on every run. Kafka and GCS take the name, so it is a warning, and
 * a catalog whose lakes are all on GCS switches it off.
 */
function fileLakeFindings(dir: string, team: string, name: string): Finding[] {
  const problem = fileLakeNameProblem(team, name);
  if (!problem) return [];
  return [findingOnFile(`${dir}/`, 'TOPIC_NAME_TOO_LONG_FOR_FILE_LAKE', problem.message, { team, name, length: subjectOf(team, name).length, partitions: problem.partitions })];
}

function checkSubject(input: SubjectInput): { findings: Finding[]; isNew: boolean; newVersions: number[]; crossCheck: CrossCheckPair[] } {
  const { team, name, subject, changes, catalogDir, baseTree, headTree } = input;
  const dir = `${catalogDir}/${team}/${name}`;
  const findings: Finding[] = [];
  const baseVersions = versionsIn(baseTree, dir);
  const headVersions = versionsIn(headTree, dir);
  // New means nothing registered yet: the directory may already exist on the base branch with
  // a README.md, a stray file or a subject.yaml alone.
  const isNew = baseVersions.size === 0;

  // Names are checked whenever the change writes into the subject, not only when its directory
  // is new: a file merged earlier must not let a later first version skip the check.
  if (changes.some((change) => change.status !== 'deleted')) {
    const problems = nameProblems(team, name);
    for (const problem of problems) findings.push(findingOnFile(`${dir}/`, problem.code, problem.message, { team, name }));
    if (problems.length === 0) findings.push(...fileLakeFindings(dir, team, name));
  }

  const subjectFile = `${dir}/subject.yaml`;
  const baseSubject = readSubject(baseTree, subjectFile);
  const headSubject = readSubject(headTree, subjectFile);
  const subjectChanged = changes.some((change) => change.path === subjectFile);
  if (subjectChanged) findings.push(...headSubject.findings);
  // A blank description is refused where it is written: subject.schema.json asks only for one
  // character, as a stricter schema would make catalogs that already hold one unregistrable.
  if (subjectChanged && headSubject.document && headSubject.settings?.description.trim() === '') {
    findings.push(findingAt(headSubject.document, 'SUBJECT_CONFIG_INVALID', '/description', `${subjectFile} /description is only whitespace; say what one event of ${subject} means.`, { keyword: 'blank' }));
  }
  if (!headSubject.exists && headVersions.size > 0) {
    findings.push(findingOnFile(subjectFile, 'MISSING_SUBJECT_FILE', `${subject} has version files but no ${subjectFile}; add one with at least description and owners (\`schemaflow new ${team}/${name}\` writes a template).`));
  }
  if (headSubject.exists && headVersions.size === 0 && !changes.every((change) => change.status === 'deleted')) {
    findings.push(findingOnFile(subjectFile, 'NO_VERSIONS', `${subject} has no version file; add ${dir}/1.json with the first JSON Schema.`));
  }
  if (subjectChanged && baseSubject.settings && headSubject.settings && JSON.stringify(baseSubject.settings.compatibility ?? null) !== JSON.stringify(headSubject.settings.compatibility ?? null)) {
    findings.push(findingOnFile(subjectFile, 'CONFIG_CHANGED', `${subjectFile} changes the compatibility override of ${subject} from ${JSON.stringify(baseSubject.settings.compatibility ?? 'the catalog default')} to ${JSON.stringify(headSubject.settings.compatibility ?? 'the catalog default')}; this pull request is still judged by the old setting, the new one applies to later pull requests.`));
  }

  // Immutability (DESIGN.md §3): registered versions are never modified, renamed or deleted.
  const added: Array<{ version: number; path: string }> = [];

  for (const change of changes) {
    const role = roleOf(change.path.slice(catalogDir.length + 1));
    if (role.role === 'bad-version-name' && change.status !== 'deleted') {
      findings.push(findingOnFile(change.path, 'INVALID_VERSION_FILE', `${change.path} is not a valid version file name: versions are named by a positive integer without leading zeros, e.g. ${dir}/${(Math.max(0, ...baseVersions.keys()) + 1).toString()}.json.`));
    } else if (role.role === 'subject-entry' && change.status !== 'deleted') {
      findings.push(findingOnFile(change.path, 'STRAY_FILE', `${change.path} is not part of a subject (subject.yaml, <version>.json and README.md only); move or remove it.`));
    } else if (role.role === 'version') {
      if (change.status === 'added') added.push({ version: role.version, path: change.path });
      else if (change.status === 'modified') {
        findings.push(findingOnFile(change.path, 'VERSION_MODIFIED', `${change.path} is registered on ${baseTree.label} and can never change; revert it and add the change as ${dir}/${(Math.max(...baseVersions.keys(), ...headVersions.keys()) + 1).toString()}.json instead.`, { version: role.version }));
      }
    }
  }
  const addedBytes = new Map(added.map(({ path }) => [path, headTree.read(path)]));
  for (const change of changes) {
    const role = roleOf(change.path.slice(catalogDir.length + 1));
    if (role.role !== 'version' || change.status !== 'deleted') continue;
    const original = baseTree.read(change.path);
    const renamedTo = [...addedBytes].find(([, bytes]) => original !== undefined && bytes !== undefined && sameBytes(original, bytes))?.[0];
    if (renamedTo) {
      findings.push(findingOnFile(renamedTo, 'VERSION_RENAMED', `${change.path} is registered on ${baseTree.label} and was renamed to ${renamedTo}; registered versions keep their number forever, so restore ${change.path}.`, { from: change.path }));
    } else {
      findings.push(findingOnFile(change.path, 'VERSION_DELETED', `${change.path} is registered on ${baseTree.label} and can never be deleted; restore it. To stop a subject, set status: deprecated or retired in subject.yaml.`, { version: role.version }));
    }
  }

  const newVersions = added.map(({ version }) => version).sort((a, b) => a - b);
  let expected = Math.max(0, ...baseVersions.keys()) + 1;
  for (const version of newVersions) {
    if (version !== expected) {
      findings.push(findingOnFile(`${dir}/${version}.json`, 'VERSION_GAP', `${dir}/${version}.json is not the next version of ${subject}: the next one is ${expected}.json (versions are consecutive integers, no gaps).`, { version, expected }));
    } else expected += 1;
  }
  const rules = input.rulesTree === baseTree ? baseSubject : readSubject(input.rulesTree, subjectFile);
  const status = rules.settings?.status;
  for (const version of newVersions) {
    if (status === 'retired') {
      findings.push(findingOnFile(`${dir}/${version}.json`, 'SUBJECT_RETIRED', `${subject} is retired on ${input.rulesTree.label}, so it takes no new versions; create a new subject instead.`));
    } else if (status === 'deprecated') {
      findings.push(findingOnFile(`${dir}/${version}.json`, 'SUBJECT_DEPRECATED', `${subject} is deprecated; new versions are allowed but consumers are moving away from it.`));
    }
  }

  // Lint and compile each new version against the subject's settings at head.
  const hints = { pii: headSubject.settings?.pii ?? [], ...(headSubject.settings?.eventTime ? { eventTime: headSubject.settings.eventTime } : {}) };
  const sound: number[] = [];
  for (const { path, version } of added) {
    const catalogPath = path.slice(catalogDir.length + 1);
    const loaded = input.readHeadVersion(catalogPath);
    if (!loaded) continue;
    if (!loaded.ok) {
      findings.push(...loaded.findings);
      continue;
    }
    const lint = lintVersion(loaded.document, catalogPath, hints, input.patterns);
    findings.push(...lint.findings);
    const blocking = lint.findings.some((finding) => BLOCKING.has(finding.code));
    if (lint.dialect && !blocking) {
      const compiled = compileVersion(loaded.document, catalogPath, lint.dialect, input.readHeadVersion, input.compiler);
      const read = (path: string): unknown => {
        const referenced = input.readHeadVersion(path);
        return referenced?.ok ? referenced.document.value : undefined;
      };
      // Only a version that compiles with its references is bundled: a broken one is reported above.
      if (compiled.length === 0) compiled.push(...checkBundle(loaded.document, catalogPath, read, input.compileBundle));
      findings.push(...compiled);
      if (compiled.length === 0) sound.push(version);
    } else if (lint.dialect) findings.push(...metaSchemaFindings(loaded.document, lint.dialect, input.compiler));
  }

  // Compatibility (DESIGN.md §3), by the subject's mode and policy on the base branch.
  const compatibility = { ...input.settings.compatibility, ...rules.settings?.compatibility };
  const crossCheck: CrossCheckPair[] = [];
  if (sound.length > 0 && status !== 'retired') {
    const compared = subjectCompatibility({
        subjectPath: `${team}/${name}`,
        catalogDir,
        versions: [...headVersions.keys()],
        candidates: sound,
        compatibility,
        readVersion: input.readHeadVersion,
        validators: input.validators,
        ...(input.differ ? { differ: input.differ } : {}),
      });
    findings.push(...compared.findings);
    crossCheck.push(...compared.crossCheck);
  }
  return { findings, isNew, newVersions, crossCheck };
}
