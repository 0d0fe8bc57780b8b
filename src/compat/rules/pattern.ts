import { keyword } from '../model.js';
import { stringCandidates } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

/**
 * pattern: the same pattern on both sides is fine, and so is a reader without one. A reader
 * pattern the writer lacks or changed is incompatible when an example proves it; otherwise
 * (a loosened pattern, say) deciding needs regex containment, which fails closed here.
 */
export const patternRule: CompatRule = {
  name: 'pattern',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'string')) return;
    const readerPattern = keyword(pair.reader, 'pattern');
    if (typeof readerPattern !== 'string') return;
    const writerPattern = keyword(pair.writer, 'pattern');
    if (writerPattern === readerPattern) return;
    const leaf = context.findLeaf(pair, stringCandidates([pair.writer, pair.reader]));
    const writerText = typeof writerPattern === 'string' ? `pattern ${JSON.stringify(writerPattern)}` : 'no pattern';
    context.report(
      leaf !== undefined
        ? { code: 'PATTERN_CHANGED', reader: pair.reader, writer: pair.writer, dataPath: pair.dataPath, detail: `{reader} requires pattern ${JSON.stringify(readerPattern)} but {writer} has ${writerText}`, leaf }
        : { code: 'COMPAT_UNDECIDED', reader: pair.reader, writer: pair.writer, dataPath: pair.dataPath, detail: `{reader} requires pattern ${JSON.stringify(readerPattern)} where {writer} has ${writerText}; whether every string of the one matches the other needs regex containment, which is not decided yet`, undecided: true },
    );
  },
};
