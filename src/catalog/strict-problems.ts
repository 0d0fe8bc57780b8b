import { closestNames } from '../domain/closest-names.js';
import { decodeRefPart, toPointer } from '../domain/finding.js';
import { compareText } from '../domain/text-order.js';
import { schemaAtPointer, walkSchema } from './schema-walk.js';

/** One reason a schema does not compile, at an RFC 6901 pointer into its file. */
export interface SchemaProblem {
  readonly pointer: string;
  readonly message: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** What {@link strictProblems} needs to know about the file ajv refused and the dialect it was compiled in. */
export interface StrictContext {
  /** The version file's schema, as compiled. */
  readonly schema: unknown;
  /** Its path in the catalog: ajv names it so in its messages once the catalog's base URI is removed. */
  readonly catalogPath: string;
  readonly dialect: string;
  /** Every keyword ajv knows in this dialect (its RULES.keywords, schemaflow's own included). */
  readonly known: ReadonlySet<string>;
  /** schemaflow's own keywords, named in the message so nobody invents a third. */
  readonly vocabulary: readonly string[];
  /** The other dialect and the keywords ajv knows in it, for a keyword used in the wrong one. */
  readonly other: () => { readonly dialect: string; readonly known: ReadonlySet<string> };
}

/**
 * Keywords of JSON Schema that ajv's strict mode refuses all the same (ajv 8 resolves `$anchor`
 * but does not list it as a keyword), with the way round them: a close name would mislead.
 */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  $anchor: 'ajv does not accept "$anchor" in strict mode; name the schema under "$defs" and reference it with "$ref": "#/$defs/<name>"',
};

const UNKNOWN_KEYWORD = /^strict mode: unknown keyword: "(.*)"$/s;
/** ajv's `at "<uri>#<fragment>"` (strictTypes, strictRequired) or `at path "#<fragment>"` (strictTuples, unknown formats). */
const LOCATION = /\bat (?:path )?"([^"#]*)#([^"]*)"/;

/** What to do about each kind of strict-mode complaint ajv tags its message with. */
const HINTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\(strictTypes\)$/, 'state the "type" the keyword applies to in the same schema'],
  [/\(strictRequired\)$/, 'define each required property under "properties" of the same schema, or drop it from "required"'],
  [/is \d+-tuple/, 'make the tuple\'s length explicit: "minItems" equal to it, and "maxItems" equal to it or "additionalItems" ("items" after "prefixItems" in 2020-12)'],
];

/**
 * The problems behind a compile error of ajv's, placed in the file. ajv's strict mode stops at
 * the first unknown keyword and names no place, so an author would fix typos one run at a time:
 * when that is the error, every keyword of the file ajv does not know is reported at its own
 * pointer (one in a `$defs` entry nothing references too, which ajv skips). ajv stays the authority: this runs only on a schema ajv refused, and when the walk
 * does not find the keyword ajv named (it is in a referenced file) ajv's message stands. Other
 * strict-mode errors are placed where ajv's `at "…#<pointer>"` says, when that is this file.
 */
export function strictProblems(message: string, context: StrictContext): SchemaProblem[] {
  const keyword = UNKNOWN_KEYWORD.exec(message)?.[1];
  if (keyword !== undefined) {
    const unknown = unknownKeywords(context);
    if (unknown.some((problem) => problem.params?.keyword === keyword)) return unknown;
  }
  return [placed(message, context)];
}

/** Every keyword of a schema object in the file (walkSchema's positions) that ajv does not know. */
function unknownKeywords(context: StrictContext): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  walkSchema(context.schema, ({ schema, tokens }) => {
    for (const keyword of Object.keys(schema)) {
      if (context.known.has(keyword)) continue;
      const at = toPointer(tokens);
      problems.push({ pointer: toPointer([...tokens, keyword]), message: unknownMessage(keyword, at, context), params: { keyword } });
    }
  });
  return problems.sort((a, b) => compareText(a.pointer, b.pointer));
}

function unknownMessage(keyword: string, at: string, context: StrictContext): string {
  const what = `unknown keyword ${JSON.stringify(keyword)} at ${at || 'the root'}: ajv knows no such ${context.dialect} keyword, and schemaflow adds only ${context.vocabulary.join(' and ')}`;
  const unsupported = Object.prototype.hasOwnProperty.call(UNSUPPORTED, keyword) ? UNSUPPORTED[keyword] : undefined;
  if (unsupported !== undefined) return `${what}; ${unsupported}`;
  const other = context.other();
  if (other.known.has(keyword)) return `${what}; it is a ${other.dialect} keyword, so remove it or write this file in ${other.dialect} (its "$schema")`;
  const [closest] = closestNames([...context.known], keyword, 1);
  const note = 'a note for readers belongs in "description" or "$comment"';
  return closest === undefined ? `${what}; correct or remove it (${note})` : `${what}; did you mean ${JSON.stringify(closest)}? Rename it, or remove it (${note})`;
}

/** ajv's message with its location turned into a pointer of this file, and what to do. */
function placed(message: string, context: StrictContext): SchemaProblem {
  const text = message.replace(/^strict mode: /, '');
  const hint = HINTS.find(([pattern]) => pattern.test(text))?.[1];
  const withHint = (detail: string): string => (hint ? `${detail}; ${hint}` : detail);
  const match = LOCATION.exec(text);
  const pointer = match ? decodeRefPart(match[2] ?? '') : undefined;
  // `at path "#…"` names no file: trust it only where the pointer reaches a schema of this one.
  const here = match?.[1] === context.catalogPath || (match?.[1] === '' && pointer !== undefined && schemaAtPointer(context.schema, pointer) !== undefined);
  if (!match || pointer === undefined || !here) return { pointer: '', message: withHint(text) };
  return { pointer, message: withHint(text.replace(match[0], `at ${pointer || 'the root'}`)) };
}
