import { keyword } from '../model.js';
import { numberCandidates, stringCandidates } from '../generate.js';
import type { CompatRule, Pair, RuleContext } from '../walk.js';
import { admits, hasEnum, lowerBound, upperBound } from './shared.js';

/** Formats whose values are all valid values of another format. */
const CONTAINED_IN: Readonly<Record<string, readonly string[]>> = {
  email: ['idn-email'],
  hostname: ['idn-hostname'],
  uri: ['iri', 'uri-reference', 'iri-reference'],
  'uri-reference': ['iri-reference'],
  iri: ['iri-reference'],
};

/**
 * The number formats of ajv-formats and the numbers each accepts (it asserts them on numbers
 * only, as string formats are asserted on strings only): int32 the integers from -2^31 to
 * 2^31 - 1, int64 every integer (JavaScript has no wider ones), float and double any number.
 * So int32 ⊆ int64 ⊆ float = double.
 */
const NUMBER_FORMATS: Readonly<Record<string, { readonly integers: boolean; readonly low?: number; readonly high?: number }>> = {
  int32: { integers: true, low: -(2 ** 31), high: 2 ** 31 - 1 },
  int64: { integers: true },
  float: { integers: false },
  double: { integers: false },
};

/**
 * format, asserted (ajv-formats): consumers parse dates, UUIDs and e-mails, so a format the
 * reader adds or changes rejects writer values that do not fit it; a number format (int32,
 * int64) rejects writer numbers outside it.
 */
export const formatRule: CompatRule = {
  name: 'format',
  check(pair, context) {
    if (hasEnum(pair.writer)) return;
    const readerFormat = keyword(pair.reader, 'format');
    if (typeof readerFormat !== 'string') return;
    const numeric = NUMBER_FORMATS[readerFormat];
    if (numeric !== undefined) {
      if (admits(pair.writer, 'integer')) checkNumberFormat(pair, context, readerFormat, numeric);
      return;
    }
    if (!admits(pair.writer, 'string')) return;
    const writerFormat = keyword(pair.writer, 'format');
    if (writerFormat === readerFormat) return;
    if (typeof writerFormat === 'string' && CONTAINED_IN[writerFormat]?.includes(readerFormat)) return;
    context.report({
      code: 'FORMAT_CHANGED',
      ...pair,
      detail: `{reader} requires format "${readerFormat}" but {writer} ${typeof writerFormat === 'string' ? `has format "${writerFormat}"` : 'has no format'}`,
      witness: () => context.findLeaf(pair, stringCandidates([pair.writer, pair.reader])),
    });
  },
};

/** A reader number format: the writer's numbers (its type, bounds and own number format) must lie within it. */
function checkNumberFormat(pair: Pair, context: RuleContext, readerFormat: string, needed: (typeof NUMBER_FORMATS)[string]): void {
  const writerFormat = keyword(pair.writer, 'format');
  const own = typeof writerFormat === 'string' ? NUMBER_FORMATS[writerFormat] : undefined;
  const integers = !admits(pair.writer, 'number') || own?.integers === true;
  const low = Math.max(lowerBound(pair.writer, 'minimum', 'exclusiveMinimum', integers)?.value ?? -Infinity, own?.low ?? -Infinity);
  const high = Math.min(upperBound(pair.writer, 'maximum', 'exclusiveMaximum', integers)?.value ?? Infinity, own?.high ?? Infinity);
  if ((!needed.integers || integers) && low >= (needed.low ?? -Infinity) && high <= (needed.high ?? Infinity)) return;
  context.report({
    code: 'FORMAT_CHANGED',
    ...pair,
    detail: `{reader} requires format "${readerFormat}" (${describe(needed)}) but {writer} ${typeof writerFormat === 'string' ? `has format "${writerFormat}"` : 'has no format'} and allows numbers outside it`,
    witness: () => context.findLeaf(pair, [2 ** 31, -(2 ** 31) - 1, 0.5, 2 ** 31 + 0.5, ...numberCandidates([pair.writer, pair.reader]), ...[low, high].filter(Number.isFinite).flatMap((bound) => [bound, bound + 1, bound - 1])]),
  });
}

function describe(format: (typeof NUMBER_FORMATS)[string]): string {
  return format.low === undefined ? 'integers' : `integers from ${format.low} to ${format.high ?? '∞'}`;
}
