import type { IHeaders } from 'kafkajs';
import { decodeRecord, type DecodedEvent, type RejectedRecord } from '../manifest/decode.js';
import { createSchemaRegistry } from '../manifest/registry.js';
import type { Manifest } from '../manifest/types.js';
import { createManifestLoader, loadManifest, reloadManifest, type ManifestLoader } from './manifest-source.js';

/**
 * What `decode` answers: the event, or why not, with the flow's quarantine reasons (and, given
 * the topic, WRONG_SUBJECT for a record whose schema belongs to another subject).
 */
export type DecodeResult = DecodedEvent | RejectedRecord | (Omit<RejectedRecord, 'reason'> & { readonly reason: 'WRONG_SUBJECT' });

export interface Decoder {
  /**
   * A Kafka message of either encoding (headers or Confluent framing) → the event, or why not.
   * Given the topic it was read from, a record whose schema ID names another subject is
   * WRONG_SUBJECT, as the flow quarantines it (the topic is the subject).
   */
  decode(message: { value: Buffer | null; headers?: IHeaders }, options?: { topic?: string }): DecodeResult;
  /**
   * Reloads the manifest (opt-in): IDs registered since are then known (before, they decode as
   * UNKNOWN_SCHEMA_ID). Never goes back to an older serial, as the producer's refresh().
   */
  refresh(): Promise<void>;
}

/** `createDecoder({ manifest })`: decodes and validates records against the schema their ID names. */
export async function createDecoder(options: { manifest: string | Manifest; loader?: ManifestLoader; gcsEndpoint?: string; log?: (message: string) => void }): Promise<Decoder> {
  const loader = options.loader ?? createManifestLoader(options.gcsEndpoint ? { gcsEndpoint: options.gcsEndpoint } : {});
  let registry = createSchemaRegistry(await loadManifest(options.manifest, loader));
  return {
    decode(message, { topic } = {}) {
      const result = decodeRecord(registry, message);
      if (!result.ok || topic === undefined || result.subject === topic) return result;
      return { ok: false, reason: 'WRONG_SUBJECT', detail: `schema ID ${result.id} is ${result.subject} version ${result.version}, but the record is on topic ${topic}`, id: result.id };
    },
    async refresh() {
      const loaded = await reloadManifest(options.manifest, loader, () => registry.manifest, options.log);
      if (loaded) registry = createSchemaRegistry(loaded, registry);
    },
  };
}
