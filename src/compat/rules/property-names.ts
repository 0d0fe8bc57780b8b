import { isSchemaObject } from '../../catalog/schema-walk.js';
import { acceptsNothing, child, keyword, syntheticNode } from '../model.js';
import { generateValue } from '../generate.js';
import { leafOf, type CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

/**
 * propertyNames on the reader: every property name the writer allows must pass it. A closed
 * writer allows exactly its listed names; an open one any string its own propertyNames allows.
 */
export const propertyNamesRule: CompatRule = {
  name: 'property-names',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'object') || keyword(pair.reader, 'propertyNames') === undefined) return;
    const readerNames = child(pair.reader, 'propertyNames');
    const listed = isSchemaObject(keyword(pair.writer, 'properties')) ? Object.keys(keyword(pair.writer, 'properties') as object) : [];
    const closed = acceptsNothing(child(pair.writer, 'additionalProperties')) && keyword(pair.writer, 'patternProperties') === undefined;
    const report = (name: string | undefined, undecided: boolean): void => {
      const value = name === undefined ? undefined : generateValue(child(pair.writer, 'properties', name), context.validators) ?? 0;
      const base = generateValue(pair.writer, context.validators, 'object');
      const leaf = name === undefined || base === null || typeof base !== 'object' ? undefined : context.findLeaf(pair, [{ ...base, [name]: value }]);
      context.report(
        undecided && leaf === undefined
          ? { code: 'COMPAT_UNDECIDED', ...pair, detail: 'whether every property name {writer} allows passes the propertyNames of {reader} cannot be decided', undecided: true }
          : { code: 'PROPERTY_NAMES_NARROWED', ...pair, detail: `{writer} allows property names${name === undefined ? '' : ` such as "${name}"`} that the propertyNames of {reader} rejects`, ...(leaf !== undefined ? { leaf } : {}) },
      );
    };
    for (const name of listed) {
      if (acceptsNothing(child(pair.writer, 'properties', name))) continue;
      if (!context.validators.valid(readerNames, name)) return report(name, false);
    }
    if (closed) return;
    const writerNames = keyword(pair.writer, 'propertyNames') === undefined ? syntheticNode(pair.writer, { type: 'string' }, '/propertyNames') : child(pair.writer, 'propertyNames');
    const trials = context.trial(readerNames, writerNames);
    if (trials.length === 0) return;
    const example = trials.map(leafOf).find((leaf): leaf is string => typeof leaf === 'string');
    report(example, true);
  },
};
