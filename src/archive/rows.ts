import type { KafkaRecord } from '../ports.js';

export type { KafkaRecord } from '../ports.js';

function text(bytes: Buffer): { text: string } | { base64: string } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { base64: bytes.toString('base64') };
  }
}

/** Headers as JSON: UTF-8 strings, or `{ "base64": … }` for bytes that are not UTF-8. */
function headersOf(headers: KafkaRecord['headers']): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    const values = (Array.isArray(value) ? (value as ReadonlyArray<Buffer | string>) : [value as Buffer | string | undefined]).filter((entry): entry is Buffer | string => entry !== undefined);
    const decoded = values.map((entry) => {
      if (typeof entry === 'string') return entry;
      const decodedText = text(entry);
      return 'text' in decodedText ? decodedText.text : decodedText;
    });
    Object.defineProperty(result, name, { value: decoded.length === 1 ? decoded[0] : decoded, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

function coordinates(record: KafkaRecord): Record<string, unknown> {
  return { topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp, key: record.key === null ? null : record.key.toString('base64'), headers: headersOf(record.headers) };
}

/** A lake row (DESIGN.md §6): `{"value", "_kafka": {…}, "_schema": {"id", "version"}}`. */
export function dataRow(record: KafkaRecord, value: unknown, schema: { id: number; version: number }): string {
  return JSON.stringify({ value, _kafka: coordinates(record), _schema: { id: schema.id, version: schema.version } });
}

/** A quarantine row: the raw bytes (text or base64), why, and where the record was. */
export function quarantineRow(record: KafkaRecord, reason: string, detail: string): string {
  const raw = record.value === null ? null : text(record.value);
  return JSON.stringify({ raw: raw === null ? null : 'text' in raw ? raw.text : raw.base64, rawEncoding: raw === null ? null : 'text' in raw ? 'utf-8' : 'base64', reason, detail, _kafka: coordinates(record) });
}
