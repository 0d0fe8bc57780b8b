import { createServer } from 'node:http';
import { listenLoopback } from './loopback.js';

/**
 * A loopback HTTP server standing in for a GCS endpoint (`gcsEndpoint`) that refuses objects:
 * each object request gets `status` with GCS's JSON error body, while a listing answers 200 with
 * no items (the bucket exists, so a 404 stays the object's, not BUCKET_NOT_FOUND). For answers
 * the real emulator never gives (403, 400). Given a list of statuses, the object requests get
 * them in turn, and once they are used up, 200 with `body`.
 */
export interface GcsStub {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `METHOD url` of every request, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startGcsStub(status: number | readonly number[], body = ''): Promise<GcsStub> {
  const requests: string[] = [];
  const statuses = typeof status === 'number' ? undefined : [...status];
  const server = createServer((request, response) => {
    const url = request.url ?? '';
    requests.push(`${request.method ?? ''} ${url}`);
    response.setHeader('content-type', 'application/json');
    if (/\/o\?/.test(url)) {
      response.end('{"kind":"storage#objects","items":[]}');
      return;
    }
    const answer = statuses ? statuses.shift() : (status as number);
    if (answer === undefined) {
      response.setHeader('content-type', 'application/octet-stream');
      response.end(body);
      return;
    }
    response.statusCode = answer;
    response.end(JSON.stringify({ error: { code: answer, message: `the stub answers ${answer}`, errors: [{ message: `the stub answers ${answer}` }] } }));
  });
  return { ...(await listenLoopback(server)), requests };
}
