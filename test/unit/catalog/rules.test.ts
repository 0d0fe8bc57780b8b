import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_CATALOG, createTestRepo } from '../../support/git-repo.js';
import { SUBJECT_YAML, check, codes, schema } from './helpers.js';

/**
 * One case per rule: a change to the example catalog (uncommitted, as in a pull request's
 * working tree) and the findings it must produce. `at` pins file and position for a few.
 */
interface RuleCase {
  readonly name: string;
  readonly files: Record<string, string | null>;
  readonly expect: readonly string[];
  readonly at?: { file: string; line: number; col: number; pointer: string };
}

const USERS = 'catalog/apps/users';
const next = `${USERS}/4.json`;
const withCode = (extra: Record<string, unknown>): string => v3((value) => (value.properties.code = { description: 'A short code.', type: 'string', ...extra }));
const schemaOfUsers3 = readFileSync(join(EXAMPLE_CATALOG, 'apps/users/3.json'), 'utf8');
const v3 = (mutate: (value: Record<string, any>) => void): string => {
  const value = JSON.parse(schemaOfUsers3) as Record<string, any>;
  mutate(value);
  return JSON.stringify(value, null, 2);
};

const CASES: readonly RuleCase[] = [
  { name: 'a compatible new version passes', files: { [next]: 'USERS4' }, expect: [] },
  { name: 'VERSION_MODIFIED: a registered version changes', files: { [`${USERS}/1.json`]: schema() }, expect: ['VERSION_MODIFIED'] },
  { name: 'VERSION_DELETED: a registered version is removed', files: { [`${USERS}/2.json`]: null }, expect: ['VERSION_DELETED'] },
  { name: 'VERSION_GAP: the next version is skipped', files: { [`${USERS}/5.json`]: 'USERS4' }, expect: ['VERSION_GAP'] },
  { name: 'INVALID_VERSION_FILE: leading zero', files: { [`${USERS}/04.json`]: 'USERS4' }, expect: ['INVALID_VERSION_FILE'] },
  { name: 'STRAY_FILE: a note in a subject', files: { [`${USERS}/notes.txt`]: 'hello' }, expect: ['STRAY_FILE'] },
  { name: 'README.md is allowed at the catalog root, in a team and in a subject', files: { 'catalog/README.md': '# catalog', 'catalog/apps/README.md': '# apps', [`${USERS}/README.md`]: '# users' }, expect: [] },
  { name: 'INVALID_TEAM_NAME and INVALID_SUBJECT_NAME', files: { 'catalog/Team/x-/subject.yaml': SUBJECT_YAML, 'catalog/Team/x-/1.json': schema() }, expect: ['INVALID_SUBJECT_NAME', 'INVALID_TEAM_NAME'] },
  // 5 + 201 characters: its objects' file names would be 259 bytes; 5 + 194 fit with any partition.
  { name: 'TOPIC_NAME_TOO_LONG_FOR_FILE_LAKE: a topic no file lake can archive (a warning)', files: { [`catalog/apps/u${'x'.repeat(200)}/subject.yaml`]: SUBJECT_YAML, [`catalog/apps/u${'x'.repeat(200)}/1.json`]: schema() }, expect: ['TOPIC_NAME_TOO_LONG_FOR_FILE_LAKE'] },
  { name: 'a topic of 199 characters fits a file lake', files: { [`catalog/apps/u${'x'.repeat(193)}/subject.yaml`]: SUBJECT_YAML, [`catalog/apps/u${'x'.repeat(193)}/1.json`]: schema() }, expect: [] },
  { name: 'MISSING_SUBJECT_FILE', files: { 'catalog/apps/orders/1.json': schema() }, expect: ['MISSING_SUBJECT_FILE'] },
  { name: 'NO_VERSIONS', files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML }, expect: ['NO_VERSIONS'] },
  { name: 'DUPLICATE_KEY: a key twice in subject.yaml, at the second one', files: { 'catalog/apps/orders/subject.yaml': `${SUBJECT_YAML}topic:\n  partitions: 3\n  partitions: 6\n`, 'catalog/apps/orders/1.json': schema() }, expect: ['DUPLICATE_KEY'], at: { file: 'catalog/apps/orders/subject.yaml', line: 5, col: 3, pointer: '' } },
  { name: 'DUPLICATE_KEY: a key twice in catalog.yaml', files: { 'catalog/catalog.yaml': 'lint:\n  STRAY_FILE: off\nlint: {}\n' }, expect: ['DUPLICATE_KEY'], at: { file: 'catalog/catalog.yaml', line: 3, col: 1, pointer: '' } },
  // A blank description is refused where subject.yaml is written (the schema asks only for one character).
  { name: 'SUBJECT_CONFIG_INVALID: a blank description', files: { 'catalog/apps/orders/subject.yaml': 'description: "   "\nowners: ["@acme/test"]\n', 'catalog/apps/orders/1.json': schema() }, expect: ['SUBJECT_CONFIG_INVALID'], at: { file: 'catalog/apps/orders/subject.yaml', line: 1, col: 14, pointer: '/description' } },
  { name: 'SUBJECT_CONFIG_INVALID: unknown key and bad status', files: { 'catalog/apps/orders/subject.yaml': `${SUBJECT_YAML}status: gone\ncolour: red\n`, 'catalog/apps/orders/1.json': schema() }, expect: ['SUBJECT_CONFIG_INVALID', 'SUBJECT_CONFIG_INVALID'] },
  { name: 'SUBJECT_CONFIG_INVALID: a retentionMs JSON cannot hold exactly (1e21 reached Kafka as "1e+21")', files: { 'catalog/apps/orders/subject.yaml': `${SUBJECT_YAML}topic:\n  retentionMs: 1e21\n`, 'catalog/apps/orders/1.json': schema() }, expect: ['SUBJECT_CONFIG_INVALID'] },
  {
    name: 'TOPIC_CONFIG_UNKNOWN: a topic config Kafka refuses, with the closest it knows',
    files: { 'catalog/apps/orders/subject.yaml': `${SUBJECT_YAML}topic:\n  configs:\n    retention.msec: "1000"\n    segment.ms: "60000"\n`, 'catalog/apps/orders/1.json': schema() },
    expect: ['TOPIC_CONFIG_UNKNOWN'],
    at: { file: 'catalog/apps/orders/subject.yaml', line: 5, col: 21, pointer: '/topic/configs/retention.msec' },
  },
  { name: 'ROOT_NOT_OBJECT', files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': JSON.stringify({ description: 'd', type: 'array' }) }, expect: ['ROOT_NOT_OBJECT'] },
  {
    name: 'MISSING_DESCRIPTION on a nested property, positioned',
    files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': schema({ total: { description: 'Total.', type: 'object', properties: { minor: { type: 'integer' } } } }) },
    expect: ['MISSING_DESCRIPTION'],
    at: { file: 'catalog/apps/orders/1.json', line: 15, col: 18, pointer: '/properties/total/properties/minor' },
  },
  { name: 'SCHEMA_ID_NOT_ALLOWED', files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': schema({}, { $id: 'https://example.com/x' }) }, expect: ['SCHEMA_ID_NOT_ALLOWED'] },
  { name: 'SCHEMA_DIALECT_UNSUPPORTED: draft-04', files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': schema({}, { $schema: 'http://json-schema.org/draft-04/schema#' }) }, expect: ['SCHEMA_DIALECT_UNSUPPORTED'] },
  { name: 'SCHEMA_INVALID: unknown keyword in strict mode, at the keyword', files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': schema({ a: { description: 'a', type: 'string', maxLenght: 3 } }) }, expect: ['SCHEMA_INVALID'], at: { file: 'catalog/apps/orders/1.json', line: 14, col: 20, pointer: '/properties/a/maxLenght' } },
  { name: 'SCHEMA_INVALID: unknown format', files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': schema({ a: { description: 'a', type: 'string', format: 'colour' } }) }, expect: ['SCHEMA_INVALID'] },
  { name: 'draft-07 compiles with its own meta-schema', files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': schema({ a: { description: 'a', type: 'string' } }, { $schema: 'http://json-schema.org/draft-07/schema#', definitions: { x: { type: 'string' } } }) }, expect: [] },
  { name: 'x-pii and x-event-time are known keywords', files: { [next]: v3((value) => (value.properties.email['x-pii'] = true)) }, expect: [] },
  { name: 'PII_UNDECIDED for a personal-looking property', files: { [next]: v3((value) => (value.properties.phoneNumber = { description: 'Phone.', type: 'string' })) }, expect: ['PII_UNDECIDED'] },
  { name: 'x-pii: false is a decision', files: { [next]: v3((value) => (value.properties.phoneNumber = { description: 'Phone.', type: 'string', 'x-pii': false })) }, expect: [] },
  { name: 'PII_POINTER_UNKNOWN (and PROPERTY_REMOVED) after a property is removed', files: { [next]: v3((value) => delete value.properties.displayName) }, expect: ['PII_POINTER_UNKNOWN', 'PROPERTY_REMOVED'] },
  { name: 'EVENT_TIME_INVALID (and FORMAT_CHANGED both ways) when the event time is not a date-time', files: { [next]: v3((value) => (value.properties.occurredAt.format = 'date')) }, expect: ['EVENT_TIME_INVALID', 'FORMAT_CHANGED', 'FORMAT_CHANGED'], at: { file: next, line: 26, col: 19, pointer: '/properties/occurredAt' } },
  { name: 'INVALID_PATTERN', files: { [next]: withCode({ pattern: '[a-' }) }, expect: ['INVALID_PATTERN'] },
  { name: 'PATTERN_EXPONENTIAL', files: { [next]: withCode({ pattern: '^([a-z]+)+$' }) }, expect: ['PATTERN_EXPONENTIAL'] },
  { name: 'PATTERN_POLYNOMIAL is a warning', files: { [next]: withCode({ pattern: '^.*a.*a.*$' }) }, expect: ['PATTERN_POLYNOMIAL'] },
  { name: 'PATTERN_UNCHECKED for a backreference', files: { [next]: withCode({ pattern: '^([a-z]+)\\1*$' }) }, expect: ['PATTERN_UNCHECKED'] },
  { name: 'PATTERN_EXPONENTIAL in a patternProperties key', files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': schema({}, { patternProperties: { '^(x|x)*$': { type: 'string' } } }) }, expect: ['PATTERN_EXPONENTIAL'] },
  {
    name: 'SCHEMA_ACCEPTS_NOTHING: additionalProperties false cannot see into allOf',
    files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': JSON.stringify({ description: 'Split.', type: 'object', allOf: [{ properties: { a: { description: 'a', type: 'string' } }, required: ['a'], additionalProperties: false }, { properties: { occurredAt: { description: 'When.', type: 'string', format: 'date-time' } }, required: ['occurredAt'] }] }) },
    expect: ['SCHEMA_ACCEPTS_NOTHING'],
  },
  // Compatibility runs in check, by the subject's mode and policy on the base branch (FULL_TRANSITIVE, DEFAULT).
  { name: 'compat: an enum value removed fails FULL_TRANSITIVE', files: { [next]: v3((value) => (value.properties.kind.enum = ['signed_up'])) }, expect: ['ENUM_VALUE_REMOVED'] },
  { name: 'compat: a tombstoned name re-added with another schema', files: { [next]: v3((value) => (value.properties.locale = { description: 'Now a number.', type: 'integer' })) }, expect: ['TYPE_CHANGED', 'PROPERTY_ADDED_TO_OPEN_MODEL'] },
  { name: 'compat: STRICT subject (payments-transactions) rejects an optional property in an open model', files: { 'catalog/payments/transactions/2.json': 'TRANSACTIONS2' }, expect: ['PROPERTY_ADDED_TO_OPEN_MODEL'] },
  { name: 'REMOTE_REF', files: { [next]: v3((value) => (value.properties.extra = { description: 'x', $ref: 'https://schemas.example.com/x.json' })) }, expect: ['REMOTE_REF'] },
  { name: 'REF_OUTSIDE_CATALOG: traversal', files: { [next]: v3((value) => (value.properties.extra = { description: 'x', $ref: '../../../../etc/passwd' })) }, expect: ['REF_OUTSIDE_CATALOG'] },
  { name: 'REF_NOT_FOUND', files: { [next]: v3((value) => (value.properties.extra = { description: 'x', $ref: '../../payments/transactions/9.json#/$defs/Money' })) }, expect: ['REF_NOT_FOUND'] },
  { name: 'a cross-file ref to a registered version compiles', files: { [next]: v3((value) => (value.properties.spent = { description: 'x', $ref: '../../payments/transactions/1.json#/$defs/Money' })) }, expect: [] },
  { name: 'SCHEMA_INVALID: a cross-file ref to a missing $defs entry', files: { [next]: v3((value) => (value.properties.spent = { description: 'x', $ref: '../../payments/transactions/1.json#/$defs/Nope' })) }, expect: ['SCHEMA_INVALID'] },
  { name: 'REF_DIALECT_MISMATCH: 2020-12 to draft-07', files: { [next]: v3((value) => (value.properties.session = { description: 'x', $ref: '../../apps/sessions/1.json' })) }, expect: ['REF_DIALECT_MISMATCH'] },
  {
    name: 'REF_CYCLE between two new files',
    files: {
      'catalog/apps/orders/subject.yaml': SUBJECT_YAML,
      'catalog/apps/orders/1.json': schema({ a: { description: 'a', $ref: '../../apps/refs/1.json' } }),
      'catalog/apps/refs/subject.yaml': SUBJECT_YAML,
      'catalog/apps/refs/1.json': schema({ b: { description: 'b', $ref: '../../apps/orders/1.json' } }),
    },
    expect: ['REF_CYCLE', 'REF_CYCLE'],
  },
  {
    name: 'DYNAMIC_REFERENCE is a warning, positioned at the keyword',
    files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': schema({ tree: { description: 't', $ref: '#/$defs/Node' } }, { $defs: { Node: { $dynamicAnchor: 'node', type: 'object', properties: { children: { description: 'c', type: 'array', items: { $dynamicRef: '#node' } } } } } }) },
    expect: ['DYNAMIC_REFERENCE'],
    at: { file: 'catalog/apps/orders/1.json', line: 25, col: 28, pointer: '/$defs/Node/properties/children/items/$dynamicRef' },
  },
  {
    name: 'REF_DYNAMIC_SCOPE: a reference to a file with dynamic keywords, at the $ref (its own keywords warn)',
    files: {
      'catalog/apps/orders/subject.yaml': SUBJECT_YAML,
      'catalog/apps/orders/1.json': schema({ tree: { description: 't', $ref: '#/$defs/Node' } }, { $defs: { Node: { $dynamicAnchor: 'node', type: 'object', properties: { children: { description: 'c', type: 'array', items: { $dynamicRef: '#node' } } } } } }),
      'catalog/apps/refs/subject.yaml': SUBJECT_YAML,
      'catalog/apps/refs/1.json': schema({ tree: { description: 't', $ref: '../orders/1.json#/$defs/Node' } }),
    },
    expect: ['REF_DYNAMIC_SCOPE', 'DYNAMIC_REFERENCE'],
    at: { file: 'catalog/apps/refs/1.json', line: 13, col: 15, pointer: '/properties/tree/$ref' },
  },
  { name: 'a $anchor is SCHEMA_INVALID: ajv\'s strict mode knows no such keyword', files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': schema({ n: { description: 'n', $ref: '#n' } }, { $defs: { N: { $anchor: 'n', type: 'integer' } } }) }, expect: ['SCHEMA_INVALID'] },
  { name: 'a recursive local ref is fine', files: { 'catalog/apps/orders/subject.yaml': SUBJECT_YAML, 'catalog/apps/orders/1.json': schema({ tree: { description: 't', $ref: '#/$defs/Node' } }, { $defs: { Node: { type: 'object', properties: { children: { description: 'c', type: 'array', items: { $ref: '#/$defs/Node' } } } } } }) }, expect: [] },
  { name: 'SUBJECT_DEPRECATED is a warning', files: { 'catalog/payments/refunds/2.json': 'REFUNDS2' }, expect: ['SUBJECT_DEPRECATED'] },
  { name: 'CONFIG_CHANGED for catalog.yaml', files: { 'catalog/catalog.yaml': 'compatibility:\n  mode: NONE\n' }, expect: ['CONFIG_CHANGED'] },
  { name: 'CONFIG_CHANGED for a subject override', files: { 'catalog/payments/transactions/subject.yaml': 'TRANSACTIONS_NONE' }, expect: ['CONFIG_CHANGED'] },
  { name: 'CATALOG_CONFIG_INVALID', files: { 'catalog/catalog.yaml': 'compatibility:\n  mode: SIDEWAYS\n' }, expect: ['CATALOG_CONFIG_INVALID', 'CONFIG_CHANGED'] },
  { name: 'ENVIRONMENT_STATE_WITHOUT_LAKE: an environment with a state but no lake', files: { 'catalog/catalog.yaml': 'environments:\n  staging:\n    manifestUrl: gs://acme-schemaflow/staging\n    stateUrl: gs://acme-lake/staging-state\n' }, expect: ['ENVIRONMENT_STATE_WITHOUT_LAKE', 'CONFIG_CHANGED'], at: { file: 'catalog/catalog.yaml', line: 4, col: 15, pointer: '/environments/staging/stateUrl' } },
  { name: 'LINT_UNKNOWN_RULE: a protected rule cannot be switched off', files: { 'catalog/catalog.yaml': 'lint:\n  REMOTE_REF: off\n  NOT_A_RULE: warning\n' }, expect: ['CONFIG_CHANGED', 'LINT_UNKNOWN_RULE', 'LINT_UNKNOWN_RULE'] },
];

describe('catalog rules', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());

  it.each(CASES)('$name', (testCase) => {
    for (const [path, content] of Object.entries(testCase.files)) {
      if (content === null) repo.remove(path);
      else repo.write(path, expand(content));
    }
    const report = check(repo);
    expect(codes(report).sort()).toEqual([...testCase.expect].sort());
    if (testCase.at) {
      const finding = report.findings[0];
      expect(finding).toMatchObject(testCase.at);
    }
  });

  it('leaves a blank description alone where subject.yaml is not written, and keeps that subject’s settings', () => {
    repo.write('catalog/apps/orders/subject.yaml', 'description: "   "\nowners: ["@acme/test"]\nstatus: retired\n');
    repo.write('catalog/apps/orders/1.json', schema());
    repo.commit('orders, merged before the rule');
    try {
      repo.write('catalog/apps/orders/2.json', schema());
      // Judged by its settings (retired takes no version), with no finding on the file it did not touch.
      expect(codes(check(repo, 'HEAD'))).toEqual(['SUBJECT_RETIRED']);
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  function expand(content: string): string {
    const read = (path: string): string => repo.git('show', `HEAD:${path}`);
    switch (content) {
      case 'USERS4':
        return v3((value) => (value.properties.country = { description: 'ISO 3166 country code.', type: 'string' }));
      case 'REFUNDS2':
        return read('catalog/payments/refunds/1.json');
      case 'TRANSACTIONS2': {
        const value = JSON.parse(read('catalog/payments/transactions/1.json')) as Record<string, any>;
        value.properties.note = { description: 'Free text.', type: 'string' };
        return JSON.stringify(value, null, 2);
      }
      case 'TRANSACTIONS_NONE':
        return read('catalog/payments/transactions/subject.yaml').replace('policy: STRICT', 'policy: DEFAULT');
      default:
        return content;
    }
  }
});

describe('wide schemas', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());

  // Regression: ajv without allErrors nests one block per property, and the validator of a
  // 2,000-property version overflowed the stack when called: check ended in an unexpected error.
  it('judges a change to one of 2,000 properties', () => {
    const properties = (last: Record<string, unknown>) => Object.fromEntries(Array.from({ length: 2_000 }, (_, index) => [`p${index}`, index === 1_999 ? last : { description: 'P.', type: 'string' }]));
    repo.write('catalog/apps/wide/subject.yaml', `${SUBJECT_YAML}compatibility:\n  mode: BACKWARD\n  policy: DEFAULT\n`);
    repo.write('catalog/apps/wide/1.json', schema(properties({ description: 'P.', type: 'string' })));
    repo.commit('wide v1');
    repo.write('catalog/apps/wide/2.json', schema(properties({ description: 'P.', type: 'string', maxLength: 3 })));
    expect(codes(check(repo, 'HEAD'), 'error')).toEqual(['LENGTH_NARROWED']);
  });
});
