import type { IHeaders } from 'kafkajs';
import { decodeRecord, type DecodeResult } from '../manifest/decode.js';
import { createSchemaRegistry } from '../manifest/registry.js';
import type { Manifest } from '../manifest/types.js';
import { createManifestLoader, loadManifest, type ManifestLoader } from './manifest-source.js';

export type { DecodeResult } from '../manifest/decode.js';

export interface Decoder {
  /** A Kafka message of either encoding (headers or Confluent framing) → the event, or why not. */
  decode(message: { value: Buffer | null; headers?: IHeaders }): DecodeResult;
}

/** `createDecoder({ manifest })`: decodes and validates records against the schema their ID names. */
export async function createDecoder(options: { manifest: string | Manifest; loader?: ManifestLoader; gcsEndpoint?: string }): Promise<Decoder> {
  const registry = createSchemaRegistry(await loadManifest(options.manifest, options.loader ?? createManifestLoader(options.gcsEndpoint ? { gcsEndpoint: options.gcsEndpoint } : {})));
  return { decode: (message) => decodeRecord(registry, message) };
}
