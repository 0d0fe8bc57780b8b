import { getOctokit } from '@actions/github';
import type { PullRequestComments } from '../../usecases/sticky-comment.js';

/**
 * The issue-comments endpoints of one pull request over Octokit (@actions/github), every page
 * of the list (per_page 100). The API base comes from GITHUB_API_URL, so tests point it at a
 * loopback server. Errors keep Octokit's `status` (403 on a fork's read-only token).
 */
export function createPullRequestComments(options: { token: string; apiUrl: string; owner: string; repo: string; number: number }): PullRequestComments {
  const octokit = getOctokit(options.token, { baseUrl: options.apiUrl });
  const target = { owner: options.owner, repo: options.repo };
  return {
    async list() {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...target, issue_number: options.number, per_page: 100 });
      return comments.map((comment) => ({ id: comment.id, body: comment.body ?? '', author: comment.user?.login ?? '' }));
    },
    async create(body) {
      await octokit.rest.issues.createComment({ ...target, issue_number: options.number, body });
    },
    async update(id, body) {
      await octokit.rest.issues.updateComment({ ...target, comment_id: id, body });
    },
  };
}
