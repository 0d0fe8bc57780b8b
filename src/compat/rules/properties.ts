import { isSchemaObject } from '../../catalog/schema-walk.js';
import { acceptsAnything, acceptsNothing, child, keyword, type SchemaNode } from '../model.js';
import { additionalNode, generateValue, governingNode } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

const listed = (node: SchemaNode): string[] => {
  const properties = keyword(node, 'properties');
  return isSchemaObject(properties) ? Object.keys(properties) : [];
};

const isOpen = (node: SchemaNode): boolean => acceptsAnything(additionalNode(node)) && keyword(node, 'patternProperties') === undefined;

/** Values tried for "any value" under an open model. */
const ANY_VALUES: readonly unknown[] = [0, 'x', true, null, [], {}, 1.5, -1, ''];

/**
 * properties under open, closed and partially open content models. A property listed on one
 * side only is governed on the other side by additionalProperties (absent = any value): the
 * content model of the side that must absorb the value decides (compat.md §2).
 */
export const propertiesRule: CompatRule = {
  name: 'properties',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'object')) return;
    // Sets: a name is looked up on each side, and searching lists of 25,000 names each for the
    // other's took 80 s.
    const readerNames = new Set(listed(pair.reader));
    const writerNames = new Set(listed(pair.writer));
    const requiredByReader = new Set(Array.isArray(keyword(pair.reader, 'required')) ? (keyword(pair.reader, 'required') as unknown[]) : []);
    for (const name of new Set([...writerNames, ...readerNames])) {
      const writerNode = governingNode(pair.writer, name, context.validators.matches);
      if (acceptsNothing(writerNode)) continue;
      const readerNode = governingNode(pair.reader, name, context.validators.matches);
      const path = [...pair.dataPath, name];
      const inWriter = writerNames.has(name);
      const inReader = readerNames.has(name);
      if (inReader && !inWriter && isOpen(pair.writer)) {
        if (acceptsAnything(readerNode)) continue;
        context.report({
          code: 'PROPERTY_ADDED_TO_OPEN_MODEL',
          reader: readerNode,
          writer: writerNode,
          dataPath: path,
          detail: `{writer} has an open model, so "${name}" may hold any value there, but {reader} constrains it`,
          witness: () => context.findLeaf({ reader: readerNode, writer: writerNode, dataPath: path }, ANY_VALUES),
          property: { name, optional: !requiredByReader.has(name) },
        });
        continue;
      }
      if (inWriter && !inReader && acceptsNothing(readerNode)) {
        context.report({
          code: 'PROPERTY_NOT_ALLOWED',
          reader: pair.reader,
          writer: child(pair.writer, 'properties', name),
          dataPath: path,
          detail: `{writer} allows "${name}" but {reader} does not list it and allows no additional properties`,
          witness: () => generateValue(child(pair.writer, 'properties', name), context.validators),
        });
        continue;
      }
      context.compare(readerNode, writerNode, path);
    }
  },
};
