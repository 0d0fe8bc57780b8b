import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SchemaflowError, messageOf } from '../domain/errors.js';
import { MANIFEST_FORMAT, type Manifest } from './types.js';
import { decodeUtf8 } from '../domain/utf8.js';
import manifestSchema from './manifest.schema.json' with { type: 'json' };

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
  // Its shape, as manifest.schema.json states it (unknown fields allowed): a subject or a version
  // that is null, or misses a field, fails here with its pointer, not as a TypeError later.
  validator ??= new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: false }).compile(manifestSchema);
  if (!validator(value)) {
    const [error] = validator.errors ?? [];
    throw new SchemaflowError('MANIFEST_INVALID', `${source} is not a valid format ${supportedMajor}.x manifest: ${error?.instancePath || '(the top level)'} ${error?.message ?? 'is invalid'} (see manifest.schema.json)`);
  }
  const checked = value as Manifest;
  const subjects = new Set<string>();
  const ids = new Map<number, string>();
  for (const [index, subject] of checked.subjects.entries()) {
    if (subjects.has(subject.subject)) throw new SchemaflowError('MANIFEST_INVALID', `${source} lists subject ${subject.subject} twice (/subjects/${index})`);
    subjects.add(subject.subject);
    for (const version of subject.versions) {
      const holder = ids.get(version.id);
      if (holder !== undefined) throw new SchemaflowError('MANIFEST_INVALID', `${source} gives schema ID ${version.id} to both ${holder} and ${subject.subject} version ${version.version}: an ID names one schema`);
      ids.set(version.id, `${subject.subject} version ${version.version}`);
    }
  }
  return checked;
}

let validator: ValidateFunction | undefined;
