import { readFile } from 'node:fs/promises';
import { SchemaflowError, messageOf } from '../domain/errors.js';
import { decodeFileUrl } from '../domain/file-url.js';
import { decodeGsUrl } from '../domain/gs-url.js';
import { isRetriableStatus, mayPassOnRetry } from '../domain/retry.js';
import { checkManifest, parseManifest } from '../manifest/parse.js';
import type { Manifest } from '../manifest/types.js';
import { bucketNotFound, createStorage, DOWNLOAD_CLIENT_OPTIONS, downloadObject, gcsStatusOf, isBucketMissing } from './gcs-client.js';

/** As the GCS client retries by default: 3 retries within 600 s. */
const MANIFEST_DOWNLOAD = { attempts: 4, totalMs: 600_000 } as const;

/** Fetches a manifest's bytes from a location; inject one to load from anywhere else. */
export type ManifestLoader = (location: string) => Promise<Uint8Array>;

/**
 * The default loader: a file path or `file://` URL, an `https://` URL, or `gs://bucket/key`
 * (`gcsEndpoint` for emulators). A directory-style location gets `latest.json` appended.
 */
export function createManifestLoader(options: { gcsEndpoint?: string } = {}): ManifestLoader {
  return async (location) => {
    const target = location.endsWith('/') ? `${location}latest.json` : location;
    if (target.startsWith('https://')) {
      let response: Response;
      try {
        response = await fetch(target);
      } catch (error) {
        // fetch says only "fetch failed": why (a refused connection, a name that does not resolve, a certificate) is its cause's message.
        const cause = (error as { cause?: unknown }).cause;
        const why = cause instanceof Error && cause.message !== '' ? `${messageOf(error)}: ${cause.message}` : messageOf(error);
        throw new SchemaflowError('MANIFEST_UNREADABLE', `cannot load the manifest from ${target}: ${why}`, { cause: error, retriable: mayPassOnRetry(error) });
      }
      if (!response.ok) throw new SchemaflowError('MANIFEST_UNREADABLE', `cannot load the manifest from ${target}: the server answered ${response.status}`, { retriable: isRetriableStatus(response.status) });
      return new Uint8Array(await response.arrayBuffer());
    }
    // One reading of gs:// locations (decodeGsUrl), as the stores and the settings have it.
    const gs = decodeGsUrl(target);
    if (gs) {
      if (!gs.ok) throw new SchemaflowError('MANIFEST_UNREADABLE', `cannot load the manifest from ${target}: it ${gs.problem}`);
      // gs://bucket alone names no object: the manifest is an object in the bucket.
      if (gs.prefix === '') throw new SchemaflowError('MANIFEST_UNREADABLE', `cannot load the manifest from ${target}: a gs:// location names an object in the bucket, e.g. gs://${gs.bucket}/manifests/latest.json, or a folder ending in / (gs://${gs.bucket}/manifests/)`);
      const endpoint = options.gcsEndpoint ? { apiEndpoint: options.gcsEndpoint } : {};
      const downloads = await createStorage({ ...endpoint, ...DOWNLOAD_CLIENT_OPTIONS });
      try {
        return new Uint8Array(await downloadObject(downloads.bucket(gs.bucket).file(gs.prefix), MANIFEST_DOWNLOAD));
      } catch (error) {
        // A missing manifest is MANIFEST_UNREADABLE (not published yet); a missing bucket is a
        // mistyped location. The listing that tells them apart is retried by the client.
        if (gcsStatusOf(error) === 404 && (await isBucketMissing((await createStorage(endpoint)).bucket(gs.bucket), gs.prefix))) throw bucketNotFound(gs.bucket, target, error);
        throw error;
      }
    }
    const file = decodeFileUrl(target);
    if (file && !file.ok) throw new SchemaflowError('MANIFEST_UNREADABLE', `cannot load the manifest from ${target}: it ${file.problem}`);
    // Any other URL (http://, GS://) would otherwise be read as a relative path and reported as a missing file.
    const scheme = file ? undefined : /^([a-z][a-z0-9+.-]+):\/\//i.exec(target)?.[1];
    if (scheme !== undefined) throw new SchemaflowError('MANIFEST_UNREADABLE', `cannot load the manifest from ${target}: the loader reads a path, file://, https:// or gs:// (the scheme in lowercase), not ${scheme}://; inject a loader to read another`);
    try {
      return new Uint8Array(await readFile(file ? file.path : target));
    } catch (error) {
      // A manifests folder named without its trailing / (the form SCHEMAFLOW_MANIFEST_URL takes):
      // the system says only "EISDIR: illegal operation on a directory, read".
      if ((error as { code?: unknown }).code !== 'EISDIR') throw error;
      const how = target === location ? `give the manifest file in it (${target}/latest.json), or end the location with / to read its latest.json` : 'a manifest is a file';
      throw new SchemaflowError('MANIFEST_UNREADABLE', `cannot load the manifest from ${target}: it is a directory; ${how}`, { cause: error });
    }
  };
}

/**
 * The manifest at `source` loaded again, for `refresh()`: undefined for a manifest given as an
 * object, and for one older than the one in use when it arrives (`current()`: the serial only
 * grows, so an older one is a stale cache's answer or a refresh that finished after a newer
 * one), which is logged and left.
 */
export async function reloadManifest(source: string | Manifest, loader: ManifestLoader, current: () => Manifest, log?: (message: string) => void): Promise<Manifest | undefined> {
  if (typeof source !== 'string') {
    log?.('refresh() has nothing to reload: the manifest was given as an object, not a location; give its location (a path, file://, https:// or gs://) to refresh it');
    return undefined;
  }
  const loaded = await loadManifest(source, loader);
  const inUse = current();
  if (loaded.serial >= inUse.serial) return loaded;
  log?.(`the manifest refresh read serial ${loaded.serial}, older than serial ${inUse.serial} in use (a stale cache answered?); kept serial ${inUse.serial}`);
  return undefined;
}

/** A manifest object as given, or loaded from a location; checked alike. */
export async function loadManifest(source: string | Manifest, loader: ManifestLoader): Promise<Manifest> {
  if (typeof source !== 'string') return checkManifest(source, 'the manifest object');
  try {
    return parseManifest(await loader(source), source);
  } catch (error) {
    if (error instanceof SchemaflowError) throw error;
    // trimmed: GCS's messages end with a newline.
    throw new SchemaflowError('MANIFEST_UNREADABLE', `cannot load the manifest from ${source}: ${messageOf(error).trim()}`, { cause: error, retriable: mayPassOnRetry(error) });
  }
}

/**
 * The manifests under a manifest location: `latest.json`, and any earlier `<serial>.json` (the
 * flow rebuilds a crashed unit with the manifest it was routed with), from anywhere the default
 * loader reads.
 */
export function manifestSource(manifestUrl: string, gcsEndpoint: string | undefined): { latest(): Promise<Manifest>; bySerial(serial: number): Promise<Manifest> } {
  const base = manifestUrl.replace(/\/+$/, '');
  const loader = createManifestLoader(gcsEndpoint ? { gcsEndpoint } : {});
  return { latest: () => loadManifest(`${base}/latest.json`, loader), bySerial: (serial) => loadManifest(`${base}/${serial}.json`, loader) };
}
