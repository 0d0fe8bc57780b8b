import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { LineCounter, Parser, parseDocument, isAlias, isNode, isScalar, visit, type CST, type Document } from 'yaml';
import type { Finding } from '../domain/finding.js';
import { fromPointer } from '../domain/finding.js';
import { createLineIndex, decodeUtf8, scanNesting, type Position } from './source-text.js';
import { messageOf } from '../domain/errors.js';

/**
 * Guarded parsing of hostile files (DESIGN.md §10): size, encoding and nesting are checked on
 * the raw bytes before a parser sees them, and every problem becomes a finding with a position.
 */
export interface Limits {
  /** Largest file accepted, in bytes. */
  readonly maxBytes: number;
  /** Deepest nesting accepted: `{`/`[` in JSON, collections (block or flow) in YAML. */
  readonly maxDepth: number;
}

/** JSON Schema version files: 1 MiB, 64 levels. */
export const SCHEMA_LIMITS: Limits = { maxBytes: 1_048_576, maxDepth: 64 };
/** catalog.yaml and subject.yaml: 256 KiB, 32 levels. */
export const YAML_LIMITS: Limits = { maxBytes: 262_144, maxDepth: 32 };
/** YAML aliases allowed per document: enough for real use, far too few for an alias bomb. */
const MAX_YAML_ALIASES = 20;

/** A parsed file: its value and where each pointer is. */
export interface ParsedDocument {
  readonly file: string;
  readonly value: unknown;
  /** Position of the value at an RFC 6901 pointer (or of its nearest existing ancestor). */
  locate(pointer: string): Position;
}

/** A file that cannot be read: why, one finding per problem (every repeated key, say), in the file's order. */
export type ParseResult = { readonly ok: true; readonly document: ParsedDocument } | { readonly ok: false; readonly findings: readonly [Finding, ...Finding[]] };

function problemAt(file: string, code: string, position: Position, message: string, params: Record<string, unknown> = {}): Finding {
  return { code, severity: 'error', file, line: position.line, col: position.col, pointer: '', message, params };
}

function failure(file: string, code: string, position: Position, message: string, params: Record<string, unknown> = {}): ParseResult {
  return { ok: false, findings: [problemAt(file, code, position, message, params)] };
}

/** What a file that cannot be read has wrong, in one message (for errors that carry no findings). */
export function unreadableMessage(result: Extract<ParseResult, { ok: false }>): string {
  return result.findings.map((finding) => finding.message).join(' ');
}

/** Several problems of one file as one result, in the file's order (none: undefined). */
function failures(findings: Finding[]): ParseResult | undefined {
  const [first, ...rest] = [...findings].sort((a, b) => a.line - b.line || a.col - b.col);
  return first ? { ok: false, findings: [first, ...rest] } : undefined;
}

const START: Position = { line: 1, col: 1 };

/** Where a text first nests deeper than `limit` (an offset), or undefined; never recursive. */
type NestingScan = (text: string, limit: number) => { readonly offset: number } | undefined;

/** The checks shared by both formats: size, then UTF-8, then nesting (measured by `scan`). */
function guard(file: string, bytes: Uint8Array, limits: Limits, kind: string, scan: NestingScan, advice: string): { ok: true; text: string } | { ok: false; result: ParseResult } {
  if (bytes.length > limits.maxBytes) {
    return {
      ok: false,
      result: failure(file, 'FILE_TOO_LARGE', START, `${file} is ${bytes.length} bytes; ${kind} files may be at most ${limits.maxBytes} bytes. Split the schema with $ref to another version file or remove unused parts.`, { size: bytes.length, limit: limits.maxBytes }),
    };
  }
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) {
    const before = new TextDecoder().decode(bytes.subarray(0, decoded.byteOffset));
    return {
      ok: false,
      result: failure(file, 'NOT_UTF8', createLineIndex(before)(before.length), `${file} is not valid UTF-8 (first invalid byte at offset ${decoded.byteOffset}); save it as UTF-8.`, { byteOffset: decoded.byteOffset }),
    };
  }
  const text = decoded.text;
  const deep = scan(text, limits.maxDepth);
  if (deep) {
    return {
      ok: false,
      result: failure(file, 'NESTING_TOO_DEEP', createLineIndex(text)(deep.offset), `${file} nests deeper than ${limits.maxDepth} levels; ${advice}.`, { limit: limits.maxDepth }),
    };
  }
  return { ok: true, text };
}

/** Parses a JSON file strictly (RFC 8259: no comments, no trailing commas, no duplicate keys). */
export function parseJsonDocument(file: string, bytes: Uint8Array, limits: Limits = SCHEMA_LIMITS): ParseResult {
  const guarded = guard(file, bytes, limits, 'JSON', scanNesting, 'flatten it or move parts into $defs');
  if (!guarded.ok) return guarded.result;
  const text = guarded.text.replace(/^\uFEFF/, '');
  const lineOf = createLineIndex(text);
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const firstError = errors[0];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const offset = firstError?.offset ?? 0;
    const reason = firstError ? describeParseError(firstError) : messageOf(error);
    return failure(file, 'INVALID_JSON', lineOf(offset), `${file} is not valid JSON: ${reason} at ${lineOf(offset).line}:${lineOf(offset).col}.`, { reason });
  }
  if (firstError || !tree) {
    const offset = firstError?.offset ?? 0;
    const reason = firstError ? describeParseError(firstError) : 'empty document';
    return failure(file, 'INVALID_JSON', lineOf(offset), `${file} is not valid JSON: ${reason} at ${lineOf(offset).line}:${lineOf(offset).col}.`, { reason });
  }
  const duplicates = failures(findDuplicateKeys(tree).map((duplicate) => problemAt(file, 'DUPLICATE_KEY', lineOf(duplicate.offset), `${file} has the key "${duplicate.key}" twice in one object; JSON parsers disagree on which one wins, so keep exactly one.`, { key: duplicate.key })));
  if (duplicates) return duplicates;
  return {
    ok: true,
    document: {
      file,
      value,
      locate: (pointer) => lineOf(jsonOffsetOf(tree, pointer)),
    },
  };
}

/** `PropertyNameExpected` → `property name expected`. */
function describeParseError(error: ParseError): string {
  return printParseErrorCode(error.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Every key given again in its object (each repetition after the first). */
function findDuplicateKeys(root: JsonNode): Array<{ key: string; offset: number }> {
  const found: Array<{ key: string; offset: number }> = [];
  const stack: JsonNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node?.children) continue;
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const property of node.children) {
        const keyNode = property.children?.[0];
        const key = typeof keyNode?.value === 'string' ? keyNode.value : '';
        if (seen.has(key)) found.push({ key, offset: keyNode?.offset ?? property.offset });
        seen.add(key);
      }
    }
    stack.push(...node.children);
  }
  return found;
}

function jsonOffsetOf(root: JsonNode, pointer: string): number {
  let node = root;
  for (const token of fromPointer(pointer) ?? []) {
    let next: JsonNode | undefined;
    if (node.type === 'object') {
      next = propertiesOf(node).get(token)?.children?.[1];
    } else if (node.type === 'array' && /^\d+$/.test(token)) {
      next = node.children?.[Number(token)];
    }
    if (!next) break;
    node = next;
  }
  return node.offset;
}

const propertiesByName = new WeakMap<JsonNode, ReadonlyMap<string, JsonNode>>();

/**
 * An object node's properties by name (the first of a name, as a search would find it), made
 * once per object: each finding locates its pointer, and a search of an object of 25,000
 * properties for each of 25,000 findings at them took 20 s of a check.
 */
function propertiesOf(node: JsonNode): ReadonlyMap<string, JsonNode> {
  let byName = propertiesByName.get(node);
  if (!byName) {
    const map = new Map<string, JsonNode>();
    for (const property of node.children ?? []) {
      const name: unknown = property.children?.[0]?.value;
      if (typeof name === 'string' && !map.has(name)) map.set(name, property);
    }
    byName = map;
    propertiesByName.set(node, byName);
  }
  return byName;
}

/**
 * Where a YAML text first nests deeper than `limit` collections (block mappings and sequences,
 * compact `- - -` and `? ? ?` included, and flow `[`/`{`), measured on yaml's concrete syntax
 * tree. Counting brackets on the raw text misses block nesting, which is how a few KiB of
 * `- - - …` reached parseDocument's recursive composer and ran it out of stack. yaml's lexer
 * and CST parser keep their own stacks (yaml 2.9 parsed 256 KiB files of block, compact and flow
 * nesting, 120,000 levels, with `node --stack-size=150`; a unit test parses one), and this walk
 * keeps an explicit one, so nothing recursive has seen the text before its depth is known.
 * Brackets inside scalars and comments do not count.
 */
function scanYamlNesting(text: string, limit: number): { offset: number } | undefined {
  // Depth first in file order (children pushed last to first), so the first collection found
  // past the limit is the first in the file.
  let tokens: CST.Token[];
  try {
    tokens = [...new Parser().parse(text)];
  } catch (error) {
    // Should a future yaml recurse after all, running out of stack is still this finding.
    if (error instanceof RangeError) return { offset: 0 };
    throw error;
  }
  const stack = tokens.reverse().map((token): { token: CST.Token | undefined; depth: number } => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop() ?? { token: undefined, depth: 0 };
    if (token?.type === 'document') stack.push({ token: token.value, depth });
    else if (token?.type === 'block-map' || token?.type === 'block-seq' || token?.type === 'flow-collection') {
      if (depth + 1 > limit) return { offset: token.offset };
      for (const item of [...token.items].reverse()) {
        stack.push({ token: item.value, depth: depth + 1 });
        if ('key' in item) stack.push({ token: item.key ?? undefined, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** Parses a YAML file with unique keys, few aliases, and positions for every value. */
export function parseYamlDocument(file: string, bytes: Uint8Array, limits: Limits = YAML_LIMITS): ParseResult {
  const guarded = guard(file, bytes, limits, 'YAML', scanYamlNesting, 'flatten it');
  if (!guarded.ok) return guarded.result;
  const text = guarded.text;
  const lineCounter = new LineCounter();
  let document: Document;
  let value: unknown;
  try {
    // Keys are compared below, as the property names they become: the yaml library compares
    // plain scalars by value (`1` and `"1"` differ) and aliases or collections by identity.
    document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true, strict: true });
    const [problem] = document.errors;
    if (problem) {
      const at = problem.linePos?.[0] ?? START;
      return failure(file, 'INVALID_YAML', at, `${file} is not valid YAML: ${problem.message.split('\n')[0] ?? problem.message} (${problem.code}).`, { reason: problem.code });
    }
    const keyProblems = mappingKeyProblems(document).map((found): Finding => {
      const at = lineCounter.linePos(found.offset);
      if (found.kind === 'collection') return problemAt(file, 'INVALID_YAML', at, `${file} uses a collection as a mapping key at ${at.line}:${at.col}; a key becomes a property name, so use a plain string.`, { reason: 'COLLECTION_KEY' });
      const first = lineCounter.linePos(found.firstOffset);
      return problemAt(file, 'DUPLICATE_KEY', at, `${file} has the key ${JSON.stringify(found.key)} twice in one mapping: at ${first.line}:${first.col} and again at ${at.line}:${at.col}${found.alias ? ' (through an alias)' : ''}. YAML readers disagree on which one wins, so keep exactly one.`, { key: found.key, first: { line: first.line, col: first.col } });
    });
    const keyFailure = failures(keyProblems);
    if (keyFailure) return keyFailure;
    value = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    const reason = error instanceof RangeError ? 'too deeply nested' : messageOf(error);
    const code = error instanceof RangeError ? 'NESTING_TOO_DEEP' : 'INVALID_YAML';
    return failure(file, code, START, `${file} could not be read as YAML: ${reason}. Aliases are limited to ${MAX_YAML_ALIASES} per file.`, { reason });
  }
  const located = document;
  return {
    ok: true,
    document: {
      file,
      value,
      locate(pointer) {
        const path: Array<string | number> = [];
        for (const token of fromPointer(pointer) ?? []) {
          const candidate = [...path, token];
          const node: unknown = located.getIn(candidate, true) ?? located.getIn([...path, Number(token)], true);
          if (node === undefined) break;
          path.push(located.getIn(candidate, true) === undefined ? Number(token) : token);
        }
        const node: unknown = path.length === 0 ? located.contents : located.getIn(path, true);
        const offset = isNode(node) && node.range ? node.range[0] : 0;
        return lineCounter.linePos(offset);
      },
    },
  };
}

/**
 * The property name a scalar YAML key becomes in the file's value (as the yaml library's toJS
 * names it): `1`, `1.0` and `"1"` are all "1", `~` and `""` are both "". Undefined for a
 * collection used as a key.
 */
function propertyName(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  const value: unknown = key.value;
  if (value === null) return '';
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : undefined;
}

/**
 * The keys of every mapping that do not become a property of their own: a key naming a property
 * an earlier key of its mapping names (`1:` after `"1":`, or `*k:` after `foo:` where `&k foo`;
 * the yaml library would keep the last silently), and a collection as a key, directly or through
 * an alias (a property name only as the library stringifies it, with a warning).
 */
function mappingKeyProblems(document: Document): Array<{ kind: 'collection'; offset: number } | { kind: 'duplicate'; key: string; offset: number; firstOffset: number; alias: boolean }> {
  const found: Array<{ kind: 'collection'; offset: number } | { kind: 'duplicate'; key: string; offset: number; firstOffset: number; alias: boolean }> = [];
  visit(document, {
    Map(_, map) {
      const seen = new Map<string, { offset: number; alias: boolean }>();
      for (const pair of map.items) {
        const key: unknown = pair.key;
        const offset = isNode(key) ? key.range?.[0] : undefined;
        if (offset === undefined) continue;
        const alias = isAlias(key);
        const name = propertyName(alias ? key.resolve(document) : key);
        const first = name === undefined ? undefined : seen.get(name);
        if (name === undefined) found.push({ kind: 'collection', offset });
        else if (first) found.push({ kind: 'duplicate', key: name, offset, firstOffset: first.offset, alias: alias || first.alias });
        else seen.set(name, { offset, alias });
      }
      return undefined;
    },
  });
  return found;
}
