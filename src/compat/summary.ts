import { isSchemaObject } from '../catalog/schema-walk.js';
import { jsonKey } from '../domain/canonical-json.js';
import { ANY_ITEM } from './generate.js';
import { child, keyword, typesOf, type SchemaNode } from './model.js';

/**
 * Lines of one version's summary at most: thousands of added properties would otherwise crowd
 * the comment, and GitHub's comment limit would cut the subject's findings to make room for them.
 */
const LINES_SHOWN = 40;

/**
 * A readable summary of what changed between two versions, for people reviewing the pull
 * request: properties added or removed, type changes, required changes, at any depth.
 */
export function summarizeChange(oldRoot: SchemaNode, newRoot: SchemaNode): string[] {
  const lines: string[] = [];
  const walk = (oldNode: SchemaNode, newNode: SchemaNode, path: string, depth: number): void => {
    if (depth > 12 || typeof oldNode.schema === 'boolean' || typeof newNode.schema === 'boolean') return;
    const oldTypes = [...typesOf(oldNode)].join('|');
    const newTypes = [...typesOf(newNode)].join('|');
    if (oldTypes !== newTypes) lines.push(`type of ${path || 'the event'}: ${describeTypes(oldNode)} → ${describeTypes(newNode)}`);
    const oldProps = propertyNames(oldNode);
    const newProps = propertyNames(newNode);
    const oldRequired = requiredNames(oldNode);
    const newRequired = requiredNames(newNode);
    for (const name of newProps) if (!oldProps.has(name)) lines.push(`added ${path}/${name} (${describeTypes(child(newNode, 'properties', name))}${newRequired.has(name) ? ', required' : ', optional'})`);
    for (const name of oldProps) if (!newProps.has(name)) lines.push(`removed ${path}/${name} (${describeTypes(child(oldNode, 'properties', name))})`);
    for (const name of newRequired) if (!oldRequired.has(name) && oldProps.has(name)) lines.push(`${path}/${name} is now required`);
    for (const name of oldRequired) if (!newRequired.has(name) && newProps.has(name)) lines.push(`${path}/${name} is now optional`);
    for (const name of oldProps) if (newProps.has(name)) walk(child(oldNode, 'properties', name), child(newNode, 'properties', name), `${path}/${name}`, depth + 1);
    if (keyword(oldNode, 'items') !== undefined && keyword(newNode, 'items') !== undefined && !Array.isArray(keyword(oldNode, 'items'))) walk(child(oldNode, 'items'), child(newNode, 'items'), `${path}/${ANY_ITEM}`, depth + 1);
    const values = valuesChange(keyword(oldNode, 'enum'), keyword(newNode, 'enum'));
    if (values) lines.push(`values of ${path || 'the event'}: ${values}`);
  };
  walk(oldRoot, newRoot, '', 0);
  return lines.length > LINES_SHOWN ? [...lines.slice(0, LINES_SHOWN), `and ${lines.length - LINES_SHOWN} more changes (the pull request's diff has every one)`] : lines;
}

function describeTypes(node: SchemaNode): string {
  const declared = keyword(node, 'type');
  if (declared !== undefined) return [declared].flat().map((type) => String(type as string)).join(' | ');
  return typesOf(node).size === 7 ? 'any' : [...typesOf(node)].join(' | ');
}

function propertyNames(node: SchemaNode): Set<string> {
  const properties = keyword(node, 'properties');
  return new Set(isSchemaObject(properties) ? Object.keys(properties) : []);
}

function requiredNames(node: SchemaNode): Set<string> {
  const required = keyword(node, 'required');
  return new Set(Array.isArray(required) ? required.filter((name): name is string => typeof name === 'string') : []);
}

/** Enums up to this long are shown whole, before and after; a longer one by the values it gained and lost. */
const ENUM_SHOWN_CHARS = 200;
/** Values named of those an enum gained or lost; the rest are counted. */
const VALUES_NAMED = 10;

/**
 * How a node's `enum` changed, or undefined when it did not. A long enum is not written out:
 * two lists of 5,000 values would be most of the comment, and GitHub's comment limit would then
 * cut the subject's findings to make room for them.
 */
function valuesChange(before: unknown, after: unknown): string | undefined {
  if (before === undefined && after === undefined) return undefined;
  const oldText = JSON.stringify(before ?? 'any');
  const newText = JSON.stringify(after ?? 'any');
  if (oldText === newText) return undefined;
  if (oldText.length <= ENUM_SHOWN_CHARS && newText.length <= ENUM_SHOWN_CHARS) return `${oldText} → ${newText}`;
  const oldValues = Array.isArray(before) ? before : [];
  const newValues = Array.isArray(after) ? after : [];
  if (!Array.isArray(before)) return `any → ${newValues.length} values`;
  if (!Array.isArray(after)) return `${oldValues.length} values → any`;
  const oldKeys = new Set(oldValues.map(jsonKey));
  const newKeys = new Set(newValues.map(jsonKey));
  const added = newValues.filter((value) => !oldKeys.has(jsonKey(value)));
  const removed = oldValues.filter((value) => !newKeys.has(jsonKey(value)));
  const changes = [...(added.length > 0 ? [`added ${named(added)}`] : []), ...(removed.length > 0 ? [`removed ${named(removed)}`] : [])];
  return `${oldValues.length} → ${newValues.length} values${changes.length > 0 ? `; ${changes.join('; ')}` : ' (reordered)'}`;
}

function named(values: readonly unknown[]): string {
  const shown = values.slice(0, VALUES_NAMED).map((value) => JSON.stringify(value) ?? String(value));
  return values.length > VALUES_NAMED ? `${shown.join(', ')} and ${values.length - VALUES_NAMED} more` : shown.join(', ');
}
