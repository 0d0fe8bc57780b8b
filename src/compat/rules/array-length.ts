import { child } from '../model.js';
import { generateValue } from '../generate.js';
import { createCountRule } from './shared.js';

/** minItems / maxItems: the writer's length range must lie within the reader's. */
export const arrayLengthRule = createCountRule({
  name: 'array-length',
  code: 'ITEMS_COUNT_NARROWED',
  type: 'array',
  min: 'minItems',
  max: 'maxItems',
  unit: ' items',
  describe: (range) => `arrays of ${range}`,
  candidates(pair, context, bounds) {
    const item = generateValue(child(pair.writer, 'items'), context.validators);
    if (item === undefined) return [];
    const lengths = new Set([0, 1, 2, 3, ...bounds.flatMap((bound) => (bound ? [bound.value - 1, bound.value, bound.value + 1] : []))]);
    return [...lengths].filter((length) => length >= 0 && length <= 1000).map((length) => Array.from({ length }, () => item));
  },
});
