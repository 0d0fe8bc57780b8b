import { posix } from 'node:path';
import type { CompatibilityMode, CompatibilityPolicy } from '../catalog/config-files.js';
import { collectRefs } from '../catalog/refs.js';
import type { createVersionReader } from '../catalog/versions.js';
import { schemaDocumentOf } from '../compat/documents.js';
import { checkCompatibility, type CompatResult, type Direction, type VersionInput } from '../compat/engine.js';
import { generateValue } from '../compat/generate.js';
import { decodeJsdData, toJsdForm, type JsdForm } from '../compat/jsd-form.js';
import { fileResolver, schemaFrom, type SchemaDocument, type SchemaNode } from '../compat/model.js';
import { meterValidators, type NodeValidators } from '../compat/validators.js';
import { ComparisonBudget } from '../compat/budget.js';
import { PatternTimeoutError } from '../domain/errors.js';
import type { Finding } from '../domain/finding.js';
import { WorkBudgetExceeded } from '../domain/work-budget.js';
import { findingOnFile } from '../catalog/finding-builder.js';
import type { SchemaDiffOutcome, SchemaDiffer } from '../ports.js';
import { isSchemaObject } from '../catalog/schema-walk.js';

/** A (previous, new) version pair prepared for the json-schema-diff cross-check. */
export interface CrossCheckPair {
  readonly subject: string;
  readonly file: string;
  readonly version: number;
  readonly against: number;
  /** The directions the subject's mode checks. */
  readonly directions: readonly Direction[];
  readonly forms: { readonly old: JsdForm; readonly new: JsdForm };
  /** The engine's STRICT verdict per direction, to compare with json-schema-diff's. */
  readonly strict: Readonly<Record<Direction, CompatResult['verdict']>>;
  /** An event from one of json-schema-diff's difference schemas, if one can be built. */
  example(schema: unknown): unknown;
  /** Whether `value` is valid under the writer and invalid under the reader of `direction`. */
  proves(direction: Direction, value: unknown): boolean;
  /** json-schema-diff's answer, requested as soon as the pair was ready (when a differ was given). */
  readonly outcome?: Promise<SchemaDiffOutcome>;
}

export interface SubjectCompatibilityInput {
  /** `<team>/<name>` relative to the catalog directory. */
  readonly subjectPath: string;
  readonly catalogDir: string;
  /** Every version at head (registered and new), by number. */
  readonly versions: readonly number[];
  /** The new versions that are sound enough to compare (parsed, compiled). */
  readonly candidates: readonly number[];
  readonly compatibility: { readonly mode: CompatibilityMode; readonly policy: CompatibilityPolicy };
  readonly readVersion: ReturnType<typeof createVersionReader>;
  readonly validators: NodeValidators;
  /** When given, each cross-check pair is sent to it at once, so it works while the walk goes on. */
  readonly differ?: SchemaDiffer;
}

/**
 * A version whose comparison ran a pattern nobody proved safe for too long (the check's
 * `untrustedPatterns` sandbox stopped it): not compared, so not registrable as it is.
 */
export function patternTimeoutFinding(file: string, error: PatternTimeoutError, comparing: string): Finding {
  return findingOnFile(file, 'PATTERN_TIMEOUT', `${file} was not ${comparing}: ${error.message} The check could not prove the pattern safe (PATTERN_UNCHECKED or PATTERN_POLYNOMIAL names where it is written), and it ran too long on a value the comparison tried, so it can stall producers and the flow too. Rewrite it without backreferences, lookaround or repetitions that can match the same text, so the check can analyse it.`, { pattern: error.pattern, reason: error.reason });
}

/**
 * Compatibility of each new version against the earlier ones (registered and new in this
 * change), by the subject's mode and policy from the base branch. Cross-file references are
 * resolved inside the catalog and registered with the validators before anything is compared.
 */
export function subjectCompatibility(input: SubjectCompatibilityInput): { findings: Finding[]; crossCheck: CrossCheckPair[] } {
  const documents = new Map<string, SchemaDocument | undefined>();
  const documentFor = (catalogPath: string): SchemaDocument | undefined => {
    if (documents.has(catalogPath)) return documents.get(catalogPath);
    const loaded = input.readVersion(catalogPath);
    const document = loaded?.ok ? schemaDocumentOf(loaded.document, catalogPath) : undefined;
    documents.set(catalogPath, document);
    if (document) {
      input.validators.addDocument(document);
      for (const ref of collectRefs(document.root, catalogPath)) if (ref.kind === 'file') documentFor(ref.target);
    }
    return document;
  };
  // Another version file, by path relative to the referring one; the fragment is looked up as
  // every reference's is (schemaAtFragment: through arrays too), so a pointer such as
  // `../money/1.json#/$defs/L/allOf/0` reaches the branch ajv validates with.
  // (A malformed escape, which check reports as SCHEMA_INVALID, resolves to nothing.)
  const resolve = fileResolver((from, path) => documentFor(posix.normalize(posix.join(posix.dirname(from.label), path))));
  const versionInput = (version: number): VersionInput | undefined => {
    const catalogPath = `${input.subjectPath}/${version}.json`;
    const document = documentFor(catalogPath);
    return document ? { name: `version ${version}`, file: `${input.catalogDir}/${catalogPath}`, document } : undefined;
  };

  const findings: Finding[] = [];
  const crossCheck: CrossCheckPair[] = [];
  const directions: Direction[] = input.compatibility.mode.startsWith('BACKWARD') ? ['BACKWARD'] : input.compatibility.mode.startsWith('FORWARD') ? ['FORWARD'] : input.compatibility.mode === 'NONE' ? [] : ['BACKWARD', 'FORWARD'];
  // json-schema-diff gets every reference inlined: a local one looked up in its own file, one to
  // another file through the catalog with that file's references rebased (schemaFrom), since the
  // form resolves everything it inlines from the version's root.
  const jsdForm = (root: SchemaNode): JsdForm => toJsdForm(root.schema, (ref) => schemaFrom(root, ref, resolve));
  // One new version against the earlier ones; its cross-check pair is queued for crossCheckCatalog.
  const compareVersion = (version: number, next: VersionInput, earlier: readonly VersionInput[]): void => {
    const options = { resolve, validators: input.validators };
    const result = checkCompatibility(next, earlier, { ...input.compatibility, ...options });
    findings.push(...result.findings);
    const previous = earlier.at(-1);
    if (!previous || directions.length === 0) return;
    const roots = { old: { document: previous.document, pointer: '', schema: previous.document.root as Record<string, unknown> }, new: { document: next.document, pointer: '', schema: next.document.root as Record<string, unknown> } };
    if (result.exhausted.includes(previous.name)) {
      // Undecided already (COMPAT_BUDGET_EXCEEDED): a STRICT walk of the same pair would run out
      // the same way, so the pair is counted as skipped by the cross-check.
      const reason = 'the rule walk ran out of its budget on this pair';
      crossCheck.push({ subject: input.subjectPath.replace('/', '-'), file: next.file, version, against: version - 1, directions, forms: { old: { ok: false, reason }, new: { ok: false, reason } }, strict: { BACKWARD: 'undecided', FORWARD: 'undecided' }, example: () => undefined, proves: () => false });
      return;
    }
    const strictVerdict = (mode: Direction) => checkCompatibility(next, [previous], { mode, policy: 'STRICT', ...options, examples: false }).verdict;
    const forms = { old: jsdForm(roots.old), new: jsdForm(roots.new) };
    const outcome = input.differ && forms.old.ok && forms.new.ok ? input.differ.diff(forms.old.schema, forms.new.schema) : undefined;
    crossCheck.push({
      ...(outcome ? { outcome } : {}),
      subject: input.subjectPath.replace('/', '-'),
      file: next.file,
      version,
      against: version - 1,
      directions,
      forms,
      strict: { BACKWARD: directions.includes('BACKWARD') ? strictVerdict('BACKWARD') : 'compatible', FORWARD: directions.includes('FORWARD') ? strictVerdict('FORWARD') : 'compatible' },
      example: (difference) => {
        // Its enum and const values come back encoded, as they were sent (toJsdForm).
        const schema = decodeJsdData(difference);
        if (!isSchemaObject(schema) && typeof schema !== 'boolean') return undefined;
        // Built within a budget of its own, as the engine's examples are: no example past it.
        const budget = new ComparisonBudget();
        try {
          return generateValue({ document: { label: `${input.subjectPath}/json-schema-diff`, root: schema, locate: () => ({ line: 1, col: 1 }) }, pointer: '', schema }, meterValidators(input.validators, budget));
        } catch (error) {
          if (error instanceof WorkBudgetExceeded) return undefined;
          throw error;
        }
      },
      proves: (direction, value) => {
        const [writer, reader] = direction === 'BACKWARD' ? [roots.old, roots.new] : [roots.new, roots.old];
        return input.validators.valid(writer, value) && !input.validators.valid(reader, value);
      },
    });
  };
  for (const version of [...input.candidates].sort((a, b) => a - b)) {
    const next = versionInput(version);
    const earlier = input.versions.filter((candidate) => candidate < version).sort((a, b) => a - b).map(versionInput);
    if (!next || earlier.some((entry) => entry === undefined)) continue;
    try {
      compareVersion(version, next, earlier as VersionInput[]);
    } catch (error) {
      if (!(error instanceof PatternTimeoutError)) throw error;
      findings.push(patternTimeoutFinding(next.file, error, 'compared with the versions before it'));
    }
  }
  return { findings, crossCheck };
}
