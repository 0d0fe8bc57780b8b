import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { createPullRequestComments } from '../adapters/github/comments.js';
import { createJsdDiffer } from '../adapters/jsd/differ.js';
import { openRepository } from '../adapters/git/repository.js';
import { createPatternSandbox } from '../adapters/pattern-sandbox.js';
import { resolveSettings } from '../config/resolve.js';
import { describeError, type SchemaflowError } from '../domain/errors.js';
import { terminalText } from '../domain/terminal-text.js';
import { compareFindings, type Finding } from '../domain/finding.js';
import { checkCatalog } from '../usecases/check-catalog.js';
import { crossCheckCatalog } from '../usecases/cross-check.js';
import { prChanges } from '../usecases/pr-changes.js';
import { renderReview } from '../usecases/review.js';
import { upsertStickyComment } from '../usecases/sticky-comment.js';
import { flagsFromInputs } from './inputs.js';

/** GitHub keeps 10 error, 10 warning and 10 notice annotations per step, the action's own included, and drops the rest silently (actions.md §1.8). */
const PER_LEVEL = 10;

interface PullRequestEvent {
  pull_request?: { number: number; head: { sha: string }; base: { ref: string } };
  repository?: { full_name: string };
}

/** actions/check: the pull-request check. Glue only: event + inputs → check → annotations, summary, comment, outputs. */
async function main(): Promise<void> {
  const { values: config } = resolveSettings(['catalogDir'], { env: process.env, flags: flagsFromInputs(['catalogDir'], (name) => core.getInput(name)), flagLabel: (setting) => `input ${setting.actionInput ?? setting.key}` });
  const event = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH ?? '', 'utf8')) as PullRequestEvent;
  const pr = event.pull_request;
  const repository = event.repository?.full_name ?? process.env.GITHUB_REPOSITORY ?? '';
  const baseRef = pr?.base.ref ?? process.env.GITHUB_BASE_REF ?? 'main';
  const repo = openRepository(process.env.GITHUB_WORKSPACE ?? process.cwd(), 'the check compares the catalog with the base branch: check the repository out first (actions/checkout with fetch-depth: 0)');
  // json-schema-diff cross-checks new versions in worker threads while the rule walk runs.
  const differ = createJsdDiffer({ module: fileURLToPath(new URL('./json-schema-diff.cjs', import.meta.url)) });
  let report;
  try {
    // The commit checked out, not its checkout: what merges is the commit's bytes (CHECKOUT_DIFFERS).
    const head = repo.resolveCommit('HEAD');
    report = await crossCheckCatalog(checkCatalog(repo, { catalogDir: config.catalogDir, baseCandidates: [`origin/${baseRef}`, baseRef], differ, untrustedPatterns: createPatternSandbox(), ...(head ? { head: { ref: 'HEAD', commit: head } } : {}) }), differ);
  } finally {
    await differ.close();
  }
  const { changes, plan } = prChanges(repo, report);
  const serverUrl = process.env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runUrl = process.env.GITHUB_RUN_ID ? `${serverUrl}/${repository}/actions/runs/${process.env.GITHUB_RUN_ID}` : undefined;
  const review = renderReview(report, { context: { repository, headSha: pr?.head.sha ?? process.env.GITHUB_SHA ?? '', serverUrl, ...(runUrl ? { runUrl } : {}) }, changes, ...(plan ? { plan } : {}) });

  await core.summary.addRaw(review.summary, true).write();
  const token = core.getInput('github-token');
  let comment = 'not-needed';
  if (pr && token) {
    const [owner = '', name = ''] = repository.split('/');
    const api = createPullRequestComments({ token, apiUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com', owner, repo: name, number: pr.number });
    try {
      comment = await upsertStickyComment(api, review.body, { clean: review.clean, author: core.getInput('comment-author') || 'github-actions[bot]' });
    } catch (error) {
      // The verdict stands on the findings, as on a fork (403): GitHub failing to list or write
      // comments (a 5xx, a 404, a revoked token) is reported, never the check's result.
      comment = 'failed';
      const status = (error as { status?: unknown }).status;
      core.warning(`The pull-request comment could not be read or written (GitHub API${typeof status === 'number' ? ` ${status}` : ''}: ${terminalText(describeError(error))}); the job summary has the ${review.complete ? 'full review' : 'review, cut to GitHub’s 1 MiB'}. Re-run the job to post the comment; the check's result does not depend on it.`);
    }
    if (comment === 'forbidden') core.notice(`The pull-request comment could not be written (a fork's read-only token); the job summary has the ${review.complete ? 'full review' : 'review, cut to GitHub’s 1 MiB (npx schemaflow check on the branch lists everything)'}.`);
  }
  // Annotations, most severe first within the per-step limits; the rest are in the summary. The
  // action's own annotations count too: setFailed's verdict is an error, a comment that failed a
  // warning, the fork's notice and the notice counting what is not shown are notices.
  const errors = report.findings.filter((finding) => finding.severity === 'error').length;
  const reserved: Record<Finding['severity'], number> = { error: errors > 0 ? 1 : 0, warning: comment === 'failed' ? 1 : 0, info: comment === 'forbidden' ? 1 : 0 };
  const sorted = [...report.findings].sort(compareFindings);
  if ((['error', 'warning', 'info'] as const).some((level) => sorted.filter((finding) => finding.severity === level).length > PER_LEVEL - reserved[level])) reserved.info += 1;
  const shown = new Map<string, number>();
  let hidden = 0;
  for (const finding of sorted) {
    const level = finding.severity;
    const count = shown.get(level) ?? 0;
    if (count >= PER_LEVEL - reserved[level]) {
      hidden += 1;
      continue;
    }
    shown.set(level, count + 1);
    annotate(finding);
  }
  if (hidden > 0) core.notice(`${hidden} more finding(s) than GitHub shows as annotations; ${review.complete ? 'all of them are in the job summary' : 'npx schemaflow check on the branch lists all of them (the job summary is cut to GitHub’s 1 MiB)'}.`);
  core.setOutput('errors', String(errors));
  core.setOutput('warnings', String(report.findings.filter((finding) => finding.severity === 'warning').length));
  core.setOutput('comment', comment);
  core.setOutput('verdict', review.verdict);
  if (errors > 0) core.setFailed(review.verdict);
}

/** One finding as an annotation; what quotes the pull request is escaped where a log viewer would act on it (terminalText). */
function annotate(finding: Finding): void {
  const properties = { file: terminalText(finding.file), startLine: finding.line, startColumn: finding.col, title: finding.code };
  const message = terminalText(finding.message);
  if (finding.severity === 'error') core.error(message, properties);
  else if (finding.severity === 'warning') core.warning(message, properties);
  else core.notice(message, properties);
}

main().catch((error: unknown) => core.setFailed(`${(error as SchemaflowError).code ?? 'ERROR'}: ${describeError(error)}`));
