import { mergeSchemas } from '../../catalog/merge-all-of.js';
import { isSchemaObject } from '../../catalog/schema-walk.js';
import { child, keyword, schemaIn, syntheticNode } from '../model.js';
import { generateValue } from '../generate.js';
import type { CompatRule, Pair, RuleContext } from '../walk.js';
import { searchWitness } from './witness.js';

/**
 * Whether the writer has the reader's if/then/else. The same text is the same constraint unless
 * it holds a reference, which names each file's own definition (changed, perhaps, as walk.ts's
 * shortcut guards): then the referenced schemas are compared, `if` both ways (it must pick the
 * same values), `then` and `else` as writer ⊆ reader.
 */
function unchanged(pair: Pair, context: RuleContext): boolean {
  return ['if', 'then', 'else'].every((name) => {
    const [reader, writer] = [keyword(pair.reader, name), keyword(pair.writer, name)];
    if (!context.values.same(reader, writer)) return false;
    if (reader === undefined || !context.values.mentionsRef(reader)) return true;
    const [readerNode, writerNode] = [child(pair.reader, name), child(pair.writer, name)];
    return context.trial(readerNode, writerNode).length === 0 && (name !== 'if' || context.trial(writerNode, readerNode).length === 0);
  });
}

/**
 * if / then / else on the reader. Unchanged (same on the writer) is fine; so is a writer that
 * satisfies both branches; a writer value the reader rejects proves an incompatibility;
 * anything else is undecided.
 */
export const conditionalRule: CompatRule = {
  name: 'conditional',
  check(pair, context) {
    if (keyword(pair.reader, 'if') === undefined) return;
    if (unchanged(pair, context)) return;
    const trials = [...context.trial(child(pair.reader, 'then'), pair.writer), ...context.trial(child(pair.reader, 'else'), pair.writer)];
    if (trials.length === 0) return;
    // Values that take the reader's `if` branch are the likely counterexamples.
    const writer = schemaIn(pair.writer, pair.reader.document);
    const taking = writer === undefined ? undefined : mergeSchemas([writer, keyword(pair.reader, 'if')], context.resolveFrom(pair.reader), context.budget);
    const extra = isSchemaObject(taking) ? [generateValue(syntheticNode(pair.reader, taking, '/if'), context.validators)] : [];
    const leaf = searchWitness(pair, context, trials, extra);
    context.report(
      leaf !== undefined
        ? { code: 'CONDITIONAL_CHANGED', ...pair, detail: 'the if/then/else of {reader} rejects values that {writer} allows', leaf }
        : { code: 'COMPAT_UNDECIDED', ...pair, detail: 'whether the if/then/else of {reader} accepts every value of {writer} cannot be decided', undecided: true },
    );
  },
};
