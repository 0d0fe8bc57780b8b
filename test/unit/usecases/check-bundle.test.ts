import { afterAll, describe, expect, it } from 'vitest';
import { openRepository } from '../../../src/adapters/git/repository.js';
import { parseJsonDocument, type ParsedDocument } from '../../../src/catalog/documents.js';
import { createManifestSchemaCompiler } from '../../../src/manifest/registry.js';
import { buildCatalogManifest } from '../../../src/usecases/build-manifest.js';
import { checkBundle } from '../../../src/usecases/check-bundle.js';
import { createTestRepo } from '../../support/git-repo.js';
import { SUBJECT_YAML } from '../catalog/helpers.js';

const parse = (file: string, value: unknown): ParsedDocument => {
  const parsed = parseJsonDocument(file, new TextEncoder().encode(JSON.stringify(value, null, 2)));
  if (!parsed.ok) throw new Error(`${file} does not parse`);
  return parsed.document;
};

const money = { $schema: 'https://json-schema.org/draft/2020-12/schema', description: 'Money.', type: 'object', properties: { m: { description: 'm', $ref: '#/$defs/M' } }, $defs: { M: { type: 'integer' } } };
const ledger = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  description: 'An event.',
  type: 'object',
  properties: { a: { description: 'a', $ref: '../money/1.json#/$defs/M' }, b: { description: 'b', $ref: '#/$defs/apps.money.v1' } },
  $defs: { 'apps.money.v1': { type: 'string' } },
};
const files: Record<string, unknown> = { 'apps/money/1.json': money, 'apps/ledger/1.json': ledger };

describe('checkBundle', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());

  it('compiles the schema the manifest will hold for the version, byte for byte', () => {
    repo.write('catalog/apps/money/subject.yaml', SUBJECT_YAML);
    repo.write('catalog/apps/money/1.json', JSON.stringify(money));
    repo.write('catalog/apps/ledger/subject.yaml', SUBJECT_YAML);
    repo.write('catalog/apps/ledger/1.json', JSON.stringify(ledger));
    repo.commit('money and ledger');
    const compiled: unknown[] = [];
    const compile = createManifestSchemaCompiler();
    const findings = checkBundle(parse('catalog/apps/ledger/1.json', ledger), 'apps/ledger/1.json', (path) => files[path], (schema) => (compiled.push(schema), compile(schema)));
    expect(findings).toEqual([]);
    const { manifest } = buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog' });
    const registered = manifest.subjects.find((subject) => subject.subject === 'apps-ledger')?.versions[0]?.schema;
    expect(compiled).toHaveLength(1);
    expect(JSON.stringify(compiled[0])).toBe(JSON.stringify(registered));
  });

  it('turns a bundle that does not compile into BUNDLE_INVALID on the version, naming the inlined files and the compiler\'s reason', () => {
    const document = parse('catalog/apps/ledger/1.json', ledger);
    const findings = checkBundle(document, 'apps/ledger/1.json', (path) => files[path], () => {
      throw new Error('reference "#node" resolves to more than one schema');
    });
    expect(findings).toEqual([
      expect.objectContaining({ code: 'BUNDLE_INVALID', severity: 'error', file: 'catalog/apps/ledger/1.json', line: 1, col: 1, pointer: '', params: { detail: 'reference "#node" resolves to more than one schema', references: ['apps/money/1.json'] } }),
    ]);
    expect(findings[0]?.message).toContain('with apps/money/1.json inlined under $defs, as the manifest will hold it');
    expect(findings[0]?.message).toContain('reference "#node" resolves to more than one schema');
    expect(findings[0]?.message).toContain('every send() of this version would throw');
  });
});
