import { UsageError } from '../domain/errors.js';
import type { Repository } from '../ports.js';

/**
 * How to get the whole history: actions/checkout fetches one commit unless told otherwise, and
 * a clone that is already shallow is completed in place by `git fetch --unshallow`.
 */
export const FULL_HISTORY_HINT = 'Fetch the whole history: in GitHub Actions, check out with actions/checkout and `fetch-depth: 0`; in a clone you already have, run `git fetch --unshallow`.';

/** Refuses a shallow clone (exit 2, SHALLOW_CLONE): `why` says what the missing history is needed for. */
export function refuseShallowClone(repository: Pick<Repository, 'isShallow'>, why: string): void {
  if (repository.isShallow()) throw new UsageError(`this is a shallow clone, ${why}. ${FULL_HISTORY_HINT}`, { code: 'SHALLOW_CLONE' });
}
