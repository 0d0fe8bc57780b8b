import { child, keyword } from '../model.js';
import { generateValue } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

/** uniqueItems: a reader that requires unique items rejects writer arrays with repeats. */
export const uniqueItemsRule: CompatRule = {
  name: 'unique-items',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'array')) return;
    if (keyword(pair.reader, 'uniqueItems') !== true || keyword(pair.writer, 'uniqueItems') === true) return;
    const max = keyword(pair.writer, 'maxItems');
    if (typeof max === 'number' && max < 2) return;
    const item = generateValue(child(pair.writer, 'items'), context.validators);
    context.report({
      code: 'UNIQUE_ITEMS_ADDED',
      ...pair,
      detail: '{reader} requires unique items but {writer} allows repeats',
      witness: () => item === undefined ? undefined : context.findLeaf(pair, [[item, item], [item, item, item]]),
    });
  },
};
