import { lookup } from 'node:dns/promises';
import StatsD from 'hot-shots';
import { messageOf } from '../../domain/errors.js';
import type { MetricsSink } from '../../ports.js';

/** Where StatsD listens: a host name or address and a UDP port. */
export interface StatsdAddress {
  /** The name or address as given, without an IPv6 address's brackets. */
  readonly host: string;
  readonly port: number;
}

/**
 * `host[:port]` as the setting accepts it (`127.0.0.1:8125`, `statsd`, `[::1]:8125`), port 8125
 * when omitted. An IPv6 address comes in brackets (RFC 3986 §3.2.2), which are not part of it.
 */
export function parseStatsdHost(text: string): StatsdAddress {
  const match = /^\[([^\]]*)\](?::(\d+))?$/.exec(text) ?? /^(.*?)(?::(\d+))?$/.exec(text);
  return { host: match?.[1] ?? text, port: Number(match?.[2] ?? '8125') };
}

/**
 * The address to send to: a name is resolved (dns.lookup, as the system does: /etc/hosts, then
 * DNS) to its IPv4 address when it has one, as hot-shots' default udp4 socket did, so a collector
 * listening on 0.0.0.0 only keeps receiving (`localhost` lists ::1 first on many systems); a name
 * with IPv6 addresses only, or an IPv6 address, is sent to over a udp6 socket.
 */
async function resolveStatsdHost(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const addresses = await lookup(host, { all: true });
  const chosen = addresses.find((candidate) => candidate.family === 4) ?? addresses[0];
  if (!chosen) throw new Error('no address');
  return { address: chosen.address, family: chosen.family === 6 ? 6 : 4 };
}

/**
 * StatsD over UDP with hot-shots: names under `schemaflow.flow.`, tags in the DogStatsD form
 * (`|#subject:apps-users`), which Datadog, Telegraf and the StatsD exporter read. `host` is
 * `host[:port]`, port 8125 by default. The host is resolved once, when the sink is created (as
 * the run starts): a host that does not resolve is a warning then, naming `setting`, and the sink
 * sends nothing.
 * Sending is fire-and-forget: an unreachable collector costs a warning, never a run
 * (UDP says nothing of a collector that is down: only what the system refuses is warned about).
 */
export function createStatsdSink(host: string, options: { warn: (line: string) => void; setting: string }): MetricsSink {
  const { warn, setting } = options;
  const { host: name, port } = parseStatsdHost(host);
  const resolved = resolveStatsdHost(name).catch((error: unknown) => {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : messageOf(error);
    warn(`warning: StatsD host ${name} does not resolve (${code}): this run sends no metrics. Set ${setting} to a host name or address that resolves, such as 127.0.0.1:8125 or [::1]:8125.`);
    return undefined;
  });
  return {
    async send(metrics) {
      const target = await resolved;
      if (!target) return;
      const failed = (error: Error): void => warn(`warning: StatsD ${host}: ${error.message}`);
      const client = new StatsD({ host: target.address, port, udpSocketOptions: { type: target.family === 6 ? 'udp6' : 'udp4' }, prefix: 'schemaflow.flow.', maxBufferSize: 1_400, bufferFlushInterval: 50, errorHandler: failed });
      for (const metric of metrics) {
        if (metric.type === 'count') client.increment(metric.name, metric.value, { ...metric.tags });
        else if (metric.type === 'gauge') client.gauge(metric.name, metric.value, { ...metric.tags });
        else client.timing(metric.name, metric.value, { ...metric.tags });
      }
      // The last buffer's send error comes to close's callback, not to the errorHandler.
      return new Promise((resolve) => client.close((error) => {
        if (error) failed(error);
        resolve();
      }));
    },
  };
}
