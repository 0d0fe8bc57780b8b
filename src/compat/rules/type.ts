import { ALL_TYPES, keyword, typesOf, type JsonType } from '../model.js';
import { generateValue } from '../generate.js';
import type { CompatRule } from '../walk.js';

const list = (types: Iterable<JsonType>): string => {
  const sorted = ALL_TYPES.filter((type) => [...types].includes(type));
  // "number" already covers integers: do not list both.
  return (sorted.includes('number') ? sorted.filter((type) => type !== 'integer') : sorted).join(', ') || 'no type';
};

/**
 * type: every JSON type the writer admits must be admitted by the reader; integers are
 * numbers, so integer → number widens and number → integer narrows (non-integers rejected).
 */
export const typeRule: CompatRule = {
  name: 'type',
  check(pair, context) {
    const writerTypes = typesOf(pair.writer);
    const readerTypes = typesOf(pair.reader);
    // A writer number with an integer multipleOf only ever holds integers.
    const step = keyword(pair.writer, 'multipleOf');
    const integral = typeof step === 'number' && Number.isInteger(step);
    const missing = [...writerTypes].filter((type) => !readerTypes.has(type) && !(type === 'number' && integral && readerTypes.has('integer')));
    if (missing.length === 0) return;
    const witness = (): unknown => {
      for (const type of missing) {
        const candidate = type === 'number' ? context.findLeaf(pair, [0.5, 1.5, -0.5, 2.25]) : generateValue(pair.writer, context.validators, type);
        if (candidate !== undefined && !context.validators.valid(pair.reader, candidate)) return candidate;
      }
      return undefined;
    };
    const readerNarrower = [...readerTypes].every((type) => writerTypes.has(type));
    context.report({
      code: readerNarrower ? 'TYPE_NARROWED' : 'TYPE_CHANGED',
      ...pair,
      detail: `{writer} allows ${list(writerTypes)} but {reader} allows ${list(readerTypes)}${missing.length === 1 && missing[0] === 'number' ? ' (no fractional numbers)' : ''}`,
      witness,
    });
  },
};
