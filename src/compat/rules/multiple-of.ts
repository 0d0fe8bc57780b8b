import { keyword } from '../model.js';
import { numberCandidates } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum, isMultiple } from './shared.js';

/**
 * multipleOf: the reader's divisor must divide every value the writer allows, which holds when
 * it divides the writer's divisor (multiples of 4 are multiples of 2), or 1 for integers.
 */
export const multipleOfRule: CompatRule = {
  name: 'multiple-of',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'integer')) return;
    const readerStep = keyword(pair.reader, 'multipleOf');
    if (typeof readerStep !== 'number') return;
    const writerStep = keyword(pair.writer, 'multipleOf');
    const integers = !admits(pair.writer, 'number');
    if (typeof writerStep === 'number' && isMultiple(writerStep, readerStep)) return;
    if (writerStep === undefined && integers && isMultiple(1, readerStep)) return;
    context.report({
      code: 'MULTIPLE_OF_CHANGED',
      ...pair,
      detail: `{reader} requires multiples of ${readerStep} but {writer} allows ${typeof writerStep === 'number' ? `multiples of ${writerStep}` : integers ? 'any integer' : 'any number'}`,
      witness: () => context.findLeaf(pair, numberCandidates([pair.writer, pair.reader])),
    });
  },
};
