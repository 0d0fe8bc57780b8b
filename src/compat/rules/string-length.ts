import { stringCandidates } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, countRange, describeRange, hasEnum, rangeContained } from './shared.js';

/** minLength / maxLength: the writer's length range must lie within the reader's. */
export const stringLengthRule: CompatRule = {
  name: 'string-length',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'string')) return;
    const writer = countRange(pair.writer, 'minLength', 'maxLength');
    const reader = countRange(pair.reader, 'minLength', 'maxLength');
    if (rangeContained(writer, reader)) return;
    const leaf = context.findLeaf(pair, stringCandidates([pair.writer, pair.reader]));
    context.report({
      code: 'LENGTH_NARROWED',
      reader: pair.reader,
      writer: pair.writer,
      dataPath: pair.dataPath,
      detail: `{writer} allows strings of length ${describeRange(writer)} but {reader} only ${describeRange(reader)}`,
      ...(leaf !== undefined ? { leaf } : {}),
    });
  },
};
