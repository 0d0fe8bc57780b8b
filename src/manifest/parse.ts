import { SchemaflowError, messageOf } from '../domain/errors.js';
import { MANIFEST_FORMAT, type Manifest } from './types.js';
import { decodeUtf8 } from '../domain/utf8.js';

const supportedMajor = Number(MANIFEST_FORMAT.split('.')[0]);

/**
 * Reads a manifest: the same format major is accepted (unknown fields ignored, so newer minors
 * work); a higher major is an error naming the version needed.
 */
export function parseManifest(bytes: Uint8Array, source: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes));
  } catch (error) {
    throw new SchemaflowError('MANIFEST_INVALID', `${source} is not a JSON manifest: ${messageOf(error)}`, { cause: error });
  }
  return checkManifest(value, source);
}

/**
 * Checks a manifest already parsed, or given as an object (the SDK's `manifest` option), as
 * {@link parseManifest} checks a file: `source` names it in messages.
 */
export function checkManifest(value: unknown, source: string): Manifest {
  const manifest = value as Partial<Manifest> | null;
  const format = typeof manifest?.format === 'string' ? manifest.format : '';
  const major = Number(/^(\d+)\.\d+$/.exec(format)?.[1] ?? NaN);
  if (!Number.isInteger(major)) throw new SchemaflowError('MANIFEST_INVALID', `${source} has no valid "format" (expected "${MANIFEST_FORMAT}")`);
  if (major > supportedMajor) {
    throw new SchemaflowError('MANIFEST_FORMAT_UNSUPPORTED', `${source} is manifest format ${format}; this schemaflow reads format ${supportedMajor}.x. Upgrade schemaflow to a version that reads format ${major}.`);
  }
  if (major < supportedMajor || typeof manifest?.serial !== 'number' || !Array.isArray(manifest.subjects)) {
    throw new SchemaflowError('MANIFEST_INVALID', `${source} is not a format ${supportedMajor}.x manifest (serial and subjects are required)`);
  }
  return manifest as Manifest;
}
