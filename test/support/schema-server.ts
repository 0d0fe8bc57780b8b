import { createServer } from 'node:http';
import { listenLoopback } from './loopback.js';

/** A loopback HTTP server that answers every request with a schema and records it (`METHOD url`): a fetched remote `$ref` shows up in `requests`. */
export interface SchemaServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startSchemaServer(): Promise<SchemaServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method ?? ''} ${request.url ?? ''}`);
    response.setHeader('content-type', 'application/json');
    response.end('{"type": "string"}');
  });
  return { ...(await listenLoopback(server)), requests };
}
