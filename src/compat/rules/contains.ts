import { child, keyword } from '../model.js';
import { generateValue } from '../generate.js';
import { leafOf, type CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

/** Reader maxContains up to this many are tried as examples (arrays of one more matching item). */
const MAX_CONTAINS_EXAMPLE = 100;

/**
 * contains (with minContains / maxContains) on the reader: every writer array must hold enough
 * matching items, and, under the reader's maxContains, not too many. A writer with its own
 * contains that implies the reader's (and at least as many) is fine for the minimum; for the
 * maximum the reader's contains must also imply the writer's (a wider reader contains counts
 * items the writer's maxContains does not bound), with a writer maximum no higher. A writer
 * array that breaks either proves it; anything else is undecided.
 */
export const containsRule: CompatRule = {
  name: 'contains',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'array') || keyword(pair.reader, 'contains') === undefined) return;
    const readerMin = typeof keyword(pair.reader, 'minContains') === 'number' ? (keyword(pair.reader, 'minContains') as number) : 1;
    const writerMin = typeof keyword(pair.writer, 'minContains') === 'number' ? (keyword(pair.writer, 'minContains') as number) : 1;
    const readerMax = keyword(pair.reader, 'maxContains');
    const writerMax = keyword(pair.writer, 'maxContains');
    const writerContains = keyword(pair.writer, 'contains') === undefined ? undefined : child(pair.writer, 'contains');
    const readerContains = child(pair.reader, 'contains');
    const minOk = writerContains !== undefined && writerMin >= readerMin && context.trial(readerContains, writerContains).length === 0;
    // Values the reader's contains counts and the writer's does not (none when it implies it).
    const wider = typeof readerMax !== 'number' || writerContains === undefined ? [] : context.trial(writerContains, readerContains);
    const maxOk = typeof readerMax !== 'number' || (typeof writerMax === 'number' && writerMax <= readerMax && writerContains !== undefined && wider.length === 0);
    if (minOk && maxOk) return;
    const leaf = context.findLeaf(pair, [[], [null], [0], [''], [{}], ...tooMany(readerMax, [generateValue(readerContains, context.validators), ...wider.map(leafOf)], writerContains === undefined ? undefined : generateValue(writerContains, context.validators))]);
    const detail = minOk
      ? `{reader} allows at most ${String(readerMax)} item(s) matching its contains, which {writer} does not guarantee`
      : `{reader} requires at least ${readerMin} item(s) matching its contains${typeof readerMax === 'number' ? ` and at most ${readerMax}` : ''}, which {writer} does not guarantee`;
    context.report(
      leaf !== undefined
        ? { code: 'CONTAINS_ADDED', ...pair, detail, leaf }
        : { code: 'COMPAT_UNDECIDED', ...pair, detail: 'whether every array of {writer} satisfies the contains of {reader} cannot be decided', undecided: true },
    );
  },
};

/**
 * Arrays with one item more than the reader's maxContains allows, each a value its contains
 * counts (`counted`), alone or after one item the writer's contains matches (`first`).
 */
function tooMany(readerMax: unknown, counted: readonly unknown[], first: unknown): unknown[][] {
  if (typeof readerMax !== 'number' || readerMax >= MAX_CONTAINS_EXAMPLE) return [];
  const arrays: unknown[][] = [];
  for (const item of counted) {
    if (item === undefined) continue;
    arrays.push(Array.from({ length: readerMax + 1 }, () => item));
    if (first !== undefined) arrays.push([first, ...Array.from({ length: readerMax }, () => item)]);
  }
  return arrays;
}
