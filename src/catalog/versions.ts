import type { Finding } from '../domain/finding.js';
import type { FileTree } from '../ports.js';
import { SCHEMA_LIMITS, parseJsonDocument, type ParsedDocument } from './documents.js';
import { findingAt, findingOnFile } from './finding-builder.js';
import { collectRefs } from './refs.js';
import { dialectOf, type Dialect, type SchemaCompiler } from './schema-compiler.js';
import { isSchemaObject } from './schema-walk.js';
import type { SchemaProblem } from './strict-problems.js';

/** A version file read from a tree, parsed once per check run. */
export type LoadedVersion = { readonly ok: true; readonly document: ParsedDocument; readonly dialect: Dialect | undefined } | { readonly ok: false; readonly findings: readonly [Finding, ...Finding[]] };

/**
 * Reads and parses version files of one tree on demand, each at most once. `catalogDir` is the
 * catalog's path in the repository; catalog paths are relative to it.
 */
export function createVersionReader(tree: FileTree, catalogDir: string): (catalogPath: string) => LoadedVersion | undefined {
  const cache = new Map<string, LoadedVersion | undefined>();
  return (catalogPath) => {
    if (cache.has(catalogPath)) return cache.get(catalogPath);
    const file = `${catalogDir}/${catalogPath}`;
    const entry = tree.stat(file);
    let loaded: LoadedVersion | undefined;
    if (entry?.kind === 'file' && entry.size > SCHEMA_LIMITS.maxBytes) {
      // Refused from the size alone: a 50 MB file is never read into memory.
      loaded = { ok: false, findings: [findingOnFile(file, 'FILE_TOO_LARGE', `${file} is ${entry.size} bytes; JSON files may be at most ${SCHEMA_LIMITS.maxBytes} bytes. Split the schema with $ref to another version file or remove unused parts.`, { size: entry.size, limit: SCHEMA_LIMITS.maxBytes })] };
    } else if (entry?.kind === 'file') {
      const bytes = tree.read(file);
      const parsed = bytes ? parseJsonDocument(file, bytes) : undefined;
      if (parsed?.ok) {
        const value = parsed.document.value;
        const dialect = isSchemaObject(value) ? dialectOf(value) : undefined;
        loaded = { ok: true, document: parsed.document, dialect: dialect?.ok ? dialect.dialect : undefined };
      } else if (parsed) {
        loaded = { ok: false, findings: parsed.findings };
      }
    }
    cache.set(catalogPath, loaded);
    return loaded;
  };
}

/**
 * Compiles a new version with every version file it references, directly or not. Broken,
 * missing, cyclic or cross-dialect references become findings on the referring file, and the
 * version is compiled only when its references are sound.
 */
/** SCHEMA_INVALID findings for meta-schema problems, when the version cannot be compiled for other reasons. */
export function metaSchemaFindings(document: ParsedDocument, dialect: Dialect, compiler: SchemaCompiler): Finding[] {
  return compiler.metaProblems(document.value as object, dialect).map((problem) => schemaInvalid(document, dialect, problem));
}

function schemaInvalid(document: ParsedDocument, dialect: Dialect, problem: SchemaProblem): Finding {
  return findingAt(document, 'SCHEMA_INVALID', problem.pointer, `${document.file} is not a valid ${dialect} schema in strict mode: ${problem.message}.`, { detail: problem.message, ...problem.params });
}

export function compileVersion(
  document: ParsedDocument,
  catalogPath: string,
  dialect: Dialect,
  read: (catalogPath: string) => LoadedVersion | undefined,
  compiler: SchemaCompiler,
): Finding[] {
  const findings: Finding[] = [];
  const references: Array<{ catalogPath: string; schema: object }> = [];
  const visited = new Set<string>([catalogPath]);
  // Depth-first over referenced files with the path so far, so a cycle is reported with its members.
  const walk = (path: string, doc: ParsedDocument, trail: string[]): boolean => {
    let sound = true;
    for (const ref of collectRefs(doc.value, path)) {
      if (ref.kind !== 'file') continue;
      const at = (code: 'REF_NOT_FOUND' | 'REF_CYCLE' | 'REF_DIALECT_MISMATCH', message: string, params: Record<string, unknown>): void => {
        findings.push(findingAt(document, code, trail.length === 0 ? ref.pointer : '', message, params));
        sound = false;
      };
      if (trail.includes(ref.target) || ref.target === catalogPath) {
        const cycle = [catalogPath, ...trail, ref.target];
        at('REF_CYCLE', `${document.file} is part of a $ref cycle: ${cycle.join(' → ')}; references between version files must form a DAG, so move the shared part into one file's $defs.`, { cycle });
        continue;
      }
      const target = read(ref.target);
      if (!target) {
        at('REF_NOT_FOUND', `${doc.file} references ${JSON.stringify(ref.ref)} at ${ref.pointer}, but ${ref.target} does not exist in the catalog.`, { ref: ref.ref, target: ref.target });
        continue;
      }
      if (!target.ok) {
        at('REF_NOT_FOUND', `${doc.file} references ${ref.target}, which cannot be read: ${target.findings[0].message}`, { ref: ref.ref, target: ref.target });
        continue;
      }
      if (target.dialect !== dialect) {
        at('REF_DIALECT_MISMATCH', `${doc.file} (${dialect}) references ${ref.target} (${target.dialect ?? 'unsupported dialect'}); a reference must stay within one dialect, so use the same $schema in both.`, { target: ref.target });
        continue;
      }
      if (visited.has(ref.target)) continue;
      visited.add(ref.target);
      references.push({ catalogPath: ref.target, schema: target.document.value as object });
      if (!walk(ref.target, target.document, [...trail, ref.target])) sound = false;
    }
    return sound;
  };
  if (!walk(catalogPath, document, [])) return [...findings, ...metaSchemaFindings(document, dialect, compiler)];

  const result = compiler.compile(catalogPath, document.value as object, dialect, references);
  if (!result.ok) {
    for (const problem of result.problems) findings.push(schemaInvalid(document, dialect, problem));
  }
  return findings;
}
