import { afterAll, expect, it } from 'vitest';
import { openRepository } from '../../../src/adapters/git/repository.js';
import { createPatternAnalyser } from '../../../src/catalog/patterns.js';
import { checkCatalog } from '../../../src/usecases/check-catalog.js';
import { createTestRepo } from '../../support/git-repo.js';
import { SUBJECT_YAML, schema } from './helpers.js';
import { createPatternSandbox } from '../../../src/adapters/pattern-sandbox.js';

/**
 * Regression: each pattern's analysis had a 1 s limit but the run had none, so a 1 MiB version
 * of ~13,000 slow patterns kept `schemaflow check` busy for hours. One budget now spans the run,
 * across files, and a pattern past it is PATTERN_BUDGET_EXCEEDED, an error no setting switches off
 * (a warning let slow patterns placed first carry an exponential one past the check). The clock is a fake one
 * that says each analysis took a little over 1 s (a fraction, as performance.now gives), so the
 * test neither waits nor depends on the machine.
 */
it('stops analysing patterns once the check run has spent its budget, across files, and a later run analyses them', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  const code = (pattern: string): Record<string, unknown> => ({ description: 'A code.', type: 'string', pattern });
  repo.write('catalog/apps/first/subject.yaml', SUBJECT_YAML);
  repo.write('catalog/apps/first/1.json', schema({ a: code('^[a-c]{2}$'), b: code('^[d-f]{3}$') }));
  repo.write('catalog/apps/second/subject.yaml', SUBJECT_YAML);
  repo.write('catalog/apps/second/1.json', schema({ c: code('^[g-i]{4}$') }));
  let clock = 0;
  const ticking = (): number => (clock += 1_000.25);
  const run = (budgetMs: number) =>
    checkCatalog(openRepository(repo.root), { catalogDir: 'catalog', baseCandidates: ['main'], untrustedPatterns: createPatternSandbox(), patterns: createPatternAnalyser({ budgetMs, now: ticking }) });

  const unchecked = run(2_001).findings.filter((finding) => finding.code === 'PATTERN_BUDGET_EXCEEDED');
  expect(unchecked.map((finding) => [finding.file, finding.pointer, finding.severity])).toEqual([['catalog/apps/second/1.json', '/properties/c/pattern', 'error']]);
  expect(unchecked[0]?.message).toContain("the check's pattern-analysis budget (2.001 s) was spent");
  expect(unchecked[0]?.message).toContain('Split the pull request');
  expect(unchecked[0]?.line).toBeGreaterThan(1);

  // The verdict cut short is not remembered: a run with a budget of its own decides the pattern.
  expect(run(2_001).findings.filter((finding) => finding.code === 'PATTERN_BUDGET_EXCEEDED')).toEqual([]);
});

it('refuses a pattern the budget left unanalysed even with PATTERN_UNCHECKED off: it may be exponential', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  const code = (pattern: string): Record<string, unknown> => ({ description: 'A code.', type: 'string', pattern });
  repo.write('catalog/catalog.yaml', 'lint:\n  PATTERN_UNCHECKED: off\n');
  repo.commit('patterns unchecked are accepted');
  repo.write('catalog/apps/early/subject.yaml', SUBJECT_YAML);
  repo.write('catalog/apps/early/1.json', schema({ a: code('^[a-c]{5}$') }));
  repo.write('catalog/apps/later/subject.yaml', SUBJECT_YAML);
  repo.write('catalog/apps/later/1.json', schema({ b: code('^(b+)+c$') }));
  let clock = 0;
  const report = checkCatalog(openRepository(repo.root), { catalogDir: 'catalog', baseCandidates: ['main'], untrustedPatterns: createPatternSandbox(), patterns: createPatternAnalyser({ budgetMs: 1_000, now: () => (clock += 1_000.25) }) });
  expect(report.findings.filter((finding) => finding.severity === 'error').map((finding) => [finding.code, finding.file])).toEqual([['PATTERN_BUDGET_EXCEEDED', 'catalog/apps/later/1.json']]);
});
