import { describe, expect, it } from 'vitest';
import { createPatternSandbox } from '../../../src/adapters/pattern-sandbox.js';
import { PatternTimeoutError } from '../../../src/domain/errors.js';

/** Backtracks 2^n times on n a's: recheck cannot analyse it (a backreference), V8 hangs on it. */
const CATASTROPHIC = '^(a|a)*\\1b$';

describe('the pattern sandbox', () => {
  it('answers as new RegExp(pattern, "u") does, lookaround and backreferences included', () => {
    const compile = createPatternSandbox();
    const cases: Array<[string, string]> = [
      ['^(?=.*\\d)[a-z0-9]+$', 'abc1'],
      ['^(?=.*\\d)[a-z0-9]+$', 'abc'],
      ['^(\\w)\\1$', 'xx'],
      ['^(\\w)\\1$', 'xy'],
      ['\\p{Lu}', 'é'],
      ['\\p{Lu}', 'É'],
    ];
    for (const [pattern, text] of cases) expect(compile(pattern).test(text), `${pattern} on ${text}`).toBe(new RegExp(pattern, 'u').test(text));
  });

  it('refuses a pattern that does not compile when it is compiled, as ajv expects', () => {
    expect(() => createPatternSandbox()('(')).toThrow(SyntaxError);
  });

  it('stops a match that runs past its limit, refuses that pattern at once afterwards, and goes on with others', () => {
    const compile = createPatternSandbox({ callMs: 200 });
    const started = performance.now();
    let thrown: unknown;
    try {
      compile(CATASTROPHIC).test('a'.repeat(40));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PatternTimeoutError);
    expect(thrown).toMatchObject({ code: 'PATTERN_TIMEOUT', pattern: CATASTROPHIC, reason: 'it took longer than 200 ms on one value of 40 characters' });
    // 2^40 steps would take hours: the worker was stopped, not waited for.
    expect(performance.now() - started).toBeLessThan(5_000);

    // Not run again: the message says why.
    expect(() => compile(CATASTROPHIC).test('a')).toThrow(/already took longer than 200 ms/);
    // A fresh worker answers the next pattern.
    expect(compile('^(?!x)\\w+$').test('abc')).toBe(true);
  });

  it('stops every untrusted pattern once the calls together have used the budget', () => {
    const compile = createPatternSandbox({ callMs: 300, budgetMs: 500 });
    expect(() => compile(CATASTROPHIC).test('a'.repeat(40))).toThrow(PatternTimeoutError);
    // What remains (about 200 ms) goes to the second slow pattern, then nothing is left.
    expect(() => compile('^(b|b)*\\1c$').test('b'.repeat(40))).toThrow(PatternTimeoutError);
    expect(() => compile('^(?=a)a$').test('a')).toThrow(/the check's 0.5 s for patterns not proved safe was spent on earlier values/);
  });

  it('counts the matching against the budget, not the hand-over: many fast calls never run out', () => {
    // 3,000 hand-overs take about 100 ms (far more on a loaded machine); the matches, microseconds.
    const compile = createPatternSandbox({ budgetMs: 50 });
    const lookahead = compile('^(?=a)a+$');
    for (let call = 0; call < 3_000; call += 1) expect(lookahead.test('a'.repeat(1 + (call % 20)))).toBe(true);
  });
});
