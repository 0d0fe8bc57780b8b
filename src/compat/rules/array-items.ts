import { child, jsonEqual, keyword } from '../model.js';
import { ANY_ITEM } from '../generate.js';
import { truncate, type CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

/**
 * items (one schema for every item): compared item by item, at any depth. Tuple forms
 * (draft-07 array `items`) are left to part 2 of the engine unless unchanged.
 */
export const arrayItemsRule: CompatRule = {
  name: 'array-items',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'array') || keyword(pair.writer, 'maxItems') === 0) return;
    const readerItems = keyword(pair.reader, 'items');
    const writerItems = keyword(pair.writer, 'items');
    if (Array.isArray(readerItems) || Array.isArray(writerItems)) {
      if (jsonEqual(readerItems, writerItems)) return;
      context.report({ code: 'COMPAT_UNDECIDED', reader: pair.reader, writer: pair.writer, dataPath: pair.dataPath, detail: `tuple items changed ({writer}: ${truncate(writerItems)}, {reader}: ${truncate(readerItems)}); tuples are not decided yet`, undecided: true });
      return;
    }
    if (readerItems === undefined) return;
    context.compare(child(pair.reader, 'items'), child(pair.writer, 'items'), [...pair.dataPath, ANY_ITEM]);
  },
};
