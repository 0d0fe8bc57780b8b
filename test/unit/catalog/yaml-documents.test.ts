import { describe, expect, it } from 'vitest';
import { parseJsonDocument, parseYamlDocument } from '../../../src/catalog/documents.js';

const parse = (text: string) => parseYamlDocument('catalog/apps/orders/subject.yaml', new TextEncoder().encode(text));

// Regression: a key given twice in a YAML file was reported as INVALID_YAML ("Map keys must be unique"), naming neither the key nor the first one.
describe('a duplicate key in a YAML file', () => {
  it.each([
    ['description: a\nowners: ["@a"]\ndescription: b\n', 'description', { line: 3, col: 1 }, { line: 1, col: 1 }],
    ['topic:\n  partitions: 1\n  "partitions": 2\n', 'partitions', { line: 3, col: 3 }, { line: 2, col: 3 }],
    ['eventTime: {field: /a, field: /b}\n', 'field', { line: 1, col: 24 }, { line: 1, col: 13 }],
    // Keys that differ in YAML but name the same property of the value read from it.
    ['lint:\n  1: a\n  "1": b\n', '1', { line: 3, col: 3 }, { line: 2, col: 3 }],
    ['lint:\n  ~: a\n  "": b\n', '', { line: 3, col: 3 }, { line: 2, col: 3 }],
    ['lint:\n  true: a\n  "true": b\n', 'true', { line: 3, col: 3 }, { line: 2, col: 3 }],
  ])('%j is DUPLICATE_KEY naming %j where it repeats', (text, key, at, first) => {
    const result = parse(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.findings[0]).toMatchObject({ code: 'DUPLICATE_KEY', severity: 'error', file: 'catalog/apps/orders/subject.yaml', ...at, params: { key, first } });
    expect(result.findings[0].message).toBe(`catalog/apps/orders/subject.yaml has the key "${key}" twice in one mapping: at ${first.line}:${first.col} and again at ${at.line}:${at.col}. YAML readers disagree on which one wins, so keep exactly one.`);
  });

  it('is DUPLICATE_KEY when an alias key names a property again', () => {
    const result = parse('name: &k STRAY_FILE\nlint:\n  STRAY_FILE: off\n  *k : warning\n');
    expect(result.ok ? result.document.value : result.findings[0]).toMatchObject({ code: 'DUPLICATE_KEY', line: 4, col: 3, params: { key: 'STRAY_FILE', first: { line: 3, col: 3 } } });
  });

  it.each([['lint:\n  "[ a ]": 1\n  ? [a]\n  : 2\n'], ['list: &k [a]\nlint:\n  *k : 1\n']])('refuses a collection as a key, directly or through an alias: %j', (text) => {
    const result = parse(text);
    expect(result.ok ? result.document.value : result.findings[0]).toMatchObject({ code: 'INVALID_YAML', params: { reason: 'COLLECTION_KEY' } });
  });

  it('keeps keys that name different properties: null is "", not "null"', () => {
    const result = parse('lint:\n  null: a\n  "null": b\n');
    expect(result.ok ? result.document.value : result.findings[0]).toEqual({ lint: { '': 'a', null: 'b' } });
  });

  it('leaves a syntax error in the same file to INVALID_YAML, which alone is reported', () => {
    const result = parse('description: a\ndescription: b\nowners: [\n');
    expect(result.ok ? undefined : result.findings.map((finding) => finding.code)).toEqual(['INVALID_YAML']);
  });

  // Regression: only the first repeated key of a file was reported, so a file with three took three pushes.
  it('reports every repeated key of a file at once, in file order, plain and through an alias', () => {
    const result = parse('name: &k b\ntopic:\n  partitions: 1\n  partitions: 2\nlint:\n  b: x\n  *k : y\n  "1": z\n  1: w\ndescription: a\ndescription: b\n');
    expect(result.ok ? [] : result.findings.map((finding) => [finding.code, finding.line, finding.params.key])).toEqual([
      ['DUPLICATE_KEY', 4, 'partitions'],
      ['DUPLICATE_KEY', 7, 'b'],
      ['DUPLICATE_KEY', 9, '1'],
      ['DUPLICATE_KEY', 11, 'description'],
    ]);
  });
});

describe('a duplicate key in a JSON file', () => {
  it('is reported for every repetition at once, in file order', () => {
    const result = parseJsonDocument('catalog/apps/orders/1.json', new TextEncoder().encode('{\n  "type": "object",\n  "properties": {\n    "a": {},\n    "a": {}\n  },\n  "type": "string"\n}\n'));
    expect(result.ok ? [] : result.findings.map((finding) => [finding.code, finding.line, finding.params.key])).toEqual([
      ['DUPLICATE_KEY', 5, 'a'],
      ['DUPLICATE_KEY', 7, 'type'],
    ]);
  });
});

// Regression: YAML nesting was measured by counting `{` and `[` only, so block nesting (`- - -`,
// indented mappings) passed the README's 32 levels, and at ~5,000 levels the parser ran out of
// stack and the file was reported as INVALID_YAML ("Maximum call stack size exceeded").
describe('the nesting limit of a YAML file (32 levels)', () => {
  const nested = (depth: number): string => `pii:\n  ${'- '.repeat(depth - 1)}x\n`; // the root mapping is level 1
  const mappings = (depth: number): string => `${Array.from({ length: depth }, (_, level) => `${'  '.repeat(level)}k${level}:`).join('\n')} 1\n`;
  const refusal = (text: string) => {
    const result = parse(text);
    return result.ok ? 'accepted' : result.findings.map((finding) => ({ code: finding.code, line: finding.line, col: finding.col }));
  };

  it('accepts 32 levels of block nesting', () => {
    expect(refusal(nested(32))).toBe('accepted');
    expect(refusal(mappings(32))).toBe('accepted');
  });

  it.each([33, 40, 200, 5_000])('refuses %i levels of compact block sequences as NESTING_TOO_DEEP at the sequence that passes the limit', (depth) => {
    expect(refusal(nested(depth))).toEqual([{ code: 'NESTING_TOO_DEEP', line: 2, col: 3 + 2 * 31 }]);
  });

  it('refuses 33 levels of indented mappings at the line of the 33rd', () => {
    expect(refusal(mappings(33))).toEqual([{ code: 'NESTING_TOO_DEEP', line: 33, col: 65 }]);
  });

  it('counts block and flow nesting together', () => {
    expect(refusal(`a:\n  b: ${'['.repeat(30)}${']'.repeat(30)}\n`)).toBe('accepted');
    expect(refusal(`a:\n  b: ${'['.repeat(31)}${']'.repeat(31)}\n`)).toEqual([{ code: 'NESTING_TOO_DEEP', line: 2, col: 36 }]);
  });

  it('refuses a 256 KiB file of nesting without running out of stack', () => {
    const text = `description:\n  ${'- '.repeat(131_000)}x\n`;
    expect(text.length).toBeLessThan(262_144);
    expect(refusal(text)).toEqual([{ code: 'NESTING_TOO_DEEP', line: 2, col: 3 + 2 * 31 }]);
    expect(refusal(`${'? '.repeat(131_000)}x\n`)).toMatchObject([{ code: 'NESTING_TOO_DEEP', line: 1 }]);
  });

  it('does not count brackets in scalars or comments', () => {
    expect(refusal(`description: '${'['.repeat(40)}'\nowners: ["${'{'.repeat(40)}"]\n# ${'['.repeat(40)}\n`)).toBe('accepted');
  });
});
