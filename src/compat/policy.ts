import { isSchemaObject, subschemasOf, type InstanceStep } from '../catalog/schema-walk.js';
import type { ComparisonBudget } from './budget.js';
import type { CompatCode } from './codes.js';
import { mergeSchemas } from '../catalog/merge-all-of.js';
import { child, constraintKeys, followRefChain, keyword, resolveRef, schemaFrom, syntheticNode, typesOf, type JsonType, type RefResolver, type SchemaDocument, type SchemaNode } from './model.js';
import { ANY_ITEM, UNLISTED, itemNode, patternExample } from './generate.js';
import type { NodeValidators } from './validators.js';
import type { ValueIdentities } from './values.js';

/**
 * The DEFAULT policy's structural rules (DESIGN.md §3), decided on the pair (old, new) walked in
 * parallel: a property removed fails in every mode; a type change, widening included, fails in
 * every mode. Everything else is STRICT's verdict.
 */
export interface StructuralChange {
  readonly code: Extract<CompatCode, 'PROPERTY_REMOVED' | 'TYPE_WIDENED' | 'TYPE_NARROWED' | 'TYPE_CHANGED'>;
  readonly oldNode: SchemaNode;
  readonly newNode: SchemaNode;
  /**
   * Where the change is in each version's own file: the node's pointer, or, when the walk went
   * through a reference to another file, the place of that reference (findings name the file of
   * the version, so a pointer into the other file would name a wrong line).
   */
  readonly oldPointer: string;
  readonly newPointer: string;
  readonly dataPath: readonly string[];
  readonly detail: string;
}

/**
 * How the structural walk reaches schemas: references to other files through `resolve`, and
 * every step, fold included, spending the comparison's budget (budget.ts): union branches and
 * references multiply the steps, and `seen` keys only places.
 */
export interface Reach {
  readonly resolve: RefResolver | undefined;
  readonly budget: ComparisonBudget;
  /** The comparison's equality of values (values.ts), for tombstones. */
  readonly values: ValueIdentities;
  /** Pattern matching as the validators do it, for the names in data paths. */
  readonly matches: NodeValidators['matches'];
}

/**
 * Pairs of places a structural walk compared. A trial (matchBranch trying a branch against each
 * of the other side's) adds its own over the walk's without copying them: a copy per trial cost
 * as many steps as places seen so far, so 4,000 unchanged nullable properties ran out of budget.
 */
class SeenPlaces {
  readonly #own = new Set<string>();
  constructor(private readonly under?: SeenPlaces) {}

  has(key: string): boolean {
    return this.#own.has(key) || (this.under?.has(key) ?? false);
  }

  add(key: string): void {
    this.#own.add(key);
  }

  /** A trial's places: these are seen in it, and what it adds is dropped with it. */
  trial(): SeenPlaces {
    return new SeenPlaces(this);
  }
}

/** What stays the same along one structural walk. */
interface Walk extends Reach {
  /** Pairs of places already compared. */
  readonly seen: SeenPlaces;
  readonly files: { readonly old: SchemaDocument; readonly new: SchemaDocument };
}

/** Pointers into the two versions' own files where the walk is (see StructuralChange). */
interface Places {
  readonly old: string;
  readonly new: string;
}

/** The place in `file` of a node reached from `input` (before its refs were followed), or `outer` when both are in another file. */
function placeIn(file: SchemaDocument, input: SchemaNode, node: SchemaNode, outer: string): string {
  return node.document === file ? node.pointer : input.document === file ? input.pointer : outer;
}

/**
 * Follows refs and folds allOf, so structure is compared as validation sees it. Refs go through
 * the rule walk's resolver (resolveRef with the engine's `resolve`): local ones into arrays as
 * into objects, and those to other version files.
 */
function follow(node: SchemaNode, { resolve, budget }: Reach): SchemaNode {
  const target = followRefChain(node, resolve, { bare: false }).node;
  if (!Array.isArray(keyword(target, 'allOf'))) return target;
  const merged = mergeSchemas([target.schema], (ref) => schemaFrom(target, ref, resolve), budget);
  return merged === undefined ? target : syntheticNode(target, merged, '');
}

/** Types a node admits, unions included (the types of its anyOf/oneOf branches). */
function effectiveTypes(node: SchemaNode, reach: Reach): Set<JsonType> {
  reach.budget.spend('structure', 1);
  const own = typesOf(node);
  for (const union of ['anyOf', 'oneOf']) {
    const branches = keyword(node, union);
    if (!Array.isArray(branches)) continue;
    const fromBranches = new Set<JsonType>(branches.flatMap((_, index) => [...effectiveTypes(follow(child(node, union, String(index)), reach), reach)]));
    for (const type of [...own]) if (!fromBranches.has(type)) own.delete(type);
  }
  return own;
}

/** Still a `$ref` after following: one that cannot be resolved, or too long a chain. */
const unresolved = (node: SchemaNode): boolean => typeof keyword(node, '$ref') === 'string';

const listed = (node: SchemaNode): string[] => {
  const properties = keyword(node, 'properties');
  return isSchemaObject(properties) ? Object.keys(properties) : [];
};

/** Whether `properties` lists `name`: looked up, not searched (a tombstone is looked for once per added property). */
const lists = (node: SchemaNode, name: string): boolean => {
  const properties = keyword(node, 'properties');
  return isSchemaObject(properties) && Object.prototype.hasOwnProperty.call(properties, name);
};

/** A node's type as a finding names it: its `type` as written, else the types it accepts (`types`, computed once by the caller). */
const typeText = (node: SchemaNode, types: ReadonlySet<JsonType>): string => JSON.stringify(keyword(node, 'type') ?? (types.size === 7 ? 'any' : [...types]));

/** The data path token a subschema position adds (see walk.ts: the same tokens the rule walk uses). */
function stepToken(step: InstanceStep, matches: NodeValidators['matches']): string | undefined {
  switch (step.kind) {
    case 'property':
      return step.name;
    case 'pattern':
      return patternExample(step.pattern, matches);
    case 'additional':
      return UNLISTED;
    case 'item':
      return step.index === undefined ? ANY_ITEM : `[${step.index}]`;
    default:
      return undefined;
  }
}

/** Branches matched against every branch of the other side; past this, by position only. */
const MAX_BRANCH_MATCHING = 16;

/**
 * Every removed property and type change between two versions, at any depth: the two versions
 * are walked in parallel through every subschema position (schema-walk.ts `subschemasOf`) that
 * applies to a value of the event — properties, pattern and additional properties, items and
 * tuple positions, contains, combinator branches, then/else, dependentSchemas — with `$ref`s
 * followed (local ones and, through `resolve`, those to other version files: the same the rule
 * walk follows) and `allOf` folded. Where a ref cannot be followed nothing is compared: the rule
 * walk reports that reference as undecided, failing closed.
 */
export function structuralChanges(oldRoot: SchemaNode, newRoot: SchemaNode, reach: Reach): StructuralChange[] {
  const walk: Walk = { ...reach, seen: new SeenPlaces(), files: { old: oldRoot.document, new: newRoot.document } };
  return collectChanges(oldRoot, newRoot, [], false, { old: oldRoot.pointer, new: newRoot.pointer }, walk);
}

function collectChanges(oldInput: SchemaNode, newInput: SchemaNode, dataPath: readonly string[], sameInstance: boolean, outer: Places, walk: Walk): StructuralChange[] {
  const { seen } = walk;
  walk.budget.at(dataPath, oldInput, newInput);
  walk.budget.spend('structure', 1);
  const changes: StructuralChange[] = [];
  const oldNode = follow(oldInput, walk);
  const newNode = follow(newInput, walk);
  if (unresolved(oldNode) || unresolved(newNode)) return changes;
  const at: Places = { old: placeIn(walk.files.old, oldInput, oldNode, outer.old), new: placeIn(walk.files.new, newInput, newNode, outer.new) };
  // Keyed by place only (file and pointer), so a recursive $ref ends; a definition used twice is walked once.
  const key = `${oldNode.document.label}#${oldNode.pointer}|${newNode.document.label}#${newNode.pointer}`;
  if (seen.has(key) || oldNode.schema === false || newNode.schema === false) return changes;
  seen.add(key);
  // A branch (anyOf, then …) applies to the value its parent does: the parent's types already
  // include the branches', so only the parent's are compared.
  if (!sameInstance) {
    const oldTypes = effectiveTypes(oldNode, walk);
    const newTypes = effectiveTypes(newNode, walk);
    const same = oldTypes.size === newTypes.size && [...oldTypes].every((type) => newTypes.has(type));
    if (!same && oldTypes.size > 0 && newTypes.size > 0) {
      const widened = [...oldTypes].every((type) => newTypes.has(type));
      const narrowed = [...newTypes].every((type) => oldTypes.has(type));
      changes.push({
        code: widened ? 'TYPE_WIDENED' : narrowed ? 'TYPE_NARROWED' : 'TYPE_CHANGED',
        oldNode,
        newNode,
        oldPointer: at.old,
        newPointer: at.new,
        dataPath,
        detail: `the type changed from ${typeText(oldNode, oldTypes)} in {old} to ${typeText(newNode, newTypes)} in {new}${widened ? ' (a widening)' : ''}; the DEFAULT policy never changes a type, so add a new property instead`,
      });
    }
  }
  if (typeof oldNode.schema === 'boolean' || typeof newNode.schema === 'boolean') return changes;
  const newNames = new Set(listed(newNode));
  for (const entry of subschemasOf(oldNode.schema)) {
    const { step, tokens } = entry;
    if (step.kind === 'none') continue;
    if (step.kind === 'property') {
      if (newNames.has(step.name)) changes.push(...collectChanges(child(oldNode, ...tokens), child(newNode, ...tokens), [...dataPath, step.name], false, at, walk));
      else {
        const removed = child(oldNode, ...tokens);
        changes.push({
          code: 'PROPERTY_REMOVED',
          oldNode: removed,
          newNode,
          oldPointer: placeIn(walk.files.old, removed, removed, at.old),
          newPointer: at.new,
          dataPath: [...dataPath, step.name],
          detail: `"${step.name}" (${JSON.stringify(keyword(child(oldNode, ...tokens), 'type') ?? 'any')}) is in {old} but not in {new}; the DEFAULT policy never removes a property, because readers and the lake's history still use it. Keep it (it may become optional or deprecated in its description)`,
        });
      }
      continue;
    }
    const [name = '', index] = tokens;
    const path = [...dataPath, ...[stepToken(step, walk.matches)].filter((token): token is string => token !== undefined)];
    if (step.kind === 'same' && ['allOf', 'anyOf', 'oneOf'].includes(name) && index !== undefined) {
      changes.push(...matchBranch(oldNode, newNode, name, Number(index), path, at, walk));
      continue;
    }
    if (valueAt(newNode.schema, tokens) === undefined) continue; // the position is gone: the rule walk compares what governs it now
    changes.push(...collectChanges(child(oldNode, ...tokens), child(newNode, ...tokens), path, step.kind === 'same', at, walk));
  }
  return changes;
}

/**
 * An old combinator branch against the new side's branches: branches may be reordered, so the
 * one that keeps the old branch's structure (no change) is its counterpart; when none does, the
 * branch at the same position is, and its changes are reported.
 */
function matchBranch(oldNode: SchemaNode, newNode: SchemaNode, name: string, index: number, dataPath: readonly string[], at: Places, walk: Walk): StructuralChange[] {
  const oldBranch = child(oldNode, name, String(index));
  const branches = keyword(newNode, name);
  const count = Array.isArray(branches) ? branches.length : 0;
  if (count <= MAX_BRANCH_MATCHING) {
    for (let other = 0; other < count; other += 1) {
      walk.budget.spend('structure', 1);
      if (collectChanges(oldBranch, child(newNode, name, String(other)), dataPath, true, at, { ...walk, seen: walk.seen.trial() }).length === 0) return [];
    }
  }
  return index < count ? collectChanges(oldBranch, child(newNode, name, String(index)), dataPath, true, at, walk) : [];
}

function valueAt(schema: unknown, tokens: readonly string[]): unknown {
  let value = schema;
  for (const token of tokens) value = isSchemaObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[token] : undefined;
  return value;
}

/**
 * Whether property `name` under the object at `dataPath` was used in an earlier version with a
 * different schema (a tombstone): re-adding it with another schema would make old data invalid.
 * The name counts wherever that version defined it for such an object: in its `properties`, and
 * in those of its `then`/`else`, `dependentSchemas` and `allOf`/`anyOf`/`oneOf` branches; the
 * path is followed through properties, `items`, tuple positions (`prefixItems`, draft-07 `items`
 * arrays) and `additionalProperties`.
 */
export function tombstoneOf(name: string, dataPath: readonly string[], added: SchemaNode, earlier: ReadonlyArray<{ label: string; root: SchemaNode }>, reach: Reach): { label: string; schema: unknown } | undefined {
  for (const version of [...earlier].reverse()) {
    let nodes = definingNodes(follow(version.root, reach), reach);
    for (const token of dataPath) nodes = nodes.flatMap((node) => stepInto(node, token, reach)).flatMap((node) => definingNodes(node, reach));
    for (const node of nodes) {
      if (!lists(node, name)) continue;
      const before = follow(child(node, 'properties', name), reach);
      if (!sameSchema(before, added, reach, new Set())) return { label: version.label, schema: before.schema };
    }
  }
  return undefined;
}

/** Keywords whose subschemas apply to the same object as the node holding them (one subschema, or a list or map of them; draft-07 `dependencies`, its schema values). Named here, not taken from subschemasOf: that lists every property too, and a lookup per added name over 25,000 of them took minutes. */
const SAME_INSTANCE = ['then', 'else', 'dependentSchemas', 'dependencies', 'allOf', 'anyOf', 'oneOf'] as const;
/** Nested conditional branches followed, at most (a hostile version may nest them deeply). */
const MAX_DEFINING_DEPTH = 8;

/** A node and the subschemas (references followed) that may define properties of the same object. */
function definingNodes(node: SchemaNode, reach: Reach, depth = 0, seen = new Set<string>()): SchemaNode[] {
  // Each place once: branches that refer to one definition many times over do not multiply.
  const place = `${node.document.label}#${node.pointer}`;
  if (seen.has(place)) return [];
  seen.add(place);
  reach.budget.spend('structure', 1);
  const found = [node];
  if (depth >= MAX_DEFINING_DEPTH || typeof node.schema !== 'object') return found;
  for (const name of SAME_INSTANCE) {
    const value = keyword(node, name);
    const keys = name === 'then' || name === 'else' ? (isSchemaObject(value) ? [undefined] : []) : Array.isArray(value) ? value.map((_, index) => String(index)) : isSchemaObject(value) && name === 'dependentSchemas' ? Object.keys(value) : isSchemaObject(value) && name === 'dependencies' ? Object.keys(value).filter((key) => !Array.isArray(value[key])) : [];
    for (const key of keys) found.push(...definingNodes(follow(key === undefined ? child(node, name) : child(node, name, key), reach), reach, depth + 1, seen));
  }
  return found;
}

/** The subschemas of `node` that govern the data path step `token` (see stepToken). */
function stepInto(node: SchemaNode, token: string, reach: Reach): SchemaNode[] {
  const position = /^\[(\d+)\]$/.exec(token);
  if (token === ANY_ITEM) return keyword(node, 'items') === undefined || Array.isArray(keyword(node, 'items')) ? [] : [follow(child(node, 'items'), reach)];
  if (position) return [follow(itemNode(node, Number(position[1])), reach)];
  if (token === UNLISTED) return isSchemaObject(keyword(node, 'additionalProperties')) ? [follow(child(node, 'additionalProperties'), reach)] : [];
  return lists(node, token) ? [follow(child(node, 'properties', token), reach)] : [];
}

/**
 * Whether two schemas accept the same values by their text: the same keywords with the same
 * values, annotations aside, at every subschema (subschemasOf); names and data, such as a
 * property named `title` or a `const` holding a `description`, are compared whole. Each side's
 * `$ref` is followed in its own file, so one reference text naming two different definitions
 * differs; a pair of places met again (a cycle of references) is taken as the same.
 */
function sameSchema(first: SchemaNode, second: SchemaNode, reach: Reach, seen: Set<string>): boolean {
  reach.budget.spend('structure', 1);
  // A schema that is only a reference is its target (one side may have been followed already).
  const [left, right] = [first, second].map((node) => followRefChain(node, reach.resolve, { bare: true }).node) as [SchemaNode, SchemaNode];
  if (typeof left.schema === 'boolean' || typeof right.schema === 'boolean') return left.schema === right.schema;
  if (!left.synthetic && !right.synthetic) {
    const pair = `${left.document.label}#${left.pointer}\u0000${right.document.label}#${right.pointer}`;
    if (seen.has(pair)) return true;
    seen.add(pair);
  }
  const a = left.schema;
  const b = right.schema;
  const keys = constraintKeys(left);
  const others = constraintKeys(right);
  if (keys.length !== others.length || keys.some((key) => !Object.prototype.hasOwnProperty.call(b, key))) return false;
  const subschemas = subschemasOf(a);
  const positions = new Set(subschemas.map((entry) => entry.tokens.join('/')));
  const inB = new Set(subschemasOf(b).map((entry) => entry.tokens.join('/')));
  if (subschemas.length !== inB.size || [...positions].some((position) => !inB.has(position))) return false;
  for (const { tokens } of subschemas) if (!sameSchema(child(left, ...tokens), child(right, ...tokens), reach, seen)) return false;
  // Keywords that hold subschemas by name or index (properties, allOf, …), as against one subschema (items, not, …).
  const holders = new Set(subschemas.filter((entry) => entry.tokens.length > 1).map((entry) => entry.tokens[0]));
  return keys.every((key) => {
    const [x, y] = [a[key], b[key]];
    if (key === '$ref' && typeof x === 'string' && typeof y === 'string') {
      const [targetA, targetB] = [resolveRef(left, x, reach.resolve), resolveRef(right, y, reach.resolve)];
      return targetA && targetB ? sameSchema(targetA, targetB, reach, seen) : !targetA && !targetB && x === y;
    }
    if (positions.has(key)) return true;
    if (!holders.has(key)) return reach.values.same(x, y);
    // A keyword holding subschemas (compared above): its other entries (draft-07 dependencies' name lists) compared whole.
    if (!isSchemaObject(x) || !isSchemaObject(y)) return Array.isArray(x) && Array.isArray(y) && x.length === y.length;
    return Object.keys(x).every((name) => positions.has(`${key}/${name}`) || reach.values.same(x[name], y[name]));
  });
}
