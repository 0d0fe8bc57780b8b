import { acceptsNothing, child, keyword } from '../model.js';
import { UNLISTED, generateValue } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

/** additionalProperties for names neither side lists: closing or narrowing the model. */
export const additionalPropertiesRule: CompatRule = {
  name: 'additional-properties',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'object')) return;
    const writerAdditional = child(pair.writer, 'additionalProperties');
    if (acceptsNothing(writerAdditional)) return;
    const readerAdditional = child(pair.reader, 'additionalProperties');
    if (keyword(pair.reader, 'additionalProperties') === undefined) return;
    if (acceptsNothing(readerAdditional)) {
      const leaf = generateValue(writerAdditional, context.validators);
      context.report({
        code: 'MODEL_CLOSED',
        reader: pair.reader,
        writer: pair.writer,
        dataPath: [...pair.dataPath, UNLISTED],
        detail: '{writer} allows properties it does not list, but {reader} allows no additional properties',
        ...(leaf !== undefined ? { leaf } : {}),
      });
      return;
    }
    context.compare(readerAdditional, writerAdditional, [...pair.dataPath, UNLISTED]);
  },
};
