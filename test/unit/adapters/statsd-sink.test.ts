import { createSocket, type SocketType } from 'node:dgram';
import { once } from 'node:events';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createStatsdSink, parseStatsdHost } from '../../../src/adapters/metrics/statsd.js';
import { resolveSettings } from '../../../src/config/resolve.js';

const SETTING = 'SCHEMAFLOW_STATSD_HOST';
const metric = { type: 'count', name: 'records_read', value: 3, tags: { subject: 'apps-users' } } as const;
const PACKET = 'schemaflow.flow.records_read:3|c|#subject:apps-users';

/** Sends one counter through the sink to a real UDP socket bound to `address`; what arrived and what was warned. */
async function deliver(type: SocketType, address: string, host: (port: number) => string): Promise<{ got: string[]; warnings: string[] }> {
  const socket = createSocket(type);
  socket.bind(0, address);
  await once(socket, 'listening');
  const got: string[] = [];
  socket.on('message', (message) => got.push(...message.toString('utf8').split('\n').filter(Boolean)));
  const warnings: string[] = [];
  try {
    await createStatsdSink(host(socket.address().port), { warn: (line) => void warnings.push(line), setting: SETTING }).send([metric]);
    // UDP: the datagram may land after the client closed its socket.
    for (let waited = 0; got.length === 0 && warnings.length === 0 && waited < 2_000; waited += 25) await new Promise((resolve) => setTimeout(resolve, 25));
    return { got, warnings };
  } finally {
    socket.close();
  }
}

/** Whether a loopback interface carries ::1 (GitHub's ubuntu runners do; a container with IPv6 off does not). */
const ipv6Loopback = Object.values(networkInterfaces()).some((addresses) => addresses?.some((entry) => entry.internal && entry.address === '::1'));

describe('the StatsD sink', () => {
  it('reads host[:port] as the setting accepts it, without an IPv6 address’s brackets', () => {
    expect(parseStatsdHost('127.0.0.1:9125')).toEqual({ host: '127.0.0.1', port: 9125 });
    expect(parseStatsdHost('statsd.internal')).toEqual({ host: 'statsd.internal', port: 8125 });
    expect(parseStatsdHost('[::1]:9125')).toEqual({ host: '::1', port: 9125 });
    expect(parseStatsdHost('[fe80::1]')).toEqual({ host: 'fe80::1', port: 8125 });
    expect(resolveSettings(['statsdHost'], { env: { SCHEMAFLOW_STATSD_HOST: '[::1]:8125' } }).values.statsdHost).toBe('[::1]:8125');
  });

  it('refuses an IPv6 address without brackets, saying how to write it', () => {
    expect(() => resolveSettings(['statsdHost'], { env: { SCHEMAFLOW_STATSD_HOST: '::1' } })).toThrow('SCHEMAFLOW_STATSD_HOST="::1": expected host or host:port, such as 127.0.0.1:8125; an IPv6 address goes in brackets, [::1] or [::1]:8125');
    expect(() => resolveSettings(['statsdHost'], { env: { SCHEMAFLOW_STATSD_HOST: 'statsd:99999' } })).toThrow(/"statsd:99999": expected host or host:port, such as 127.0.0.1:8125$/m);
  });

  it('delivers to an IPv4 address', async () => {
    expect(await deliver('udp4', '127.0.0.1', (port) => `127.0.0.1:${port}`)).toEqual({ got: [PACKET], warnings: [] });
  });

  // Regression: `[::1]:8125`, which the setting accepts, went to hot-shots with its brackets: a
  // udp4 socket sent to the "host" [::1], nothing arrived and nothing was warned.
  it('delivers to a bracketed IPv6 address over a udp6 socket', async () => {
    // An IPv4-mapped IPv6 address goes through the same brackets and udp6 socket and needs no ::1.
    expect(await deliver('udp4', '127.0.0.1', (port) => `[::ffff:127.0.0.1]:${port}`)).toEqual({ got: [PACKET], warnings: [] });
    if (ipv6Loopback) {
      expect(await deliver('udp6', '::1', (port) => `[::1]:${port}`)).toEqual({ got: [PACKET], warnings: [] });
    } else {
      // No ::1 here: the listener is on 127.0.0.1, and the system's refusal to send to ::1 is warned, never silent.
      const { got, warnings } = await deliver('udp4', '127.0.0.1', (port) => `[::1]:${port}`);
      expect(got).toEqual([]);
      expect(warnings).toEqual([expect.stringMatching(/^warning: StatsD \[::1\]:\d+: /)]);
    }
  });

  // Regression: the last buffer's send error reached close's callback, which dropped it.
  it('warns of a send the system refuses (a broadcast address: EACCES without SO_BROADCAST)', async () => {
    const warnings: string[] = [];
    await createStatsdSink('255.255.255.255:8125', { warn: (line) => void warnings.push(line), setting: SETTING }).send([metric]);
    expect(warnings).toEqual([expect.stringMatching(/^warning: StatsD 255\.255\.255\.255:8125: .*EACCES/)]);
  });

  // Regression: a host that did not resolve sent nothing and warned nothing, though an unreachable
  // collector is documented to cost a warning.
  it('warns once, when created, of a host that does not resolve, naming it and the setting', async () => {
    const warnings: string[] = [];
    const sink = createStatsdSink('no-such-host.invalid:8125', { warn: (line) => void warnings.push(line), setting: SETTING });
    for (let waited = 0; warnings.length === 0 && waited < 10_000; waited += 25) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(warnings).toEqual([expect.stringMatching(/^warning: StatsD host no-such-host\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\): this run sends no metrics\. Set SCHEMAFLOW_STATSD_HOST to a host name or address that resolves/)]);
    await sink.send([metric]);
    expect(warnings).toHaveLength(1);
  });
});
