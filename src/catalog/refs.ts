import { posix } from 'node:path';
import { decodeRefPart, toPointer } from '../domain/finding.js';
import { VERSION_FILE_PATTERN } from '../domain/names.js';
import { isSchemaObject, mapSubschemas, walkSchema } from './schema-walk.js';

/** A `$ref` (or `$dynamicRef`) found in a version file, classified without resolving anything remote. */
export type SchemaRef =
  | { readonly kind: 'local'; readonly pointer: string; readonly ref: string }
  | { readonly kind: 'file'; readonly pointer: string; readonly ref: string; readonly target: string }
  | { readonly kind: 'remote'; readonly pointer: string; readonly ref: string }
  | { readonly kind: 'outside'; readonly pointer: string; readonly ref: string; readonly resolved: string }
  /** A path or fragment with a malformed percent escape: it names nothing, here or anywhere. */
  | { readonly kind: 'malformed'; readonly pointer: string; readonly ref: string };

/** The keywords that hold a reference: `$ref` by its file, `$dynamicRef` and `$recursiveRef` also by the path that reached them. */
export const REFERENCE_KEYWORDS = ['$ref', '$dynamicRef', '$recursiveRef'] as const;
/** The reference keywords whose target depends on the path that reached them (the dynamic scope). */
export const DYNAMIC_REFERENCE_KEYWORDS = REFERENCE_KEYWORDS.filter((name) => name !== '$ref');
/**
 * Every keyword whose meaning depends on the dynamic scope (JSON Schema 2020-12 §8.2.3, and
 * 2019-09's recursive pair that ajv also accepts in 2020-12): the dynamic references and the
 * anchors they may land on.
 */
export const DYNAMIC_SCOPE_KEYWORDS = [...DYNAMIC_REFERENCE_KEYWORDS, '$dynamicAnchor', '$recursiveAnchor'] as const;
const TARGET = new RegExp(`^[^/]+/[^/]+/${VERSION_FILE_PATTERN.source.slice(1, -1)}$`);

/**
 * Every reference in a schema. `catalogPath` is the file's path relative to the catalog
 * directory (`apps/users/2.json`); file references are resolved against it, as paths only.
 */
export function collectRefs(schema: unknown, catalogPath: string): SchemaRef[] {
  const refs: SchemaRef[] = [];
  walkSchema(schema, ({ schema: node, tokens }) => {
    for (const keyword of REFERENCE_KEYWORDS) {
      const ref = node[keyword];
      if (typeof ref !== 'string') continue;
      refs.push(classify(ref, toPointer([...tokens, keyword]), catalogPath));
    }
  });
  return refs;
}

/** Where a schema uses a keyword of {@link DYNAMIC_SCOPE_KEYWORDS}: each keyword with its pointer. */
export function dynamicScopeKeywords(schema: unknown): Array<{ readonly keyword: string; readonly pointer: string }> {
  const found: Array<{ keyword: string; pointer: string }> = [];
  walkSchema(schema, ({ schema: node, tokens }) => {
    for (const keyword of DYNAMIC_SCOPE_KEYWORDS) {
      if (Object.prototype.hasOwnProperty.call(node, keyword)) found.push({ keyword, pointer: toPointer([...tokens, keyword]) });
    }
  });
  return found;
}

/** A scheme (https:, file:, urn:, data:) or a network-path reference (//host/...): it leaves the catalog. */
const isRemote = (ref: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(ref) || ref.startsWith('//');

function classify(ref: string, pointer: string, catalogPath: string): SchemaRef {
  if (isRemote(ref)) return { kind: 'remote', pointer, ref };
  const hash = ref.indexOf('#');
  const decoded = decodeRefPart(hash < 0 ? ref : ref.slice(0, hash));
  if (decoded === undefined || (hash >= 0 && decodeRefPart(ref.slice(hash + 1)) === undefined)) return { kind: 'malformed', pointer, ref };
  if (ref.startsWith('#')) return { kind: 'local', pointer, ref };
  if (decoded.startsWith('/') || decoded.includes('\\') || decoded.includes('\0')) return { kind: 'outside', pointer, ref, resolved: decoded };
  const resolved = posix.normalize(posix.join(posix.dirname(catalogPath), decoded));
  if (resolved === catalogPath) return { kind: 'local', pointer, ref };
  if (resolved.startsWith('../') || resolved === '..' || !TARGET.test(resolved)) return { kind: 'outside', pointer, ref, resolved };
  return { kind: 'file', pointer, ref, target: resolved };
}

/**
 * A subschema of the version file `file`, with its references rewritten so that they mean the
 * same from the version file `base`: a local one becomes a reference into `file`, one to another
 * file is made relative to `base`, one into `base` becomes local. A fold (allOf) copies a
 * definition of another file into a schema of the referring one; without this, its
 * `#/$defs/X` would name the referring file's X. Only subschema positions are rewritten
 * (mapSubschemas); a reference that cannot be read as a path is kept as found.
 */
export function rebaseRefs(schema: Readonly<Record<string, unknown>>, file: string, base: string): Record<string, unknown> {
  const result = mapSubschemas(schema, (below) => (isSchemaObject(below) ? rebaseRefs(below, file, base) : below));
  const ref = schema.$ref;
  if (typeof ref !== 'string' || isRemote(ref)) return result;
  const hash = ref.indexOf('#');
  const [path, fragment] = hash === -1 ? [ref, ''] : [ref.slice(0, hash), ref.slice(hash)];
  const decoded = decodeRefPart(path);
  if (decoded === undefined) return result; // a malformed percent-encoding: check refused the file (SCHEMA_INVALID)
  const target = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), decoded));
  result.$ref = target === base ? fragment || '#' : `${posix.relative(posix.dirname(base), target)}${fragment}`;
  return result;
}
