import { type CharSet, DFA, FAIterators, JS, NFA, Transformers, combineTransformers, getIntersectionIterator, isDisjointWith, transform, visitAst } from 'refa';
import { messageOf } from '../domain/errors.js';
import type { WorkBudget } from '../domain/work-budget.js';

/**
 * Regular-language containment of JSON Schema patterns, decided with finite automata (refa).
 * A pattern accepts a string when it matches anywhere in it (ECMA-262, `u` flag), so its
 * language is that of `^[^]*(?:pattern)[^]*$`; edge anchors are folded in, and a pattern whose
 * lookaround or backreferences cannot be removed is undecidable here and fails closed.
 */
export type Containment =
  | { readonly status: 'subset' }
  | { readonly status: 'not-subset'; readonly examples: readonly string[] }
  | { readonly status: 'undecidable'; readonly reason: string };

interface Language {
  readonly nfa: NFA;
  /** Its states: what building it cost, spent again at every use so a cached one costs the same. */
  readonly nodes: number;
}

/**
 * Units of `pattern` work (budget.ts): one per automaton state built or used. A pattern's automaton
 * has at most MAX_NODES states, but a version may hold thousands of patterns, each compared in
 * every direction; a budget of 0 (none given) is not spent.
 */
export type PatternBudget = WorkBudget<'pattern'>;

const languages = new Map<string, Language | { reason: string }>();
/** States kept in `languages`: automata of thousands of distinct patterns held 4 GB and more. */
const MAX_CACHED_NODES = 200_000;
let cachedNodes = 0;
const MAX_NODES = 20_000;
const MAX_EXAMPLES = 20;

function languageOf(source: string): Language | { reason: string } {
  const cached = languages.get(source);
  if (cached) return cached;
  let result: Language | { reason: string };
  try {
    const parser = JS.Parser.fromLiteral({ source, flags: 'u' });
    const parsed = parser.parse({ assertions: 'parse', backreferences: 'throw', maxNodes: MAX_NODES });
    const expression = transform(combineTransformers([Transformers.simplify(), Transformers.patternEdgeAssertions({ remove: true })]), parsed.expression);
    let assertions = 0;
    visitAst(expression, { onAssertionEnter: () => (assertions += 1) });
    if (assertions > 0) result = { reason: 'it uses lookaround that cannot be reduced to a regular language' };
    else {
      const nfa = NFA.fromRegex(expression, { maxCharacter: parsed.maxCharacter }, {}, new NFA.LimitedNodeFactory(MAX_NODES));
      result = { nfa, nodes: nfa.countNodes() };
    }
  } catch (error) {
    const message = messageOf(error);
    result = { reason: /backreference/i.test(message) ? 'it uses a backreference' : /too many/i.test(message) ? 'its automaton is too large' : message };
  }
  const nodes = 'nodes' in result ? result.nodes : 0;
  if (cachedNodes + nodes <= MAX_CACHED_NODES) {
    languages.set(source, result);
    cachedNodes += nodes;
  }
  return result;
}

/** The language of strings a pattern accepts under search semantics, optionally limited to lengths. */
function searchLanguage(pattern: string | undefined, length?: { min: number; max: number | undefined }): Language | { reason: string } {
  const body = pattern === undefined ? '' : `(?:${pattern})`;
  const base = languageOf(`^[^]*${body}[^]*$`);
  if (!length || 'reason' in base || (length.min === 0 && length.max === undefined)) return base;
  const bounds = languageOf(`^[^]{${length.min},${length.max ?? ''}}$`);
  if ('reason' in bounds) return base;
  const nfa = NFA.fromIntersection(base.nfa, bounds.nfa, new NFA.LimitedNodeFactory(MAX_NODES));
  return { nfa, nodes: base.nodes + bounds.nodes + nfa.countNodes() };
}

/**
 * Whether every string the writer's pattern (and length range) accepts is accepted by the
 * reader's pattern; when not, some strings that prove it. Each automaton built or used spends
 * `budget` (throwing WorkBudgetExceeded when it is used up).
 */
export function patternContainment(writerPattern: string | undefined, readerPattern: string, length?: { min: number; max: number | undefined }, budget?: PatternBudget): Containment {
  const writer = searchLanguage(writerPattern, length);
  if ('reason' in writer) return { status: 'undecidable', reason: `the pattern ${JSON.stringify(writerPattern)} cannot be decided: ${writer.reason}` };
  budget?.spend('pattern', writer.nodes);
  const reader = languageOf(`^[^]*(?:${readerPattern})[^]*$`);
  if ('reason' in reader) return { status: 'undecidable', reason: `the pattern ${JSON.stringify(readerPattern)} cannot be decided: ${reader.reason}` };
  budget?.spend('pattern', reader.nodes);
  let rejected: DFA;
  try {
    rejected = DFA.fromFA(reader.nfa, new DFA.LimitedNodeFactory(MAX_NODES));
  } catch (error) {
    // The states built before the limit are spent too: a subset construction that gives up cost as much.
    budget?.spend('pattern', MAX_NODES);
    return { status: 'undecidable', reason: `the automata grew too large (${messageOf(error)})` };
  }
  // Building it and searching its product with the writer's cost about its states each.
  budget?.spend('pattern', 2 * rejected.countNodes());
  try {
    rejected.complement();
    if (isDisjointWith(writer.nfa, rejected, MAX_NODES)) return { status: 'subset' };
    // One shortest word set of the difference, and the words it holds: refa's getIntersectionWords
    // lists every word set up to that length first, which (a|b){31} made 2^31 of (over 4 GB).
    const shortest = FAIterators.shortestWordSet(getIntersectionIterator(writer.nfa, rejected, MAX_NODES));
    return { status: 'not-subset', examples: shortest ? wordsOf(shortest, MAX_EXAMPLES).map((word) => String.fromCodePoint(...word)) : [] };
  } catch (error) {
    return { status: 'undecidable', reason: `the automata grew too large (${messageOf(error)})` };
  }
}

/** Up to `limit` words of a word set, in the order refa lists them: characters ascending, the last position varying fastest. */
function wordsOf(wordSet: readonly CharSet[], limit: number): number[][] {
  const choices = wordSet.map((set) => {
    const characters: number[] = [];
    for (const range of set.ranges) for (let character = range.min; character <= range.max && characters.length < limit; character += 1) characters.push(character);
    return characters;
  });
  if (choices.some((characters) => characters.length === 0)) return [];
  const words: number[][] = [];
  const at = choices.map(() => 0);
  while (words.length < limit) {
    words.push(at.map((index, position) => (choices[position] as number[])[index] as number));
    let position = at.length - 1;
    for (; position >= 0; position -= 1) {
      at[position] = (at[position] as number) + 1;
      if ((at[position] as number) < (choices[position] as number[]).length) break;
      at[position] = 0;
    }
    if (position < 0) break;
  }
  return words;
}
