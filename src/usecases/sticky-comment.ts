import { COMMENT_MARKER } from './review.js';

/** The pull request's comments, as the GitHub REST API gives them (every page). */
export interface PullRequestComments {
  list(): Promise<Array<{ id: number; body: string; author: string }>>;
  create(body: string): Promise<void>;
  update(id: number, body: string): Promise<void>;
}

export type CommentOutcome = 'created' | 'updated' | 'unchanged' | 'not-needed' | 'forbidden';

/**
 * One bot comment per pull request (actions.md §2.2): found by the hidden marker and its author
 * across every page; updated in place, never duplicated; not created for a clean pull request
 * that never had one; not rewritten when nothing changed. A fork's read-only token (403) is
 * reported, not thrown: the check's result does not depend on the comment.
 */
export async function upsertStickyComment(api: PullRequestComments, body: string, options: { clean: boolean; author: string }): Promise<CommentOutcome> {
  try {
    const existing = (await api.list()).find((comment) => comment.author === options.author && comment.body.includes(COMMENT_MARKER));
    if (!existing) {
      if (options.clean) return 'not-needed';
      await api.create(body);
      return 'created';
    }
    if (existing.body === body) return 'unchanged';
    await api.update(existing.id, body);
    return 'updated';
  } catch (error) {
    if ((error as { status?: number }).status === 403) return 'forbidden';
    throw error;
  }
}
