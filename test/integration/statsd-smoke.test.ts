import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import StatsD from 'hot-shots';
import { describe, expect, it } from 'vitest';

describe('StatsD over a real UDP socket', () => {
  it('receives a counter and a gauge sent by hot-shots, with tags', async () => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    const { port } = socket.address();
    const packets: string[] = [];
    const received = new Promise<void>((resolve) => {
      socket.on('message', (message) => {
        packets.push(...message.toString('utf8').split('\n').filter(Boolean));
        if (packets.length >= 2) resolve();
      });
    });

    const client = new StatsD({ host: '127.0.0.1', port, prefix: 'schemaflow.', maxBufferSize: 0, errorHandler: (error) => { throw error; } });
    client.increment('records_read', 3, { subject: 'apps-users' });
    client.gauge('lag', 42, { subject: 'apps-users' });
    await received;
    await new Promise<void>((resolve) => client.close(() => resolve()));
    socket.close();

    expect(packets.sort()).toEqual(['schemaflow.lag:42|g|#subject:apps-users', 'schemaflow.records_read:3|c|#subject:apps-users']);
  });
});
