import recheck from 'recheck/lib/browser.js';

/**
 * What a `pattern` (or `patternProperties` key) would do in ajv's `new RegExp(p, 'u')`. An
 * unchecked pattern says why: recheck cannot analyse it (`unsupported`: backreferences,
 * lookaround), its own analysis passed the per-pattern limit (`timeout`), or the check run's
 * total analysis budget was spent before it could be analysed in full (`budget`).
 */
export type PatternVerdict =
  | { readonly status: 'invalid'; readonly reason: string }
  | { readonly status: 'safe' }
  | { readonly status: 'exponential' | 'polynomial'; readonly summary: string; readonly attack: string }
  | { readonly status: 'unchecked'; readonly cause: 'unsupported' | 'timeout' | 'budget'; readonly reason: string };

/** Per-pattern analysis budget: the checker is deterministic (automaton), this bounds pathological inputs. */
const TIMEOUT_MS = 1_000;

/**
 * Total analysis time of one check run (README "Patterns"). Ordinary patterns take milliseconds
 * each, so a normal change never comes near it; without it, each new pattern could take its full
 * TIMEOUT_MS and a 1 MiB version file holds ~13,000 of them: hours, past GitHub's 6-hour job limit.
 */
export const PATTERN_BUDGET_MS = 15_000;

/** Analyses the patterns of one check run within one total time budget. */
export interface PatternAnalyser {
  /** The total budget in milliseconds. */
  readonly budgetMs: number;
  /** Milliseconds spent analysing so far (cached verdicts cost nothing). */
  readonly spentMs: number;
  /** The verdict on one pattern; `unchecked` with cause `budget` once the budget is spent. */
  analyse(pattern: string): PatternVerdict;
  /** Whether an analysis (this run's or an earlier one's) found the pattern safe; never analyses. */
  provenSafe(pattern: string): boolean;
}

export interface PatternAnalyserOptions {
  /** Total analysis time in milliseconds. Default: {@link PATTERN_BUDGET_MS}. */
  readonly budgetMs?: number;
  /** Milliseconds on a monotonic clock (e.g. `performance.now`); only differences are used. */
  readonly now: () => number;
}

/**
 * Verdicts that depend on the pattern alone, shared by every run of the process. A verdict cut
 * short by a run's budget is never stored: it says nothing about the pattern, and the next run,
 * with a budget of its own, must analyse it.
 */
const verdicts = new Map<string, PatternVerdict>();

/**
 * An analyser for one check run: decides whether a pattern can backtrack catastrophically, with
 * recheck's automaton checker in pure JavaScript (no native addon, DESIGN.md §10), each pattern
 * within TIMEOUT_MS and all of them within `budgetMs`. Past the budget the remaining patterns are
 * `unchecked` (a PATTERN_UNCHECKED finding), never taken as safe.
 */
export function createPatternAnalyser(options: PatternAnalyserOptions): PatternAnalyser {
  const budgetMs = options.budgetMs ?? PATTERN_BUDGET_MS;
  let spentMs = 0;
  const spent: PatternVerdict = { status: 'unchecked', cause: 'budget', reason: `the check's pattern-analysis budget (${formatSeconds(budgetMs)}) was spent on earlier patterns` };
  return {
    budgetMs,
    get spentMs() {
      return spentMs;
    },
    provenSafe(pattern) {
      return verdicts.get(pattern)?.status === 'safe';
    },
    analyse(pattern) {
      const cached = verdicts.get(pattern);
      if (cached) return cached;
      const syntax = syntaxProblem(pattern);
      if (syntax) {
        verdicts.set(pattern, syntax);
        return syntax;
      }
      // recheck takes its timeout as a whole number of milliseconds (a fraction is refused).
      const remaining = Math.floor(budgetMs - spentMs);
      if (remaining < 1) return spent;
      const timeout = Math.min(TIMEOUT_MS, remaining);
      const started = options.now();
      const verdict = decide(pattern, timeout);
      spentMs += Math.max(0, options.now() - started);
      if (verdict.status === 'unchecked' && verdict.cause === 'timeout' && timeout < TIMEOUT_MS) return spent;
      verdicts.set(pattern, verdict);
      return verdict;
    },
  };
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3)).toString()} s`;
}

function syntaxProblem(pattern: string): PatternVerdict | undefined {
  try {
    new RegExp(pattern, 'u');
    return undefined;
  } catch (error) {
    return { status: 'invalid', reason: error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error) };
  }
}

function decide(pattern: string, timeout: number): PatternVerdict {
  const diagnostics = recheck.checkSync(pattern, 'u', { checker: 'automaton', timeout });
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
      if (error.kind === 'timeout') return { status: 'unchecked', cause: 'timeout', reason: `analysis took longer than ${timeout} ms` };
      return { status: 'unchecked', cause: 'unsupported', reason: 'message' in error ? error.message : error.kind };
    }
  }
}
