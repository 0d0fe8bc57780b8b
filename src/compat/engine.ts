import type { CompatibilityMode, CompatibilityPolicy } from '../catalog/config-files.js';
import type { Finding } from '../domain/finding.js';
import { WorkBudgetExceeded } from '../domain/work-budget.js';
import { ComparisonBudget, WORK_DESCRIPTIONS, type CompatWork } from './budget.js';
import type { CompatCode } from './codes.js';
import { ANY_ITEM, UNLISTED, embedValue } from './generate.js';
import { acceptsNothing, type RefResolver, type SchemaDocument, type SchemaNode } from './model.js';
import { structuralChanges, tombstoneOf } from './policy.js';
import { createNodeValidators, meterValidators, type NodeValidators } from './validators.js';
import { ValueIdentities } from './values.js';
import { canRead, leafOf, truncate, type Reason } from './walk.js';

/** One version of a subject as the engine compares it. */
export interface VersionInput {
  /** How messages name it: `version 3`, or a file name for `schemaflow compat`. */
  readonly name: string;
  /** The repository path findings point into. */
  readonly file: string;
  readonly document: SchemaDocument;
}

export interface CompatOptions {
  readonly mode: CompatibilityMode;
  readonly policy: CompatibilityPolicy;
  /** Resolves `$ref`s to other files; local refs are always resolved. */
  readonly resolve?: RefResolver;
  readonly validators?: NodeValidators;
  /** Build and verify example events (default true); a verdict-only run skips them. */
  readonly examples?: boolean;
  /** Units of work each comparison with an earlier version may spend (budget.ts); default COMPARISON_BUDGET. */
  readonly budget?: number;
}

export type Direction = 'BACKWARD' | 'FORWARD';

export interface CompatResult {
  /** Sorted by the caller; every one an error (undecided ones carry `params.undecided`). */
  readonly findings: Finding[];
  readonly verdict: 'compatible' | 'incompatible' | 'undecided';
  /** How many (reader, writer) pairs were compared. */
  readonly pairs: number;
  /** The earlier versions (by name) whose comparison ran out of its budget: undecided (COMPAT_BUDGET_EXCEEDED). */
  readonly exhausted: readonly string[];
  /** The most units of work (budget.ts) one comparison with an earlier version spent. */
  readonly spent: number;
}

const root = (document: SchemaDocument): SchemaNode => ({ document, pointer: '', schema: typeof document.root === 'boolean' ? document.root : (document.root as Record<string, unknown>) });

/** The versions a mode compares the new one with: the previous, or every earlier one. */
function againstFor(mode: CompatibilityMode, earlier: readonly VersionInput[]): VersionInput[] {
  if (mode === 'NONE' || earlier.length === 0) return [];
  return mode.endsWith('_TRANSITIVE') ? [...earlier].reverse() : [earlier.at(-1) as VersionInput];
}

function directionsFor(mode: CompatibilityMode): Direction[] {
  if (mode.startsWith('BACKWARD')) return ['BACKWARD'];
  if (mode.startsWith('FORWARD')) return ['FORWARD'];
  if (mode.startsWith('FULL')) return ['BACKWARD', 'FORWARD'];
  return [];
}

/** An instance path for messages, e.g. `/lines/<any item>/sku`; the root is "the event itself". */
export function describeDataPath(dataPath: readonly string[]): string {
  if (dataPath.length === 0) return 'the event itself';
  return dataPath.map((token) => (token === ANY_ITEM ? '/*' : token === UNLISTED ? '/<any other property>' : `/${token}`)).join('');
}

/**
 * Checks a new version against earlier ones (ascending) under a mode and policy. STRICT is
 * pure set semantics; DEFAULT is STRICT except that removing a property or changing a type
 * fails in every mode, and adding an optional property to an open model passes unless the
 * name was used before with another schema (a tombstone).
 */
export function checkCompatibility(next: VersionInput, earlier: readonly VersionInput[], options: CompatOptions): CompatResult {
  const validators = options.validators ?? createNodeValidators();
  const findings: Finding[] = [];
  const seen = new Set<string>();
  let pairs = 0;
  const newRoot = root(next.document);
  const earlierRoots = earlier.map((version) => ({ label: version.name, root: root(version.document) }));

  const push = (finding: Finding): void => {
    const key = `${finding.code}|${String(finding.params.dataPath)}|${String(finding.params.direction)}|${finding.message}`;
    const shortKey = `${finding.code}|${String(finding.params.dataPath)}|${String(finding.params.direction)}`;
    if (seen.has(key) || seen.has(shortKey)) return;
    seen.add(key);
    seen.add(shortKey);
    findings.push(finding);
  };

  const exhausted: string[] = [];
  let spent = 0;
  // Shared by the comparisons with every earlier version: the new version's values are read once.
  const values = new ValueIdentities();
  for (const old of againstFor(options.mode, earlier)) {
    // One budget per earlier version: a comparison that runs out is undecided, the others go on.
    const budget = new ComparisonBudget(options.budget);
    const metered = meterValidators(validators, budget, options.resolve);
    const reach = { resolve: options.resolve, budget, values, matches: validators.matches };
    const oldRoot = root(old.document);
    try {
      const structural = options.policy === 'DEFAULT' ? structuralChanges(oldRoot, newRoot, reach) : [];
      const structuralPaths = new Set(structural.map((change) => change.dataPath.join('\u0000')));
      for (const change of structural) {
        const pointer = change.newPointer;
        push({
          code: change.code === 'TYPE_NARROWED' ? 'TYPE_CHANGED' : change.code,
          severity: 'error',
          file: next.file,
          ...next.document.locate(pointer),
          pointer,
          message: `At ${describeDataPath(change.dataPath)}, ${change.detail.replaceAll('{old}', `${old.name} (old)`).replaceAll('{new}', `${next.name} (new)`)}. This fails in every mode (${options.mode}, policy DEFAULT).`,
          params: { mode: options.mode, policy: options.policy, direction: 'ANY', against: old.name, oldPointer: change.oldPointer, newPointer: pointer, dataPath: describeDataPath(change.dataPath) },
        });
      }

      for (const direction of directionsFor(options.mode)) {
        pairs += 1;
        const [readerRoot, writerRoot, reader, writer] = direction === 'BACKWARD' ? [newRoot, oldRoot, next, old] : [oldRoot, newRoot, old, next];
        for (const reason of canRead(readerRoot, writerRoot, { ...reach, validators: metered })) {
          budget.at(reason.dataPath, reason.reader, reason.writer);
          if (options.policy === 'DEFAULT') {
            // Removals and type changes are reported once, above, for every mode.
            if (structuralPaths.has(reason.dataPath.join('\u0000')) && /^(TYPE_|PROPERTY_)/.test(reason.code)) continue;
            // A property added as `false` forbids a name; that is not an addition the policy lets through.
            // FORWARD (reader = old), this reason is a property the new version removed: when the
            // structural walk reported it, the `continue` above dropped it; otherwise it is kept,
            // so a removal the walk did not see still fails (STRICT's finding).
            if (reason.code === 'PROPERTY_ADDED_TO_OPEN_MODEL' && reason.property && !acceptsNothing(reason.reader) && direction === 'BACKWARD') {
              const tombstone = tombstoneOf(reason.property.name, reason.dataPath.slice(0, -1), reason.reader, earlierRoots, reach);
              if (reason.property.optional && !tombstone) continue;
              if (tombstone) {
                push(toFinding({ ...reason, detail: `${reason.detail}; "${reason.property.name}" was ${truncate(tombstone.schema)} in ${tombstone.label}, so events of that version may carry it with another type (a tombstoned name)` }, direction, reader, writer, next, readerRoot, writerRoot, metered, options));
                continue;
              }
            }
          }
          push(toFinding(reason, direction, reader, writer, next, readerRoot, writerRoot, metered, options));
        }
      }
    } catch (error) {
      if (!(error instanceof WorkBudgetExceeded)) throw error;
      exhausted.push(old.name);
      // Not deduplicated with push: each earlier version that ran out gets its own finding.
      findings.push(budgetFinding(next, old, budget, error.kind as CompatWork, options));
    } finally {
      spent = Math.max(spent, budget.total);
    }
  }

  const undecided = findings.some((finding) => finding.params.undecided === true);
  const decided = findings.some((finding) => finding.params.undecided !== true);
  return { findings, verdict: decided ? 'incompatible' : undecided ? 'undecided' : 'compatible', pairs, exhausted, spent };
}

/**
 * COMPAT_BUDGET_EXCEEDED: the comparison with `old` ran out of its budget. Undecided, so it fails
 * closed; what was found before it stopped is still reported. Placed at the subschema of the new
 * version the rule walk was comparing, when it had reached one.
 */
function budgetFinding(next: VersionInput, old: VersionInput, budget: ComparisonBudget, work: CompatWork, options: CompatOptions): Finding {
  const dataPath = budget.dataPath;
  const pointer = budget.nodeIn(next.document)?.pointer ?? '';
  const where = dataPath ? `at ${describeDataPath(dataPath)}` : 'at the start';
  return {
    code: 'COMPAT_BUDGET_EXCEEDED',
    severity: 'error',
    file: next.file,
    ...next.document.locate(pointer),
    pointer,
    message:
      `Comparing ${next.name} (new) with ${old.name} (old) takes more work than a compatibility check may do (${budget.limit.toLocaleString('en-US')} units), so it stopped ${where}, ${WORK_DESCRIPTIONS[work]}; the pair is undecided and fails closed. ` +
      'Simplify the schema where it fans out — fewer anyOf/oneOf branches, a definition used once per level instead of several times over, fewer required properties under arrays with a large minItems, fewer distinct patterns — or change less in one version (a large enum narrowed in thousands of places: over several versions). ' +
      `A change reviewed to be compatible can be let through with an override of COMPAT_BUDGET_EXCEEDED for this version in overrides.yaml.`,
    params: { mode: options.mode, policy: options.policy, direction: 'ANY', against: old.name, newPointer: pointer, ...(dataPath ? { dataPath: describeDataPath(dataPath) } : {}), limit: budget.limit, work, spent: { ...budget.spent }, undecided: true },
  };
}

function toFinding(
  reason: Reason,
  direction: Direction,
  reader: VersionInput,
  writer: VersionInput,
  next: VersionInput,
  readerRoot: SchemaNode,
  writerRoot: SchemaNode,
  validators: NodeValidators,
  options: CompatOptions,
): Finding {
  // Type codes are phrased old → new: a reader (old) narrower than the writer (new) means widened.
  let code: CompatCode = reason.code;
  if (code === 'TYPE_NARROWED' && direction === 'FORWARD') code = 'TYPE_WIDENED';
  const readerName = `${reader.name} (${reader === next ? 'new' : 'old'})`;
  const writerName = `${writer.name} (${writer === next ? 'new' : 'old'})`;
  const newNode = reason.reader.document === next.document ? reason.reader : reason.writer;
  const oldNode = reason.reader.document === next.document ? reason.writer : reason.reader;
  const pointer = newNode.document === next.document ? newNode.pointer : '';
  const at = newNode.document !== next.document ? undefined : newNode === reason.reader ? reason.at?.reader : reason.at?.writer;
  let example: unknown;
  const leaf = options.examples === false ? undefined : leafOf(reason);
  if (leaf !== undefined) {
    const candidate = embedValue(writerRoot, reason.dataPath, leaf, validators);
    if (candidate !== undefined && validators.valid(writerRoot, candidate) && !validators.valid(readerRoot, candidate)) example = candidate;
  }
  const consequence =
    direction === 'BACKWARD'
      ? `Under ${options.mode}, consumers reading with ${readerName} cannot read events written with ${writerName}`
      : `Under ${options.mode}, consumers still reading with ${readerName} cannot read events written with ${writerName}`;
  // A rule looks at one keyword family; when no event can be shown that the writer accepts and
  // the reader rejects, the writer's other keywords may exclude every such value, so the verdict
  // is not proven: it fails closed as undecided instead of claiming an incompatibility.
  const undecided = reason.undecided === true || (example === undefined && options.examples !== false);
  const proof = undecided ? ` (undecided${reason.undecided ? '' : ': no event could be found that shows it'}; fails closed, an override can let it through after review)` : `, e.g. ${truncate(example, 200)}`;
  return {
    code,
    severity: 'error',
    file: next.file,
    ...next.document.locate(`${pointer}${at ?? ''}`),
    pointer,
    message: `At ${describeDataPath(reason.dataPath)}, ${reason.detail.replaceAll('{writer}', writerName).replaceAll('{reader}', readerName)}. ${consequence}${proof}.`,
    params: {
      mode: options.mode,
      policy: options.policy,
      direction,
      against: reader === next ? writer.name : reader.name,
      oldPointer: oldNode.pointer,
      newPointer: pointer,
      dataPath: describeDataPath(reason.dataPath),
      ...(example !== undefined ? { example } : {}),
      ...(undecided ? { undecided: true } : {}),
    },
  };
}
