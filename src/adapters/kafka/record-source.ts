import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { SchemaflowError, messageOf } from '../../domain/errors.js';
import { partitionKey } from '../../archive/layout.js';
import type { KafkaRecord, PartitionOffsets, ReadRange, RecordSource } from '../../ports.js';
import { flowSettingWays } from '../../config/settings.js';
import { FLOW_GROUP, RUN_GROUP_PREFIX } from '../../domain/names.js';
import { removeLeftoverGroups } from './leftover-groups.js';

/** The longest delay Node.js timers keep (2^31 − 1 ms, about 24.8 days): a longer one warns TimeoutOverflowWarning and fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** How the setting that names the positions group is given, for messages. */
const POSITIONS_SETTING = flowSettingWays('positionsGroup');

/** Tries at recording the positions in the stable group while other runs record theirs. */
const RECORD_ATTEMPTS = 4;

/**
 * With ranges unfinished and no batch for this long, the read ends: a broker that sends nothing
 * (its ranges are then incomplete). Markers and aborted records count as batches (see END_BATCH_PROCESS below).
 */
const IDLE_MS = 10_000;

/**
 * Fetch settings for a drain-and-exit job (flow.md §5.3): a short wait so quiet partitions do
 * not hold a fetch for 5 s. Sizes as Kafka's own consumer default per partition (1 MiB), and
 * 1 MiB a fetch: kafkajs keeps a whole fetch decoded as JavaScript objects (several times its
 * bytes) while the batches are handled. A 4 MiB fetch read no faster on loopback (npm run
 * bench:flow) with about 100 MB more peak RSS at 1M events, a 16 MiB one with 200 MB more; a
 * broker 10 ms away costs a 1 MiB fetch about a tenth of the time the flow takes to handle it.
 * kafkajs shuffles the partitions of every fetch, so each gets its turn (KIP-74).
 * The broker returns an oversized batch whole only for the first partition of a fetch (KIP-74);
 * any other partition gets a truncated batch that kafkajs drops and fetches again, forever. So
 * the per-partition limit is raised to the largest `max.message.bytes` of the topics read
 * (flow.md §4 row 24).
 */
export const FETCH = { maxWaitTimeInMs: 250, minBytes: 1, maxBytes: 1024 * 1024, maxBytesPerPartition: 1024 * 1024 } as const;

/** TOPIC resource type of DescribeConfigs (kafkajs's named export is not visible from ESM). */
const TOPIC_RESOURCE = 2;
/** Record batch overhead above `max.message.bytes`. */
const BATCH_OVERHEAD = 64 * 1024;

function kafkaFailure(what: string, error: unknown): SchemaflowError {
  if (error instanceof SchemaflowError) return error;
  return new SchemaflowError('KAFKA_FAILED', `${what}: ${messageOf(error)}`, { cause: error, retriable: (error as { retriable?: boolean }).retriable === true });
}

/**
 * Kafka as the flow's record source. kafkajs has no manual partition assignment, so each read
 * joins a per-run consumer group (never committed to, deleted afterwards) and seeks every
 * partition to the offset the lake's state names.
 */
export function createRecordSource(kafka: Kafka, options: { runId: string; positionsGroup?: string }): RecordSource {
  const positionsGroup = options.positionsGroup ?? FLOW_GROUP;
  const admin: Admin = kafka.admin();
  let connected: Promise<void> | undefined;
  const connect = (): Promise<void> => (connected ??= admin.connect());

  /** The largest `max.message.bytes` among the topics (their own setting or the broker's default). */
  async function largestMessageBytes(topics: readonly string[]): Promise<number> {
    try {
      await connect();
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ['max.message.bytes'] })) });
      return Math.max(0, ...described.resources.flatMap((resource) => resource.configEntries.map((entry) => Number(entry.configValue) || 0)));
    } catch (error) {
      throw kafkaFailure(`cannot read max.message.bytes of ${topics.join(', ')}`, error);
    }
  }

  /** The offset the positions group holds for each of the positions' partitions (-1 where it holds none). */
  async function heldPositions(positions: ReadonlyArray<{ topic: string; partition: number }>): Promise<(entry: { topic: string; partition: number }) => bigint> {
    try {
      await connect();
      const committed = await admin.fetchOffsets({ groupId: positionsGroup, topics: [...new Set(positions.map((entry) => entry.topic))] });
      const held = new Map(committed.flatMap((topic) => topic.partitions.filter((entry) => /^\d+$/.test(entry.offset)).map((entry) => [partitionKey(topic.topic, entry.partition), BigInt(entry.offset)] as const)));
      return (entry) => held.get(partitionKey(entry.topic, entry.partition)) ?? -1n;
    } catch (error) {
      throw kafkaFailure(`cannot read the positions of group ${positionsGroup}`, error);
    }
  }

  return {
    async offsets(topics) {
      try {
        await connect();
        const existing = new Set(await admin.listTopics());
        const result: PartitionOffsets[] = [];
        for (const topic of [...new Set(topics)].filter((name) => existing.has(name))) {
          for (const entry of await admin.fetchTopicOffsets(topic)) result.push({ topic, partition: entry.partition, low: BigInt(entry.low), high: BigInt(entry.high) });
        }
        return result.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
      } catch (error) {
        throw kafkaFailure('cannot read the topics\' offsets', error);
      }
    },

    async read(ranges, handle, { until, stop }) {
      if (ranges.length === 0) return;
      const groupId = `${RUN_GROUP_PREFIX}${options.runId}`;
      const topics = [...new Set(ranges.map((range) => range.topic))];
      const largest = await largestMessageBytes(topics);
      const maxBytesPerPartition = Math.max(FETCH.maxBytesPerPartition, largest + BATCH_OVERHEAD);
      // Once finished (every range read, the deadline, stop, idle, a failure) no new batch is handled.
      let ended = false;
      // kafkajs restarts a consumer that crashed on a retriable error (a broker going away) after a
      // delay it sets only once its crash handling is done; a restart after the read ended would
      // reconnect the disconnected consumer and keep the process alive. Once ended, it stays down.
      const restartOnFailure = (): Promise<boolean> => Promise.resolve(!ended);
      const consumer: Consumer = kafka.consumer({ groupId, ...FETCH, maxBytesPerPartition, maxBytes: Math.max(FETCH.maxBytes, maxBytesPerPartition), sessionTimeout: 30_000, heartbeatInterval: 3_000, allowAutoTopicCreation: false, retry: { retries: 5, restartOnFailure } });
      const remaining = new Map<string, ReadRange>(ranges.map((range) => [partitionKey(range.topic, range.partition), range]));
      let failure: unknown;
      let resolveFinished: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
      const finish = (): void => {
        ended = true;
        resolveFinished();
      };
      let idleTimer: NodeJS.Timeout | undefined;
      const touch = (): void => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(finish, IDLE_MS);
      };
      // Clamped: a longer delay would fire at once (`--max-duration` refuses one; other callers may not).
      const deadline = setTimeout(finish, Math.min(MAX_TIMER_MS, Math.max(0, until - Date.now())));
      if (stop?.aborted) finish();
      stop?.addEventListener('abort', finish, { once: true });
      // Positions are ours, never the group's: seek every unfinished range on each join (a rebalance
      // would otherwise resume at the group's default).
      const position = new Map<string, bigint>(ranges.map((range) => [partitionKey(range.topic, range.partition), range.from]));
      consumer.on(consumer.events.GROUP_JOIN, () => {
        touch();
        for (const range of remaining.values()) consumer.seek({ topic: range.topic, partition: range.partition, offset: (position.get(partitionKey(range.topic, range.partition)) ?? range.from).toString() });
      });
      consumer.on(consumer.events.CRASH, (event) => {
        // A crash once the read has ended (it stays down, see restartOnFailure) loses nothing read.
        if (!event.payload.restart && !ended) {
          failure ??= event.payload.error;
          finish();
        }
      });

      const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
        const { batch } = payload;
        const range = remaining.get(partitionKey(batch.topic, batch.partition));
        if (!range || ended) return;
        touch();
        const records: KafkaRecord[] = batch.messages.map((message) => ({ topic: batch.topic, partition: batch.partition, offset: message.offset, timestamp: message.timestamp, key: message.key ?? null, value: message.value ?? null, headers: message.headers ?? {} }));
        const done = batch.messages.length > 0 && BigInt(batch.lastOffset()) >= range.to - 1n;
        let wanted: boolean;
        try {
          wanted = await handle({ topic: batch.topic, partition: batch.partition, records, done, heartbeat: () => payload.heartbeat() });
        } catch (error) {
          failure ??= error;
          finish();
          return;
        }
        if (batch.messages.length > 0) {
          position.set(partitionKey(batch.topic, batch.partition), BigInt(batch.lastOffset()) + 1n);
          // Without auto-resolve, kafkajs fetches from the last *resolved* offset: a partition larger
          // than one fetch would get its first batch again forever. Resolving is in memory only
          // (autoCommit is off): the group never holds a position.
          payload.resolveOffset(batch.lastOffset());
        }
        if (done || !wanted) {
          payload.pause();
          remaining.delete(partitionKey(batch.topic, batch.partition));
          if (remaining.size === 0) finish();
        }
      };

      // kafkajs hands eachBatch no batch whose records are all transaction markers or aborted
      // records: it only reports such a batch in this event, after moving past it. The one that
      // reaches a range's end ends the range, handed over as a batch without records; otherwise a
      // partition whose last offsets are markers would wait out IDLE_MS and read as incomplete.
      const endings = new Set<Promise<void>>();
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
        const { topic, partition, batchSize, firstOffset, lastOffset } = event.payload;
        const key = partitionKey(topic, partition);
        const range = remaining.get(key);
        if (ended || !range || batchSize !== 0) return;
        // Reading through markers and aborted records is progress too: the read is not idle.
        touch();
        // firstOffset is null (kafkajs types it as a string) when the batch had no offset at or
        // after the one fetched, and then names the fetched offset as its last: it read nothing.
        if ((firstOffset as string | null) === null || !/^\d+$/.test(lastOffset) || BigInt(lastOffset) < range.to - 1n) return;
        // Taken off first: a batch of the partition that comes after this is not handled.
        remaining.delete(key);
        consumer.pause([{ topic, partitions: [partition] }]);
        position.set(key, range.to);
        const ending = handle({ topic, partition, records: [], done: true, heartbeat: () => Promise.resolve() })
          .then(
            () => undefined,
            (error: unknown) => void (failure ??= error),
          )
          .finally(() => {
            endings.delete(ending);
            if (failure !== undefined || remaining.size === 0) finish();
          });
        endings.add(ending);
      });

      try {
        await consumer.connect();
        // fromBeginning: where kafkajs goes when Kafka answers OFFSET_OUT_OF_RANGE because
        // retention deleted the offset about to be fetched. The log start keeps every record
        // still in Kafka (the deleted ones are missing inside the unit); the latest offset would
        // skip past the snapshot and have the range taken as read.
        await consumer.subscribe({ topics, fromBeginning: true });
        await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: Math.min(ranges.length, 4), eachBatch });
        await finished;
      } catch (error) {
        failure ??= error;
      } finally {
        clearTimeout(deadline);
        clearTimeout(idleTimer);
        stop?.removeEventListener('abort', finish);
        // Waits for a batch in progress and the ranges ended by markers: nothing is handled after read() returns.
        await consumer.disconnect().catch(() => undefined);
        await Promise.all([...endings]);
        await connect().then(() => admin.deleteGroups([groupId])).catch(() => undefined);
      }
      if (failure !== undefined) throw kafkaFailure('reading records failed', failure);
    },

    /**
     * The commit admin.setOffsets makes (join the group, pause, seek: kafkajs commits a seek at
     * once), but for every topic in one join with a short fetch wait. setOffsets itself joins
     * once per topic and waits out a 5 s fetch each time, and concurrent calls fight over the
     * group's membership. Runs recording at the same moment (shards) join the same group, so
     * the commit is checked against the group's offsets and made again, a little later each
     * time, until the group holds every position; a silent loss becomes a retry or a warning.
     */
    async recordPositions(all) {
      if (all.length === 0) return;
      // A position the group holds ahead of the lake's was recorded by another lake, by a run of
      // this lake that overlapped this one and got further, or before this lake's state was
      // restored from an older copy: it is left as it is, and the run says so.
      const before = await heldPositions(all);
      const ahead = all.filter((entry) => before(entry) > entry.next);
      const positions = all.filter((entry) => !ahead.includes(entry));
      const topics = [...new Set(positions.map((entry) => entry.topic))];
      for (let attempt = 1; positions.length > 0; attempt += 1) {
        const consumer = kafka.consumer({ groupId: positionsGroup, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
        try {
          await consumer.connect();
          await consumer.subscribe({ topics, fromBeginning: true });
          await new Promise<void>((resolve, reject) => {
            consumer.on(consumer.events.FETCH, () => void consumer.stop().then(resolve, reject));
            consumer.run({ eachBatchAutoResolve: false, eachBatch: () => Promise.resolve() }).catch(reject);
            consumer.pause(topics.map((topic) => ({ topic })));
            for (const entry of positions) consumer.seek({ topic: entry.topic, partition: entry.partition, offset: entry.next.toString() });
          });
        } catch (error) {
          throw kafkaFailure(`cannot record the flow's positions in group ${positionsGroup}`, error);
        } finally {
          await consumer.disconnect().catch(() => undefined);
        }
        const held = await heldPositions(positions);
        const missing = positions.filter((entry) => held(entry) < entry.next).map((entry) => `${entry.topic}/${entry.partition}`);
        if (missing.length === 0) break;
        if (attempt === RECORD_ATTEMPTS) throw new SchemaflowError('KAFKA_FAILED', `group ${positionsGroup} did not take the positions of ${missing.join(', ')} after ${attempt} tries (other runs were recording theirs at the same moment); the lake's state is unaffected and the next run records them`);
        await new Promise((resolve) => setTimeout(resolve, attempt * (250 + Math.random() * 500)));
      }
      if (ahead.length > 0) {
        const listed = ahead.map((entry) => `${entry.topic}/${entry.partition} at ${before(entry)} (this lake: ${entry.next})`).join(', ');
        throw new SchemaflowError('POSITIONS_GROUP_SHARED', `group ${positionsGroup} holds ${listed}, ahead of this lake, and left them as they are. Another lake records its positions in this group, a run of this lake that overlapped this one got further, or this lake's state was restored from an older copy. If another lake archives this cluster, lag tools read its positions as this lake's: give each lake its own group with ${POSITIONS_SETTING}`);
      }
    },

    async removeLeftoverGroups() {
      try {
        await connect();
        return await removeLeftoverGroups(admin);
      } catch (error) {
        throw kafkaFailure('cannot remove the read groups of crashed runs', error);
      }
    },

    async close() {
      if (connected) await admin.disconnect().catch(() => undefined);
    },
  };
}
