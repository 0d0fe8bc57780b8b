import type { Finding } from '../domain/finding.js';
import { toPointer } from '../domain/finding.js';
import { createWorkBudget, WorkBudgetExceeded } from '../domain/work-budget.js';
import { mergeSchemas } from './merge-all-of.js';
import type { ParsedDocument } from './documents.js';
import { findingAt } from './finding-builder.js';
import type { PatternAnalyser } from './patterns.js';
import { collectRefs, DYNAMIC_REFERENCE_KEYWORDS, type SchemaRef } from './refs.js';
import { dialectOf, type Dialect } from './schema-compiler.js';
import { isSchemaObject, schemaAtFragment, walkSchema } from './schema-walk.js';

/** What subject.yaml says about a subject's events, as the version lint needs it. */
export interface SubjectHints {
  readonly pii: readonly string[];
  readonly eventTime?: { readonly field: string; readonly format: 'rfc3339' | 'epoch-millis' };
}

export interface VersionLint {
  readonly findings: Finding[];
  /** Undefined when the file cannot be a schema of a supported dialect. */
  readonly dialect: Dialect | undefined;
  readonly refs: readonly SchemaRef[];
  /** Instance pointers of every object property (through `properties` chains). */
  readonly propertyPointers: ReadonlySet<string>;
}

/** Words that usually mean personal data, alone or as the last word of a name. */
const PERSONAL_WORDS = new Set(['email', 'phone', 'mobile', 'address', 'street', 'postcode', 'zip', 'zipcode', 'birth', 'birthday', 'birthdate', 'dob', 'ssn', 'passport', 'iban', 'gender', 'latitude', 'longitude', 'lat', 'lng', 'salary', 'password', 'ip', 'surname', 'firstname', 'lastname', 'fullname', 'username']);
/** Word pairs that do, such as `firstName` or `card_number`. */
const PERSONAL_PAIRS = new Set(['first name', 'last name', 'full name', 'display name', 'given name', 'family name', 'middle name', 'user name', 'customer name', 'card number', 'social security', 'national id', 'tax id']);

/**
 * Whether a property name looks personal, from its words (camelCase, snake_case, kebab-case).
 * Such a property needs a decision: `x-pii: true|false` on it, or its pointer in subject.yaml `pii`.
 */
export function looksPersonal(name: string): boolean {
  const words = name.split(/[_\-\s.]+|(?<=[a-z0-9])(?=[A-Z])/).map((word) => word.toLowerCase()).filter(Boolean);
  return words.some((word, index) => PERSONAL_WORDS.has(word) || (index > 0 && PERSONAL_PAIRS.has(`${words[index - 1] ?? ''} ${word}`)));
}

/**
 * Units of work the lint's allOf fold may spend (merge-all-of.ts FoldBudget): far above any
 * real schema's (20,000 properties fold in 60,000), about a second at most. A schema past it is
 * not reported as accepting nothing; the compatibility check, which folds it again, has its own
 * budget and fails closed.
 */
const LINT_FOLD_BUDGET = 2_000_000;

/** Whether the schema's keywords contradict each other (its allOf folds to `false`), within LINT_FOLD_BUDGET. */
function foldsToNothing(schema: Readonly<Record<string, unknown>>, resolve: (ref: string) => unknown): boolean {
  try {
    return mergeSchemas([schema], resolve, createWorkBudget(LINT_FOLD_BUDGET)) === false;
  } catch (error) {
    if (error instanceof WorkBudgetExceeded) return false;
    throw error;
  }
}

/**
 * Lints one new version file: dialect, shape, descriptions, references, patterns, PII, event time.
 * `patterns` is the check run's analyser, so every file of the run shares its time budget.
 */
export function lintVersion(document: ParsedDocument, catalogPath: string, hints: SubjectHints, patterns: PatternAnalyser): VersionLint {
  const findings: Finding[] = [];
  const schema = document.value;
  const empty: VersionLint = { findings, dialect: undefined, refs: [], propertyPointers: new Set() };
  if (!isSchemaObject(schema)) {
    findings.push(findingAt(document, 'SCHEMA_INVALID', '', `${document.file} must contain a JSON object (a schema), not ${Array.isArray(schema) ? 'an array' : typeof schema === 'object' ? 'null' : typeof schema}.`));
    return empty;
  }
  const dialect = dialectOf(schema);
  if (!dialect.ok) {
    findings.push(findingAt(document, 'SCHEMA_DIALECT_UNSUPPORTED', '/$schema', `${document.file} declares $schema ${dialect.found}; use "https://json-schema.org/draft/2020-12/schema" or "http://json-schema.org/draft-07/schema#".`, { found: dialect.found }));
    return empty;
  }
  if (schema.type !== 'object') {
    findings.push(findingAt(document, 'ROOT_NOT_OBJECT', schema.type === undefined ? '' : '/type', `The root of ${document.file} must be "type": "object" (an event is a JSON object); found ${schema.type === undefined ? 'no type' : JSON.stringify(schema.type)}.`, { found: schema.type ?? null }));
  }

  const propertyPointers = new Set<string>();
  const propertySchemas = new Map<string, { schema: Readonly<Record<string, unknown>>; pointer: string }>();
  const piiDeclared = new Set(hints.pii);
  walkSchema(schema, ({ schema: node, tokens, propertyName, instanceTokens }) => {
    const pointer = toPointer(tokens);
    const instancePointer = instanceTokens ? toPointer(instanceTokens) : undefined;
    if (instancePointer !== undefined && propertyName !== undefined) {
      propertyPointers.add(instancePointer);
      propertySchemas.set(instancePointer, { schema: node, pointer });
    }
    if (Object.prototype.hasOwnProperty.call(node, '$id')) {
      findings.push(findingAt(document, 'SCHEMA_ID_NOT_ALLOWED', `${pointer}/$id`, `${document.file} sets $id at ${pointer || 'the root'}; a version file is identified by its catalog path, so remove $id (use $defs and "#/$defs/..." for reusable parts).`));
    }
    const isRoot = tokens.length === 0;
    if ((isRoot || propertyName !== undefined) && !(typeof node.description === 'string' && node.description.trim() !== '')) {
      const what = isRoot ? 'The root schema' : `Property "${propertyName}" (${pointer})`;
      findings.push(findingAt(document, 'MISSING_DESCRIPTION', pointer, `${what} in ${document.file} has no description; add "description" saying what it means for the people who query it.`, { property: propertyName ?? null }));
    }
    for (const name of DYNAMIC_REFERENCE_KEYWORDS) {
      if (Object.prototype.hasOwnProperty.call(node, name)) {
        findings.push(findingAt(document, 'DYNAMIC_REFERENCE', `${pointer}/${name}`, `${document.file} uses ${name} at ${pointer || 'the root'}: the compatibility check cannot follow a dynamic reference (its target depends on the path that reached it), so every later version of this subject will fail with COMPAT_UNDECIDED until a reviewed override in overrides.yaml lets it through. Use "$ref" to a "$defs" entry instead, or set DYNAMIC_REFERENCE to off in catalog.yaml to accept that.`, { keyword: name }));
      }
    }
    if (typeof node.pattern === 'string') checkPattern(node.pattern, `${pointer}/pattern`);
    if (isSchemaObject(node.patternProperties)) {
      for (const key of Object.keys(node.patternProperties)) checkPattern(key, toPointer([...tokens, 'patternProperties', key]));
    }
    if (propertyName !== undefined && looksPersonal(propertyName) && !Object.prototype.hasOwnProperty.call(node, 'x-pii') && !(instancePointer !== undefined && piiDeclared.has(instancePointer))) {
      findings.push(findingAt(document, 'PII_UNDECIDED', pointer, `Property "${propertyName}" in ${document.file} looks personal; decide: add "x-pii": true (or false) to it, or list ${instancePointer ?? 'its pointer'} under pii in subject.yaml.`, { property: propertyName }));
    }
  });

  function checkPattern(pattern: string, pointer: string): void {
    const verdict = patterns.analyse(pattern);
    switch (verdict.status) {
      case 'safe':
        return;
      case 'invalid':
        findings.push(findingAt(document, 'INVALID_PATTERN', pointer, `The pattern ${JSON.stringify(pattern)} at ${pointer} in ${document.file} is not a valid regular expression with the u flag (as ajv runs it): ${verdict.reason}.`, { pattern }));
        return;
      case 'exponential':
      case 'polynomial':
        findings.push(findingAt(document, verdict.status === 'exponential' ? 'PATTERN_EXPONENTIAL' : 'PATTERN_POLYNOMIAL', pointer, `The pattern ${JSON.stringify(pattern)} at ${pointer} in ${document.file} can backtrack with ${verdict.summary} complexity, so one crafted value can stall every validator (for example ${verdict.attack}); rewrite it so no two parts can match the same characters (e.g. remove nested quantifiers).`, { pattern, complexity: verdict.summary, attack: verdict.attack }));
        return;
      case 'unchecked':
        if (verdict.cause === 'budget') {
          // An error no setting switches off: a warning would let slow patterns placed first carry
          // an exponential one after them past PATTERN_EXPONENTIAL unanalysed.
          findings.push(findingAt(document, 'PATTERN_BUDGET_EXCEEDED', pointer, `The pattern ${JSON.stringify(pattern)} at ${pointer} in ${document.file} was not checked for catastrophic backtracking: ${verdict.reason}, and a pattern nobody analysed is not registered. Split the pull request so fewer new patterns are checked at once, or simplify the slow patterns the check names as PATTERN_UNCHECKED (bounded repetition of a group, such as (?:\\w+\\s?){1,50}, is slow to analyse).`, { pattern, reason: verdict.reason, budgetMs: patterns.budgetMs }));
          return;
        }
        findings.push(findingAt(document, 'PATTERN_UNCHECKED', pointer, `The pattern ${JSON.stringify(pattern)} at ${pointer} in ${document.file} could not be checked for catastrophic backtracking (${verdict.reason}); simplify it (no backreferences or lookaround) or accept the risk by setting PATTERN_UNCHECKED to off.`, { pattern, reason: verdict.reason }));
    }
  }

  // additionalProperties cannot see into allOf: a closed object split across branches accepts nothing.
  // References to other files are not read here: such a branch is unknown, which proves nothing.
  const localResolve = (ref: string): unknown => (ref.startsWith('#') ? schemaAtFragment(schema, ref.slice(1)) : undefined);
  if (foldsToNothing(schema, localResolve)) {
    findings.push(findingAt(document, 'SCHEMA_ACCEPTS_NOTHING', Array.isArray(schema.allOf) ? '/allOf' : '', `${document.file} accepts no event at all: its keywords contradict each other. A common cause is "additionalProperties": false in one allOf branch, which cannot see the properties another branch requires; move the properties into one schema or use "unevaluatedProperties": false.`));
  }

  const refs = collectRefs(schema, catalogPath);
  for (const ref of refs) {
    if (ref.kind === 'remote') {
      findings.push(findingAt(document, 'REMOTE_REF', ref.pointer, `${document.file} references ${JSON.stringify(ref.ref)} at ${ref.pointer}; schemaflow never fetches schemas, so copy what you need into $defs or reference another version file by relative path (../../<team>/<name>/<version>.json#/$defs/X).`, { ref: ref.ref }));
    } else if (ref.kind === 'malformed') {
      findings.push(findingAt(document, 'SCHEMA_INVALID', ref.pointer, `${document.file} references ${JSON.stringify(ref.ref)} at ${ref.pointer}, which is not a valid URI reference: a % must start an escape of two hexadecimal digits that decodes to UTF-8 (write %25 for a literal %).`, { ref: ref.ref }));
    } else if (ref.kind === 'outside') {
      findings.push(findingAt(document, 'REF_OUTSIDE_CATALOG', ref.pointer, `${document.file} references ${JSON.stringify(ref.ref)} at ${ref.pointer}, which resolves to ${JSON.stringify(ref.resolved)}: not a version file inside the catalog. Use ../../<team>/<name>/<version>.json#/... .`, { ref: ref.ref, resolved: ref.resolved }));
    }
  }

  for (const pointer of hints.pii) {
    if (!propertyPointers.has(pointer)) {
      findings.push(findingAt(document, 'PII_POINTER_UNKNOWN', '', `subject.yaml lists ${pointer} under pii, but ${document.file} has no property there; fix the pointer or remove it.`, { pointer }));
    }
  }
  if (hints.eventTime) checkEventTime(hints.eventTime);

  function checkEventTime(eventTime: NonNullable<SubjectHints['eventTime']>): void {
    const located = propertySchemas.get(eventTime.field);
    const property = located?.schema;
    const expected = eventTime.format === 'rfc3339' ? 'a string with "format": "date-time"' : 'an integer (milliseconds since the epoch)';
    const types = property ? [property.type].flat() : [];
    const fits = eventTime.format === 'rfc3339' ? types.includes('string') && property?.format === 'date-time' : types.includes('integer') || types.includes('number');
    if (!fits) {
      const found = property ? `a property with type ${JSON.stringify(property.type ?? null)}${property.format ? ` and format ${JSON.stringify(property.format)}` : ''}` : 'no such property';
      // At the property when there is one (its type or format is what to fix), else the root.
      findings.push(findingAt(document, 'EVENT_TIME_INVALID', located?.pointer ?? '', `subject.yaml sets eventTime.field ${eventTime.field} (${eventTime.format}), so ${document.file} must define it as ${expected}; found ${found}.`, { field: eventTime.field, format: eventTime.format }));
    }
  }

  return { findings, dialect: dialect.dialect, refs, propertyPointers };
}
