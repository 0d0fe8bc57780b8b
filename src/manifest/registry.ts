import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { VOCABULARY, addSchemaFormats } from '../catalog/schema-compiler.js';
import { SchemaflowError } from '../domain/errors.js';
import type { Manifest, ManifestSubject, ManifestVersion } from './types.js';

/** One reason an event does not match its schema: where (a JSON pointer into the event) and why. */
export interface Violation {
  readonly path: string;
  readonly keyword: string;
  readonly message: string;
}

/** A subject or version the manifest does not have. */
export class UnknownSchemaError extends SchemaflowError {
  constructor(message: string) {
    super('UNKNOWN_SCHEMA', message);
  }
}

/** A registered schema as producers and decoders use it. */
export interface RegisteredSchema {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  /** Every violation of `value` (empty when it matches); the validator is compiled on first use, once per ID. */
  validate(value: unknown): Violation[];
}

export interface SchemaRegistry {
  readonly manifest: Manifest;
  byId(id: number): RegisteredSchema | undefined;
  /** A version of a subject, or its latest when `version` is omitted; throws naming what exists. */
  resolve(subject: string, version?: number): RegisteredSchema;
}

function createAjvFor(dialect: 'draft-07' | '2020-12'): Ajv {
  const options = { strict: true, allErrors: true, allowUnionTypes: true, validateFormats: true } as const;
  const ajv = dialect === '2020-12' ? new Ajv2020(options) : new Ajv(options);
  addSchemaFormats(ajv);
  for (const keyword of VOCABULARY) ajv.addKeyword({ keyword, schemaType: 'boolean' });
  return ajv;
}

/** Compiles a schema of a manifest; throws ajv's error when it does not compile. */
export type ManifestSchemaCompiler = (schema: unknown) => ValidateFunction;

/**
 * Compiles the schemas of a manifest as every reader does: the SDK and the flow (through
 * {@link createSchemaRegistry}), and the check, which compiles each new version's bundle before
 * it is registered, so a schema that would not compile here is a finding, never a surprise in
 * production. One ajv per dialect; the root's `$schema` and `$id` are set aside.
 */
export function createManifestSchemaCompiler(): ManifestSchemaCompiler {
  const instances = new Map<string, Ajv>();
  return (value) => {
    const schema = value as Record<string, unknown> | boolean;
    const dialect = typeof schema === 'object' && typeof schema.$schema === 'string' && schema.$schema.includes('draft-07') ? 'draft-07' : '2020-12';
    let ajv = instances.get(dialect);
    if (!ajv) {
      ajv = createAjvFor(dialect);
      instances.set(dialect, ajv);
    }
    const { $schema: _schema, $id: _id, ...rest } = typeof schema === 'object' ? schema : { $schema: undefined, $id: undefined };
    return ajv.compile(typeof schema === 'boolean' ? schema : rest);
  };
}

const violationOf = (error: ErrorObject): Violation => ({
  path: error.instancePath,
  keyword: error.keyword,
  message: `${error.message ?? 'is invalid'}${error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : ''}${error.keyword === 'enum' ? ` (${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)})` : ''}`,
});

/** The fingerprint of each entry of a registry, for the next one (see `previous`). */
const fingerprintsOf = new WeakMap<SchemaRegistry, ReadonlyMap<number, string>>();

/**
 * The schemas of a manifest by ID and by subject/version. Given the `previous` registry (a
 * refresh), a version whose ID and fingerprint it already had keeps its entry, and so its
 * compiled validator: compiling anew after every refresh blocked the first send or decode of
 * each subject for 60–230 ms, against "compiled once per schema ID".
 */
export function createSchemaRegistry(manifest: Manifest, previous?: SchemaRegistry): SchemaRegistry {
  const before = previous ? fingerprintsOf.get(previous) : undefined;
  const compile = createManifestSchemaCompiler();
  const byId = new Map<number, RegisteredSchema>();
  const fingerprints = new Map<number, string>();
  const bySubject = new Map<string, ManifestSubject>();
  for (const subject of manifest.subjects) {
    bySubject.set(subject.subject, subject);
    for (const version of subject.versions) {
      const kept = before?.get(version.id) === version.fingerprint ? previous?.byId(version.id) : undefined;
      byId.set(version.id, kept?.subject === subject.subject && kept.version === version.version ? kept : entry(subject, version));
      fingerprints.set(version.id, version.fingerprint);
    }
  }

  function entry(subject: ManifestSubject, version: ManifestVersion): RegisteredSchema {
    let validate: ValidateFunction | undefined;
    return {
      subject: subject.subject,
      version: version.version,
      id: version.id,
      validate(value) {
        validate ??= compile(version.schema);
        return validate(value) ? [] : (validate.errors ?? []).map(violationOf);
      },
    };
  }

  const registry: SchemaRegistry = {
    manifest,
    byId: (id) => byId.get(id),
    resolve(subject, version) {
      const known = bySubject.get(subject);
      if (!known) {
        const names = [...bySubject.keys()].sort();
        throw new UnknownSchemaError(`${subject} is not in manifest serial ${manifest.serial}; known subjects: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}`);
      }
      const has = known.versions.map((entry) => entry.version).join(', ');
      // JavaScript callers can pass anything: '2' would otherwise be "no version 2; it has 1, 2, 3".
      if (version !== undefined && !(Number.isSafeInteger(version) && version > 0)) {
        const shown = typeof version === 'number' ? String(version) : `${JSON.stringify(version) ?? String(version)} (a ${typeof version})`;
        throw new UnknownSchemaError(`the version of ${subject} must be a positive integer (a number such as ${known.versions.at(-1)?.version ?? 1}), not ${shown}; it has ${has}`);
      }
      const chosen = version === undefined ? known.versions.at(-1) : known.versions.find((entry) => entry.version === version);
      if (!chosen) throw new UnknownSchemaError(`${subject} has no version ${String(version)} in manifest serial ${manifest.serial}; it has ${has}`);
      return byId.get(chosen.id) as RegisteredSchema;
    },
  };
  fingerprintsOf.set(registry, fingerprints);
  return registry;
}
