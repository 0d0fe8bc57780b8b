// A loopback proxy in front of the GCS emulator that holds every request `ms` first: the emulator
// answers in well under a millisecond, GCS itself in tens of milliseconds a request. Benchmarks
// point SCHEMAFLOW_GCS_ENDPOINT at `endpoint` to measure what a round trip costs.
import { createServer, request } from 'node:http';

/** Starts the proxy to `target` (the emulator's endpoint URL); `close()` stops it. */
export async function latencyProxy(target, ms) {
  const upstream = new URL(target);
  const proxy = createServer((incoming, outgoing) => {
    const chunks = [];
    incoming.on('data', (chunk) => chunks.push(chunk));
    incoming.on('end', () =>
      setTimeout(() => {
        const forward = request({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host } }, (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        });
        forward.on('error', () => outgoing.destroy());
        forward.end(Buffer.concat(chunks));
      }, ms),
    );
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${proxy.address().port}`, close: () => new Promise((resolve) => proxy.close(resolve)) };
}
