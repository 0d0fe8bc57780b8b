import { decodeUtf8Exact } from '../domain/utf8.js';
import { eventJson } from './event-json.js';
import type { KafkaRecord } from '../ports.js';

export type { KafkaRecord } from '../ports.js';

/*
 * Rows are written as JSON text built here rather than by JSON.stringify of a row object: the
 * flow writes one per record, and only the event itself needs a general serializer. The text is
 * exactly what `JSON.stringify({ value, _kafka: {…}, _schema: {…} })` gives (a unit test holds
 * the two equal), so object hashes do not depend on which of the two wrote them, except that a
 * number a double would change keeps the producer's digits (`eventJson`).
 */

function text(bytes: Buffer): { text: string } | { base64: string } {
  try {
    return { text: decodeUtf8Exact(bytes) };
  } catch {
    return { base64: bytes.toString('base64') };
  }
}

/**
 * Printable ASCII that JSON.stringify leaves as it is (no control character, quote or
 * backslash) as a JSON string, else undefined. Most header values (schema IDs, trace IDs,
 * content types) are such bytes: their text needs neither the UTF-8 decoder nor an escaper.
 */
function plainAsciiJson(bytes: Buffer): string | undefined {
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index] as number;
    if (byte < 0x20 || byte > 0x7f || byte === 0x22 || byte === 0x5c) return undefined;
  }
  return `"${bytes.toString('latin1')}"`;
}

/** One header value as JSON: a UTF-8 string, `{"base64": …}` for bytes that are not UTF-8, or null for a header without a value. */
function headerValueJson(entry: Buffer | string | null): string {
  if (entry === null) return 'null';
  if (typeof entry === 'string') return JSON.stringify(entry);
  const plain = plainAsciiJson(entry);
  if (plain !== undefined) return plain;
  const decoded = text(entry);
  return 'text' in decoded ? JSON.stringify(decoded.text) : `{"base64":"${decoded.base64}"}`;
}

/** Kafka carries a header without a value (its length -1): kafkajs hands it over as null. */
const isHeaderValue = (entry: unknown): entry is Buffer | string | null => entry === null || typeof entry === 'string' || Buffer.isBuffer(entry);

/** Header names as JSON: every record of a topic repeats the same few. Bounded: names are the producer's to choose. */
const headerNames = new Map<string, string>();
const HEADER_NAMES_KEPT = 1024;

function nameJson(name: string): string {
  let json = headerNames.get(name);
  if (json === undefined) {
    json = JSON.stringify(name);
    if (headerNames.size >= HEADER_NAMES_KEPT) headerNames.clear();
    headerNames.set(name, json);
  }
  return json;
}

/**
 * Headers as a JSON object; a repeated header is an array of its values. Only strings, bytes and
 * null (no value) are values: kafkajs collects a header named like an Object.prototype member (`constructor`,
 * `__proto__`) into an array that starts with the inherited member, which is not the record's.
 */
function headersJson(headers: KafkaRecord['headers']): string {
  let json = '';
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    let item: string;
    if (Array.isArray(value)) {
      const values = (value as readonly unknown[]).filter(isHeaderValue);
      item = values.length === 1 ? headerValueJson(values[0] as Buffer | string | null) : `[${values.map(headerValueJson).join(',')}]`;
    } else {
      item = isHeaderValue(value) ? headerValueJson(value) : '[]';
    }
    json += `${json === '' ? '' : ','}${nameJson(name)}:${item}`;
  }
  return `{${json}}`;
}

/** The start of `"_kafka"` up to the offset, for the partition of the last record (consecutive records share it). */
let lastTopic: string | undefined;
let lastPartition: number | undefined;
let lastLead = '';

/** The `"_kafka": {topic, partition, offset, timestamp, key, headers}` member of a row. */
function coordinatesJson(record: KafkaRecord): string {
  if (record.topic !== lastTopic || record.partition !== lastPartition) {
    lastTopic = record.topic;
    lastPartition = record.partition;
    lastLead = `"_kafka":{"topic":${JSON.stringify(record.topic)},"partition":${JSON.stringify(record.partition)},"offset":`;
  }
  const key = record.key === null ? 'null' : `"${record.key.toString('base64')}"`;
  return `${lastLead}${JSON.stringify(record.offset)},"timestamp":${JSON.stringify(record.timestamp)},"key":${key},"headers":${headersJson(record.headers)}}`;
}

/** A lake row (DESIGN.md §6): `{"value", "_kafka": {…}, "_schema": {"id", "version"}}`; `text`, the JSON `value` was parsed from, gives numbers a double would change (see `eventJson`). */
export function dataRow(record: KafkaRecord, value: unknown, schema: { id: number; version: number }, text?: string): string {
  return `{"value":${eventJson(value, text)},${coordinatesJson(record)},"_schema":{"id":${JSON.stringify(schema.id)},"version":${JSON.stringify(schema.version)}}}`;
}

/** A quarantine row: the raw bytes (text or base64), why, and where the record was. */
export function quarantineRow(record: KafkaRecord, reason: string, detail: string): string {
  const raw = record.value === null ? null : text(record.value);
  const rawJson = raw === null ? 'null,"rawEncoding":null' : 'text' in raw ? `${JSON.stringify(raw.text)},"rawEncoding":"utf-8"` : `"${raw.base64}","rawEncoding":"base64"`;
  return `{"raw":${rawJson},"reason":${JSON.stringify(reason)},"detail":${JSON.stringify(detail)},${coordinatesJson(record)}}`;
}
