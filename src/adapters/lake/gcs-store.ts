import type { Bucket, File } from '@google-cloud/storage';
import { SchemaflowError, messageOf } from '../../domain/errors.js';
import { mayPassOnRetry } from '../../domain/retry.js';
import type { ObjectListing, ObjectStore, WriteOptions } from '../../ports.js';
import { bucketNotFound, createStorage, DOWNLOAD_CLIENT_OPTIONS, downloadObject, gcsStatusOf as statusOf, isBucketMissing } from '../../sdk/gcs-client.js';
import { preconditionFailed } from './file-store.js';

/**
 * A GCS bucket (and prefix) as an object store. Preconditions are GCS's own:
 * ifGenerationMatch 0 for create-only, the read generation for compare-and-swap; 412 becomes
 * PRECONDITION_FAILED. The client retries 408/429/5xx with backoff (its retry options), which
 * is safe because every write carries a precondition; downloads are retried the same way by
 * downloadObject, which the client's own retries would crash on Node.js 22+.
 */
export function createGcsStore(options: { bucket: string; prefix?: string; apiEndpoint?: string; projectId?: string; deadlineMs?: number }): ObjectStore {
  let bucketClient: Promise<Bucket> | undefined;
  // A deadline bounds each request and the retries after it, so nothing is left running once a
  // caller has given up; without one, a job keeps retrying for up to two minutes.
  const deadline = options.deadlineMs;
  const patience = deadline === undefined ? { retryOptions: { autoRetry: true, maxRetries: 5, retryDelayMultiplier: 2, totalTimeout: 120, idempotencyStrategy: 1 } } : { timeout: deadline, retryOptions: { autoRetry: true, maxRetries: 1, retryDelayMultiplier: 2, totalTimeout: Math.ceil(deadline / 1000), idempotencyStrategy: 1 } };
  // Downloads are retried by downloadObject, as patiently (see DOWNLOAD_CLIENT_OPTIONS).
  const downloadPatience = { attempts: patience.retryOptions.maxRetries + 1, totalMs: patience.retryOptions.totalTimeout * 1000 };
  let downloadClient: Promise<Bucket> | undefined;
  const clientOptions = {
    ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
    ...(options.projectId ? { projectId: options.projectId } : {}),
  };
  const bucketOf = (): Promise<Bucket> => (bucketClient ??= createStorage({ ...clientOptions, ...patience }).then((storage) => storage.bucket(options.bucket)));
  const downloadBucketOf = (): Promise<Bucket> =>
    (downloadClient ??= createStorage({ ...clientOptions, ...(deadline === undefined ? {} : { timeout: deadline }), ...DOWNLOAD_CLIENT_OPTIONS }).then((storage) => storage.bucket(options.bucket)));
  const prefix = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/` : '';
  const location = `gs://${options.bucket}${prefix ? `/${prefix.slice(0, -1)}` : ''}`;
  /** The object name of a lake key (a listed name less the prefix is its key again). */
  const nameOf = (key: string): string => `${prefix}${key}`;
  const fileOf = async (key: string): Promise<File> => (await bucketOf()).file(nameOf(key));

  // Once the bucket has answered, a 404 is an object's: no more listings to tell.
  let bucketSeen = false;
  /** Throws BUCKET_NOT_FOUND when a 404 on `key` was its bucket's, for every read and write alike. */
  const refuseMissingBucket = async (error: unknown, key: string): Promise<void> => {
    if (statusOf(error) !== 404 || bucketSeen) return;
    const missing = await isBucketMissing(await bucketOf(), nameOf(key));
    if (missing) throw bucketNotFound(options.bucket, location, error);
    if (missing === false) bucketSeen = true;
  };

  const translate = async (error: unknown, key: string, expected: string): Promise<never> => {
    if (statusOf(error) === 412) throw preconditionFailed(location, key, expected);
    await refuseMissingBucket(error, key);
    throw new SchemaflowError('OBJECT_STORE_FAILED', `${location}/${key}: ${messageOf(error)}`, { cause: error, retriable: mayPassOnRetry(error) });
  };

  const write = async (key: string, bytes: Uint8Array, ifGenerationMatch: number, writeOptions: WriteOptions | undefined, expected: string): Promise<{ generation: string }> => {
    try {
      const file = await fileOf(key);
      await file.save(Buffer.from(bytes), {
        resumable: false,
        preconditionOpts: { ifGenerationMatch },
        metadata: { ...(writeOptions?.contentType ? { contentType: writeOptions.contentType } : {}), ...(writeOptions?.metadata ? { metadata: writeOptions.metadata } : {}) },
      });
      bucketSeen = true;
      return { generation: String(file.metadata.generation) };
    } catch (error) {
      return translate(error, key, expected);
    }
  };

  return {
    location,
    async get(key) {
      try {
        const [metadata] = await (await fileOf(key)).getMetadata();
        const generation = String(metadata.generation);
        const bytes = await downloadObject((await downloadBucketOf()).file(nameOf(key), { generation: Number(generation) }), downloadPatience);
        const custom = Object.fromEntries(Object.entries(metadata.metadata ?? {}).map(([name, value]) => [name, String(value)]));
        bucketSeen = true;
        return { key, generation, bytes: new Uint8Array(bytes), metadata: custom };
      } catch (error) {
        // A missing object is "none"; a missing bucket is a mistyped location, never "none".
        if (statusOf(error) !== 404) return translate(error, key, 'could not be read');
        await refuseMissingBucket(error, key);
        return undefined;
      }
    },
    create: (key, bytes, writeOptions) => write(key, bytes, 0, writeOptions, 'already exists'),
    replace: (key, bytes, ifGeneration, writeOptions) => write(key, bytes, ifGeneration === null ? 0 : Number(ifGeneration), writeOptions, ifGeneration === null ? 'already exists' : `is no longer at generation ${ifGeneration}`),
    async list(listPrefix) {
      const results: ObjectListing[] = [];
      const bucket = await bucketOf();
      let pageToken: string | undefined;
      try {
        do {
          const [files, next] = await bucket.getFiles({ prefix: nameOf(listPrefix), autoPaginate: false, maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
          for (const file of files) results.push({ key: file.name.slice(prefix.length), generation: String(file.metadata.generation), size: Number(file.metadata.size ?? 0) });
          pageToken = (next as { pageToken?: string } | null)?.pageToken;
        } while (pageToken);
      } catch (error) {
        // Listing a bucket that does not exist is 404 (an object that does not exist is just not listed): a mistyped location.
        if (statusOf(error) === 404) throw bucketNotFound(options.bucket, location, error);
        return translate(error, `${listPrefix}*`, 'could not be listed');
      }
      bucketSeen = true;
      return results.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
  };
}

/** Creates a bucket unless it exists (the demo's lake on the local emulator; production buckets are provisioned, never created here). */
export async function ensureGcsBucket(options: { bucket: string; apiEndpoint?: string }): Promise<'created' | 'exists'> {
  try {
    const storage = await createStorage(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {});
    const [exists] = await storage.bucket(options.bucket).exists();
    if (exists) return 'exists';
    await storage.createBucket(options.bucket);
    return 'created';
  } catch (error) {
    throw new SchemaflowError('OBJECT_STORE_FAILED', `cannot create the bucket gs://${options.bucket}${options.apiEndpoint ? ` on ${options.apiEndpoint}` : ''}: ${messageOf(error)}`, { cause: error, retriable: mayPassOnRetry(error) });
  }
}
