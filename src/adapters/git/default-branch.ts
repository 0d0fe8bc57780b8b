import { readFileSync } from 'node:fs';
import type { Repository } from '../../ports.js';

/**
 * The ref of the default branch, which registration publishes from only: in GitHub Actions the
 * event's `repository.default_branch` as fetched (`origin/<name>`, actions/checkout with
 * fetch-depth: 0 fetches it), elsewhere `origin/HEAD` when the clone has it. Undefined when
 * neither names one (a repository without a remote, such as the demo's): nothing to compare with.
 */
export function defaultBranchRef(env: Readonly<Record<string, string | undefined>>, repository: Repository): string | undefined {
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_EVENT_PATH) {
    let event: unknown;
    try {
      event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
    } catch {
      event = undefined;
    }
    const name = (event as { repository?: { default_branch?: unknown } } | undefined)?.repository?.default_branch;
    if (typeof name === 'string' && name !== '') return `origin/${name}`;
  }
  return repository.resolveCommit('origin/HEAD') ? 'origin/HEAD' : undefined;
}
