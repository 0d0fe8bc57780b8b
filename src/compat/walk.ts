import type { CompatCode } from './codes.js';
import { evaluatesFor, mergeSchemas, mergeWithBranches } from '../catalog/merge-all-of.js';
import { DYNAMIC_REFERENCE_KEYWORDS } from '../catalog/refs.js';
import type { ComparisonBudget } from './budget.js';

const UNEVALUATED = ['unevaluatedProperties', 'unevaluatedItems'] as const;
import { acceptsAnything, acceptsNothing, child, constraintKeys, DECIDED, followRefChain, has, keyword, MAX_REF_HOPS, schemaFrom, syntheticNode, typesOf, without, type JsonType, type RefResolver, type SchemaNode } from './model.js';
import { evaluatingApplicators, generateValue } from './generate.js';
import { RULES } from './rules/index.js';
import type { NodeValidators } from './validators.js';
import type { ValueIdentities } from './values.js';

/** One reason the reader cannot read everything the writer accepts. */
export interface Reason {
  readonly code: CompatCode;
  readonly reader: SchemaNode;
  readonly writer: SchemaNode;
  /** Instance path: property names, `*` for any array item, `+` for an unlisted property. */
  readonly dataPath: readonly string[];
  /** A sentence with `{writer}` and `{reader}` placeholders, naming both values. */
  readonly detail: string;
  /** A value at `dataPath` valid under the writer node and invalid under the reader node. */
  readonly leaf?: unknown;
  /** The same, computed only when asked: most reasons a policy drops never need one. */
  readonly witness?: () => unknown;
  /** Cannot be decided: fails closed. */
  readonly undecided?: boolean;
  /** For property additions: the policy layer needs the name and whether it is optional. */
  readonly property?: { readonly name: string; readonly optional: boolean };
  /**
   * Where below the reader and writer nodes the reason lies (e.g. `/required/1`), for file:line:col
   * only: the finding is placed there in whichever of the two is the new version (or at the
   * node, if that keyword is absent); its pointer stays the node's, which overrides name.
   */
  readonly at?: { readonly reader?: string; readonly writer?: string };
}

/** The pair a rule looks at: can `reader` read every value `writer` accepts here? */
export interface Pair {
  readonly reader: SchemaNode;
  readonly writer: SchemaNode;
  readonly dataPath: readonly string[];
}

/** What the walks of one comparison share (engine.ts makes one per earlier version). */
export interface WalkScope {
  /** Should spend `budget` (meterValidators). */
  readonly validators: NodeValidators;
  /** Spent on every pair compared; throws WorkBudgetExceeded once it is used up (the engine reports that). */
  readonly budget: ComparisonBudget;
  /** Resolves `$ref`s to other files; local ones are always resolved. */
  readonly resolve?: RefResolver | undefined;
  /** Compares keyword values, reading each one once per check (shared by the comparisons with every earlier version), however many places share it. */
  readonly values: ValueIdentities;
}

/** What a rule gets: the scope's validators, budget and values (validators and folds spend the budget too), and the walk's steps. */
export interface RuleContext extends Omit<WalkScope, 'resolve'> {
  /** The reasons a comparison would give, without reporting them (a fresh walk). */
  trial(reader: SchemaNode, writer: SchemaNode): Reason[];
  /** Resolves `$ref`s relative to a node (local, else through the engine's resolver). */
  resolveFrom(node: SchemaNode): (ref: string) => unknown;
  /** Compares two child subschemas (recursion into properties, items …). */
  compare(reader: SchemaNode, writer: SchemaNode, dataPath: readonly string[]): void;
  report(reason: Reason): void;
  /** The first candidate valid under the writer and invalid under the reader. */
  findLeaf(pair: Pair, candidates: Iterable<unknown>): unknown;
}

/** A rule: one keyword family. `check` runs for pairs whose writer accepts some value. */
export interface CompatRule {
  readonly name: string;
  check(pair: Pair, context: RuleContext): void;
}

/**
 * Follows `$ref`s; a `$ref` with constraining siblings cannot be inlined by this walk and is
 * reported as undecided (its siblings apply together with the target in 2020-12).
 */
function resolveRefs(node: SchemaNode, resolve: RefResolver): SchemaNode | { undecided: string } {
  const { node: end, end: why } = followRefChain(node, resolve, { bare: true });
  switch (why) {
    case 'schema':
      return end;
    case 'siblings':
      return { undecided: `a $ref with sibling keywords at ${end.pointer}` };
    case 'unresolved':
      return { undecided: `the reference ${JSON.stringify(keyword(end, '$ref'))} at ${end.pointer}, which cannot be resolved here` };
    case 'too-long':
      return { undecided: `more than ${MAX_REF_HOPS} chained references at ${node.pointer}` };
  }
}

/** `$dynamicRef` and `$recursiveRef`: resolved by the path that reached them, which this walk does not track. */
const DYNAMIC_REFERENCES = new Set<string>(DYNAMIC_REFERENCE_KEYWORDS);

/** A reader union's branches (references followed): the first branch of each value number, and each branch's types. */
interface ReaderBranches {
  readonly byNumber: ReadonlyMap<number, number>;
  readonly types: ReadonlyArray<ReadonlySet<JsonType>>;
}

/** Per table of value numbers: a reader union's branches, numbered once (a schema object belongs to one file). */
const readerBranches = new WeakMap<ValueIdentities, WeakMap<object, ReaderBranches>>();

/**
 * Whether `writer` is, by its text, a branch of `reader`'s anyOf or oneOf (each branch's bare
 * references followed in its own file) while `reader` has no other constraining keyword: every
 * value the writer accepts is then the reader's. Under oneOf, the writer's types must also be
 * none of the other branches' (a value two branches accept is rejected). Neither side may hold
 * a reference inside it (the same text may name different definitions in two files).
 */
function isBranchOfReader(reader: SchemaNode, writer: SchemaNode, resolve: RefResolver, { values, budget }: Pick<RuleContext, 'values' | 'budget'>): boolean {
  const keys = constraintKeys(reader);
  const union = keys.length === 1 && (keys[0] === 'anyOf' || keys[0] === 'oneOf') ? keys[0] : undefined;
  const branches = union === undefined ? undefined : keyword(reader, union);
  if (union === undefined || !Array.isArray(branches) || typeof reader.schema !== 'object' || typeof writer.schema !== 'object') return false;
  let byReader = readerBranches.get(values);
  if (!byReader) readerBranches.set(values, (byReader = new WeakMap()));
  let known = byReader.get(reader.schema);
  if (!known) {
    budget.spend('compare', branches.length);
    const byNumber = new Map<number, number>();
    const types: Array<ReadonlySet<JsonType>> = [];
    branches.forEach((_, index) => {
      const branch = followRefChain(child(reader, union, String(index)), resolve, { bare: true });
      types.push(typesOf(branch.node));
      const number = branch.end === 'schema' && typeof branch.node.schema === 'object' && !values.mentionsRef(branch.node.schema) ? values.idOf(branch.node.schema) : undefined;
      if (number !== undefined && !byNumber.has(number)) byNumber.set(number, index);
    });
    byReader.set(reader.schema, (known = { byNumber, types }));
  }
  // The writer is read (its references, its number) only when some branch could match it.
  if (known.byNumber.size === 0 || values.mentionsRef(writer.schema)) return false;
  const index = known.byNumber.get(values.idOf(writer.schema));
  if (index === undefined) return false;
  if (union === 'anyOf') return true;
  budget.spend('compare', branches.length);
  const writerTypes = typesOf(writer);
  return known.types.every((types, other) => other === index || ![...writerTypes].some((type) => types.has(type)));
}

/**
 * The directional primitive: every reason why `reader` cannot read all values `writer` accepts.
 * Set semantics (STRICT); the policy layer builds DEFAULT on top. Recursive schemas terminate:
 * a pair already under comparison is assumed compatible (coinduction), as Confluent does.
 * Every pair compared spends the scope's budget (WalkScope).
 */
export function canRead(reader: SchemaNode, writer: SchemaNode, scope: WalkScope, depth = 0): Reason[] {
  const { validators, budget, values } = scope;
  const resolve = scope.resolve ?? (() => undefined);
  const reasons: Reason[] = [];
  const seen = new Set<string>();
  const resolveFrom = (node: SchemaNode) => (ref: string): unknown => schemaFrom(node, ref, resolve);
  const context: RuleContext = {
    budget,
    validators,
    values,
    resolveFrom,
    trial: (readerNode, writerNode) => (depth > 8 ? [{ code: 'COMPAT_UNDECIDED', reader: readerNode, writer: writerNode, dataPath: [], detail: 'the schemas nest combinators too deeply to compare', undecided: true }] : canRead(readerNode, writerNode, scope, depth + 1)),
    report: (reason) => reasons.push(reason),
    findLeaf(pair, candidates) {
      for (const candidate of candidates) {
        if (validators.valid(pair.writer, candidate) && !validators.valid(pair.reader, candidate)) return candidate;
      }
      return undefined;
    },
    compare(readerNode, writerNode, dataPath) {
      budget.at(dataPath, readerNode, writerNode);
      budget.spend('compare', 1);
      const r = resolveRefs(readerNode, resolve);
      const w = resolveRefs(writerNode, resolve);
      if ('undecided' in r || 'undecided' in w) {
        const what = 'undecided' in r ? r.undecided : (w as { undecided: string }).undecided;
        reasons.push({ code: 'COMPAT_UNDECIDED', reader: readerNode, writer: writerNode, dataPath, detail: `cannot compare ${what}`, undecided: true });
        return;
      }
      const key = `${identity(r)}|${identity(w)}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (acceptsNothing(w) || acceptsAnything(r)) return;
      // The same subschema on both sides accepts the same values (references aside: they may
      // point at different definitions in the two files). Decided from the values' numbers
      // (values.ts): a folded allOf is a new object at each place, around the same large enum.
      if (typeof r.schema === 'object' && values.same(r.schema, w.schema) && !values.mentionsRef(r.schema)) return;
      // A reader that is only an anyOf, one of whose branches (references followed) is that same
      // subschema, accepts every value of it: an unchanged `anyOf: [{$ref: Codes}, {type: null}]`
      // is decided here, not by checking each of a large enum's values against the union.
      if (isBranchOfReader(r, w, resolve, context)) return;

      // allOf: folded into one schema on either side when its keywords allow it (DESIGN: the
      // engine covers every keyword); a reader's allOf that cannot be folded is checked branch
      // by branch (W ⊆ R1 ∩ R2 iff W ⊆ R1 and W ⊆ R2); a writer's is undecided.
      const foldedWriter = fold(w, resolveFrom(w), budget);
      if (foldedWriter === 'unfoldable') {
        const branches = (keyword(w, 'allOf') as unknown[]).map((_, index) => child(w, 'allOf', String(index)));
        if ([without(w, 'allOf'), ...branches].some((branch) => context.trial(r, branch).length === 0)) return;
        reasons.push({ code: 'COMPAT_UNDECIDED', reader: r, writer: w, dataPath, detail: '{writer} combines schemas with allOf in a way that cannot be folded (different patterns, patternProperties, tuples or nested combinators), so the comparison fails closed', undecided: true });
        return;
      }
      const foldedReader = fold(r, resolveFrom(r), budget);
      if (foldedReader === 'unfoldable') {
        context.compare(without(r, 'allOf'), foldedWriter, dataPath);
        (keyword(r, 'allOf') as unknown[]).forEach((_, index) => context.compare(child(r, 'allOf', String(index)), foldedWriter, dataPath));
        return;
      }
      if (foldedWriter !== w || foldedReader !== r) {
        context.compare(foldedReader, foldedWriter, dataPath);
        return;
      }

      // A writer union is the union of its branches (each with the writer's other keywords):
      // every branch must be readable. oneOf is treated as anyOf on this side (a superset).
      for (const union of ['anyOf', 'oneOf']) {
        const branches = keyword(w, union);
        if (!Array.isArray(branches)) continue;
        // The writer's unevaluated* see the branch a value matched. Under anyOf a value may match
        // several branches, which evaluate more: the keyword is then dropped (a superset).
        const loose = union === 'anyOf' && branches.length > 1 ? UNEVALUATED.filter((name) => branches.some((branch) => evaluatesFor(branch, name))) : [];
        const rest = without(w, union, ...loose);
        branches.forEach((branch, index) => {
          const merged = typeof rest.schema === 'object' ? mergeWithBranches(rest.schema, [branch], resolveFrom(w), budget) : mergeSchemas([rest.schema, branch], resolveFrom(w), budget);
          if (merged === false) return;
          if (merged === undefined) {
            reasons.push({ code: 'COMPAT_UNDECIDED', reader: r, writer: child(w, union, String(index)), dataPath, detail: `branch ${index} of the ${union} of {writer} cannot be combined with its sibling keywords, so it cannot be compared`, undecided: true });
            return;
          }
          context.compare(r, syntheticNode(w, merged, `/${union}/${index}`), dataPath);
        });
        return;
      }
      const pair: Pair = { reader: r, writer: w, dataPath };
      if (acceptsNothing(r)) {
        reasons.push({ code: 'SCHEMA_REJECTS_ALL', reader: r, writer: w, dataPath, detail: '{writer} accepts values here but {reader} accepts none', leaf: generateValue(w, validators) ?? generateAny(w, validators) });
        return;
      }
      // Keywords this walk does not decide: the same constraint on both sides is implied; a
      // different one fails closed until part 2 of the engine (combinators, tuples …) decides it.
      for (const name of constraintKeys(r)) {
        if (DECIDED.has(name)) continue;
        const readerValue = keyword(r, name);
        const writerValue = keyword(w, name);
        // A dynamic reference's target depends on the path that reached it, not on its text: never implied.
        if (writerValue !== undefined && values.same(readerValue, writerValue) && !values.mentionsRef(readerValue) && !DYNAMIC_REFERENCES.has(name)) continue;
        reasons.push({ code: 'COMPAT_UNDECIDED', reader: r, writer: w, dataPath, detail: `{reader} has "${name}": ${truncate(readerValue)} ${writerValue === undefined ? 'which {writer} lacks' : `where {writer} has ${truncate(writerValue)}`}; this keyword is not decided yet, so the change fails closed`, undecided: true });
      }
      for (const reason of unevaluatedUndecided(pair)) reasons.push(reason);
      for (const rule of RULES) rule.check(pair, context);
    },
  };
  context.compare(reader, writer, []);
  return reasons;
}

/**
 * The reader's unevaluatedProperties/Items govern what its applicators did not evaluate. When
 * only anyOf/oneOf branches evaluate, the union rule compares each branch with the reader's
 * own keywords folded in (so unevaluated* sees that branch); when if/then/else,
 * dependentSchemas, an unfolded allOf or a $ref (or, for items, the node's own contains) may
 * evaluate, which values it governs depends on the event: undecided, failing closed.
 */
function unevaluatedUndecided(pair: Pair): Reason[] {
  const reasons: Reason[] = [];
  const { reader, writer } = pair;
  const spec = [
    { name: 'unevaluatedProperties', type: 'object', shadowed: has(reader, 'additionalProperties'), own: [] as string[] },
    { name: 'unevaluatedItems', type: 'array', shadowed: keyword(reader, 'items') !== undefined && (!Array.isArray(keyword(reader, 'items')) || has(reader, 'additionalItems')), own: has(reader, 'contains') ? ['contains'] : [] },
  ] as const;
  for (const { name, type, shadowed, own } of spec) {
    if (!has(reader, name) || shadowed || acceptsAnything(child(reader, name)) || !typesOf(writer).has(type)) continue;
    const undecidable = [...own, ...evaluatingApplicators(reader, name).filter((applicator) => applicator !== 'anyOf' && applicator !== 'oneOf')];
    if (undecidable.length === 0) continue;
    reasons.push({
      code: 'COMPAT_UNDECIDED',
      ...pair,
      detail: `{reader} has "${name}": ${truncate(keyword(reader, name))} next to ${undecidable.map((key) => `"${key}"`).join(', ')}, which may evaluate ${type === 'object' ? 'properties' : 'items'} depending on the event, so which ones "${name}" governs cannot be decided`,
      undecided: true,
    });
  }
  return reasons;
}

const ids = new WeakMap<object, number>();
let nextId = 0;
/** A memo key for a node: its place, plus the identity of its schema (synthetic nodes share places). */
function identity(node: SchemaNode): string {
  const schema = node.schema;
  if (typeof schema === 'boolean') return `${node.document.label}#${node.pointer}=${String(schema)}`;
  let id = ids.get(schema);
  if (id === undefined) {
    nextId += 1;
    id = nextId;
    ids.set(schema, id);
  }
  return `${node.document.label}#${node.pointer}@${id}`;
}

/** The node with its allOf folded in, the node itself when it has none, or 'unfoldable'. */
function fold(node: SchemaNode, resolve: (ref: string) => unknown, budget: ComparisonBudget): SchemaNode | 'unfoldable' {
  if (!Array.isArray(keyword(node, 'allOf'))) return node;
  const merged = mergeSchemas([node.schema], resolve, budget);
  if (merged === undefined) return 'unfoldable';
  return syntheticNode(node, merged, '');
}

/** The example of a reason, computing it if it was left lazy. */
export function leafOf(reason: Reason): unknown {
  return reason.leaf !== undefined ? reason.leaf : reason.witness?.();
}

function generateAny(node: SchemaNode, validators: NodeValidators): unknown {
  for (const candidate of [{}, '', 0, true, null, []]) if (validators.valid(node, candidate)) return candidate;
  return undefined;
}

export function truncate(value: unknown, max = 80): string {
  // Only the head is written: a message naming an 80,000-value enum, once per property that
  // uses it, wrote the whole enum each time (seconds for a hostile version).
  const text = jsonHead(value, max + 1) ?? String(value);
  // Copied out, not sliced: a slice keeps the whole text (a large enum's) alive in every message.
  return text.length > max ? `${[...text.slice(0, max - 1)].join('')}…` : text;
}

/**
 * JSON.stringify(value) when it is shorter than `limit` characters, else a text of at least
 * `limit` characters that starts as it does (JSON values: arrays, plain objects, primitives).
 */
function jsonHead(value: unknown, limit: number): string | undefined {
  let text = '';
  const write = (entry: unknown): void => {
    if (text.length >= limit) return;
    if (typeof entry === 'string' && entry.length > limit) {
      // Its head, without the closing quote: the text is cut before it.
      text += JSON.stringify(entry.slice(0, limit)).slice(0, -1);
    } else if (Array.isArray(entry)) {
      text += '[';
      for (const [index, item] of entry.entries()) {
        if (text.length >= limit) break;
        if (index > 0) text += ',';
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') text += 'null';
        else write(item);
      }
      if (text.length < limit) text += ']';
    } else if (typeof entry === 'object' && entry !== null && !('toJSON' in entry)) {
      text += '{';
      let first = true;
      for (const [key, item] of Object.entries(entry)) {
        if (text.length >= limit) break;
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        text += `${first ? '' : ','}${JSON.stringify(key)}:`;
        first = false;
        write(item);
      }
      if (text.length < limit) text += '}';
    } else text += JSON.stringify(entry) ?? 'null';
  };
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  write(value);
  return text;
}

export { child };
