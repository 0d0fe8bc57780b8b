import { describe, expect, it } from 'vitest';
import { patternContainment } from '../../../src/compat/regex.js';
import { createWorkBudget, WorkBudgetExceeded } from '../../../src/domain/work-budget.js';

/** Pattern containment with automata (src/compat/regex.ts), on hostile patterns. */
describe('pattern containment', () => {
  it('finds examples of a difference with 2^31 shortest paths without listing them (it took over 4 GB)', () => {
    const verdict = patternContainment('^(a|b){31}[a-z]{2,34}x$', '^(a|b){31}[a-z]{2,33}x$');
    expect(verdict.status).toBe('not-subset');
    const examples = verdict.status === 'not-subset' ? verdict.examples : [];
    expect(examples).toHaveLength(20);
    expect(examples[0]).toBe(`${'a'.repeat(31)}${'a'.repeat(34)}x`);
    for (const example of examples) {
      expect(new RegExp('^(a|b){31}[a-z]{2,34}x$', 'u').test(example)).toBe(true);
      expect(new RegExp('^(a|b){31}[a-z]{2,33}x$', 'u').test(example)).toBe(false);
    }
  });

  it('gives the examples it gave before for ordinary patterns, shortest first', () => {
    expect(patternContainment('^[a-z]+$', '^[a-z]{2,}$')).toEqual({ status: 'not-subset', examples: 'abcdefghijklmnopqrst'.split('') });
    expect(patternContainment('^(GET|POST)$', '^GET$')).toEqual({ status: 'not-subset', examples: ['POST'] });
    expect(patternContainment('^[a-z]{2}$', '^[a-z]+$')).toEqual({ status: 'subset' });
  });

  it('spends a budget on every automaton state it builds or uses, cached or not', () => {
    const spend = () => {
      const budget = createWorkBudget<'pattern'>(1_000_000);
      patternContainment('^[a-z0-9]{1,40}$', '^[a-z]{1,40}$', { min: 0, max: 30 }, budget);
      return budget.total;
    };
    const first = spend();
    expect(first).toBeGreaterThan(40);
    expect(spend()).toBe(first);
    expect(() => patternContainment('(a|b)*a(a|b){20}$', '(a|b)*a(a|b){21}$', undefined, createWorkBudget<'pattern'>(10_000))).toThrow(WorkBudgetExceeded);
  });
});
