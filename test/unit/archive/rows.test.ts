import fc from 'fast-check';
import { expect, it } from 'vitest';
import { dataRow, quarantineRow, type KafkaRecord } from '../../../src/archive/rows.js';

/*
 * The specification of a row: JSON.stringify of the row object, as the flow first wrote it.
 * rows.ts builds the same text by hand for speed; objects already in lakes were hashed over this
 * form, so the two must stay byte-identical.
 */
const strictText = (bytes: Buffer): string | undefined => {
  try {
    // ignoreBOM keeps a leading BOM: a row holds the bytes as sent (see the BOM tests below).
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
};
const specHeaders = (headers: KafkaRecord['headers']): Record<string, unknown> => {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    const values = (Array.isArray(value) ? (value as ReadonlyArray<Buffer | string | null>) : [value as Buffer | string | null | undefined]).filter((entry): entry is Buffer | string | null => entry !== undefined);
    const decoded = values.map((entry) => (entry === null ? null : typeof entry === 'string' ? entry : (strictText(entry) ?? { base64: entry.toString('base64') })));
    Object.defineProperty(result, name, { value: decoded.length === 1 ? decoded[0] : decoded, enumerable: true, writable: true, configurable: true });
  }
  return result;
};
const specKafka = (record: KafkaRecord) => ({ topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp, key: record.key === null ? null : record.key.toString('base64'), headers: specHeaders(record.headers) });
const specData = (record: KafkaRecord, value: unknown, schema: { id: number; version: number }): string => JSON.stringify({ value, _kafka: specKafka(record), _schema: { id: schema.id, version: schema.version } });
const specQuarantine = (record: KafkaRecord, reason: string, detail: string): string => {
  const text = record.value === null ? null : strictText(record.value);
  const raw = record.value === null ? null : (text ?? record.value.toString('base64'));
  return JSON.stringify({ raw, rawEncoding: record.value === null ? null : text !== undefined ? 'utf-8' : 'base64', reason, detail, _kafka: specKafka(record) });
};

const bytes = fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }).map((text) => new TextEncoder().encode(text))).map((array) => Buffer.from(array));
const headerValue = fc.oneof(bytes, fc.string({ unit: 'binary', maxLength: 6 }), fc.constant(undefined), fc.constant(null), fc.array(fc.oneof(bytes, fc.string({ maxLength: 4 }), fc.constant(undefined), fc.constant(null)), { maxLength: 3 }));
// Arrays may hold undefined, as a client's headers can: rows.ts drops those entries. null is a header without a value (kafkajs's), kept.
const record: fc.Arbitrary<KafkaRecord> = fc.record({
  topic: fc.string({ unit: 'binary', maxLength: 12 }),
  partition: fc.nat(1000),
  offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
  timestamp: fc.bigInt({ min: -1n, max: 2n ** 45n }).map(String),
  key: fc.option(bytes, { nil: null }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.dictionary(fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.nat(20).map(String)), headerValue, { maxKeys: 4 }),
}).map((entry) => entry as KafkaRecord);

it('builds exactly the text JSON.stringify gives for data and quarantine rows', () => {
  fc.assert(
    fc.property(record, fc.jsonValue(), fc.nat(), fc.nat(), fc.string({ unit: 'binary' }), (entry, value, id, version, detail) => {
      expect(dataRow(entry, value, { id, version })).toBe(specData(entry, value, { id, version }));
      expect(quarantineRow(entry, 'INVALID', detail)).toBe(specQuarantine(entry, 'INVALID', detail));
    }),
    { numRuns: 2_000 },
  );
});

/*
 * Regression: the shared UTF-8 decoder drops a leading BOM (TextDecoder's default), so a
 * quarantined value `EF BB BF …` was stored without its first three bytes, as "utf-8" text,
 * and a header value lost them too: the raw bytes could not be recovered.
 */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const withValue = (value: Buffer | null, headers: KafkaRecord['headers'] = {}): KafkaRecord => ({ topic: 'apps-users', partition: 0, offset: '7', timestamp: '0', key: null, value, headers });

it('keeps a leading BOM of a quarantined value: the raw bytes come back as sent', () => {
  const value = Buffer.concat([BOM, Buffer.from('not json')]);
  const row = JSON.parse(quarantineRow(withValue(value), 'NOT_JSON', 'the value is not JSON')) as { raw: string; rawEncoding: string };
  expect(row.rawEncoding).toBe('utf-8');
  expect(Buffer.from(row.raw, 'utf8')).toEqual(value);
  expect(quarantineRow(withValue(value), 'NOT_JSON', 'x')).toBe(specQuarantine(withValue(value), 'NOT_JSON', 'x'));
});

it('keeps a leading BOM of a header value', () => {
  const header = Buffer.concat([BOM, Buffer.from('trace-1')]);
  const row = JSON.parse(dataRow(withValue(Buffer.from('{}'), { 'x-trace': header, both: [header, header] }), {}, { id: 1, version: 1 })) as { _kafka: { headers: Record<string, string | string[]> } };
  expect(Buffer.from(row._kafka.headers['x-trace'] as string, 'utf8')).toEqual(header);
  expect(row._kafka.headers.both).toEqual(['\ufefftrace-1', '\ufefftrace-1']);
});

/*
 * Regression: Kafka carries a header without a value (a Java producer's `new RecordHeader("h", null)`),
 * which kafkajs hands over as null. The row wrote it as an empty list (`"h":[]`), and a repeated
 * header lost its null value and became a single string, so the lake did not hold what was sent.
 */
it('keeps a header without a value as null, alone or among the values of a repeated header', () => {
  const headers = { 'x-none': null, repeated: [Buffer.from('a'), null], constructor: [Object, null] } as unknown as KafkaRecord['headers'];
  const row = JSON.parse(dataRow(withValue(Buffer.from('{}'), headers), {}, { id: 1, version: 1 })) as { _kafka: { headers: Record<string, unknown> } };
  expect(row._kafka.headers).toEqual({ 'x-none': null, repeated: ['a', null], constructor: null });
  expect(JSON.parse(quarantineRow(withValue(null, headers), 'NOT_JSON', 'x'))).toMatchObject({ _kafka: { headers: { 'x-none': null, repeated: ['a', null] } } });
});
