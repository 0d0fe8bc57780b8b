import { isAbsolute, resolve } from 'node:path';

/**
 * The path a `file://` URL names, as every reader of one decodes it (the lake and state stores,
 * catalog.yaml's locations, the SDK's manifest loader, the discovery snippets, the demo): one
 * decoding, so a location means the same directory wherever it is read.
 *
 * RFC 8089 §2: the authority of a file URL is the host, and only an empty one or `localhost`
 * means this machine (`file:///tmp/x` and `file://localhost/tmp/x` are both `/tmp/x`), as
 * Node's fileURLToPath also holds. `file://./dir` and `file://../dir` are schemaflow's own form
 * of a directory relative to where the command runs. Any other host (`file://server/x`, or
 * `file://lake` meant as a relative directory) is refused with how to write it, never read as
 * a relative path.
 */
export type FileUrlPath = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly problem: string };

const LOCAL_HOST = /^localhost$/i;

/**
 * The percent-decoded path of a `file://` URL, or why it names none; undefined for a URL of
 * another scheme. The scheme is read in lowercase only, as `gs://` is everywhere: `FILE://` is
 * refused with how to write it, never read as a relative path or another scheme.
 */
export function decodeFileUrl(url: string): FileUrlPath | undefined {
  if (!url.startsWith('file://')) {
    if (/^file:\/\//i.test(url)) return { ok: false, problem: `writes the scheme as ${JSON.stringify(url.slice(0, 4))}: write it in lowercase, file://${url.slice('file://'.length)}` };
    return undefined;
  }
  const rest = url.slice('file://'.length);
  const slash = rest.indexOf('/');
  const host = slash === -1 ? rest : rest.slice(0, slash);
  let encoded: string;
  if (host === '' || host === '.' || host === '..') encoded = rest;
  else if (LOCAL_HOST.test(host)) encoded = slash === -1 ? '/' : rest.slice(slash);
  else return { ok: false, problem: `names the host ${JSON.stringify(host)}, but a file:// URL names this machine's files, with no host or localhost (RFC 8089): write file://./${rest} for a directory relative to where the command runs, or file:///absolute/path` };
  try {
    return { ok: true, path: decodeURIComponent(encoded) };
  } catch {
    return { ok: false, problem: 'holds a % that starts no escape (%XX): write a literal % as %25' };
  }
}

/** A relative `file://` URL made absolute against `base` (so it names the same directory from any working directory); any other value as it is. */
export function absoluteFileUrl(url: string, base: string): string {
  const file = decodeFileUrl(url);
  // A location's path is percent-decoded when the store opens it: a literal % stays one. A malformed escape or a host is reported where the value is checked.
  return !file?.ok || file.path === '' || isAbsolute(file.path) ? url : `file://${resolve(base, file.path).replace(/%/g, '%25')}`;
}
