import { DFA, JS, NFA, Transformers, combineTransformers, getIntersectionWords, isDisjointWith, transform, visitAst } from 'refa';
import { messageOf } from '../domain/errors.js';

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
}

const languages = new Map<string, Language | { reason: string }>();
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
    result = assertions > 0 ? { reason: 'it uses lookaround that cannot be reduced to a regular language' } : { nfa: NFA.fromRegex(expression, { maxCharacter: parsed.maxCharacter }, {}, new NFA.LimitedNodeFactory(MAX_NODES)) };
  } catch (error) {
    const message = messageOf(error);
    result = { reason: /backreference/i.test(message) ? 'it uses a backreference' : /too many/i.test(message) ? 'its automaton is too large' : message };
  }
  languages.set(source, result);
  return result;
}

/** The language of strings a pattern accepts under search semantics, optionally limited to lengths. */
function searchLanguage(pattern: string | undefined, length?: { min: number; max: number | undefined }): Language | { reason: string } {
  const body = pattern === undefined ? '' : `(?:${pattern})`;
  const base = languageOf(`^[^]*${body}[^]*$`);
  if (!length || 'reason' in base || (length.min === 0 && length.max === undefined)) return base;
  const bounds = languageOf(`^[^]{${length.min},${length.max ?? ''}}$`);
  if ('reason' in bounds) return base;
  return { nfa: NFA.fromIntersection(base.nfa, bounds.nfa, new NFA.LimitedNodeFactory(MAX_NODES)) };
}

/**
 * Whether every string the writer's pattern (and length range) accepts is accepted by the
 * reader's pattern; when not, some strings that prove it.
 */
export function patternContainment(writerPattern: string | undefined, readerPattern: string, length?: { min: number; max: number | undefined }): Containment {
  const writer = searchLanguage(writerPattern, length);
  if ('reason' in writer) return { status: 'undecidable', reason: `the pattern ${JSON.stringify(writerPattern)} cannot be decided: ${writer.reason}` };
  const reader = languageOf(`^[^]*(?:${readerPattern})[^]*$`);
  if ('reason' in reader) return { status: 'undecidable', reason: `the pattern ${JSON.stringify(readerPattern)} cannot be decided: ${reader.reason}` };
  try {
    const rejected = DFA.fromFA(reader.nfa, new DFA.LimitedNodeFactory(MAX_NODES));
    rejected.complement();
    if (isDisjointWith(writer.nfa, rejected, MAX_NODES)) return { status: 'subset' };
    const examples: string[] = [];
    for (const word of getIntersectionWords(writer.nfa, rejected, MAX_NODES)) {
      examples.push(String.fromCodePoint(...word));
      if (examples.length >= MAX_EXAMPLES) break;
    }
    return { status: 'not-subset', examples };
  } catch (error) {
    return { status: 'undecidable', reason: `the automata grew too large (${messageOf(error)})` };
  }
}
