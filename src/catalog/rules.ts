import type { Severity } from '../domain/finding.js';

/**
 * Every rule code the catalog check can report, with its default severity and whether
 * catalog.yaml `lint:` may change it. Security and integrity rules are not configurable: a pull
 * request must not be able to switch off the checks that protect the registry.
 */
export interface RuleInfo {
  readonly severity: Severity;
  readonly configurable: boolean;
  readonly summary: string;
}

export const RULES = {
  // Files and parsing (DESIGN.md §10): hostile input becomes a finding, never a crash.
  FILE_TOO_LARGE: { severity: 'error', configurable: false, summary: 'A file is larger than the limit; checked before parsing.' },
  NOT_UTF8: { severity: 'error', configurable: false, summary: 'A file is not valid UTF-8.' },
  NESTING_TOO_DEEP: { severity: 'error', configurable: false, summary: 'A file nests deeper than the limit (JSON 64 levels of `{`/`[`, YAML 32 levels of block or flow collections); checked before the file is read into a value.' },
  INVALID_JSON: { severity: 'error', configurable: false, summary: 'A version file is not valid JSON (RFC 8259).' },
  INVALID_YAML: { severity: 'error', configurable: false, summary: 'catalog.yaml or subject.yaml is not valid YAML.' },
  DUPLICATE_KEY: { severity: 'error', configurable: false, summary: 'A JSON object or a YAML mapping (catalog.yaml, subject.yaml) has the same key twice; in YAML, keys written differently that read as the same name (`1` and `"1"`, `~` and `""`, an alias of an earlier key) count as the same key.' },
  SYMLINK_NOT_ALLOWED: { severity: 'error', configurable: false, summary: 'A symbolic link in the catalog; links are never followed.' },
  NOT_REGULAR_FILE: { severity: 'error', configurable: false, summary: 'A catalog entry that is not a regular file (a git submodule, a nested repository, a FIFO); it is never read.' },
  CHECKOUT_DIFFERS: { severity: 'error', configurable: false, summary: 'A changed catalog file on disk is not what its commit holds, even as git would store it (line endings and encodings converted back): a .gitattributes rule (ident, a filter) rewrites it on checkout. The action and registration judge and publish the commit\'s bytes; the rule must go.' },
  // Layout and names (DESIGN.md §2).
  INVALID_TEAM_NAME: { severity: 'error', configurable: false, summary: 'A team directory name does not match [a-z][a-z0-9]*.' },
  INVALID_SUBJECT_NAME: { severity: 'error', configurable: false, summary: 'A subject directory name does not match [a-z][a-z0-9-]*[a-z0-9].' },
  TOPIC_NAME_TOO_LONG: { severity: 'error', configurable: false, summary: 'The subject name is longer than Kafka allows (249).' },
  TOPIC_NAME_TOO_LONG_FOR_FILE_LAKE: { severity: 'warning', configurable: true, summary: 'The subject name is longer than a file lake (file://) can archive every partition of (199 characters): an object\'s file name is its topic and 52 bytes more, and file systems allow 255 bytes in one name. A GCS lake has no such limit (switch the rule off when every lake is on GCS).' },
  INVALID_VERSION_FILE: { severity: 'error', configurable: false, summary: 'A .json file in a subject is not named <positive integer>.json.' },
  MISSING_SUBJECT_FILE: { severity: 'error', configurable: false, summary: 'A subject directory has versions but no subject.yaml.' },
  NO_VERSIONS: { severity: 'error', configurable: false, summary: 'A subject has no version file.' },
  STRAY_FILE: { severity: 'warning', configurable: true, summary: 'A file that is not part of the catalog layout.' },
  CATALOG_CONFIG_INVALID: { severity: 'error', configurable: false, summary: 'catalog.yaml does not match its JSON Schema.' },
  SUBJECT_CONFIG_INVALID: { severity: 'error', configurable: false, summary: 'subject.yaml does not match its JSON Schema.' },
  OVERRIDES_INVALID: { severity: 'error', configurable: false, summary: 'overrides.yaml does not match its JSON Schema.' },
  TOPIC_CONFIG_UNKNOWN: { severity: 'warning', configurable: true, summary: 'A topic `configs` name Apache Kafka does not know; a broker would refuse it at registration (INVALID_CONFIG). Off for brokers that know more (a vendor\'s own configs).' },
  LINT_UNKNOWN_RULE: { severity: 'warning', configurable: false, summary: 'catalog.yaml sets a level for a rule that does not exist or cannot be configured.' },
  ENVIRONMENT_STATE_WITHOUT_LAKE: { severity: 'error', configurable: false, summary: 'A catalog.yaml environment names a stateUrl but no lakeUrl (commands refuse it with --env): an error where the pull request writes that environment, a warning where it is unchanged from the base branch.' },
  OVERRIDE_UNKNOWN_RULE: { severity: 'error', configurable: false, summary: 'An overrides.yaml entry names a rule that is not a compatibility finding code, so it would never match.' },
  OVERRIDE_UNKNOWN_SUBJECT: { severity: 'error', configurable: false, summary: 'An overrides.yaml entry names a subject that is not in the catalog.' },
  OVERRIDE_POINTER_INVALID: { severity: 'error', configurable: false, summary: 'An overrides.yaml entry has a pointer that is not an RFC 6901 JSON Pointer (`displayName`, `#/displayName`), so it would never match.' },
  OVERRIDE_UNKNOWN_VERSION: { severity: 'error', configurable: false, summary: 'An overrides.yaml entry names a version past the next version of its subject.' },
  // Immutability and lifecycle (DESIGN.md §3).
  VERSION_MODIFIED: { severity: 'error', configurable: false, summary: 'A version registered on the base branch was changed.' },
  VERSION_DELETED: { severity: 'error', configurable: false, summary: 'A version registered on the base branch was deleted.' },
  VERSION_RENAMED: { severity: 'error', configurable: false, summary: 'A version registered on the base branch was renamed.' },
  VERSION_GAP: { severity: 'error', configurable: false, summary: 'A new version is not the next integer.' },
  SUBJECT_RETIRED: { severity: 'error', configurable: false, summary: 'A new version for a retired subject.' },
  SUBJECT_DEPRECATED: { severity: 'warning', configurable: true, summary: 'A new version for a deprecated subject.' },
  CONFIG_CHANGED: { severity: 'warning', configurable: false, summary: 'Rules changed in this pull request; they apply from the next one.' },
  // Schema content.
  SCHEMA_DIALECT_UNSUPPORTED: { severity: 'error', configurable: false, summary: '$schema is neither draft-07 nor 2020-12.' },
  SCHEMA_INVALID: { severity: 'error', configurable: false, summary: 'The schema does not compile with ajv in strict mode, or a $ref has a malformed % escape.' },
  SCHEMA_ID_NOT_ALLOWED: { severity: 'error', configurable: false, summary: '$id in a version file; the catalog path is its identity.' },
  SCHEMA_ACCEPTS_NOTHING: { severity: 'error', configurable: false, summary: 'The schema accepts no event (e.g. additionalProperties: false that cannot see properties in another allOf branch).' },
  ROOT_NOT_OBJECT: { severity: 'error', configurable: true, summary: 'The root schema is not type: object.' },
  MISSING_DESCRIPTION: { severity: 'error', configurable: true, summary: 'The root or a property has no description.' },
  REMOTE_REF: { severity: 'error', configurable: false, summary: 'A $ref to a URL; nothing is ever fetched.' },
  REF_OUTSIDE_CATALOG: { severity: 'error', configurable: false, summary: 'A relative $ref that leaves the catalog or names no version file.' },
  REF_NOT_FOUND: { severity: 'error', configurable: false, summary: 'A $ref to a version file that does not exist.' },
  REF_CYCLE: { severity: 'error', configurable: false, summary: 'Version files reference each other in a cycle.' },
  DYNAMIC_REFERENCE: { severity: 'warning', configurable: true, summary: 'A `$dynamicRef` or `$recursiveRef`: the compatibility check cannot follow one (its target depends on the path that reached it), so every later version of the subject fails closed until reviewed with an override.' },
  BUNDLE_INVALID: { severity: 'error', configurable: false, summary: 'The schema a new version gets in the manifest (the file with the files it references inlined) does not compile as producers and the flow compile it, though the file compiles on its own.' },
  REF_DYNAMIC_SCOPE: { severity: 'error', configurable: false, summary: 'A new version references a version file that uses `$dynamicAnchor`, `$dynamicRef`, `$recursiveAnchor` or `$recursiveRef`: inlined into the version\'s schema in the manifest, they would resolve in another dynamic scope (or not compile), so producers would validate with something other than what was checked.' },
  REF_DIALECT_MISMATCH: { severity: 'error', configurable: false, summary: 'A $ref between files of different dialects.' },
  INVALID_PATTERN: { severity: 'error', configurable: false, summary: 'A pattern is not a valid ECMA-262 regular expression with the u flag.' },
  PATTERN_EXPONENTIAL: { severity: 'error', configurable: false, summary: 'A pattern can backtrack exponentially (ReDoS).' },
  PATTERN_POLYNOMIAL: { severity: 'warning', configurable: true, summary: 'A pattern can backtrack polynomially on long inputs.' },
  PATTERN_UNCHECKED: { severity: 'warning', configurable: true, summary: 'A pattern could not be analysed (backreferences, lookaround, or too complex to analyse within 1 s).' },
  PATTERN_TIMEOUT: { severity: 'error', configurable: false, summary: 'A pattern not proved safe (unanalysed or polynomial) took over 1 s on one value while versions were compared, or the check\'s 15 s for such patterns ran out, so the versions were not compared.' },
  PATTERN_BUDGET_EXCEEDED: { severity: 'error', configurable: false, summary: "A pattern was not analysed because the check's 15 s pattern-analysis budget was spent on earlier patterns: never registered unanalysed, whatever it is." },
  PII_UNDECIDED: { severity: 'warning', configurable: true, summary: 'A property that looks personal has no PII decision.' },
  PII_POINTER_UNKNOWN: { severity: 'warning', configurable: true, summary: 'A subject.yaml pii pointer names no property.' },
  EVENT_TIME_INVALID: { severity: 'error', configurable: true, summary: 'eventTime.field does not name a property of the right type.' },
} as const satisfies Record<string, RuleInfo>;

export type RuleCode = keyof typeof RULES;

/** A level set in catalog.yaml: a severity, or off. */
export type Level = Severity | 'off';

/** The README's table of rule codes (markdown), rendered from {@link RULES}. */
export function renderRuleTable(): string {
  const rows = Object.entries(RULES).map(
    ([code, rule]) => `| \`${code}\` | ${rule.severity} | ${rule.configurable ? 'yes' : 'no'} | ${rule.summary} |`,
  );
  return ['| code | default | configurable | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
