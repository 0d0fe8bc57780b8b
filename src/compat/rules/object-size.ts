import type { CompatRule } from '../walk.js';
import { admits, countRange, describeRange, hasEnum, rangeContained } from './shared.js';

/** minProperties / maxProperties: the writer's range must lie within the reader's. */
export const objectSizeRule: CompatRule = {
  name: 'object-size',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'object')) return;
    const writer = countRange(pair.writer, 'minProperties', 'maxProperties');
    const reader = countRange(pair.reader, 'minProperties', 'maxProperties');
    if (rangeContained(writer, reader)) return;
    const leaf = context.findLeaf(pair, [{}, { a: 1 }, { a: 1, b: 2 }, { a: 1, b: 2, c: 3 }]);
    context.report({
      code: 'PROPERTY_COUNT_NARROWED',
      reader: pair.reader,
      writer: pair.writer,
      dataPath: pair.dataPath,
      detail: `{writer} allows objects with ${describeRange(writer, ' properties')} but {reader} only ${describeRange(reader, ' properties')}`,
      ...(leaf !== undefined ? { leaf } : {}),
    });
  },
};
