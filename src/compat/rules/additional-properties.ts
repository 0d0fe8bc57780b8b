import { isSchemaObject } from '../../catalog/schema-walk.js';
import { acceptsNothing, child, jsonEqual, keyword } from '../model.js';
import { UNLISTED, additionalNode, generateValue, patternExample } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

/** additionalProperties for names neither side lists: closing or narrowing the model. */
export const additionalPropertiesRule: CompatRule = {
  name: 'additional-properties',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'object')) return;
    // Names matched by patternProperties are governed by them: decided only when both sides
    // have the same patterns (then the regions of names line up).
    const readerPatterns = keyword(pair.reader, 'patternProperties');
    const writerPatterns = keyword(pair.writer, 'patternProperties');
    const none = (patterns: unknown): boolean => !isSchemaObject(patterns) || Object.keys(patterns).length === 0;
    // Nothing to line up when the writer has no unlisted names at all (no patterns, closed), or
    // the reader takes any unlisted name (no patterns, open): names either side lists are the
    // properties rule's, with every pattern that matches them.
    if (none(writerPatterns) && acceptsNothing(additionalNode(pair.writer))) return;
    if (none(readerPatterns) && additionalNode(pair.reader).schema === true) return;
    if ((readerPatterns !== undefined || writerPatterns !== undefined) && !jsonEqual(Object.keys((readerPatterns as object | undefined) ?? {}).sort(), Object.keys((writerPatterns as object | undefined) ?? {}).sort())) {
      context.report({ code: 'COMPAT_UNDECIDED', ...pair, detail: 'the patternProperties of {reader} and {writer} differ, so which schema governs an unlisted name cannot be lined up', undecided: true });
      return;
    }
    if (isSchemaObject(readerPatterns)) {
      for (const pattern of Object.keys(readerPatterns)) context.compare(child(pair.reader, 'patternProperties', pattern), child(pair.writer, 'patternProperties', pattern), [...pair.dataPath, patternExample(pattern, context.validators.matches)]);
    }
    const writerAdditional = additionalNode(pair.writer);
    if (acceptsNothing(writerAdditional)) return;
    const readerAdditional = additionalNode(pair.reader);
    if (readerAdditional.schema === true) return;
    if (acceptsNothing(readerAdditional)) {
      context.report({
        code: 'MODEL_CLOSED',
        reader: pair.reader,
        writer: pair.writer,
        dataPath: [...pair.dataPath, UNLISTED],
        detail: '{writer} allows properties it does not list, but {reader} allows no additional properties',
        witness: () => generateValue(writerAdditional, context.validators),
      });
      return;
    }
    context.compare(readerAdditional, writerAdditional, [...pair.dataPath, UNLISTED]);
  },
};
