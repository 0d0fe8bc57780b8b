import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestRepo } from '../../support/git-repo.js';
import { SUBJECT_YAML, check } from './helpers.js';

/**
 * Regression: ajv's strict-mode errors were reported at 1:1 with pointer "", and only the first:
 * a second misspelt keyword showed up only after the first was fixed. Each unknown keyword is now
 * a SCHEMA_INVALID at its own pointer, and other strict errors where ajv's message places them.
 */
describe('strict-mode errors in check', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());
  const FILE = 'catalog/apps/typo/1.json';
  const write = (extra: Record<string, unknown>, dialect = 'https://json-schema.org/draft/2020-12/schema'): void => {
    repo.write('catalog/apps/typo/subject.yaml', SUBJECT_YAML);
    repo.write(FILE, JSON.stringify({ $schema: dialect, description: 'An event.', type: 'object', ...extra }, null, 2));
  };
  const invalid = () => check(repo).findings.filter((finding) => finding.code === 'SCHEMA_INVALID');

  it('reports every misspelt keyword where it is, with the keyword it resembles', () => {
    write({
      properties: {
        a: { description: 'A.', type: 'object', properties: { b: { description: 'B.', type: 'string', maxLenght: 3 } } },
        c: { description: 'C.', type: 'string', minLenght: 1 },
      },
    });
    const found = invalid();
    expect(found.map((finding) => [finding.pointer, finding.params.keyword])).toEqual([
      ['/properties/a/properties/b/maxLenght', 'maxLenght'],
      ['/properties/c/minLenght', 'minLenght'],
    ]);
    expect(found.map((finding) => finding.line)).toEqual([13, 20]);
    expect(found[0]?.message).toBe(
      `${FILE} is not a valid 2020-12 schema in strict mode: unknown keyword "maxLenght" at /properties/a/properties/b: ajv knows no such 2020-12 keyword, and schemaflow adds only x-pii and x-event-time; did you mean "maxLength"? Rename it, or remove it (a note for readers belongs in "description" or "$comment").`,
    );
  });

  it('names the dialect a keyword belongs to, and leaves a schema ajv compiles alone', () => {
    write({ properties: { a: { description: 'A.', type: 'string' } }, unevaluatedProperties: false }, 'http://json-schema.org/draft-07/schema#');
    expect(invalid().map((finding) => [finding.pointer, finding.message.includes('it is a 2020-12 keyword')])).toEqual([['/unevaluatedProperties', true]]);
    // ajv is the authority: it does not compile an unreferenced definition, so its typo is no error.
    write({ properties: { a: { description: 'A.', type: 'string' } }, $defs: { unused: { type: 'string', maxLenght: 3 } } });
    expect(invalid()).toEqual([]);
  });

  it('places a strictTypes error at the schema ajv names', () => {
    write({ properties: { a: { description: 'A.', properties: { b: { description: 'B.', type: 'string' } }, required: ['b'] } } });
    const found = invalid();
    expect(found.map((finding) => [finding.pointer, finding.line])).toEqual([['/properties/a', 6]]);
    expect(found[0]?.message).toContain('missing type "object" for keyword "required" at /properties/a (strictTypes); state the "type"');
  });
});
