import { embedValue, generateValue } from '../generate.js';
import { leafOf, type Pair, type Reason, type RuleContext } from '../walk.js';

/**
 * An example for a combinator rule: a value the writer accepts and the reader rejects, tried
 * from the writer's own examples and from the leaves of trial comparisons (placed in a writer
 * value at their path).
 */
export function searchWitness(pair: Pair, context: RuleContext, trials: readonly Reason[], extra: readonly unknown[] = []): unknown {
  const candidates: unknown[] = [...extra, generateValue(pair.writer, context.validators)];
  for (const reason of trials) {
    const leaf = leafOf(reason);
    if (leaf === undefined) continue;
    const relative = reason.dataPath.slice(pair.dataPath.length);
    candidates.push(embedValue(pair.writer, reason.dataPath.length >= pair.dataPath.length ? relative : reason.dataPath, leaf, context.validators));
  }
  return context.findLeaf(pair, candidates.filter((candidate) => candidate !== undefined));
}
