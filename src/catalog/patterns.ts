import recheck from 'recheck/lib/browser.js';

/** What a `pattern` (or `patternProperties` key) would do in ajv's `new RegExp(p, 'u')`. */
export type PatternVerdict =
  | { readonly status: 'invalid'; readonly reason: string }
  | { readonly status: 'safe' }
  | { readonly status: 'exponential' | 'polynomial'; readonly summary: string; readonly attack: string }
  | { readonly status: 'unchecked'; readonly reason: string };

/** Per-pattern analysis budget: the checker is deterministic (automaton), this bounds pathological inputs. */
const TIMEOUT_MS = 1_000;

const verdicts = new Map<string, PatternVerdict>();

/**
 * Decides whether a pattern can backtrack catastrophically, with recheck's automaton checker in
 * pure JavaScript (no native addon, DESIGN.md §10). Results are memoised per pattern.
 */
export function analysePattern(pattern: string): PatternVerdict {
  const cached = verdicts.get(pattern);
  if (cached) return cached;
  const verdict = decide(pattern);
  verdicts.set(pattern, verdict);
  return verdict;
}

function decide(pattern: string): PatternVerdict {
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return { status: 'invalid', reason: error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error) };
  }
  const diagnostics = recheck.checkSync(pattern, 'u', { checker: 'automaton', timeout: TIMEOUT_MS });
  switch (diagnostics.status) {
    case 'safe':
      return { status: 'safe' };
    case 'vulnerable':
      return {
        status: diagnostics.complexity.type,
        summary: diagnostics.complexity.summary,
        attack: diagnostics.attack.pattern,
      };
    case 'unknown': {
      const error = diagnostics.error;
      const reason = error.kind === 'timeout' ? `analysis took longer than ${TIMEOUT_MS} ms` : 'message' in error ? error.message : error.kind;
      return { status: 'unchecked', reason };
    }
  }
}
