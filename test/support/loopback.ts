import { request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A test server listening on a free loopback port: its `http://127.0.0.1:<port>` and how to stop it. */
export interface Loopback {
  readonly url: string;
  readonly close: () => Promise<void>;
}

/** Starts `server` on a free port of 127.0.0.1. */
export async function listenLoopback(server: Server): Promise<Loopback> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the test server has no port');
  return { url: `http://127.0.0.1:${address.port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Passes a request on to `target` (an endpoint such as the GCS emulator's) untouched and its answer back: the body of a test proxy. */
export function forward(target: string, incoming: IncomingMessage, outgoing: ServerResponse): void {
  const upstream = new URL(target);
  const onward = request({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host } }, (response) => {
    outgoing.writeHead(response.statusCode ?? 502, response.headers);
    response.pipe(outgoing);
  });
  onward.on('error', (error) => outgoing.writeHead(502).end(error.message));
  incoming.pipe(onward);
}
