import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../src/manifest/types.js';
import { createDecoder, createProducer, EventValidationError } from '../../../src/sdk/index.js';

const manifest = {
  format: '1.0',
  serial: 1,
  sourceCommit: 'c'.repeat(40),
  environment: 'default',
  subjects: [{ subject: 'apps-trees', team: 'apps', name: 'trees', topic: 'apps-trees', description: 'd', owners: [], status: 'active', compatibility: { mode: 'FULL', policy: 'DEFAULT' }, topicConfig: {}, eventTime: null, pii: [], lakePath: 'apps-trees/', versions: [{ version: 1, id: 1, fingerprint: `sha256:${'0'.repeat(64)}`, path: 'p', registeredIn: 'c'.repeat(40), schema: { type: 'object', properties: { tree: { type: 'array' } } } }] }],
} as unknown as Manifest;

/** An event of `levels` levels: the object, then arrays inside it. */
const tree = (levels: number): { tree: unknown[] } => {
  let inner: unknown[] = [];
  for (let level = 2; level < levels; level += 1) inner = [inner];
  return { tree: inner };
};

describe('events nested over 1,000 levels', () => {
  it('are not sent (the flow would quarantine them as TOO_DEEP), and nothing of their batch is', async () => {
    // A broker nobody listens on: the send must fail before any connection is tried.
    const producer = await createProducer({ manifest, kafka: new Kafka({ brokers: ['127.0.0.1:9'], logLevel: logLevel.NOTHING }) });
    const single = await producer.send('apps-trees', tree(1001)).catch((caught: unknown) => caught);
    expect(single).toBeInstanceOf(EventValidationError);
    expect((single as EventValidationError).message).toBe('the event does not match apps-trees version 1: (the event) nests deeper than 1000 levels of objects and arrays; nothing was sent');
    // So deep that JSON.stringify overflows the stack: the same error, not a RangeError.
    expect(await producer.send('apps-trees', tree(20_000)).catch((caught: unknown) => caught)).toBeInstanceOf(EventValidationError);
    // Too long for a string is no depth: JSON.stringify's own RangeError.
    const long = 'x'.repeat(300_000_000);
    const huge = await producer.send('apps-trees', { tree: [long, long] }).catch((caught: unknown) => caught);
    expect(huge).toBeInstanceOf(RangeError);
    expect(huge).not.toBeInstanceOf(EventValidationError);
    const batch = await producer.sendBatch('apps-trees', [{ value: tree(3) }, { value: tree(1001) }]).catch((caught: unknown) => caught);
    expect((batch as EventValidationError).violations).toEqual([{ path: '/1', keyword: 'maxDepth', message: 'nests deeper than 1000 levels of objects and arrays' }]);
  });

  /** Regression: under a recursive schema, ajv validated first and overflowed the stack (a RangeError, not EventValidationError). */
  it('are refused before validation, so a recursive schema cannot overflow the stack', async () => {
    const recursive = { type: 'object', properties: { tree: { $ref: '#/$defs/tree' } }, $defs: { tree: { type: 'array', items: { $ref: '#/$defs/tree' } } } };
    const subjects = (manifest as unknown as { subjects: Array<{ versions: Array<Record<string, unknown>> }> }).subjects;
    const forests = { ...manifest, subjects: [{ ...subjects[0], versions: [{ ...subjects[0]?.versions[0], schema: recursive }] }] } as unknown as Manifest;
    const producer = await createProducer({ manifest: forests, kafka: new Kafka({ brokers: ['127.0.0.1:9'], logLevel: logLevel.NOTHING }) });
    const single = await producer.send('apps-trees', tree(20_000)).catch((caught: unknown) => caught);
    expect(single).toBeInstanceOf(EventValidationError);
    expect((single as EventValidationError).violations).toEqual([{ path: '', keyword: 'maxDepth', message: 'nests deeper than 1000 levels of objects and arrays' }]);
    const batch = await producer.sendBatch('apps-trees', [{ value: tree(3) }, { value: tree(20_000) }]).catch((caught: unknown) => caught);
    expect((batch as EventValidationError).violations).toEqual([{ path: '/1', keyword: 'maxDepth', message: 'nests deeper than 1000 levels of objects and arrays' }]);
  });

  it('decode as TOO_DEEP; 1,000 levels decode', async () => {
    const decoder = await createDecoder({ manifest });
    const decode = (levels: number) => decoder.decode({ value: Buffer.from(JSON.stringify(tree(levels))), headers: { 'schema-id': '1' } });
    expect(decode(1000)).toMatchObject({ ok: true });
    expect(decode(1001)).toEqual({ ok: false, reason: 'TOO_DEEP', detail: 'the value nests deeper than 1000 levels of objects and arrays', id: 1 });
    // Wide is not deep: 1,500 objects side by side are two levels.
    const wide = { tree: Array.from({ length: 1500 }, () => ({ leaf: [1] })) };
    expect(decoder.decode({ value: Buffer.from(JSON.stringify(wide)), headers: { 'schema-id': '1' } })).toMatchObject({ ok: true });
  });
});
