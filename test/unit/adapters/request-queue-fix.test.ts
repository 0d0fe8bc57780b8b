import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';
import { afterEach, expect, it } from 'vitest';
import { fixKafkaRequestQueue } from '../../../src/adapters/kafka/request-queue-fix.js';

/*
 * kafkajs's request queue, as every connection of a schemaflow client has it: it sets a timer only
 * when it must look at its pending requests again, never one of a negative delay (which ran every
 * millisecond for as long as the connection was open, and warned on Node.js 24).
 */
fixKafkaRequestQueue();
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queues: RequestQueue[] = [];
const queue = (): RequestQueue => {
  const created = new RequestQueue({ instrumentationEmitter: null, maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'localhost:9092', logger: quiet, isConnected: () => true });
  queues.push(created);
  return created;
};
afterEach(() => {
  for (const created of queues.splice(0)) created.destroy();
});

it('sets no timer with nothing pending and no throttle, where kafkajs set one for a negative delay', () => {
  const idle = queue();
  idle.checkPendingRequests();
  expect(idle.throttleCheckTimeoutId).toBeNull();
  idle.scheduleCheckPendingRequests();
  expect(idle.throttleCheckTimeoutId).toBeNull();
});

it('looks again when the broker’s throttle ends, and in 10 ms when requests wait unthrottled', async () => {
  const throttled = queue();
  throttled.throttledUntil = Date.now() + 40;
  const looked: number[] = [];
  const started = Date.now();
  throttled.checkPendingRequests = () => void looked.push(Date.now() - started);
  throttled.scheduleCheckPendingRequests();
  expect(throttled.throttleCheckTimeoutId).not.toBeNull();
  await new Promise((resolve) => setTimeout(resolve, 80));
  expect(looked).toHaveLength(1);
  expect(looked[0]).toBeGreaterThanOrEqual(35);
  expect(throttled.throttleCheckTimeoutId).toBeNull();

  const waiting = queue();
  waiting.pending.push({});
  let checks = 0;
  waiting.checkPendingRequests = () => void (checks += 1);
  waiting.scheduleCheckPendingRequests();
  // One timer at a time: a second call while one is set adds none.
  const timer = waiting.throttleCheckTimeoutId;
  waiting.scheduleCheckPendingRequests();
  expect(waiting.throttleCheckTimeoutId).toBe(timer);
  await new Promise((resolve) => setTimeout(resolve, 40));
  expect(checks).toBe(1);
});

it('leaves a kafkajs client with nothing to do idle: no wake-up every millisecond', async () => {
  const idle = queue();
  // What kafkajs does after each response: fulfil, then check the queue.
  let checks = 0;
  const check = idle.checkPendingRequests.bind(idle);
  idle.checkPendingRequests = () => {
    checks += 1;
    check();
  };
  idle.checkPendingRequests();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(checks).toBe(1);
});
