import { mergeSchemas } from '../../catalog/merge-all-of.js';
import { child, keyword, schemaIn, syntheticNode } from '../model.js';
import { generateValue } from '../generate.js';
import type { CompatRule } from '../walk.js';

/**
 * not on the reader: the writer's values must all avoid what it excludes. Decided when the
 * writer and the excluded schema cannot overlap (their conjunction is empty) or the writer
 * excludes the same; proven incompatible by a value of both; otherwise undecided.
 */
export const notRule: CompatRule = {
  name: 'not',
  check(pair, context) {
    const excluded = keyword(pair.reader, 'not');
    if (excluded === undefined) return;
    // The writer excluding the same text excludes the same values, unless it holds a reference
    // (each file's own definition): then the writer's must exclude at least the reader's.
    if (context.values.same(excluded, keyword(pair.writer, 'not')) && (!context.values.mentionsRef(excluded) || context.trial(child(pair.writer, 'not'), child(pair.reader, 'not')).length === 0)) return;
    const writer = schemaIn(pair.writer, pair.reader.document);
    const both = writer === undefined ? undefined : mergeSchemas([writer, excluded], context.resolveFrom(pair.reader), context.budget);
    if (both === false) return;
    const candidate = both === undefined ? undefined : generateValue(syntheticNode(pair.reader, both, '/not'), context.validators);
    const leaf = candidate !== undefined && context.validators.valid(child(pair.reader, 'not'), candidate) ? context.findLeaf(pair, [candidate]) : undefined;
    context.report(
      leaf !== undefined
        ? { code: 'NOT_EXCLUDED', ...pair, detail: '{reader} excludes (with `not`) values that {writer} allows', leaf }
        : { code: 'COMPAT_UNDECIDED', ...pair, detail: 'whether the `not` of {reader} excludes values of {writer} cannot be decided', undecided: true },
    );
  },
};
