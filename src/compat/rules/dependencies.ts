import { isSchemaObject } from '../../catalog/schema-walk.js';
import { acceptsNothing, child, keyword, type SchemaNode } from '../model.js';
import { generateValue, governingNode } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : []);

/** name → names it requires: dependentRequired (2020-12) and the array form of dependencies (draft-07). */
function requiredDependencies(node: SchemaNode): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const name of ['dependentRequired', 'dependencies']) {
    const value = keyword(node, name);
    if (!isSchemaObject(value)) continue;
    for (const [key, entry] of Object.entries(value)) if (Array.isArray(entry)) result.set(key, [...(result.get(key) ?? []), ...strings(entry)]);
  }
  return result;
}

/** name → schema the object must then satisfy: dependentSchemas and the schema form of dependencies. */
function schemaDependencies(node: SchemaNode): Array<{ name: string; node: SchemaNode }> {
  const result: Array<{ name: string; node: SchemaNode }> = [];
  for (const keywordName of ['dependentSchemas', 'dependencies']) {
    const value = keyword(node, keywordName);
    if (!isSchemaObject(value)) continue;
    for (const [key, entry] of Object.entries(value)) if (!Array.isArray(entry)) result.push({ name: key, node: child(node, keywordName, key) });
  }
  return result;
}

/**
 * dependentRequired / dependentSchemas / dependencies on the reader: whenever the writer allows
 * the trigger property, it must guarantee what the reader then demands.
 */
export const dependenciesRule: CompatRule = {
  name: 'dependencies',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'object')) return;
    const writerRequired = new Set(strings(keyword(pair.writer, 'required')));
    const writerDependencies = requiredDependencies(pair.writer);
    for (const [trigger, needed] of requiredDependencies(pair.reader)) {
      if (acceptsNothing(governingNode(pair.writer, trigger, context.validators.matches))) continue;
      for (const name of needed) {
        if (writerRequired.has(name) || (writerDependencies.get(trigger) ?? []).includes(name)) continue;
        const base = generateValue(pair.writer, context.validators, 'object');
        const value = generateValue(governingNode(pair.writer, trigger, context.validators.matches), context.validators);
        const candidate = base !== null && typeof base === 'object' && value !== undefined ? Object.fromEntries([...Object.entries(base).filter(([key]) => key !== name), [trigger, value]]) : undefined;
        context.report({
          code: 'DEPENDENCY_ADDED',
          ...pair,
          detail: `{reader} requires "${name}" whenever "${trigger}" is present, but {writer} does not`,
          witness: () => candidate === undefined ? undefined : context.findLeaf(pair, [candidate]),
        });
      }
    }
    const writerSchemas = schemaDependencies(pair.writer);
    for (const dependency of schemaDependencies(pair.reader)) {
      if (acceptsNothing(governingNode(pair.writer, dependency.name, context.validators.matches))) continue;
      // The same text is the same schema unless it holds a reference (each file's own
      // definition): then the writer's must be within the reader's.
      const same = (entry: { name: string; node: SchemaNode }): boolean => entry.name === dependency.name && context.values.same(entry.node.schema, dependency.node.schema) && (!context.values.mentionsRef(dependency.node.schema) || context.trial(dependency.node, entry.node).length === 0);
      if (writerSchemas.some(same)) continue;
      const trials = context.trial(dependency.node, pair.writer);
      if (trials.length === 0) continue;
      context.report({ code: 'COMPAT_UNDECIDED', ...pair, detail: `{reader} adds a schema that objects with "${dependency.name}" must satisfy; whether every such object of {writer} does cannot be decided`, undecided: true });
    }
  },
};
