import { child } from '../model.js';
import { generateValue } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, countRange, describeRange, hasEnum, rangeContained } from './shared.js';

/** minItems / maxItems: the writer's length range must lie within the reader's. */
export const arrayLengthRule: CompatRule = {
  name: 'array-length',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'array')) return;
    const writer = countRange(pair.writer, 'minItems', 'maxItems');
    const reader = countRange(pair.reader, 'minItems', 'maxItems');
    if (rangeContained(writer, reader)) return;
    const item = generateValue(child(pair.writer, 'items'), context.validators);
    const lengths = new Set([0, 1, 2, 3, ...[writer.low, writer.high, reader.low, reader.high].flatMap((bound) => (bound ? [bound.value - 1, bound.value, bound.value + 1] : [])).filter((n) => n >= 0 && n <= 1000)]);
    const leaf = item === undefined ? undefined : context.findLeaf(pair, [...lengths].map((length) => Array.from({ length }, () => item)));
    context.report({
      code: 'ITEMS_COUNT_NARROWED',
      reader: pair.reader,
      writer: pair.writer,
      dataPath: pair.dataPath,
      detail: `{writer} allows arrays of ${describeRange(writer, ' items')} but {reader} only ${describeRange(reader, ' items')}`,
      ...(leaf !== undefined ? { leaf } : {}),
    });
  },
};
