import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../src/dev/processes.js';
import { createDecoder, createProducer, UnknownSchemaError } from '../../../src/sdk/index.js';
import { testManifest, testSubject } from '../../support/discovery-fixture.js';

const event = { type: 'object', description: 'e', properties: { id: { type: 'string' } } };
const manifest = testManifest([testSubject('apps-users', [event, event, event])]);
const work = mkdtempSync(join(tmpdir(), 'schemaflow-sdk-messages-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('SDK messages name what was wrong', () => {
  // Regression: { version: '2' } answered "has no version 2 …; it has 1, 2, 3".
  it.each([['2', '"2" (a string)'], [2.5, '2.5'], [0, '0'], [Number.NaN, 'NaN']])('refuse a version that is not a positive integer (%j), saying so', async (version, shown) => {
    // A broker nobody listens on: the send must fail before any connection is tried.
    const producer = await createProducer({ manifest, kafka: new Kafka({ brokers: ['127.0.0.1:9'], logLevel: logLevel.NOTHING }) });
    const error = await producer.send('apps-users', { id: 'x' }, { version: version as number }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnknownSchemaError);
    expect((error as Error).message).toBe(`the version of apps-users must be a positive integer (a number such as 3), not ${shown}; it has 1, 2, 3`);
  });

  // Regression: a schema-id header that is not a number was reported as missing.
  it('decode a schema-id header that is not a decimal ID as such, not as missing', async () => {
    const decoder = await createDecoder({ manifest });
    expect(decoder.decode({ value: Buffer.from('{"id":"x"}'), headers: { 'schema-id': 'abc' } })).toEqual({ ok: false, reason: 'NO_SCHEMA_ID', detail: 'the schema-id header is "abc", not a decimal schema ID, and the value has no Confluent framing' });
    expect(decoder.decode({ value: Buffer.from('{"id":"x"}') })).toEqual({ ok: false, reason: 'NO_SCHEMA_ID', detail: 'no schema-id header and no Confluent framing' });
    expect(decoder.decode({ value: Buffer.from('{"id":"x"}'), headers: { 'schema-id': '2' } })).toMatchObject({ ok: true, version: 2 });
  });

  // Regression: a schema-id header without a value (Kafka's null, as kafkajs hands it over) was
  // reported as a header reading "null".
  it('decode a schema-id header without a value as one that has none, not as the text "null"', async () => {
    const decoder = await createDecoder({ manifest });
    // kafkajs types no null, but hands one over for such a header.
    const noValue = (value: unknown): IHeaders => ({ 'schema-id': value }) as IHeaders;
    expect(decoder.decode({ value: Buffer.from('{"id":"x"}'), headers: noValue(null) })).toEqual({ ok: false, reason: 'NO_SCHEMA_ID', detail: 'the schema-id header has no value, and the value has no Confluent framing' });
    expect(decoder.decode({ value: Buffer.from('{"id":"x"}'), headers: noValue([null, '2']) })).toEqual({ ok: false, reason: 'NO_SCHEMA_ID', detail: 'the schema-id header has no value, and the value has no Confluent framing' });
  });

  // Regression: a location naming the manifests folder without its trailing / (the form
  // SCHEMAFLOW_MANIFEST_URL takes, file://./.schemaflow/manifests) failed with the system's
  // "EISDIR: illegal operation on a directory, read", which says neither what nor how to fix it.
  it('say how to name a manifest in a directory given without its trailing /', async () => {
    const directory = join(work, 'manifests');
    mkdirSync(directory);
    writeFileSync(join(directory, 'latest.json'), JSON.stringify(manifest));
    for (const location of [directory, `file://${directory}`]) {
      const error = await createDecoder({ manifest: location }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable: false, message: `cannot load the manifest from ${location}: it is a directory; give the manifest file in it (${location}/latest.json), or end the location with / to read its latest.json` });
    }
    expect((await createDecoder({ manifest: `${directory}/` })).decode({ value: Buffer.from('{"id":"x"}'), headers: { 'schema-id': '1' } })).toMatchObject({ ok: true });
  });

  // Regression: an https:// manifest that could not be fetched said only "fetch failed": the
  // reason (a refused connection, a name that does not resolve, a certificate) was in its cause.
  it('say why an https:// manifest could not be fetched', async () => {
    const port = await findFreePort();
    const error = await createDecoder({ manifest: `https://127.0.0.1:${port}/manifests/latest.json` }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable: true, message: `cannot load the manifest from https://127.0.0.1:${port}/manifests/latest.json: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  // The loader read gs:// with a pattern of its own: a bucket GCS cannot have went to GCS as a request.
  it('read gs:// locations as the stores and settings do: a bucket GCS cannot have, and a bucket without an object, say so', async () => {
    const failure = (location: string): Promise<unknown> => createDecoder({ manifest: location }).catch((caught: unknown) => caught);
    expect(await failure('gs://Acme/manifests/latest.json')).toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable: false, message: expect.stringMatching(/^cannot load the manifest from gs:\/\/Acme\/manifests\/latest.json: it names the bucket "Acme", but a GCS bucket name is 3 to 63 lowercase letters/) as string });
    expect(await failure('gs://acme-schemas')).toMatchObject({ code: 'MANIFEST_UNREADABLE', message: 'cannot load the manifest from gs://acme-schemas: a gs:// location names an object in the bucket, e.g. gs://acme-schemas/manifests/latest.json, or a folder ending in / (gs://acme-schemas/manifests/)' });
  });
});
