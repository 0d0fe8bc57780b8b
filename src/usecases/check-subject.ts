import type { Finding } from '../domain/finding.js';
import { subjectOf } from '../domain/names.js';
import { readSubjectSettings, type CatalogSettings, type SubjectSettings } from '../catalog/config-files.js';
import { parseYamlDocument, type ParsedDocument } from '../catalog/documents.js';
import { findingAt, findingOnFile } from '../catalog/finding-builder.js';
import { fileLakeNameProblem } from '../archive/layout.js';
import { nameProblems, roleOf } from '../catalog/layout.js';
import { lintVersion } from '../catalog/lint-version.js';
import { collectRefs } from '../catalog/refs.js';
import { isSchemaObject, walkSchema } from '../catalog/schema-walk.js';
import type { PatternAnalyser } from '../catalog/patterns.js';
import type { createSchemaCompiler } from '../catalog/schema-compiler.js';
import { compileVersion, metaSchemaFindings, type createVersionReader } from '../catalog/versions.js';
import type { NodeValidators } from '../compat/validators.js';
import type { ManifestSchemaCompiler } from '../manifest/registry.js';
import type { ChangedPath, FileTree, SchemaDiffer } from '../ports.js';
import { checkBundle } from './check-bundle.js';
import { subjectCompatibility, type CrossCheckPair } from './subject-compatibility.js';

/*
 * One subject of a pull request, as checkCatalog hands it over: its names, subject.yaml,
 * immutability of registered versions, version numbering, status, lint and compilation of each
 * new version, and compatibility with the versions before it (DESIGN.md §3).
 */

export interface SubjectInput {
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

/**
 * Findings after which a version is not compiled or compared. A pattern that can backtrack
 * exponentially (or was not analysed) is among them: comparing validates examples with it, and
 * one example of 36 characters backtracks for hours.
 */
const BLOCKING = new Set(['SCHEMA_INVALID', 'SCHEMA_DIALECT_UNSUPPORTED', 'REMOTE_REF', 'REF_OUTSIDE_CATALOG', 'INVALID_PATTERN', 'SCHEMA_ID_NOT_ALLOWED', 'PATTERN_EXPONENTIAL', 'PATTERN_BUDGET_EXCEEDED']);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** The version files of a subject directory in a tree, by version number. */
export function versionsIn(tree: FileTree, dir: string): Map<number, string> {
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

/**
 * A pattern in a file the version refers to, directly or through other files, that can
 * backtrack exponentially or was left unanalysed for lack of budget: compiling and comparing
 * the version would run it. The file's own lint reports it where it is new; this names it
 * from the version that reaches it (a registered file included).
 */
function unsafeReferencedPattern(root: unknown, catalogPath: string, read: SubjectInput['readHeadVersion'], patterns: PatternAnalyser): { file: string; pattern: string; verdict: 'exponential' | 'budget' } | undefined {
  const seen = new Set([catalogPath]);
  const pending = collectRefs(root, catalogPath).flatMap((ref) => (ref.kind === 'file' ? [ref.target] : []));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const loaded = read(file);
    if (!loaded?.ok) continue;
    let found: { file: string; pattern: string; verdict: 'exponential' | 'budget' } | undefined;
    walkSchema(loaded.document.value, ({ schema }) => {
      const candidates = [...(typeof schema.pattern === 'string' ? [schema.pattern] : []), ...(isSchemaObject(schema.patternProperties) ? Object.keys(schema.patternProperties) : [])];
      for (const pattern of candidates) {
        if (found) return;
        const verdict = patterns.analyse(pattern);
        if (verdict.status === 'exponential') found = { file, pattern, verdict: 'exponential' };
        else if (verdict.status === 'unchecked' && verdict.cause === 'budget') found = { file, pattern, verdict: 'budget' };
      }
    });
    if (found) return found;
    pending.push(...collectRefs(loaded.document.value, file).flatMap((ref) => (ref.kind === 'file' ? [ref.target] : [])));
  }
  return undefined;
}

export function checkSubject(input: SubjectInput): { findings: Finding[]; isNew: boolean; newVersions: number[]; crossCheck: CrossCheckPair[] } {
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
    const referenced = lint.findings.some((finding) => BLOCKING.has(finding.code)) ? undefined : unsafeReferencedPattern(loaded.document.value, catalogPath, input.readHeadVersion, input.patterns);
    if (referenced) {
      findings.push(findingOnFile(path, referenced.verdict === 'exponential' ? 'PATTERN_EXPONENTIAL' : 'PATTERN_BUDGET_EXCEEDED', `${path} refers to ${catalogDir}/${referenced.file}, whose pattern ${JSON.stringify(referenced.pattern)} ${referenced.verdict === 'exponential' ? 'can backtrack exponentially' : 'was not analysed within the check\'s budget'}; this version is not compiled or compared while it does (comparing runs the pattern on example values). Fix the pattern in ${referenced.file}, or refer to another schema.`, { file: referenced.file, pattern: referenced.pattern }));
    }
    const blocking = referenced !== undefined || lint.findings.some((finding) => BLOCKING.has(finding.code));
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
