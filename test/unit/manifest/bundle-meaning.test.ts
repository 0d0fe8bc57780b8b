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

  const node = (kids: string) => ({ $dynamicAnchor: 'node', description: 'A node.', type: 'object', properties: { [kids]: { description: 'Kids.', type: 'array', items: { $dynamicRef: '#node' } } } });
  const refused = (files: Record<string, unknown>) => {
    repo.git('checkout', '-q', '-B', 'feature', 'main');
    repo.write('catalog/apps/tree/subject.yaml', SUBJECT_YAML);
    repo.write('catalog/apps/tree/1.json', JSON.stringify(event({ properties: { tree: { description: 'A tree.', $ref: '#/$defs/Node' } }, $defs: { Node: node('kids') } })));
    repo.commit('tree, registered before');
    for (const [path, value] of Object.entries(files)) repo.write(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    return check(repo, 'HEAD').findings.filter((finding) => finding.severity === 'error');
  };

  // Regression: a referenced file's $dynamicAnchor joined the root's (same name) in the bundle,
  // which then did not compile: the check passed, send() threw ajv's error and the flow
  // quarantined every record as INVALID.
  it('refuses a reference to a file with a $dynamicAnchor the version has too, at the $ref, saying why and how to fix it', () => {
    const errors = refused({
      'catalog/apps/forest/subject.yaml': SUBJECT_YAML,
      'catalog/apps/forest/1.json': event({ properties: { mine: { description: 'Mine.', $ref: '#/$defs/Node' }, theirs: { description: 'Theirs.', $ref: '../tree/1.json#/$defs/Node' } }, $defs: { Node: node('children') } }),
    });
    expect(errors.map((finding) => [finding.file, finding.code, finding.pointer])).toEqual([['catalog/apps/forest/1.json', 'REF_DYNAMIC_SCOPE', '/properties/theirs/$ref']]);
    expect(errors[0]?.line).toBeGreaterThan(1);
    expect(errors[0]?.params).toMatchObject({ target: 'apps/tree/1.json', keywords: expect.arrayContaining([{ keyword: '$dynamicAnchor', pointer: '/$defs/Node/$dynamicAnchor' }]) });
    expect(errors[0]?.message).toContain('apps/tree/1.json uses $');
    expect(errors[0]?.message).toContain("Copy the definitions this file needs from apps/tree/1.json into its own $defs");
  });

  // The same without a clash: the bundle compiles, but ajv resolves the referenced file's
  // $dynamicRef to the version's $dynamicAnchor once one was passed, so { mine, theirs } was
  // refused by the manifest's schema and accepted by the files.
  it('refuses a reference to a file whose $dynamicRef the version\'s own $dynamicAnchor would capture, also through another file', () => {
    const tree = { description: 'A tree.', type: 'object', properties: { kids: { description: 'Kids.', type: 'array', items: { $dynamicRef: '#node' } } } };
    repo.git('checkout', '-q', '-B', 'feature', 'main');
    repo.write('catalog/apps/tree/subject.yaml', SUBJECT_YAML);
    repo.write('catalog/apps/tree/1.json', JSON.stringify(event({ properties: { t: { description: 'A tree.', $ref: '#/$defs/Tree' } }, $defs: { Tree: tree } })));
    repo.write('catalog/apps/grove/subject.yaml', SUBJECT_YAML);
    repo.write('catalog/apps/grove/1.json', JSON.stringify(event({ properties: { g: { description: 'A grove.', $ref: '../tree/1.json#/$defs/Tree' } } })));
    repo.commit('tree and grove, registered before');
    const forest = (theirs: string) => event({ properties: { mine: { description: 'Mine.', $ref: '#/$defs/Node' }, theirs: { description: 'Theirs.', $ref: theirs } }, $defs: { Node: { ...node('children'), required: ['children'] } } });
    repo.write('catalog/apps/forest/subject.yaml', SUBJECT_YAML);
    repo.write('catalog/apps/forest/1.json', JSON.stringify(forest('../tree/1.json#/$defs/Tree')));
    expect(check(repo, 'HEAD').findings.filter((finding) => finding.severity === 'error').map((finding) => [finding.code, finding.pointer])).toEqual([['REF_DYNAMIC_SCOPE', '/properties/theirs/$ref']]);
    repo.write('catalog/apps/forest/1.json', JSON.stringify(forest('../grove/1.json')));
    const [through] = check(repo, 'HEAD').findings.filter((finding) => finding.severity === 'error');
    expect([through?.code, through?.pointer, through?.params.trail]).toEqual(['REF_DYNAMIC_SCOPE', '/properties/theirs/$ref', ['apps/grove/1.json', 'apps/tree/1.json']]);
    expect(through?.message).toContain('references apps/tree/1.json through apps/grove/1.json at /properties/theirs/$ref');
  });
});
