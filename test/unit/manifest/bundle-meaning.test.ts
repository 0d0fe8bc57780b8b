import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openRepository } from '../../../src/adapters/git/repository.js';
import { createSchemaRegistry, type RegisteredSchema } from '../../../src/manifest/registry.js';
import { buildCatalogManifest } from '../../../src/usecases/build-manifest.js';
import { createTestRepo } from '../../support/git-repo.js';
import { check, SUBJECT_YAML } from '../catalog/helpers.js';

/**
 * The manifest's bundled schema means what the version file the check passed means: producers
 * and the flow validate with the bundle (README "Fingerprints", "Producing events"). Each case
 * lands a change the check passes on the example catalog, then validates with the manifest.
 */
describe('the bundled schema in the manifest and the version file the check passed', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  beforeEach(() => {
    repo.git('checkout', '-q', '-f', 'main');
    repo.reset();
  });

  const land = (files: Record<string, unknown>): ((subject: string) => RegisteredSchema) => {
    repo.git('checkout', '-q', '-B', 'feature', 'main');
    for (const [path, value] of Object.entries(files)) repo.write(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    repo.commit('a pull request');
    expect(check(repo).findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    const registry = createSchemaRegistry(buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog' }).manifest);
    return (subject) => registry.resolve(subject, 1);
  };

  const event = (extra: Record<string, unknown>) => ({ $schema: 'https://json-schema.org/draft/2020-12/schema', description: 'An event.', type: 'object', ...extra });
  const money = { minor: 1, currency: 'EUR' };

  // Regression: the file's own $defs entry named like the bundle key of the file it references
  // was overwritten by that file: the SDK took { count: <a transaction> } and refused { count: 3 }.
  it('keeps the meaning of a definition named like a bundle key (<team>.<name>.v<N>)', () => {
    const resolve = land({
      'catalog/apps/coll/subject.yaml': SUBJECT_YAML,
      'catalog/apps/coll/1.json': event({
        required: ['count', 'tx'],
        properties: { count: { description: 'A count.', $ref: '#/$defs/payments.transactions.v1' }, tx: { description: 'Money.', $ref: '../../payments/transactions/1.json#/$defs/Money' } },
        $defs: { 'payments.transactions.v1': { description: 'A small integer.', type: 'integer', maximum: 10 } },
      }),
    });
    const schema = resolve('apps-coll');
    expect(schema.validate({ count: 3, tx: money })).toEqual([]);
    expect(schema.validate({ count: { transactionId: 't', orderId: 'o', amount: money, capturedAt: '2024-01-01T00:00:00Z', method: 'card' }, tx: money })).not.toEqual([]);
    expect(schema.validate({ count: 3, tx: { minor: 1 } })).not.toEqual([]);
  });

  // Regression: a referenced file's $dynamicAnchor joined the root's (same name) in the bundle,
  // which then did not compile: the check passed, send() threw ajv's error and the flow
  // quarantined every record as INVALID.
  it('is compiled by the check as the manifest will hold it, so a bundle that does not compile is refused before registration', () => {
    const node = (kids: string) => ({ $dynamicAnchor: 'node', description: 'A node.', type: 'object', properties: { [kids]: { description: 'Kids.', type: 'array', items: { $dynamicRef: '#node' } } } });
    repo.git('checkout', '-q', '-B', 'feature', 'main');
    repo.write('catalog/apps/tree/subject.yaml', SUBJECT_YAML);
    repo.write('catalog/apps/tree/1.json', JSON.stringify(event({ properties: { tree: { description: 'A tree.', $ref: '#/$defs/Node' } }, $defs: { Node: node('kids') } })));
    repo.commit('tree');
    repo.write('catalog/apps/forest/subject.yaml', SUBJECT_YAML);
    repo.write('catalog/apps/forest/1.json', JSON.stringify(event({ properties: { mine: { description: 'Mine.', $ref: '#/$defs/Node' }, theirs: { description: 'Theirs.', $ref: '../tree/1.json#/$defs/Node' } }, $defs: { Node: node('children') } })));
    const errors = check(repo).findings.filter((finding) => finding.severity === 'error');
    expect(errors.map((finding) => [finding.file, finding.code])).toEqual([['catalog/apps/forest/1.json', 'BUNDLE_INVALID']]);
    expect(errors[0]?.message).toContain('resolves to more than one schema');
  });
});
