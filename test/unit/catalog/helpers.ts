import { openRepository } from '../../../src/adapters/git/repository.js';
import type { Finding } from '../../../src/domain/finding.js';
import { checkCatalog, type CheckReport } from '../../../src/usecases/check-catalog.js';
import type { TestRepo } from '../../support/git-repo.js';
import { createPatternSandbox } from '../../../src/adapters/pattern-sandbox.js';

/** Runs the check on a test repository against `main`. */
export function check(repo: TestRepo, base = 'main'): CheckReport {
  return checkCatalog(openRepository(repo.root), { catalogDir: 'catalog', baseCandidates: [base], untrustedPatterns: createPatternSandbox() });
}

/** `CODE file[:pointer]` lines, for readable assertions. */
export function codes(report: CheckReport, severity?: Finding['severity']): string[] {
  return report.findings.filter((finding) => !severity || finding.severity === severity).map((finding) => finding.code);
}

/** A valid 2020-12 version file with the given extra properties. */
export function schema(properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      description: 'A test event.',
      type: 'object',
      properties: { occurredAt: { description: 'When.', type: 'string', format: 'date-time' }, ...properties },
      ...extra,
    },
    null,
    2,
  );
}

export const SUBJECT_YAML = 'description: A test subject.\nowners: ["@acme/test"]\n';
