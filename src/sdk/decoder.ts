import type { IHeaders } from 'kafkajs';
import { decodeRecord, type DecodeResult } from '../manifest/decode.js';
import { createSchemaRegistry } from '../manifest/registry.js';
import type { Manifest } from '../manifest/types.js';
import { createManifestLoader, loadManifest, reloadManifest, type ManifestLoader } from './manifest-source.js';

export type { DecodeResult } from '../manifest/decode.js';

export interface Decoder {
  /** A Kafka message of either encoding (headers or Confluent framing) → the event, or why not. */
  decode(message: { value: Buffer | null; headers?: IHeaders }): DecodeResult;
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
    decode: (message) => decodeRecord(registry, message),
    async refresh() {
      const loaded = await reloadManifest(options.manifest, loader, () => registry.manifest, options.log);
      if (loaded) registry = createSchemaRegistry(loaded);
    },
  };
}
