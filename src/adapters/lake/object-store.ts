import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../../domain/errors.js';
import { decodeFileUrl } from '../../domain/file-url.js';
import { decodeGsUrl } from '../../domain/gs-url.js';
import type { ObjectStore } from '../../ports.js';
import { createFileStore } from './file-store.js';
import { createGcsStore, ensureGcsBucket } from './gcs-store.js';

/**
 * Where a URL points, as {@link openObjectStore} opens it from `cwd`: `file://` plus the decoded
 * path resolved and tidied (`./`, `..`, `//`, escapes), or `gs://` plus the bucket and the prefix
 * the store writes under; anything else (a file:// URL that names no path) as given, trimmed.
 * Two URLs point at one store exactly when their locations are equal.
 */
export function storeLocation(url: string, cwd: string): string {
  const text = url.trim();
  // Opening a store does no I/O: its location is what it would read and write.
  try {
    return openObjectStore(text, { cwd }).location;
  } catch {
    return text;
  }
}

/** The store a URL names: `gs://bucket/prefix`, or `file://./relative` / `file:///absolute` (`file://localhost/absolute`). */
export function openObjectStore(url: string, options: { gcsEndpoint?: string; cwd?: string; deadlineMs?: number } = {}): ObjectStore {
  const gs = decodeGsUrl(url);
  if (gs) {
    if (!gs.ok) throw new UsageError(`${url} ${gs.problem}`, { code: 'CONFIG_INVALID' });
    return createGcsStore({ bucket: gs.bucket, ...(gs.prefix ? { prefix: gs.prefix } : {}), ...(options.gcsEndpoint ? { apiEndpoint: options.gcsEndpoint } : {}), ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}) });
  }
  const file = decodeFileUrl(url);
  if (file) {
    if (!file.ok) throw new UsageError(`${url} ${file.problem}`, { code: 'CONFIG_INVALID' });
    if (file.path === '') throw new UsageError(`${url} names no directory; use file://./lake or file:///absolute/path`, { code: 'CONFIG_INVALID' });
    return createFileStore(isAbsolute(file.path) ? file.path : resolve(options.cwd ?? process.cwd(), file.path));
  }
  throw new UsageError(`${url} is not a supported location: use gs://bucket/prefix or file://./directory`, { code: 'CONFIG_INVALID' });
}

/** For a `gs://` location on an emulator: creates its bucket when missing. Other locations need nothing. */
export async function ensureLocation(url: string, options: { gcsEndpoint?: string } = {}): Promise<void> {
  const gs = decodeGsUrl(url);
  if (gs?.ok) await ensureGcsBucket({ bucket: gs.bucket, ...(options.gcsEndpoint ? { apiEndpoint: options.gcsEndpoint } : {}) });
}
