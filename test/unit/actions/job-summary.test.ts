import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fitRows, writeJobSummary } from '../../../src/actions/summary.js';

/**
 * Regression: the flow and registration actions wrote their summary whole. GitHub drops a job
 * summary over 1 MiB a step (an error annotation instead), so a run over thousands of subjects,
 * or a first registration of thousands of versions, had no summary at all.
 */
describe('the job summary of the flow and registration actions', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'schemaflow-summary-'));
  const file = join(scratch, 'summary.md');
  beforeAll(() => {
    process.env.GITHUB_STEP_SUMMARY = file;
  });
  afterAll(() => {
    delete process.env.GITHUB_STEP_SUMMARY;
    rmSync(scratch, { recursive: true, force: true });
  });

  const summary = (rows: number, problems: number) => ({
    heading: 'schemaflow flow: attention needed',
    text: 'Run `r1`.',
    header: ['subject', 'read'],
    rows: Array.from({ length: rows }, (_, index) => [`apps-subject-${index}`, String(index)]),
    list: Array.from({ length: problems }, (_, index) => `apps-subject-${index}/0: a problem`),
    what: 'subjects or problems',
  });

  it('is written whole when it fits, with nothing logged', async () => {
    writeFileSync(file, '');
    const log = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await writeJobSummary(summary(3, 1), 10_000);
    log.mockRestore();
    const written = readFileSync(file, 'utf8');
    expect(written.match(/<tr>/g)).toHaveLength(4);
    expect(written).toContain('<li>apps-subject-0/0: a problem</li>');
    expect(written).not.toContain('left out');
    expect(log).not.toHaveBeenCalled();
  });

  it('keeps the first rows and problems within the budget, says how many it left out, and logs every one', async () => {
    writeFileSync(file, '');
    const lines: string[] = [];
    const log = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    await writeJobSummary(summary(2_000, 500), 20_000);
    log.mockRestore();
    const written = readFileSync(file, 'utf8');
    expect(Buffer.byteLength(written, 'utf8')).toBeLessThanOrEqual(20_000);
    const kept = written.match(/<tr>/g)?.length ?? 0;
    expect(kept).toBeGreaterThan(100);
    expect(written).toContain(`…and ${2_000 - (kept - 1)} more subjects or problems, left out to stay under GitHub's 1 MiB limit for a job summary: the step’s log lists every one`);
    expect(lines).toContain('apps-subject-1999 | 1999\n');
    expect(lines).toContain('apps-subject-499/0: a problem\n');
  });

  it('ends at the budget’s last line break when not even the heading and no rows fit', () => {
    const { text, kept } = fitRows(10, (keep) => `${'heading\n'.repeat(100)}${'row\n'.repeat(keep)}`, 50);
    expect(kept).toBe(0);
    expect(text).toBe('heading\n'.repeat(6));
  });
});
