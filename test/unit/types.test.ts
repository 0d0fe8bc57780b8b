import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { openRepository } from '../../src/adapters/git/repository.js';
import type { Manifest } from '../../src/manifest/types.js';
import { generateTypes } from '../../src/sdk/typegen.js';
import { buildCatalogManifest } from '../../src/usecases/build-manifest.js';
import { runSchemaflow } from '../support/cli.js';
import { createTestRepo } from '../support/git-repo.js';

/** `schemaflow types`: the declarations make `send` type-checked; a wrong event must not compile. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const repo = createTestRepo();
const work = mkdtempSync(join(tmpdir(), 'schemaflow-types-'));
afterAll(() => {
  repo.dispose();
  rmSync(work, { recursive: true, force: true });
});

function compile(snippet: string): string[] {
  const file = join(work, `snippet-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, snippet);
  const program = ts.createProgram([file, join(work, 'types', 'schemaflow-events.d.ts')], {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules/@types')],
    baseUrl: ROOT,
    paths: { schemaflow: [join(ROOT, 'dist/index.d.ts')] },
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

describe('schemaflow types', () => {
  it('writes declarations that accept a valid event and reject a wrong one', async () => {
    writeFileSync(join(work, 'latest.json'), buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog' }).bytes);
    const result = await runSchemaflow(['types', '--out', join(work, 'types')], { env: { ...process.env, SCHEMAFLOW_MANIFEST_URL: `file://${work}` } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('4 subjects from manifest serial 1');

    const header = "import type { SchemaProducer } from 'schemaflow';\ndeclare const producer: SchemaProducer;\n";
    const good = compile(`${header}void producer.send('apps-users', { userId: 'u', kind: 'signed_up', occurredAt: '2024-05-01T00:00:00Z', email: 'a@b.c', marketingOptIn: true });\nvoid producer.send('apps-users', { userId: 'u', kind: 'profile_changed', occurredAt: 't', email: 'e' }, { version: 1 });\n`);
    expect(good).toEqual([]);
    const wrongEnum = compile(`${header}void producer.send('apps-users', { userId: 'u', kind: 'deleted', occurredAt: 't', email: 'e' });\n`);
    expect(wrongEnum.join('\n')).toMatch(/"deleted"/);
    const missing = compile(`${header}void producer.send('payments-transactions', { transactionId: 't' });\n`);
    expect(missing.join('\n')).toMatch(/orderId|amount|capturedAt|method/);
    const oldVersion = compile(`${header}void producer.send('apps-users', { userId: 'u', kind: 'signed_up', occurredAt: 't', email: 'e', locale: 5 }, { version: 2 });\n`);
    expect(oldVersion.join('\n')).toMatch(/locale|number/);
    // Regression: a version known only at run time ({ version } of type number) was checked
    // against the latest version's type, so an event version 1 takes (marketingOptIn came as a
    // boolean in version 3) did not compile, and one only the latest takes did. Any version's type
    // is now accepted: the validator then checks the one given.
    const runtimeVersion = `${header}declare const version: number;\n`;
    expect(compile(`${runtimeVersion}void producer.send('apps-users', { userId: 'u', kind: 'signed_up', occurredAt: 't', email: 'e', marketingOptIn: 'yes' }, { version });\nvoid producer.sendBatch('apps-users', [{ value: { userId: 'u', kind: 'signed_up', occurredAt: 't', email: 'e', marketingOptIn: 'yes' } }], { version });\n`)).toEqual([]);
    expect(compile(`${runtimeVersion}void producer.send('apps-users', { userId: 'u', kind: 'deleted', occurredAt: 't', email: 'e' }, { version });\n`).join('\n')).toMatch(/"deleted"/);
    // Without a version, the latest's type still decides.
    expect(compile(`${header}void producer.send('apps-users', { userId: 'u', kind: 'signed_up', occurredAt: 't', email: 'e', marketingOptIn: 'yes' }, { key: 'k' });\n`).join('\n')).toMatch(/marketingOptIn|boolean/);
  }, 60_000);

  // Regression: apps-user-2 and apps-user2 were both typed AppsUser2 (a duplicate identifier),
  // apps-a--b gave the type name AppsA-B (a syntax error), and the whole file failed to compile;
  // an object with patternProperties and additionalProperties false refused the names they allow.
  it('gives every subject its own type name, always an identifier, and admits what patternProperties allows', () => {
    const subject = (name: string, schema: Record<string, unknown>) => ({ subject: name, versions: [{ version: 1, id: 1, schema }] });
    const object = { type: 'object', properties: { a: { type: 'string' } } };
    const manifest = { serial: 1, sourceCommit: 'c'.repeat(40), subjects: [subject('apps-user-2', object), subject('apps-user2', object), subject('apps-a--b', object), subject('apps-x', { ...object, patternProperties: { '^x_': { type: 'number' } }, additionalProperties: false })] } as unknown as Manifest;
    const declarations = generateTypes(manifest);
    for (const name of ['AppsUser_2V1', 'AppsUser2V1', 'AppsA_BV1', 'AppsXV1']) expect(declarations).toContain(`export type ${name} =`);
    const dir = join(work, 'names');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'events.d.ts'), declarations.replace("import 'schemaflow';", '').replace(/declare module 'schemaflow' \{[\s\S]*$/, ''));
    const snippet = join(dir, 'use.ts');
    writeFileSync(snippet, "import type { AppsXV1, AppsUser_2V1, AppsUser2V1, AppsA_BV1 } from './events.js';\nexport const x: AppsXV1 = { a: 's', x_1: 1 };\nexport const names: [AppsUser_2V1, AppsUser2V1, AppsA_BV1] = [{}, {}, {}];\n");
    const program = ts.createProgram([snippet], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: false, types: [] });
    expect(ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))).toEqual([]);
    // Names no manifest schemaflow reads can hold (a subject twice): an error naming both, no stack trace.
    expect(() => generateTypes({ ...manifest, subjects: [subject('apps-x', object), subject('apps-x', object)] } as unknown as Manifest)).toThrow(expect.objectContaining({ code: 'TYPE_NAME_COLLISION', message: expect.stringContaining('subjects apps-x and apps-x would both be typed AppsX') as unknown }));
  });
});
