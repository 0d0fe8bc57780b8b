import { keyword } from '../model.js';
import { ANY_ITEM, itemNode, restItemsNode, tupleLength } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

/**
 * items, prefixItems (2020-12), array-form items and additionalItems (draft-07), unevaluatedItems:
 * each tuple position the writer can fill is compared with the reader's schema for it, then the
 * items after the prefix, at any depth.
 */
export const arrayItemsRule: CompatRule = {
  name: 'array-items',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'array')) return;
    const max = keyword(pair.writer, 'maxItems');
    const limit = typeof max === 'number' ? max : Infinity;
    const prefix = Math.max(tupleLength(pair.writer), tupleLength(pair.reader));
    for (let index = 0; index < Math.min(prefix, limit); index += 1) {
      context.compare(itemNode(pair.reader, index), itemNode(pair.writer, index), [...pair.dataPath, `[${index}]`]);
    }
    if (limit > prefix) context.compare(restItemsNode(pair.reader), restItemsNode(pair.writer), [...pair.dataPath, ANY_ITEM]);
  },
};
