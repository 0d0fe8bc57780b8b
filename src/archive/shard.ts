/** One of `count` disjoint shards of the partitions a flow run is given (`--shard index/count`). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** FNV-1a (32-bit) of a topic's name: where its round of partitions starts. */
function topicHash(topic: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < topic.length; index += 1) hash = Math.imul(hash ^ topic.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

/**
 * Whether a partition belongs to a shard. A topic's partitions are dealt to the shards in turn,
 * from a shard its name picks: every partition is in exactly one of the `count` shards, each
 * topic's partitions split evenly (the shards' shares differ by one at most), topics of one
 * partition spread over the shards, and the assignment depends on nothing but the topic, the
 * partition and `count`, so every shard of a run computes the same one.
 */
export function inShard(topic: string, partition: number, shard: Shard): boolean {
  return (topicHash(topic) + partition) % shard.count === shard.index;
}

/** The shard `i/n` names (0 ≤ i < n), or undefined when the text is not one. */
export function parseShard(text: string): Shard | undefined {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return count >= 1 && index < count ? { index, count } : undefined;
}

/**
 * Thread `worker` of `workers` within a run's shard (or all partitions): shard
 * `index + count·worker` of `count·workers`. Those shards are exactly the run's shard split in
 * `workers`: a partition in one of them is in the run's shard, and each of the run's is in one.
 */
export function workerShard(shard: Shard | null, worker: number, workers: number): Shard {
  const outer = shard ?? { index: 0, count: 1 };
  return { index: outer.index + outer.count * worker, count: outer.count * workers };
}

/** The threads of a run: each gets shard `workerShard(shard, thread, count)`. */
export interface ThreadShares {
  /** How many shares the run's shard is dealt in: the threads asked at most, one per partition at most, and no share empty. */
  readonly count: number;
  /** The threads to start, ascending: every share (0 to count − 1), or none when the run takes no partition. */
  readonly threads: readonly number[];
}

/**
 * The threads for `workers` asked over `partitions`, the run's share (its shard's partitions of
 * its subjects). The deal goes by topic name, so topics of one partition can meet in one share
 * and leave another empty; the count is lowered from min(workers, partitions) until every share
 * holds a partition (1 always does). Every share then has a thread: a thread lists the
 * partitions again itself, and a partition or subject added in between lands in a share some
 * thread reads, never in one no thread has.
 */
export function threadShares(partitions: ReadonlyArray<{ readonly topic: string; readonly partition: number }>, shard: Shard | null, workers: number): ThreadShares {
  if (partitions.length === 0) return { count: 1, threads: [] };
  const shares = (count: number): number[] => Array.from({ length: count }, (_, thread) => thread);
  const filled = (count: number): boolean => shares(count).every((thread) => partitions.some((entry) => inShard(entry.topic, entry.partition, workerShard(shard, thread, count))));
  let count = Math.max(1, Math.min(workers, partitions.length));
  while (count > 1 && !filled(count)) count -= 1;
  return { count, threads: shares(count) };
}
