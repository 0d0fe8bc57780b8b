import { isSchemaObject } from '../catalog/schema-walk.js';
import type { CompatCode } from './codes.js';
import { mergeSchemas } from '../catalog/merge-all-of.js';
import { child, constraintKeys, jsonEqual, keyword, syntheticNode, typesOf, type JsonType, type SchemaNode } from './model.js';
import { ANY_ITEM } from './generate.js';

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
    const pointer = decodeURIComponent(ref.slice(1));
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

/** Every removed property and type change between two versions, at any depth. */
export function structuralChanges(oldRoot: SchemaNode, newRoot: SchemaNode): StructuralChange[] {
  const changes: StructuralChange[] = [];
  const seen = new Set<string>();
  const walk = (oldInput: SchemaNode, newInput: SchemaNode, dataPath: readonly string[]): void => {
    const oldNode = follow(oldInput);
    const newNode = follow(newInput);
    const key = `${oldNode.pointer}|${newNode.pointer}`;
    if (seen.has(key) || oldNode.schema === false || newNode.schema === false) return;
    seen.add(key);
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
    const newNames = new Set(listed(newNode));
    for (const name of listed(oldNode)) {
      if (!newNames.has(name)) {
        changes.push({
          code: 'PROPERTY_REMOVED',
          oldNode: child(oldNode, 'properties', name),
          newNode: newNode,
          dataPath: [...dataPath, name],
          detail: `"${name}" (${JSON.stringify(keyword(child(oldNode, 'properties', name), 'type') ?? 'any')}) is in {old} but not in {new}; the DEFAULT policy never removes a property, because readers and the lake's history still use it. Keep it (it may become optional or deprecated in its description)`,
        });
      } else walk(child(oldNode, 'properties', name), child(newNode, 'properties', name), [...dataPath, name]);
    }
    if (!Array.isArray(keyword(oldNode, 'items')) && !Array.isArray(keyword(newNode, 'items')) && keyword(oldNode, 'items') !== undefined && keyword(newNode, 'items') !== undefined) {
      walk(child(oldNode, 'items'), child(newNode, 'items'), [...dataPath, ANY_ITEM]);
    }
  };
  walk(oldRoot, newRoot, []);
  return changes;
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
