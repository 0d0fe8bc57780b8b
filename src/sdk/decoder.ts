import type { IHeaders } from 'kafkajs';
import type { Manifest } from '../manifest/types.js';
import type { Violation } from './errors.js';
import { HEADERS, unframe } from './framing.js';
import { createManifestLoader, loadManifest, type ManifestLoader } from './manifest-source.js';
import { createSchemaRegistry } from './registry.js';
import { messageOf } from '../domain/errors.js';

export type DecodeResult =
  | { readonly ok: true; readonly subject: string; readonly version: number; readonly id: number; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'NOT_JSON' | 'NO_SCHEMA_ID' | 'UNKNOWN_SCHEMA_ID' | 'INVALID'; readonly detail: string; readonly id?: number; readonly violations?: readonly Violation[] };

export interface Decoder {
  /** A Kafka message of either encoding (headers or Confluent framing) → the event, or why not. */
  decode(message: { value: Buffer | null; headers?: IHeaders }): DecodeResult;
}

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

/** `createDecoder({ manifest })`: decodes and validates records against the schema their ID names. */
export async function createDecoder(options: { manifest: string | Manifest; loader?: ManifestLoader; gcsEndpoint?: string }): Promise<Decoder> {
  const registry = createSchemaRegistry(await loadManifest(options.manifest, options.loader ?? createManifestLoader(options.gcsEndpoint ? { gcsEndpoint: options.gcsEndpoint } : {})));
  return {
    decode(message) {
      const bytes = message.value ?? Buffer.alloc(0);
      const framed = unframe(bytes);
      const headerId = headerText(message.headers, HEADERS.id);
      const id = framed?.id ?? (headerId !== undefined && /^\d+$/.test(headerId) ? Number(headerId) : undefined);
      const payload = framed?.payload ?? bytes;
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
      } catch (error) {
        return { ok: false, reason: 'NOT_JSON', detail: `the value is not UTF-8 JSON: ${messageOf(error)}`, ...(id !== undefined ? { id } : {}) };
      }
      if (id === undefined) return { ok: false, reason: 'NO_SCHEMA_ID', detail: `no ${HEADERS.id} header and no Confluent framing` };
      const schema = registry.byId(id);
      if (!schema) return { ok: false, reason: 'UNKNOWN_SCHEMA_ID', detail: `schema ID ${id} is not in manifest serial ${registry.manifest.serial}`, id };
      const violations = schema.validate(value);
      if (violations.length > 0) return { ok: false, reason: 'INVALID', detail: `the value does not match ${schema.subject} version ${schema.version}`, id, violations };
      return { ok: true, subject: schema.subject, version: schema.version, id, value };
    },
  };
}
