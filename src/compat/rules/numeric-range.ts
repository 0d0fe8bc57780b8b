import { numberCandidates } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, describeRange, hasEnum, lowerBound, rangeContained, upperBound } from './shared.js';

/**
 * minimum, maximum, exclusiveMinimum, exclusiveMaximum: the writer's range must lie within the
 * reader's. On integers exclusive bounds become inclusive ones (exclusiveMinimum 0 = minimum 1).
 */
export const numericRangeRule: CompatRule = {
  name: 'numeric-range',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'integer')) return;
    const integers = !admits(pair.writer, 'number');
    const range = (node: typeof pair.writer) => ({
      low: lowerBound(node, 'minimum', 'exclusiveMinimum', integers),
      high: upperBound(node, 'maximum', 'exclusiveMaximum', integers),
    });
    const writer = range(pair.writer);
    const reader = range(pair.reader);
    const clean = (r: ReturnType<typeof range>) => ({ ...(r.low ? { low: r.low } : {}), ...(r.high ? { high: r.high } : {}) });
    if (rangeContained(clean(writer), clean(reader))) return;
    context.report({
      code: 'RANGE_NARROWED',
      ...pair,
      detail: `{writer} allows numbers ${describeRange(clean(writer))} but {reader} only ${describeRange(clean(reader))}`,
      witness: () => context.findLeaf(pair, numberCandidates([pair.writer, pair.reader]).filter((value) => !integers || Number.isInteger(value))),
    });
  },
};
