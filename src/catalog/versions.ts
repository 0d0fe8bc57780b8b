import type { Finding } from '../domain/finding.js';
import type { FileTree } from '../ports.js';
import { SCHEMA_LIMITS, parseJsonDocument, type ParsedDocument } from './documents.js';
import { findingAt, findingOnFile } from './finding-builder.js';
import { collectRefs, dynamicScopeKeywords } from './refs.js';
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

/** SCHEMA_INVALID findings for meta-schema problems, when the version cannot be compiled for other reasons. */
export function metaSchemaFindings(document: ParsedDocument, dialect: Dialect, compiler: SchemaCompiler): Finding[] {
  return compiler.metaProblems(document.value as object, dialect).map((problem) => schemaInvalid(document, dialect, problem));
}

function schemaInvalid(document: ParsedDocument, dialect: Dialect, problem: SchemaProblem): Finding {
  return findingAt(document, 'SCHEMA_INVALID', problem.pointer, `${document.file} is not a valid ${dialect} schema in strict mode: ${problem.message}.`, { detail: problem.message, ...problem.params });
}

/**
 * Compiles a new version with every version file it references, directly or not. Broken,
 * missing, cyclic or cross-dialect references become findings on the referring file, and the
 * version is compiled only when its references are sound. A referenced file that uses a
 * dynamic-scope keyword is REF_DYNAMIC_SCOPE (see dynamicScopeFinding).
 */
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
  // `via`: the pointer of the reference in the new version that the walk followed to get here.
  const walk = (path: string, doc: ParsedDocument, trail: string[], via: string | undefined): boolean => {
    let sound = true;
    for (const ref of collectRefs(doc.value, path)) {
      if (ref.kind !== 'file') continue;
      const from = via ?? ref.pointer;
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
      const dynamic = dynamicScopeKeywords(target.document.value);
      if (dynamic.length > 0) findings.push(dynamicScopeFinding(document, from, [...trail, ref.target], dynamic));
      if (!walk(ref.target, target.document, [...trail, ref.target], from)) sound = false;
    }
    return sound;
  };
  if (!walk(catalogPath, document, [], undefined)) return [...findings, ...metaSchemaFindings(document, dialect, compiler)];

  const result = compiler.compile(catalogPath, document.value as object, dialect, references);
  if (!result.ok) {
    for (const problem of result.problems) findings.push(schemaInvalid(document, dialect, problem));
  }
  return findings;
}

/**
 * A new version references (`trail`: directly, or through the files before the last) a file
 * that uses dynamic-scope keywords. Registration inlines every referenced file into the
 * version's one schema in the manifest (bundleSchema), where there is one dynamic scope instead
 * of one per file: a `$dynamicRef` of the referenced file would land on an anchor of the version
 * (or the version's on one of the file), and two `$dynamicAnchor`s of one name make the bundle
 * uncompilable. Producers and the flow would then validate with something other than what the
 * check compiled, so the reference is refused; the version's own dynamic references stay one
 * file and keep their meaning (DYNAMIC_REFERENCE warns about them).
 */
function dynamicScopeFinding(document: ParsedDocument, via: string, trail: readonly string[], dynamic: ReadonlyArray<{ keyword: string; pointer: string }>): Finding {
  const target = trail.at(-1) ?? '';
  const through = trail.length > 1 ? ` through ${trail.slice(0, -1).join(' → ')}` : '';
  const [first] = dynamic;
  const more = dynamic.length > 1 ? ` (and ${dynamic.length - 1} more)` : '';
  return findingAt(
    document,
    'REF_DYNAMIC_SCOPE',
    via,
    `${document.file} references ${target}${through} at ${via}, and ${target} uses ${first?.keyword ?? ''} at ${first?.pointer ?? ''}${more}. Registration inlines referenced files into this version's schema in the manifest, which producers and the flow validate with; there a dynamic reference resolves in this version's dynamic scope, not in ${target}'s, so the schema would mean something else than the files, or not compile at all (two "$dynamicAnchor"s of one name). Copy the definitions this file needs from ${target} into its own $defs (renaming a $dynamicAnchor this file has too), or reference a version of that subject without dynamic references.`,
    { target, trail: [...trail], keywords: dynamic.map(({ keyword, pointer }) => ({ keyword, pointer })) },
  );
}
