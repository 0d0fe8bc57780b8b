/**
 * Compatibility finding codes. Each is decided by one rule file in rules/ (see rules/index.ts).
 * Messages are phrased reader/writer: for BACKWARD the reader is the new version, for FORWARD
 * the old one.
 */
export const COMPAT_CODES = {
  TYPE_CHANGED: 'A value type the writer allows is not allowed by the reader (or, under DEFAULT, any change of type).',
  TYPE_WIDENED: 'DEFAULT policy: a type was widened (integer → number, T → [T, null]); fails in every mode.',
  TYPE_NARROWED: 'A type was narrowed (number → integer, [T, null] → T).',
  ENUM_VALUE_REMOVED: 'A value the writer allows is missing from the reader’s enum/const.',
  ENUM_ADDED: 'The reader restricts values to an enum/const the writer did not have.',
  VALUE_REJECTED: 'A value of the writer’s enum/const is rejected by another keyword of the reader.',
  RANGE_NARROWED: 'minimum/maximum/exclusive bounds of a number got tighter for the reader.',
  MULTIPLE_OF_CHANGED: 'multipleOf of the reader does not divide the writer’s.',
  LENGTH_NARROWED: 'minLength/maxLength of a string got tighter for the reader.',
  FORMAT_CHANGED: 'The reader asserts a format the writer’s values need not satisfy.',
  PATTERN_CHANGED: 'The reader’s pattern rejects strings the writer allows (decided with automata).',
  PATTERN_UNDECIDABLE: 'A pattern with lookaround or backreferences changed: containment cannot be decided; fails closed.',
  ITEMS_COUNT_NARROWED: 'minItems/maxItems got tighter for the reader.',
  UNIQUE_ITEMS_ADDED: 'The reader requires unique items; the writer did not.',
  REQUIRED_ADDED: 'The reader requires a property the writer may omit.',
  PROPERTY_ADDED_TO_OPEN_MODEL: 'The reader types a property the writer’s open model allowed with any value.',
  PROPERTY_NOT_ALLOWED: 'The writer allows a property the reader’s closed model rejects.',
  PROPERTY_REMOVED: 'DEFAULT policy: a property was removed; fails in every mode.',
  MODEL_CLOSED: 'The reader rejects properties the writer allows as additional properties.',
  PROPERTY_COUNT_NARROWED: 'minProperties/maxProperties got tighter for the reader.',
  UNION_NOT_COVERED: 'A writer value matches no branch of the reader’s anyOf/oneOf.',
  ONE_OF_OVERLAP: 'A writer value matches two branches of the reader’s oneOf, so the reader rejects it.',
  NOT_EXCLUDED: 'The reader’s `not` excludes values the writer allows.',
  CONDITIONAL_CHANGED: 'The reader’s if/then/else rejects values the writer allows.',
  DEPENDENCY_ADDED: 'The reader’s dependentRequired/dependentSchemas/dependencies reject objects the writer allows.',
  PROPERTY_NAMES_NARROWED: 'The reader’s propertyNames rejects property names the writer allows.',
  CONTAINS_ADDED: 'The reader’s contains/minContains/maxContains rejects arrays the writer allows.',
  SCHEMA_REJECTS_ALL: 'The reader accepts no value at a place where the writer accepts some.',
  CROSSCHECK_DIFFERENCE: 'json-schema-diff found an incompatibility the rule walk did not report (with its example when ajv confirms one).',
  COMPAT_UNDECIDED: 'A change the engine cannot decide; fails closed until reviewed (override) or decided by a later rule.',
  COMPAT_BUDGET_EXCEEDED: 'Comparing two versions needs more work than the check allows (a deterministic count, not a time limit); undecided, fails closed until the schema is simplified or the version is overridden after review.',
} as const;

export type CompatCode = keyof typeof COMPAT_CODES;

/** The README's table of compatibility codes (markdown), rendered from {@link COMPAT_CODES}. */
export function renderCompatTable(): string {
  return ['| code | meaning |', '|---|---|', ...Object.entries(COMPAT_CODES).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`)].join('\n');
}
