import type { Kafka, Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../src/manifest/types.js';
import { createDecoder, createProducer, EventValidationError } from '../../../src/sdk/index.js';

const schema = { type: 'object', required: ['userId'], properties: { userId: { type: 'string', minLength: 1 }, occurredAt: { type: 'string', format: 'date-time' } } };
const manifest = {
  format: '1.0',
  serial: 1,
  sourceCommit: 'c'.repeat(40),
  environment: 'default',
  subjects: [{ subject: 'apps-users', team: 'apps', name: 'users', topic: 'apps-users', description: 'd', owners: [], status: 'active', compatibility: { mode: 'FULL', policy: 'DEFAULT' }, topicConfig: {}, eventTime: null, pii: [], lakePath: 'apps-users/', versions: [{ version: 1, id: 7, fingerprint: `sha256:${'0'.repeat(64)}`, path: 'p', registeredIn: 'c'.repeat(40), schema }] }],
} as unknown as Manifest;

/** A kafkajs stand-in that keeps what would have gone to the broker. */
function recordingKafka(): { kafka: Kafka; sent: Message[] } {
  const sent: Message[] = [];
  const send = (record: { messages: Message[] }): Promise<[]> => {
    sent.push(...record.messages);
    return Promise.resolve([]);
  };
  return { kafka: { producer: () => ({ connect: () => Promise.resolve(), disconnect: () => Promise.resolve(), send }) } as unknown as Kafka, sent };
}

class UserSignedUp {
  constructor(private readonly id: string) {}
  get userId(): string {
    return this.id;
  }
}

/**
 * Regression: ajv validated the live object (a class getter, an inherited property, the object a
 * toJSON replaces) but JSON.stringify sent only its own data, so `new UserSignedUp('u-1')` passed
 * and went out as {"id":"u-1"} tagged with schema ID 7, which consumers refused.
 */
describe('the producer validates what it sends', () => {
  it.each([
    ['a required field that is a class getter', new UserSignedUp('u-1'), '(the event) must have required property \'userId\''],
    ['a required field that is inherited', Object.create({ userId: 'u-1' }) as unknown, '(the event) must have required property \'userId\''],
    ['a toJSON that drops a required field', { userId: 'u-1', toJSON: () => ({ id: 'u-1' }) }, '(the event) must have required property \'userId\''],
    ['undefined', undefined, '(the event) is undefined, not a JSON value: there is nothing to send'],
  ])('refuses %s and sends nothing', async (_name, event, violation) => {
    const { kafka, sent } = recordingKafka();
    const producer = await createProducer({ manifest, kafka });
    const error = await producer.send('apps-users', event).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as Error).message).toBe(`the event does not match apps-users version 1: ${violation}; nothing was sent`);
    const batch = await producer.sendBatch('apps-users', [{ value: { userId: 'u-2' } }, { value: event }]).catch((caught: unknown) => caught);
    expect((batch as EventValidationError).violations.map((entry) => entry.path)).toEqual(['/1']);
    expect(sent).toEqual([]);
  });

  it('sends the bytes it validated, which decode as the schema they are tagged with', async () => {
    const { kafka, sent } = recordingKafka();
    const producer = await createProducer({ manifest, kafka });
    // A Date is sent as its ISO string: that is what the schema is asked about, and it passes.
    const occurredAt = new Date('2024-05-01T12:00:00Z');
    await producer.send('apps-users', { userId: 'u-1', occurredAt });
    await producer.sendBatch('apps-users', [{ value: { toJSON: () => ({ userId: 'u-2' }) } }]);
    expect(sent.map((message) => message.value?.toString())).toEqual(['{"userId":"u-1","occurredAt":"2024-05-01T12:00:00.000Z"}', '{"userId":"u-2"}']);
    const decoder = await createDecoder({ manifest });
    for (const message of sent) expect(decoder.decode({ value: message.value as Buffer, headers: message.headers as Record<string, string> })).toMatchObject({ ok: true, id: 7 });
  });
});

describe('sendJson: events already written as JSON text', () => {
  it('sends each text as written, digits a double would change included, after checking every one', async () => {
    const { kafka, sent } = recordingKafka();
    const producer = await createProducer({ manifest, kafka });
    const texts = ['{"userId":"u-1","n":12345678901234567891}', '{ "userId" : "u-2" }'];
    await producer.sendJson('apps-users', texts.map((json, index) => ({ json, key: `k${index}` })));
    expect(sent.map((message) => String(message.value))).toEqual(texts);
    expect(sent.map((message) => message.key)).toEqual(['k0', 'k1']);
    expect(sent[0]?.headers).toMatchObject({ 'schema-id': '7', 'schema-version': '1' });
    const decoder = await createDecoder({ manifest });
    expect(decoder.decode({ value: sent[0]?.value as Buffer, headers: sent[0]?.headers as Record<string, string> })).toMatchObject({ ok: true, id: 7 });
  });

  // Regression (found by a review): a text holding a lone UTF-16 surrogate (an emoji cut in half
  // by a slice) was validated as it was, then Buffer.from wrote U+FFFD in its place: the event
  // sent was not the one validated, and the character was lost. send() is not affected
  // (JSON.stringify escapes a lone surrogate as \udXXX, which is JSON).
  it('refuses a text holding a lone surrogate, which UTF-8 cannot carry, and sends nothing', async () => {
    const { kafka, sent } = recordingKafka();
    const producer = await createProducer({ manifest, kafka });
    const cut = '{"userId":"u-😀"}'.replace('\ude00', '');
    const error = await producer.sendJson('apps-users', [{ json: '{"userId":"u-1"}' }, { json: cut }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).violations).toEqual([{ path: '/1', keyword: 'json', message: 'holds a lone UTF-16 surrogate (\\ud83d at character 14), which UTF-8 cannot carry: it would be sent as U+FFFD; write it as the JSON escape \\ud83d, or send the value with send()' }]);
    expect(sent).toEqual([]);
    // Escaped, it is JSON, and goes out as written.
    await producer.sendJson('apps-users', [{ json: '{"userId":"u-\\ud83d"}' }]);
    expect(sent.map((message) => String(message.value))).toEqual(['{"userId":"u-\\ud83d"}']);
    await producer.send('apps-users', JSON.parse(cut));
    expect(String(sent[1]?.value)).toBe('{"userId":"u-\\ud83d"}');
  });

  it('refuses the batch, naming every text that is not JSON, too deep or invalid, and sends nothing', async () => {
    const { kafka, sent } = recordingKafka();
    const producer = await createProducer({ manifest, kafka });
    const error = await producer.sendJson('apps-users', [{ json: '{"userId":"ok"}' }, { json: '{"userId":' }, { json: '{"userId":""}' }, { json: `{"userId":"x","deep":${'['.repeat(1_001)}${']'.repeat(1_001)}}` }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventValidationError);
    const violations = (error as EventValidationError).violations;
    expect(violations.map((violation) => `${violation.path} ${violation.keyword}`)).toEqual(['/1 json', '/2/userId minLength', '/3 maxDepth']);
    expect(violations[0]?.message).toMatch(/^is not JSON \(.+\): the flow would quarantine it as NOT_JSON$/);
    expect(sent).toEqual([]);
  });
});

/**
 * `produce` checked each line itself and then `sendJson` checked the batch again: every event was
 * parsed and validated twice. checkJson and sendChecked split the two steps so each happens once.
 */
describe('checkJson and sendChecked: each event checked once, then sent as checked', () => {
  it('answers each text on its own and sends the passed ones as written, tagged with the version they were checked against', async () => {
    const { kafka, sent } = recordingKafka();
    const producer = await createProducer({ manifest, kafka });
    const texts = ['{"userId":"u-1","n":12345678901234567891}', '{"userId":""}', '{"userId":', '{"userId":"u-2"}'];
    const checked = texts.map((json) => producer.checkJson('apps-users', json, { version: 1 }));
    expect(checked.map((result) => (result.ok ? 'ok' : result.violations.map((violation) => `${violation.path} ${violation.keyword}`).join()))).toEqual(['ok', '/userId minLength', ' json', 'ok']);
    const passed = checked.flatMap((result, index) => (result.ok ? [{ checked: result, key: `k${index}` }] : []));
    await producer.sendChecked('apps-users', passed);
    expect(sent.map((message) => String(message.value))).toEqual([texts[0], texts[3]]);
    expect(sent.map((message) => message.key)).toEqual(['k0', 'k3']);
    expect(sent[1]?.headers).toMatchObject({ 'schema-id': '7', 'schema-subject': 'apps-users', 'schema-version': '1' });
  });

  it('sends nothing that checkJson of this producer did not pass for that subject', async () => {
    const { kafka, sent } = recordingKafka();
    const producer = await createProducer({ manifest, kafka });
    const other = await createProducer({ manifest, kafka });
    const valid = producer.checkJson('apps-users', '{"userId":"u-1"}');
    if (!valid.ok) throw new Error('expected the event to pass');
    const forged = { ...valid, json: Buffer.from('{"userId":""}') };
    await expect(producer.sendChecked('apps-users', [{ checked: valid }, { checked: forged }])).rejects.toThrow('sendChecked: event 1 was not passed by checkJson of this producer; nothing was sent');
    await expect(other.sendChecked('apps-users', [{ checked: valid }])).rejects.toThrow('event 0 was not passed by checkJson of this producer');
    await expect(producer.sendChecked('apps-orders', [{ checked: valid }])).rejects.toThrow('sendChecked: event 0 was checked against apps-users, not apps-orders; nothing was sent');
    expect(sent).toEqual([]);
  });
});
