/**
 * The bucket and prefix of a `gs://` location, as every store and check reads it: one rule, so
 * a location the configuration accepts is one the store opens.
 *
 * GCS bucket names (https://cloud.google.com/storage/docs/buckets#naming): 3 to 63 lowercase
 * letters, digits, hyphens, underscores and dots, starting and ending with a letter or digit; a
 * name with dots may be up to 222 characters, each part between two dots at most 63. GCS refuses
 * any other name, so a location naming one is a typo to report where it was given, never a
 * request that fails later as an unreadable manifest or an unsupported location.
 */
export type GsUrl = { readonly ok: true; readonly bucket: string; readonly prefix: string } | { readonly ok: false; readonly problem: string };

const BUCKET = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;

/** Whether GCS allows `name` as a bucket name. */
export function isBucketName(name: string): boolean {
  if (!BUCKET.test(name) || name.length < 3) return false;
  return name.includes('.') ? name.length <= 222 && name.split('.').every((part) => part.length <= 63) : name.length <= 63;
}

/** The bucket and prefix (what follows the bucket's `/`, possibly empty) of a `gs://` URL, or why it names no bucket; undefined for a URL of another scheme. */
export function decodeGsUrl(url: string): GsUrl | undefined {
  if (!url.startsWith('gs://')) return undefined;
  const rest = url.slice('gs://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (!isBucketName(bucket)) return { ok: false, problem: `names the bucket ${JSON.stringify(bucket)}, but a GCS bucket name is 3 to 63 lowercase letters, digits, hyphens, underscores and dots (up to 222 with dots, 63 between two), starting and ending with a letter or digit` };
  return { ok: true, bucket, prefix: slash === -1 ? '' : rest.slice(slash + 1) };
}
