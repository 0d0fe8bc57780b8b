import { isSchemaObject, subschemasOf, type InstanceStep } from '../catalog/schema-walk.js';
import { decodeRefPart } from '../domain/finding.js';
import type { CompatCode } from './codes.js';
import { mergeSchemas } from '../catalog/merge-all-of.js';
import { child, constraintKeys, jsonEqual, keyword, syntheticNode, typesOf, type JsonType, type SchemaNode } from './model.js';
import { ANY_ITEM, UNLISTED, patternExample } from './generate.js';

/**
 * The DEFAULT policy's structural rules (DESIGN.md §3), decided on the pair (old, new) walked in
 * parallel: a property removed fails in every mode; a type change, widening included, fails in
 * every mode. Everything else is STRICT's verdict.
 */
export interface StructuralChange {
  readonly code: Extract<CompatCode, 'PROPERTY_REMOVED' | 'TYPE_WIDENED' | 'TYPE_NARROWED' | 'TYPE_CHANGED'>;
  readonly oldNode: SchemaNode;
  readonly newNode: SchemaNode;
  readonly dataPath: readonly string[];
  readonly detail: string;
}

/** Follows local refs and folds allOf, so structure is compared as validation sees it. */
function follow(node: SchemaNode): SchemaNode {
  const target = followRefs(node);
  if (!Array.isArray(keyword(target, 'allOf'))) return target;
  const merged = mergeSchemas([target.schema], (ref) => followRefs({ ...target, schema: { $ref: ref } }).schema);
  return merged === undefined ? target : syntheticNode(target, merged, '');
}

/** Types a node admits, unions included (the types of its anyOf/oneOf branches). */
function effectiveTypes(node: SchemaNode): Set<JsonType> {
  const own = typesOf(node);
  for (const union of ['anyOf', 'oneOf']) {
    const branches = keyword(node, union);
    if (!Array.isArray(branches)) continue;
    const fromBranches = new Set<JsonType>(branches.flatMap((_, index) => [...effectiveTypes(follow(child(node, union, String(index))))]));
    for (const type of [...own]) if (!fromBranches.has(type)) own.delete(type);
  }
  return own;
}

function followRefs(node: SchemaNode): SchemaNode {
  let current = node;
  for (let hop = 0; hop < 32; hop += 1) {
    const ref = keyword(current, '$ref');
    if (typeof ref !== 'string' || !ref.startsWith('#')) return current;
    let value: unknown = current.document.root;
    const pointer = decodeRefPart(ref.slice(1));
    if (pointer === undefined) return current;
    for (const token of pointer.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))) {
      value = isSchemaObject(value) ? value[token] : undefined;
    }
    if (typeof value !== 'boolean' && !isSchemaObject(value)) return current;
    current = { document: current.document, pointer, schema: value };
  }
  return current;
}

const listed = (node: SchemaNode): string[] => {
  const properties = keyword(node, 'properties');
  return isSchemaObject(properties) ? Object.keys(properties) : [];
};

const typeText = (node: SchemaNode): string => JSON.stringify(keyword(node, 'type') ?? (effectiveTypes(node).size === 7 ? 'any' : [...effectiveTypes(node)]));

/** The data path token a subschema position adds (see walk.ts: the same tokens the rule walk uses). */
function stepToken(step: InstanceStep): string | undefined {
  switch (step.kind) {
    case 'property':
      return step.name;
    case 'pattern':
      return patternExample(step.pattern);
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
 * tuple positions, contains, combinator branches, then/else, dependentSchemas — with local
 * `$ref`s followed and `allOf` folded.
 */
export function structuralChanges(oldRoot: SchemaNode, newRoot: SchemaNode): StructuralChange[] {
  return collectChanges(oldRoot, newRoot, [], new Set(), false);
}

function collectChanges(oldInput: SchemaNode, newInput: SchemaNode, dataPath: readonly string[], seen: Set<string>, sameInstance: boolean): StructuralChange[] {
  const changes: StructuralChange[] = [];
  const oldNode = follow(oldInput);
  const newNode = follow(newInput);
  // Keyed by place only, so a recursive $ref ends; a definition used twice is walked once.
  const key = `${oldNode.pointer}|${newNode.pointer}`;
  if (seen.has(key) || oldNode.schema === false || newNode.schema === false) return changes;
  seen.add(key);
  // A branch (anyOf, then …) applies to the value its parent does: the parent's types already
  // include the branches', so only the parent's are compared.
  if (!sameInstance) {
    const oldTypes = effectiveTypes(oldNode);
    const newTypes = effectiveTypes(newNode);
    const same = oldTypes.size === newTypes.size && [...oldTypes].every((type) => newTypes.has(type));
    if (!same && oldTypes.size > 0 && newTypes.size > 0) {
      const widened = [...oldTypes].every((type) => newTypes.has(type));
      const narrowed = [...newTypes].every((type) => oldTypes.has(type));
      changes.push({
        code: widened ? 'TYPE_WIDENED' : narrowed ? 'TYPE_NARROWED' : 'TYPE_CHANGED',
        oldNode,
        newNode,
        dataPath,
        detail: `the type changed from ${typeText(oldNode)} in {old} to ${typeText(newNode)} in {new}${widened ? ' (a widening)' : ''}; the DEFAULT policy never changes a type, so add a new property instead`,
      });
    }
  }
  if (typeof oldNode.schema === 'boolean' || typeof newNode.schema === 'boolean') return changes;
  const newNames = new Set(listed(newNode));
  for (const entry of subschemasOf(oldNode.schema)) {
    const { step, tokens } = entry;
    if (step.kind === 'none') continue;
    if (step.kind === 'property') {
      if (newNames.has(step.name)) changes.push(...collectChanges(child(oldNode, ...tokens), child(newNode, ...tokens), [...dataPath, step.name], seen, false));
      else {
        changes.push({
          code: 'PROPERTY_REMOVED',
          oldNode: child(oldNode, ...tokens),
          newNode,
          dataPath: [...dataPath, step.name],
          detail: `"${step.name}" (${JSON.stringify(keyword(child(oldNode, ...tokens), 'type') ?? 'any')}) is in {old} but not in {new}; the DEFAULT policy never removes a property, because readers and the lake's history still use it. Keep it (it may become optional or deprecated in its description)`,
        });
      }
      continue;
    }
    const [name = '', index] = tokens;
    const path = [...dataPath, ...[stepToken(step)].filter((token): token is string => token !== undefined)];
    if (step.kind === 'same' && ['allOf', 'anyOf', 'oneOf'].includes(name) && index !== undefined) {
      changes.push(...matchBranch(oldNode, newNode, name, Number(index), path, seen));
      continue;
    }
    if (valueAt(newNode.schema, tokens) === undefined) continue; // the position is gone: the rule walk compares what governs it now
    changes.push(...collectChanges(child(oldNode, ...tokens), child(newNode, ...tokens), path, seen, step.kind === 'same'));
  }
  return changes;
}

/**
 * An old combinator branch against the new side's branches: branches may be reordered, so the
 * one that keeps the old branch's structure (no change) is its counterpart; when none does, the
 * branch at the same position is, and its changes are reported.
 */
function matchBranch(oldNode: SchemaNode, newNode: SchemaNode, name: string, index: number, dataPath: readonly string[], seen: Set<string>): StructuralChange[] {
  const oldBranch = child(oldNode, name, String(index));
  const branches = keyword(newNode, name);
  const count = Array.isArray(branches) ? branches.length : 0;
  if (count <= MAX_BRANCH_MATCHING) {
    for (let other = 0; other < count; other += 1) {
      if (collectChanges(oldBranch, child(newNode, name, String(other)), dataPath, new Set(seen), true).length === 0) return [];
    }
  }
  return index < count ? collectChanges(oldBranch, child(newNode, name, String(index)), dataPath, seen, true) : [];
}

function valueAt(schema: unknown, tokens: readonly string[]): unknown {
  let value = schema;
  for (const token of tokens) value = isSchemaObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[token] : undefined;
  return value;
}

/**
 * Whether property `name` under the object at `dataPath` was used in an earlier version with a
 * different schema (a tombstone): re-adding it with another schema would make old data invalid.
 */
export function tombstoneOf(name: string, dataPath: readonly string[], newSchema: unknown, earlier: ReadonlyArray<{ label: string; root: SchemaNode }>): { label: string; schema: unknown } | undefined {
  for (const version of [...earlier].reverse()) {
    let node: SchemaNode | undefined = follow(version.root);
    for (const token of dataPath) {
      if (!node) break;
      node = token === ANY_ITEM ? follow(child(node, 'items')) : listed(node).includes(token) ? follow(child(node, 'properties', token)) : undefined;
    }
    if (!node || !listed(node).includes(name)) continue;
    const before = follow(child(node, 'properties', name)).schema;
    if (!jsonEqual(withoutAnnotations(before), withoutAnnotations(newSchema))) return { label: version.label, schema: before };
  }
  return undefined;
}

function withoutAnnotations(schema: unknown): unknown {
  if (!isSchemaObject(schema)) return schema;
  const node: SchemaNode = { document: { label: '', root: schema, locate: () => ({ line: 1, col: 1 }) }, pointer: '', schema };
  return Object.fromEntries(constraintKeys(node).map((key) => [key, withoutAnnotations(schema[key])]));
}
