import { isSchemaObject } from '../catalog/schema-walk.js';
import { ANY_ITEM } from './generate.js';
import { child, keyword, typesOf, type SchemaNode } from './model.js';

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
    const oldProps = isSchemaObject(keyword(oldNode, 'properties')) ? Object.keys(keyword(oldNode, 'properties') as object) : [];
    const newProps = isSchemaObject(keyword(newNode, 'properties')) ? Object.keys(keyword(newNode, 'properties') as object) : [];
    const oldRequired = new Set(Array.isArray(keyword(oldNode, 'required')) ? (keyword(oldNode, 'required') as string[]) : []);
    const newRequired = new Set(Array.isArray(keyword(newNode, 'required')) ? (keyword(newNode, 'required') as string[]) : []);
    for (const name of newProps.filter((entry) => !oldProps.includes(entry))) lines.push(`added ${path}/${name} (${describeTypes(child(newNode, 'properties', name))}${newRequired.has(name) ? ', required' : ', optional'})`);
    for (const name of oldProps.filter((entry) => !newProps.includes(entry))) lines.push(`removed ${path}/${name} (${describeTypes(child(oldNode, 'properties', name))})`);
    for (const name of [...newRequired].filter((entry) => !oldRequired.has(entry) && oldProps.includes(entry))) lines.push(`${path}/${name} is now required`);
    for (const name of [...oldRequired].filter((entry) => !newRequired.has(entry) && newProps.includes(entry))) lines.push(`${path}/${name} is now optional`);
    for (const name of oldProps.filter((entry) => newProps.includes(entry))) walk(child(oldNode, 'properties', name), child(newNode, 'properties', name), `${path}/${name}`, depth + 1);
    if (keyword(oldNode, 'items') !== undefined && keyword(newNode, 'items') !== undefined && !Array.isArray(keyword(oldNode, 'items'))) walk(child(oldNode, 'items'), child(newNode, 'items'), `${path}/${ANY_ITEM}`, depth + 1);
    if (JSON.stringify(keyword(oldNode, 'enum')) !== JSON.stringify(keyword(newNode, 'enum')) && (keyword(oldNode, 'enum') !== undefined || keyword(newNode, 'enum') !== undefined)) {
      lines.push(`values of ${path || 'the event'}: ${JSON.stringify(keyword(oldNode, 'enum') ?? 'any')} → ${JSON.stringify(keyword(newNode, 'enum') ?? 'any')}`);
    }
  };
  walk(oldRoot, newRoot, '', 0);
  return lines;
}

function describeTypes(node: SchemaNode): string {
  const declared = keyword(node, 'type');
  if (declared !== undefined) return [declared].flat().map((type) => String(type as string)).join(' | ');
  return typesOf(node).size === 7 ? 'any' : [...typesOf(node)].join(' | ');
}
