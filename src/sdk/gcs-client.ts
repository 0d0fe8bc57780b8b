import type { Storage, StorageOptions } from '@google-cloud/storage';

/**
 * A Google Cloud Storage client, the library loaded on first use: it takes a tenth of a second
 * to load, which every CLI command would pay at start otherwise, most of them never touching GCS.
 * The project defaults to GOOGLE_CLOUD_PROJECT (object operations do not need one).
 */
export async function createStorage(options: StorageOptions = {}): Promise<Storage> {
  const { Storage: Client } = await import('@google-cloud/storage');
  return new Client({ projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'schemaflow', ...options });
}
