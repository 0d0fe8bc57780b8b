import { Ajv, type AnySchema, type ErrorObject, type FormatDefinition, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { isoInstantMs } from '../domain/instant.js';
import { strictProblems, type SchemaProblem } from './strict-problems.js';

// ajv-formats is CommonJS; under NodeNext its default import is the plugin function itself.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * The formats every validator of schemaflow asserts: ajv-formats' (full mode), with `date-time`
 * answering its commonest shape (`toISOString()`'s) first: the SDK and the flow check it on
 * every event, and ajv-formats' regular expressions cost several times that. Anything else goes
 * to ajv-formats' own check, so every string gets the same verdict (a unit test holds the two equal).
 */
export function addSchemaFormats(ajv: Ajv): void {
  addFormats(ajv);
  const general = ajv.formats['date-time'] as FormatDefinition<string> & { validate: (text: string) => boolean };
  ajv.addFormat('date-time', { ...general, validate: (text: string) => isoInstantMs(text) !== undefined || general.validate(text) });
}

/** The JSON Schema dialects a version file may use (DESIGN.md §2). */
export type Dialect = 'draft-07' | '2020-12';

const DIALECTS: Record<string, Dialect> = {
  'http://json-schema.org/draft-07/schema': 'draft-07',
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
};

/** The dialect named by `$schema` (2020-12 when absent), or what was found instead. */
export function dialectOf(schema: Readonly<Record<string, unknown>>): { ok: true; dialect: Dialect } | { ok: false; found: string } {
  const declared = schema.$schema;
  if (declared === undefined) return { ok: true, dialect: '2020-12' };
  if (typeof declared !== 'string') return { ok: false, found: JSON.stringify(declared) };
  const dialect = DIALECTS[declared.replace(/#$/, '')];
  return dialect ? { ok: true, dialect } : { ok: false, found: declared };
}

/**
 * Version files get URIs under a base that resolves nowhere, so a relative `$ref` such as
 * `../../payments/transactions/1.json#/$defs/Money` resolves to another catalog file and never
 * to the network.
 */
export const CATALOG_URI = 'https://catalog.schemaflow.invalid/';

/** The URI of a version file, from its path relative to the catalog directory. */
export function uriOf(catalogPath: string): string {
  return `${CATALOG_URI}${catalogPath}`;
}

/** The vocabulary schemaflow adds: annotations only, registered so strict mode accepts them. */
export const VOCABULARY = ['x-pii', 'x-event-time'] as const;

export type CompileResult = { readonly ok: true; readonly validate: ValidateFunction } | { readonly ok: false; readonly problems: readonly SchemaProblem[] };

export interface SchemaCompiler {
  /** Problems found by the dialect's meta-schema alone (no reference is resolved). */
  metaProblems(schema: AnySchema, dialect: Dialect): readonly SchemaProblem[];
  /**
   * Checks a schema against its dialect's meta-schema, then compiles it in strict mode with the
   * version files it references (already checked) available by URI. A strict-mode refusal is
   * placed in the file, every unknown keyword at its own pointer (see strictProblems).
   */
  compile(catalogPath: string, schema: AnySchema, dialect: Dialect, references: ReadonlyArray<{ catalogPath: string; schema: AnySchema }>): CompileResult;
}

function createAjv(dialect: Dialect): Ajv {
  // validateSchema off: compile checks the meta-schema itself, once, and reports it (addSchema would again; an 80,000-value enum takes ajv 13 s each time).
  const options = { strict: true, allowUnionTypes: true, allErrors: true, validateFormats: true, validateSchema: false } as const;
  const ajv = dialect === '2020-12' ? new Ajv2020(options) : new Ajv(options);
  addSchemaFormats(ajv);
  for (const keyword of VOCABULARY) ajv.addKeyword({ keyword, schemaType: 'boolean', metaSchema: { type: 'boolean' } });
  return ajv;
}

/**
 * Meta-schema errors, one per location: with allErrors, a bad `type` yields an enum error, an
 * array error and the anyOf that joins them; the first is the one a person can act on.
 */
function describeAll(errors: readonly ErrorObject[] | null | undefined): Array<{ pointer: string; message: string }> {
  const seen = new Set<string>();
  return (errors ?? []).filter((error) => !seen.has(error.instancePath) && seen.add(error.instancePath)).map(describe);
}

function describe(error: ErrorObject): { pointer: string; message: string } {
  const detail = error.params && 'allowedValues' in error.params ? ` (${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})` : '';
  return { pointer: error.instancePath, message: `${error.instancePath || 'the schema'} ${error.message ?? 'is invalid'}${detail}` };
}

/** One compiler per check run: one ajv instance per dialect, created on first use. */
export function createSchemaCompiler(): SchemaCompiler {
  const instances = new Map<Dialect, Ajv>();
  const added = new Set<string>();
  const ajvFor = (dialect: Dialect): Ajv => {
    let ajv = instances.get(dialect);
    if (!ajv) {
      ajv = createAjv(dialect);
      instances.set(dialect, ajv);
    }
    return ajv;
  };
  return {
    metaProblems(schema, dialect) {
      const ajv = ajvFor(dialect);
      return ajv.validateSchema(schema) ? [] : describeAll(ajv.errors);
    },
    compile(catalogPath, schema, dialect, references) {
      const ajv = ajvFor(dialect);
      if (!ajv.validateSchema(schema)) {
        return { ok: false, problems: describeAll(ajv.errors) };
      }
      try {
        for (const reference of references) {
          const key = `${dialect}:${reference.catalogPath}`;
          if (added.has(key)) continue;
          ajv.addSchema(reference.schema, uriOf(reference.catalogPath));
          added.add(key);
        }
        const uri = uriOf(catalogPath);
        const key = `${dialect}:${catalogPath}`;
        if (!added.has(key)) {
          ajv.addSchema(schema, uri);
          added.add(key);
        }
        const validate = ajv.getSchema(uri);
        if (!validate) return { ok: false, problems: [{ pointer: '', message: 'ajv could not compile the schema' }] };
        return { ok: true, validate };
      } catch (error) {
        ajv.removeSchema(uriOf(catalogPath));
        added.delete(`${dialect}:${catalogPath}`);
        const message = error instanceof Error ? error.message.replaceAll(CATALOG_URI, '') : String(error);
        const keywordsOf = (of: Ajv): ReadonlySet<string> => new Set(Object.keys(of.RULES.keywords));
        const other: Dialect = dialect === '2020-12' ? 'draft-07' : '2020-12';
        const problems = strictProblems(message, {
          schema,
          catalogPath,
          dialect,
          known: keywordsOf(ajv),
          vocabulary: VOCABULARY,
          other: () => ({ dialect: other, known: keywordsOf(ajvFor(other)) }),
        });
        return { ok: false, problems };
      }
    },
  };
}
