import { keyword } from '../model.js';
import { stringCandidates } from '../generate.js';
import { patternContainment } from '../regex.js';
import type { CompatRule } from '../walk.js';
import { admits, countRange, hasEnum } from './shared.js';

/**
 * pattern: every string the writer accepts (its pattern, if any, within its length range) must
 * match the reader's pattern. Decided as regular-language containment with automata; patterns
 * with lookaround or backreferences that cannot be reduced fail closed (PATTERN_UNDECIDABLE).
 */
export const patternRule: CompatRule = {
  name: 'pattern',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'string')) return;
    const readerPattern = keyword(pair.reader, 'pattern');
    if (typeof readerPattern !== 'string') return;
    const writerPattern = keyword(pair.writer, 'pattern');
    if (writerPattern === readerPattern) return;
    const lengths = countRange(pair.writer, 'minLength', 'maxLength');
    const verdict = patternContainment(typeof writerPattern === 'string' ? writerPattern : undefined, readerPattern, { min: lengths.low?.value ?? 0, max: lengths.high?.value }, context.budget);
    if (verdict.status === 'subset') return;
    const writerText = typeof writerPattern === 'string' ? `pattern ${JSON.stringify(writerPattern)}` : 'no pattern';
    if (verdict.status === 'undecidable') {
      context.report({ code: 'PATTERN_UNDECIDABLE', ...pair, detail: `{reader} requires pattern ${JSON.stringify(readerPattern)} where {writer} has ${writerText}, and ${verdict.reason}`, undecided: true });
      return;
    }
    const leaf = context.findLeaf(pair, [...verdict.examples, ...stringCandidates([pair.writer, pair.reader])]);
    context.report({
      code: 'PATTERN_CHANGED',
      ...pair,
      detail: `{reader} requires pattern ${JSON.stringify(readerPattern)} but {writer} has ${writerText}, which accepts strings such as ${JSON.stringify(verdict.examples[0] ?? '')} that it rejects`,
      ...(leaf !== undefined ? { leaf } : {}),
    });
  },
};
