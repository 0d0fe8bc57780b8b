import type { Bucket, File, Storage, StorageOptions } from '@google-cloud/storage';
import { UsageError } from '../domain/errors.js';
import { mayPassOnRetry } from '../domain/retry.js';

/**
 * A Google Cloud Storage client, the library loaded on first use: it takes a tenth of a second
 * to load, which every CLI command would pay at start otherwise, most of them never touching GCS.
 * The project defaults to GOOGLE_CLOUD_PROJECT (object operations do not need one).
 */
export async function createStorage(options: StorageOptions = {}): Promise<Storage> {
  const { Storage: Client } = await import('@google-cloud/storage');
  // An endpoint of our own is an emulator: no credentials are looked for (no GCE metadata probe,
  // no MetadataLookupWarning). The library's default, spelled out so a change of it shows here.
  const emulator = options.apiEndpoint ? { useAuthWithCustomEndpoint: false } : {};
  return new Client({ projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'schemaflow', ...emulator, ...options });
}

/** The HTTP status of an error the GCS client threw, when it carries one. */
export function gcsStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The error for a `gs://` location whose bucket does not exist: a configuration error (exit 2). */
export function bucketNotFound(bucket: string, location: string, cause?: unknown): UsageError {
  return new UsageError(`the bucket gs://${bucket} does not exist, or these credentials cannot see it: check the location ${location} (a mistyped bucket name?), or create the bucket`, { code: 'BUCKET_NOT_FOUND', ...(cause === undefined ? {} : { cause }) });
}

/**
 * Whether a 404 from reading or writing an object means its bucket does not exist. GCS answers
 * 404 for both a missing object and a missing bucket: real GCS tells them apart only in the
 * message text ("No such object: …" against "The specified bucket does not exist."), the
 * emulator (fake-gcs-server) not at all ("Not Found" for both), and the Node client passes
 * either on as a bare 404 (googleapis/nodejs-storage#220). A listing of at most one object is
 * 404 only when the bucket is missing, so that is asked. It needs `storage.objects.list`, which
 * every role that reads a lake holds; any other answer (a 403, a timeout) cannot tell
 * (undefined), and the 404 stays a missing object's.
 */
export async function isBucketMissing(bucket: Bucket, name: string): Promise<boolean | undefined> {
  try {
    await bucket.getFiles({ prefix: name, maxResults: 1, autoPaginate: false });
    return false;
  } catch (error) {
    return gcsStatusOf(error) === 404 ? true : undefined;
  }
}

/**
 * Client options for downloads: the GCS client makes no retry of its own. Its retries of a
 * download crash Node.js 22 and later: retry-request destroys the streamed response to try
 * again, and teeny-request then pipes the answer into the destroyed stream, which Node.js 22+
 * throws as an uncaught ERR_STREAM_UNABLE_TO_PIPE (googleapis/google-cloud-node#8670, unfixed in
 * teeny-request 9 under @google-cloud/storage 7). So a 429 or 503 on a download killed the
 * process on the actions' Node.js 24; downloadObject retries instead.
 */
export const DOWNLOAD_CLIENT_OPTIONS = { retryOptions: { autoRetry: false } } as const satisfies StorageOptions;

/** How many times, and for how long in all, a download is tried. */
export interface DownloadPatience {
  readonly attempts: number;
  readonly totalMs: number;
}

/**
 * An object's bytes, from a File of a client made with DOWNLOAD_CLIENT_OPTIONS: what the GCS
 * client's own retries would do (408, 429, 5xx and dropped connections tried again after 1, 2,
 * 4… seconds plus up to one of jitter, at most 64 s apart), short of the crash. The last error
 * is thrown as the client throws it, so callers read its status alike.
 */
export async function downloadObject(file: File, patience: DownloadPatience, wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms))): Promise<Buffer> {
  const started = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      const [bytes] = await file.download();
      return bytes;
    } catch (error) {
      const delay = Math.min(64_000, 1_000 * 2 ** (attempt - 1)) + Math.floor(Math.random() * 1_000);
      if (attempt >= patience.attempts || !mayPassOnRetry(error) || Date.now() - started + delay > patience.totalMs) throw error;
      await wait(delay);
    }
  }
}
