import { createServer, type Server } from 'node:http';
import { listenLoopback } from './loopback.js';

export interface StoredComment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

/**
 * A loopback server speaking the GitHub REST endpoints the check action uses (issue comments:
 * list with Link pagination, create, update), recording every request. `forbidden` answers 403
 * to writes, as GitHub does for a fork's read-only token; `failure` answers every request with
 * an error status; bodies over 65,536 characters get GitHub's 422.
 */
export interface GitHubApi {
  readonly url: string;
  readonly comments: StoredComment[];
  readonly requests: string[];
  setForbidden(value: boolean): void;
  /** Answers every request with this status (a GitHub outage: 500, 502, 503) until set to undefined. */
  setFailure(status: number | undefined): void;
  /** Comments by someone else, to push ours past the first page. */
  seed(count: number): void;
  close(): Promise<void>;
}

export async function startGitHubApi(): Promise<GitHubApi> {
  const comments: StoredComment[] = [];
  const requests: string[] = [];
  let forbidden = false;
  let failure: number | undefined;
  let nextId = 1;
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      requests.push(`${request.method ?? ''} ${url.pathname}${url.search}`);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(body));
      };
      if (failure !== undefined) return send(failure, { message: 'Server Error' });
      const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
      const update = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (list && request.method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        const slice = comments.slice((page - 1) * perPage, page * perPage);
        const more = page * perPage < comments.length;
        send(200, slice, more ? { link: `<http://${request.headers.host ?? ''}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"` } : {});
      } else if ((list && request.method === 'POST') || (update && request.method === 'PATCH')) {
        if (forbidden) return send(403, { message: 'Resource not accessible by integration' });
        const body = (JSON.parse(raw) as { body: string }).body;
        if (body.length > 65_536) return send(422, { message: 'Validation Failed', errors: [{ message: 'Body is too long (maximum is 65536 characters)' }] });
        if (list) {
          const comment = { id: nextId++, body, user: { login: 'github-actions[bot]', type: 'Bot' } };
          comments.push(comment);
          send(201, comment);
        } else {
          const comment = comments.find((entry) => entry.id === Number(update?.[3]));
          if (!comment) return send(404, { message: 'Not Found' });
          comment.body = body;
          send(200, comment);
        }
      } else send(404, { message: 'Not Found' });
    });
  });
  const { url, close } = await listenLoopback(server);
  return {
    url,
    comments,
    requests,
    setForbidden: (value: boolean) => {
      forbidden = value;
    },
    setFailure: (status: number | undefined) => {
      failure = status;
    },
    seed(count: number) {
      for (let index = 0; index < count; index += 1) comments.push({ id: nextId++, body: `a human comment ${index}`, user: { login: 'octocat', type: 'User' } });
    },
    close,
  };
}
