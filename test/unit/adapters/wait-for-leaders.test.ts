import type { Admin } from 'kafkajs';
import { expect, it } from 'vitest';
import { waitForLeaders } from '../../../src/adapters/kafka/topic-admin.js';

/*
 * Registration's wait for topic leaders (the tests and benchmarks use it too): a retriable
 * answer is waited out, kafkajs's "retries exceeded" of one too, anything else fails at once.
 */
const adminAnswering = (answers: Array<Error | 'leader' | 'none'>): Admin & { asked: number } => {
  const admin = {
    asked: 0,
    fetchTopicMetadata: () => {
      const answer = answers[Math.min(admin.asked, answers.length - 1)];
      admin.asked += 1;
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve({ topics: [{ name: 't', partitions: [{ partitionId: 0, leader: answer === 'leader' ? 1 : -1 }] }] });
    },
  };
  return admin as unknown as Admin & { asked: number };
};
const kafkaError = (retriable: boolean, cause?: { retriable: boolean }): Error => Object.assign(new Error(retriable ? 'LEADER_NOT_AVAILABLE' : 'retries exceeded'), { retriable, ...(cause ? { cause } : {}) });

it('waits out retriable answers, and kafkajs’s retries exceeded over a retriable one, until a leader', async () => {
  const admin = adminAnswering([kafkaError(true), kafkaError(false, { retriable: true }), 'none', 'leader']);
  await waitForLeaders(admin, ['t'], { waitMs: 5_000 });
  expect(admin.asked).toBe(4);
});

it('fails at once on an answer no wait mends, and after its time on none', async () => {
  const refused = adminAnswering([kafkaError(false)]);
  await expect(waitForLeaders(refused, ['t'], { waitMs: 5_000 })).rejects.toThrow('retries exceeded');
  expect(refused.asked).toBe(1);
  await expect(waitForLeaders(adminAnswering(['none']), ['t'], { waitMs: 300 })).rejects.toThrow('had no leader within 0.3 s');
});
