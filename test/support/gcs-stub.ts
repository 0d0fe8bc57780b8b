import { createServer } from 'node:http';
import { listenLoopback } from './loopback.js';

/**
 * A loopback HTTP server standing in for a GCS endpoint (`gcsEndpoint`) that refuses every
 * object: each object request gets `status` with GCS's JSON error body, while a listing answers
 * 200 with no items (the bucket exists, so a 404 stays the object's, not BUCKET_NOT_FOUND).
 * For answers the real emulator never gives (403, 400).
 */
export interface GcsStub {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `METHOD url` of every request, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startGcsStub(status: number): Promise<GcsStub> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const url = request.url ?? '';
    requests.push(`${request.method ?? ''} ${url}`);
    response.setHeader('content-type', 'application/json');
    if (/\/o\?/.test(url)) {
      response.end('{"kind":"storage#objects","items":[]}');
      return;
    }
    response.statusCode = status;
    response.end(JSON.stringify({ error: { code: status, message: `the stub answers ${status}`, errors: [{ message: `the stub answers ${status}` }] } }));
  });
  return { ...(await listenLoopback(server)), requests };
}
