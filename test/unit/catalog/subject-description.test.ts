import { describe, expect, it } from 'vitest';
import { readSubjectSettings } from '../../../src/catalog/config-files.js';
import { parseYamlDocument } from '../../../src/catalog/documents.js';
import { scaffoldOptionProblems } from '../../../src/catalog/scaffold.js';

const read = (yaml: string) => {
  const parsed = parseYamlDocument('catalog/apps/orders/subject.yaml', new TextEncoder().encode(yaml));
  if (!parsed.ok) throw new Error('not YAML');
  return readSubjectSettings(parsed.document);
};

// Regression: subject.schema.json required only minLength 1, so "   " passed check.
describe('a subject.yaml description', () => {
  it.each([['""'], ['"   "'], ['"\\t\\n"']])('is refused when blank (%s), in words', (description) => {
    const { findings } = read(`description: ${description}\nowners: ["@acme/orders"]\n`);
    expect(findings.map((finding) => [finding.code, finding.pointer, finding.message])).toEqual([
      ['SUBJECT_CONFIG_INVALID', '/description', 'catalog/apps/orders/subject.yaml /description: is empty or only whitespace; give it text (see subject.schema.json).'],
    ]);
  });

  it('passes with any text', () => {
    expect(read('description: " An order was placed. "\nowners: ["@acme/orders"]\n').findings).toEqual([]);
  });

  it('is refused blank by new, as check refuses it', () => {
    expect(scaffoldOptionProblems('apps', 'orders', { description: '   ' })).toEqual(['--description is blank; say what one event means, or leave the flag out to get a TODO to edit.']);
  });
});
