import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createJsdDiffer } from '../../../src/adapters/jsd/differ.js';
import { crossCheckCatalog } from '../../../src/usecases/cross-check.js';
import { createTestRepo } from '../../support/git-repo.js';
import { SUBJECT_YAML, check, codes } from './helpers.js';

/** json-schema-diff (the real package, in its worker) as a second opinion on new versions. */
describe('the json-schema-diff cross-check', () => {
  const repo = createTestRepo();
  repo.write('catalog/apps/counts/subject.yaml', `${SUBJECT_YAML}compatibility:\n  mode: FULL\n  policy: STRICT\n`);
  repo.write('catalog/apps/counts/1.json', JSON.stringify({ description: 'Counts.', type: 'object', properties: { n: { description: 'A count.', type: 'integer' } } }));
  repo.commit('counts v1');
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());

  it('reports a difference the rule walk did not explain, and counts the pairs', async () => {
    // integer and number with multipleOf 1 are the same set; json-schema-diff does not know
    // multipleOf and sees integers widened to numbers: the rule walk says compatible.
    repo.write('catalog/apps/counts/2.json', JSON.stringify({ description: 'Counts.', type: 'object', properties: { n: { description: 'A count.', type: 'number', multipleOf: 1 } } }));
    const report = check(repo, 'HEAD');
    expect(codes(report, 'error')).toEqual([]);
    const differ = createJsdDiffer();
    try {
      const crossChecked = await crossCheckCatalog(report, differ);
      expect(crossChecked.crossChecked).toEqual({ checked: 1, skipped: 0, timedOut: 0 });
      const finding = crossChecked.findings.find((entry) => entry.code === 'CROSSCHECK_DIFFERENCE');
      expect(finding).toMatchObject({ severity: 'error', file: 'catalog/apps/counts/2.json', params: { direction: 'FORWARD' } });
      expect(finding?.message).toContain('gave no example ajv could confirm');
      expect(crossChecked.subjects[0]?.errors).toBe(1);
    } finally {
      await differ.close();
    }
  });

  it('skips pairs outside its subset and gives up on slow ones', async () => {
    repo.write('catalog/apps/counts/2.json', JSON.stringify({ description: 'Counts.', type: 'object', properties: { n: { description: 'A count.', type: 'integer' }, card: { description: 'Card.', type: 'string', 'x-pii': true }, cvc: { description: 'CVC.', type: 'string', 'x-pii': true } }, dependentRequired: { card: ['cvc'] } }));
    const skipped = await crossCheckCatalog(check(repo, 'HEAD'), createJsdDiffer());
    expect(skipped.crossChecked).toEqual({ checked: 0, skipped: 1, timedOut: 0 });

    repo.reset();
    repo.write('catalog/apps/counts/2.json', JSON.stringify({ description: 'Counts.', type: 'object', properties: { n: { description: 'A count.', type: 'integer', minimum: 0 } } }));
    const impatient = createJsdDiffer({ timeoutMs: 1 });
    try {
      const timedOut = await crossCheckCatalog(check(repo, 'HEAD'), impatient);
      expect(timedOut.crossChecked).toEqual({ checked: 0, skipped: 0, timedOut: 1 });
      expect(codes(timedOut, 'error')).toEqual(['RANGE_NARROWED']);
    } finally {
      await impatient.close();
    }
  });
});
