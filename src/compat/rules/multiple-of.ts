import { keyword, type SchemaNode } from '../model.js';
import { numberCandidates } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum, lowerBound, stepImplies, upperBound } from './shared.js';

/** Multiples of the writer's step tried from each place (zero, its bounds) for an example. */
const MULTIPLES_TRIED = 100;

/**
 * multipleOf: the reader's divisor must divide every value the writer allows. Decided without
 * an example only where that is exact in floating point, as ajv checks it (stepImplies): the
 * writer's step (1 for integers) a multiple of the reader's. Otherwise an example is searched
 * among multiples of the writer's step (0.35 is one of 0.01 and none of 0.001), and without one
 * the change is undecided.
 */
export const multipleOfRule: CompatRule = {
  name: 'multiple-of',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'integer')) return;
    const readerStep = keyword(pair.reader, 'multipleOf');
    if (typeof readerStep !== 'number') return;
    const writerStep = keyword(pair.writer, 'multipleOf');
    const integers = !admits(pair.writer, 'number');
    const step = typeof writerStep === 'number' ? writerStep : integers ? 1 : undefined;
    if (step !== undefined && stepImplies(step, readerStep)) return;
    const leaf = context.findLeaf(pair, [...numberCandidates([pair.writer, pair.reader]), ...(step === undefined ? [] : multiples(pair.writer, step))]);
    const writes = typeof writerStep === 'number' ? `multiples of ${writerStep}` : integers ? 'any integer' : 'any number';
    context.report(
      leaf !== undefined
        ? { code: 'MULTIPLE_OF_CHANGED', ...pair, detail: `{reader} requires multiples of ${readerStep} but {writer} allows ${writes}`, leaf }
        : { code: 'COMPAT_UNDECIDED', ...pair, detail: `whether every one of the ${writes} {writer} allows is a multiple of ${readerStep} for {reader}, as ajv divides in floating point, cannot be decided`, undecided: true },
    );
  },
};

/**
 * Multiples of `step` from zero and from the writer's bounds, each as the product and as its
 * shortest decimal (35 × 0.01 is 0.35000000000000003; an event carries 0.35).
 */
function* multiples(writer: SchemaNode, step: number): Iterable<number> {
  const integers = !admits(writer, 'number');
  const low = lowerBound(writer, 'minimum', 'exclusiveMinimum', integers)?.value;
  const high = upperBound(writer, 'maximum', 'exclusiveMaximum', integers)?.value;
  const starts = new Set([0, ...(low === undefined ? [] : [Math.ceil(low / step)]), ...(high === undefined ? [] : [Math.floor(high / step) - MULTIPLES_TRIED])]);
  for (const start of starts) {
    for (let factor = start; factor <= start + MULTIPLES_TRIED; factor += 1) {
      const product = factor * step;
      yield product;
      yield Number(product.toPrecision(15));
    }
  }
}
