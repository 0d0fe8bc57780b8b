import { posix } from 'node:path';
import type { CompatibilityMode, CompatibilityPolicy } from '../catalog/config-files.js';
import { parseJsonDocument, unreadableMessage } from '../catalog/documents.js';
import { createSchemaCompiler, dialectOf } from '../catalog/schema-compiler.js';
import { isSchemaObject, walkSchema } from '../catalog/schema-walk.js';
import { schemaDocumentOf } from '../compat/documents.js';
import { checkCompatibility, type CompatResult } from '../compat/engine.js';
import { fileResolver } from '../compat/model.js';
import { UsageError } from '../domain/errors.js';
import { toPointer } from '../domain/finding.js';

export interface FileInput {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/**
 * `schemaflow compat OLD NEW`: two files only, no catalog lint. A file that cannot be read as
 * a draft-07 or 2020-12 schema is a usage error (exit 2), naming the file and the problem.
 */
export function compareFiles(oldFile: FileInput, newFile: FileInput, options: { mode: CompatibilityMode; policy: CompatibilityPolicy }): CompatResult {
  const compiler = createSchemaCompiler();
  const load = (input: FileInput) => {
    const parsed = parseJsonDocument(input.path, input.bytes);
    if (!parsed.ok) throw new UsageError(unreadableMessage(parsed), { code: 'UNREADABLE_SCHEMA' });
    const value = parsed.document.value;
    if (!isSchemaObject(value) && typeof value !== 'boolean') throw new UsageError(`${input.path} is not a JSON Schema: its root must be an object or a boolean.`, { code: 'UNREADABLE_SCHEMA' });
    const dialect = isSchemaObject(value) ? dialectOf(value) : ({ ok: true, dialect: '2020-12' } as const);
    if (!dialect.ok) throw new UsageError(`${input.path} declares $schema ${dialect.found}; compat reads draft-07 and 2020-12 schemas.`, { code: 'UNREADABLE_SCHEMA' });
    // The engine resolves "#/…" from the file's root, as the catalog does (which refuses $id in
    // a version file); under a nested $id, ajv resolves it from there.
    const nested = isSchemaObject(value) ? nestedId(value) : undefined;
    if (nested !== undefined) throw new UsageError(`${input.path} sets $id at ${nested}; compat resolves references from the file's root, so it cannot compare a schema with a nested $id: remove it (use $defs and "#/$defs/..." for reusable parts).`, { code: 'UNREADABLE_SCHEMA' });
    const compiled = compiler.compile(input.path, value, dialect.dialect, []);
    if (!compiled.ok) {
      const detail = compiled.problems.map((problem) => problem.message).join('; ');
      const hint = /can't resolve reference/i.test(detail) ? ' (compat compares two files on their own; a $ref to another file needs `schemaflow check` in the catalog)' : '';
      throw new UsageError(`${input.path} is not a valid ${dialect.dialect} schema: ${detail}${hint}.`, { code: 'UNREADABLE_SCHEMA' });
    }
    return parsed.document;
  };
  const oldDocument = schemaDocumentOf(load(oldFile));
  const newDocument = schemaDocumentOf(load(newFile));
  // A rule that merges one file's schema into the other's rebases its references (schemaIn), so
  // they name their own file by path: lead them back into it.
  // rebaseRefs relates the two files' paths as the file system does (posix.relative), so they are
  // compared resolved: ./old.json, old.json and /abs/old.json are one file.
  const resolve = fileResolver((from, path) => {
    const target = posix.resolve(posix.dirname(posix.resolve(from.label)), path);
    return [oldDocument, newDocument].find((candidate) => posix.resolve(candidate.label) === target);
  });
  return checkCompatibility({ name: newFile.path, file: newFile.path, document: newDocument }, [{ name: oldFile.path, file: oldFile.path, document: oldDocument }], { ...options, resolve });
}

/** The pointer of the first subschema below the root that sets `$id`, if one does. */
function nestedId(root: Readonly<Record<string, unknown>>): string | undefined {
  let found: string | undefined;
  walkSchema(root, ({ schema, tokens }) => {
    if (found === undefined && tokens.length > 0 && Object.prototype.hasOwnProperty.call(schema, '$id')) found = toPointer(tokens);
  });
  return found;
}
