import type { Kafka, Message } from 'kafkajs';
import { expect, it } from 'vitest';
import { createSchemaRegistry } from '../../../src/manifest/registry.js';
import type { Manifest } from '../../../src/manifest/types.js';
import { createDecoder, createProducer } from '../../../src/sdk/index.js';

/*
 * refresh() never goes back to an older manifest. Regression (found by a review): it used the
 * manifest of whichever load finished last, so two overlapping refreshes, or one answered by a
 * stale cache, left the producer on an older serial (and logged the downgrade as an upgrade).
 */
const schema = (required: string[]) => ({ type: 'object', description: 'd', required, properties: { userId: { type: 'string', description: 'u' }, email: { type: 'string', description: 'e' } } });
const manifestOf = (serial: number, versions: number): Manifest => ({
  format: '1.0',
  serial,
  sourceCommit: 'c'.repeat(40),
  environment: 'default',
  subjects: [
    {
      subject: 'apps-users', team: 'apps', name: 'users', topic: 'apps-users', description: 'd', owners: [], status: 'active', compatibility: { mode: 'FULL', policy: 'DEFAULT' }, topicConfig: {}, eventTime: null, pii: [], lakePath: 'apps-users/',
      versions: Array.from({ length: versions }, (_, index) => ({ version: index + 1, id: index + 1, fingerprint: `sha256:${'0'.repeat(64)}`, path: 'p', registeredIn: 'c'.repeat(40), schema: schema(index === 0 ? ['userId'] : ['userId', 'email']) })),
    },
  ],
});
const bytes = (manifest: Manifest): Uint8Array => new TextEncoder().encode(JSON.stringify(manifest));
const recordingKafka = (sent: Message[]): Kafka => ({ producer: () => ({ connect: () => Promise.resolve(), disconnect: () => Promise.resolve(), send: (record: { messages: Message[] }) => (sent.push(...record.messages), Promise.resolve([])) }) }) as unknown as Kafka;

it('keeps the newer manifest when two refreshes overlap and the older answer comes last', async () => {
  const answers = [manifestOf(1, 1), manifestOf(2, 2), manifestOf(3, 3)];
  const delays = [0, 50, 0];
  let call = 0;
  const loader = async (): Promise<Uint8Array> => {
    const index = call++;
    await new Promise((resolve) => setTimeout(resolve, delays[index]));
    return bytes(answers[index] as Manifest);
  };
  const sent: Message[] = [];
  const logs: string[] = [];
  const producer = await createProducer({ manifest: 'mem://latest.json', kafka: recordingKafka(sent), loader, log: (line) => logs.push(line) });
  await Promise.all([producer.refresh(), producer.refresh()]);
  expect(producer.schemaFor('apps-users').version).toBe(3);
  await producer.send('apps-users', { userId: 'u', email: 'e' });
  expect(String(sent[0]?.headers?.['schema-version'])).toBe('3');
  expect(logs).toEqual([
    'apps-users: sends without a version now use version 3 (was 1) after the manifest refresh to serial 3',
    'the manifest refresh read serial 2, older than serial 3 in use (a stale cache answered?); kept serial 3',
  ]);
});

it('keeps the manifest in use when a refresh answers an older serial, and says so', async () => {
  let call = 0;
  const loader = (): Promise<Uint8Array> => Promise.resolve(bytes((call += 1) === 1 ? manifestOf(5, 3) : manifestOf(4, 2)));
  const logs: string[] = [];
  const producer = await createProducer({ manifest: 'mem://latest.json', kafka: recordingKafka([]), loader, log: (line) => logs.push(line) });
  await producer.refresh();
  expect(producer.schemaFor('apps-users').version).toBe(3);
  expect(logs).toEqual(['the manifest refresh read serial 4, older than serial 5 in use (a stale cache answered?); kept serial 5']);
});

// A long-running consumer met IDs registered after it started as UNKNOWN_SCHEMA_ID for good:
// the decoder had no refresh().
it('lets a decoder learn IDs registered since it loaded, and never go back', async () => {
  const answers = [manifestOf(1, 1), manifestOf(2, 2), manifestOf(1, 1)];
  let call = 0;
  const logs: string[] = [];
  const decoder = await createDecoder({ manifest: 'mem://latest.json', loader: () => Promise.resolve(bytes(answers[call++] as Manifest)), log: (line) => logs.push(line) });
  const record = { value: Buffer.from('{"userId":"u","email":"e"}'), headers: { 'schema-id': '2' } };
  expect(decoder.decode(record)).toMatchObject({ ok: false, reason: 'UNKNOWN_SCHEMA_ID' });
  await decoder.refresh();
  expect(decoder.decode(record)).toMatchObject({ ok: true, subject: 'apps-users', version: 2, id: 2 });
  await decoder.refresh();
  expect(decoder.decode(record)).toMatchObject({ ok: true, id: 2 });
  expect(logs).toEqual(['the manifest refresh read serial 1, older than serial 2 in use (a stale cache answered?); kept serial 2']);
});

// The decoder took a record of another subject's schema on any topic, which the flow quarantines as WRONG_SUBJECT.
it('refuses, given the topic, a record whose schema belongs to another subject, as the flow does', async () => {
  const decoder = await createDecoder({ manifest: manifestOf(1, 1) });
  const record = { value: Buffer.from('{"userId":"u"}'), headers: { 'schema-id': '1' } };
  expect(decoder.decode(record, { topic: 'apps-users' })).toMatchObject({ ok: true, subject: 'apps-users' });
  expect(decoder.decode(record)).toMatchObject({ ok: true });
  expect(decoder.decode(record, { topic: 'apps-orders' })).toEqual({ ok: false, reason: 'WRONG_SUBJECT', detail: 'schema ID 1 is apps-users version 1, but the record is on topic apps-orders', id: 1 });
});

// Regression (found by a review): refresh() built a new registry whose validators were compiled
// again on first use, with new ajv instances: 60–230 ms of blocked event loop on the first send of
// each subject after every refresh, against "compiled once per schema ID". A version whose ID and
// fingerprint are unchanged keeps its compiled validator.
it('keeps the compiled validator of every version a refresh leaves as it was', async () => {
  let call = 0;
  const loader = (): Promise<Uint8Array> => Promise.resolve(bytes(manifestOf((call += 1), 2)));
  const sent: Message[] = [];
  const producer = await createProducer({ manifest: 'mem://latest.json', kafka: recordingKafka(sent), loader });
  await producer.send('apps-users', { userId: 'u', email: 'e' });
  const before = producer.schemaFor('apps-users');
  await producer.refresh();
  expect(producer.schemaFor('apps-users')).toBe(before);
  await producer.send('apps-users', { userId: 'u', email: 'e' });
  expect(sent).toHaveLength(2);
});

it('compiles again only a version whose ID is new or whose fingerprint changed', () => {
  const first = createSchemaRegistry(manifestOf(1, 2));
  const second = manifestOf(2, 3);
  const [subject] = second.subjects;
  const changed = { ...second, subjects: [{ ...subject, versions: subject?.versions.map((version) => (version.id === 2 ? { ...version, fingerprint: `sha256:${'1'.repeat(64)}` } : version)) ?? [] }] } as Manifest;
  const next = createSchemaRegistry(changed, first);
  expect(next.byId(1)).toBe(first.byId(1));
  expect(next.byId(2)).not.toBe(first.byId(2));
  expect(next.byId(3)?.validate({ userId: 'u' })).toEqual([{ path: '', keyword: 'required', message: "must have required property 'email'" }]);
});

// Regression: refresh() of a producer or decoder given the manifest as an object did nothing, silently.
it('says a manifest given as an object has nothing to reload, and keeps it', async () => {
  const logs: string[] = [];
  const producer = await createProducer({ manifest: manifestOf(1, 1), kafka: recordingKafka([]), log: (line) => logs.push(line) });
  const decoder = await createDecoder({ manifest: manifestOf(1, 1), log: (line) => logs.push(line) });
  await producer.refresh();
  await decoder.refresh();
  expect(producer.schemaFor('apps-users').version).toBe(1);
  expect(logs).toEqual(Array.from({ length: 2 }, () => 'refresh() has nothing to reload: the manifest was given as an object, not a location; give its location (a path, file://, https:// or gs://) to refresh it'));
});
