import { child, keyword } from '../model.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

/**
 * contains (with minContains / maxContains) on the reader: every writer array must hold enough
 * matching items. A writer with its own contains that implies the reader's (and at least as many)
 * is fine; a writer array with none proves it; anything else is undecided.
 */
export const containsRule: CompatRule = {
  name: 'contains',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'array') || keyword(pair.reader, 'contains') === undefined) return;
    const readerMin = typeof keyword(pair.reader, 'minContains') === 'number' ? (keyword(pair.reader, 'minContains') as number) : 1;
    const writerMin = typeof keyword(pair.writer, 'minContains') === 'number' ? (keyword(pair.writer, 'minContains') as number) : 1;
    const readerMax = keyword(pair.reader, 'maxContains');
    const writerMax = keyword(pair.writer, 'maxContains');
    const maxOk = typeof readerMax !== 'number' || (typeof writerMax === 'number' && writerMax <= readerMax);
    if (keyword(pair.writer, 'contains') !== undefined && writerMin >= readerMin && maxOk && context.trial(child(pair.reader, 'contains'), child(pair.writer, 'contains')).length === 0) return;
    const leaf = context.findLeaf(pair, [[], [null], [0], [''], [{}]]);
    context.report(
      leaf !== undefined
        ? { code: 'CONTAINS_ADDED', ...pair, detail: `{reader} requires at least ${readerMin} item(s) matching its contains, which {writer} does not guarantee`, leaf }
        : { code: 'COMPAT_UNDECIDED', ...pair, detail: 'whether every array of {writer} satisfies the contains of {reader} cannot be decided', undecided: true },
    );
  },
};
