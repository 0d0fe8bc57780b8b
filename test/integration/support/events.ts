import { hourPath } from '../../../src/archive/layout.js';
import type { Message } from 'kafkajs';
import type { FlowFixture } from './flow-fixture.js';

/** Two days before the current hour: old enough that the test's hours close, the same on any date. */
export const BASE_TIME = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 48 * 3_600_000;

/** The lake's `dt=…/hr=…` folder `hours` after BASE_TIME. */
export const hourDir = (hours: number): string => hourPath(new Date(BASE_TIME + hours * 3_600_000));

/**
 * `count` records for a subject's topic over `partitions` partitions: valid events of versions 1
 * and 2 spread over three hours, and every kind of poison the flow must quarantine (not JSON, no
 * schema ID, an unknown ID, an invalid event) at fixed positions. Returns what each should become.
 */
export function mixedRecords(fixture: FlowFixture, subject: string, count: number, partitions: number): { messages: Message[]; quarantined: Record<string, number>; valid: number } {
  const messages: Message[] = [];
  const quarantined: Record<string, number> = {};
  let valid = 0;
  const bump = (reason: string): void => void (quarantined[reason] = (quarantined[reason] ?? 0) + 1);
  for (let index = 0; index < count; index += 1) {
    const partition = index % partitions;
    const timestamp = String(BASE_TIME + index * 60_000);
    const at = new Date(BASE_TIME + (index % 3) * 3_600_000).toISOString();
    const version = index % 2 === 0 ? 1 : 2;
    const event = { id: `e${index}`, at, ...(version === 2 ? { ref: `r${index}` } : {}) };
    const headers = { 'schema-id': String(fixture.idOf(subject, version)) };
    if (index % 10 === 7) {
      messages.push({ partition, timestamp, headers, value: Buffer.from(`{"id": "e${index}", broken`) });
      bump('NOT_JSON');
    } else if (index % 13 === 5) {
      messages.push({ partition, timestamp, value: JSON.stringify(event) });
      bump('NO_SCHEMA_ID');
    } else if (index % 17 === 3) {
      messages.push({ partition, timestamp, headers: { 'schema-id': '999999' }, value: JSON.stringify(event) });
      bump('UNKNOWN_SCHEMA_ID');
    } else if (index % 19 === 11) {
      messages.push({ partition, timestamp, headers, value: JSON.stringify({ at }) });
      bump('INVALID');
    } else {
      messages.push({ partition, timestamp, headers, value: JSON.stringify(event) });
      valid += 1;
    }
  }
  return { messages, quarantined, valid };
}

/** A topic of `partitions` filled with `records` of mixedRecords. */
export interface MixedTopic {
  readonly topic: string;
  readonly partitions: number;
  readonly records: number;
}

/** Creates each topic and fills it with mixedRecords (the same number on every partition when `records` divides evenly). */
export async function seedMixedTopics(fixture: FlowFixture, topics: readonly MixedTopic[]): Promise<void> {
  for (const { topic, partitions, records } of topics) {
    await fixture.createTopic(topic, partitions);
    await fixture.send(topic, mixedRecords(fixture, topic, records, partitions).messages);
  }
}
