import { describe, expect, it } from 'vitest';
import { flowOptionsFrom } from '../../../src/adapters/flow-ports.js';
import { inShard, parseShard, threadShares, workerShard } from '../../../src/archive/shard.js';

const topics = ['apps-users', 'apps-sessions', 'payments-refunds', 'payments-transactions', 'a', 'b', 'c', 'd', 'e', 'f'];

describe('flow shards (--shard i/n)', () => {
  it('put every partition of every topic in exactly one shard, each topic split evenly', () => {
    for (let count = 1; count <= 5; count += 1) {
      for (const topic of topics) {
        const shares = Array.from({ length: count }, () => 0);
        for (let partition = 0; partition < 12; partition += 1) {
          const owners = shares.map((_, index) => index).filter((index) => inShard(topic, partition, { index, count }));
          expect(owners, `${topic}/${partition} in ${count} shards`).toHaveLength(1);
          shares[owners[0] ?? 0] = (shares[owners[0] ?? 0] ?? 0) + 1;
        }
        expect(Math.max(...shares) - Math.min(...shares), `${topic} over ${count} shards: ${shares.join(', ')}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('split a run’s shard (or every partition) among its threads: each of its partitions in exactly one thread, none of another shard', () => {
    for (const outer of [null, { index: 0, count: 1 }, { index: 1, count: 3 }, { index: 0, count: 2 }]) {
      for (let workers = 1; workers <= 4; workers += 1) {
        for (const topic of topics) {
          for (let partition = 0; partition < 12; partition += 1) {
            const threads = Array.from({ length: workers }, (_, worker) => worker).filter((worker) => inShard(topic, partition, workerShard(outer, worker, workers)));
            const inRun = outer === null || inShard(topic, partition, outer);
            expect(threads, `${topic}/${partition}, shard ${JSON.stringify(outer)}, ${workers} threads`).toHaveLength(inRun ? 1 : 0);
          }
        }
      }
    }
    expect(workerShard({ index: 1, count: 3 }, 1, 2)).toEqual({ index: 4, count: 6 });
  });

  it('spread topics of one partition over the shards, the same way every time', () => {
    const owners = topics.map((topic) => [0, 1, 2].find((index) => inShard(topic, 0, { index, count: 3 })));
    expect(new Set(owners).size).toBe(3);
    expect(topics.map((topic) => [0, 1, 2].find((index) => inShard(topic, 0, { index, count: 3 })))).toEqual(owners);
  });

  it('size a run’s threads by its partitions: one per partition at most, none without a partition, every partition in a started thread', () => {
    const of = (topic: string, count: number): Array<{ topic: string; partition: number }> => Array.from({ length: count }, (_, partition) => ({ topic, partition }));
    expect(threadShares(of('apps-users', 2), null, 4)).toEqual({ count: 2, threads: [0, 1] });
    expect(threadShares(of('apps-users', 12), null, 4)).toEqual({ count: 4, threads: [0, 1, 2, 3] });
    expect(threadShares(of('apps-users', 1), { index: 1, count: 3 }, 8)).toEqual({ count: 1, threads: [0] });
    expect(threadShares([], null, 4)).toEqual({ count: 1, threads: [] });
    // Topics of one partition are dealt by name: two of them may fall in one thread's share.
    const pair = topics.flatMap((a) => topics.filter((b) => b !== a && [0, 1].find((index) => inShard(a, 0, { index, count: 2 })) === [0, 1].find((index) => inShard(b, 0, { index, count: 2 }))).map((b) => [a, b]))[0] ?? [];
    expect(threadShares(pair.map((topic) => ({ topic, partition: 0 })), null, 2).threads).toHaveLength(1);
    for (const outer of [null, { index: 1, count: 3 }]) {
      for (let workers = 1; workers <= 6; workers += 1) {
        const run = [...of('apps-users', 5), ...of('a', 1), ...of('b', 1), ...of('payments-refunds', 3)].filter((entry) => outer === null || inShard(entry.topic, entry.partition, outer));
        const { count, threads } = threadShares(run, outer, workers);
        expect(threads.length).toBeLessThanOrEqual(Math.min(workers, run.length));
        // Every share has a thread: a partition added before the threads list theirs is read by one.
        expect(threads).toEqual(run.length === 0 ? [] : Array.from({ length: count }, (_, thread) => thread));
        for (const entry of run) expect(threads.filter((thread) => inShard(entry.topic, entry.partition, workerShard(outer, thread, count))), `${entry.topic}/${entry.partition}`).toHaveLength(1);
        for (const thread of threads) expect(run.some((entry) => inShard(entry.topic, entry.partition, workerShard(outer, thread, count)))).toBe(true);
      }
    }
  });

  it('lower the thread count until no share is empty, so a partition added meanwhile never falls in a share no thread reads', () => {
    // Dealt in 3, these topics of one partition take shares 1, 0 and 1: share 2 would be empty,
    // and a partition added to any topic before the threads listed theirs could land in it,
    // read by no thread. Dealt in 2, each share holds one.
    const one = (...names: string[]): Array<{ topic: string; partition: number }> => names.map((topic) => ({ topic, partition: 0 }));
    const run = one('apps-users', 'apps-sessions', 'b');
    expect([0, 1, 2].map((share) => run.filter((entry) => inShard(entry.topic, 0, workerShard(null, share, 3))).length)).toEqual([1, 2, 0]);
    expect(threadShares(run, null, 3)).toEqual({ count: 2, threads: [0, 1] });
    expect(threadShares(run, null, 8)).toEqual({ count: 2, threads: [0, 1] });
    // In 3 they all take share 2, in 2 all share 0: one share, the run stays in its process.
    expect(threadShares(one('payments-refunds', 'payments-transactions', 'c'), null, 3)).toEqual({ count: 1, threads: [0] });
  });

  it('are written i/n, counted from 0; anything else is a usage error naming the option', () => {
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseShard(' 2/3 ')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/3', '1/0', '-1/2', '1', '1/2/3', 'a/b', '', '0.5/2']) expect(parseShard(bad), bad).toBeUndefined();
    expect(flowOptionsFrom({ shard: '1/2', dryRun: false }, '--').shard).toEqual({ index: 1, count: 2 });
    expect(flowOptionsFrom({ dryRun: false }, '--').shard).toBeNull();
    expect(() => flowOptionsFrom({ shard: '2/2', dryRun: false }, '--')).toThrow('--shard must be i/n, shard i of n counted from 0 (0/3, 1/3 and 2/3 split the partitions in three), not "2/2"');
    expect(() => flowOptionsFrom({ shard: 'half', dryRun: false }, 'input ')).toThrow('input shard must be i/n');
  });
});
