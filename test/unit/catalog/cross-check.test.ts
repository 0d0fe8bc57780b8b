import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { startSchemaServer, type SchemaServer } from '../../support/schema-server.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJsdDiffer } from '../../../src/adapters/jsd/differ.js';
import { decodeJsdData, toJsdForm } from '../../../src/compat/jsd-form.js';
import type { CheckReport } from '../../../src/usecases/check-catalog.js';
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

/**
 * A `$ref` inside data (enum, const) is a value, not a reference, yet json-schema-diff's
 * ref-parser resolves every `$ref` it meets: nothing may be fetched or opened (DESIGN.md §2, §10).
 * Regression (found by a review): `enum: ["a", {"$ref": "http://…"}]` made the check GET it.
 */
describe('json-schema-diff never fetches or opens a $ref', () => {
  const repo = createTestRepo();
  const fifo = join(mkdtempSync(join(tmpdir(), 'schemaflow-fifo-')), 'pipe');
  execFileSync('mkfifo', [fifo]);
  const kinds = (values: unknown[], key: 'enum' | 'const' = 'enum'): string =>
    JSON.stringify({ description: 'Kinds.', type: 'object', properties: { kind: { description: 'Kind.', [key]: key === 'enum' ? values : values[0] } } });
  repo.write('catalog/apps/kinds/subject.yaml', `${SUBJECT_YAML}compatibility:\n  mode: FULL\n  policy: STRICT\n`);
  repo.write('catalog/apps/kinds/1.json', kinds(['a']));
  repo.commit('kinds v1');
  let server: SchemaServer;
  beforeAll(async () => {
    server = await startSchemaServer();
  });
  afterAll(async () => {
    // A reader stuck on the FIFO (the bug) is released before the process ends.
    releaseFifo(fifo);
    rmSync(dirname(fifo), { recursive: true, force: true });
    repo.dispose();
    await server.close();
  });
  beforeEach(() => {
    repo.reset();
    server.requests.length = 0;
  });

  const crossCheck = async (): Promise<CheckReport> => {
    const report = check(repo, 'HEAD');
    expect(codes(report).filter((code) => code.startsWith('REMOTE') || code.startsWith('REF_'))).toEqual([]);
    const differ = createJsdDiffer();
    try {
      return await crossCheckCatalog(report, differ);
    } finally {
      await differ.close();
    }
  };

  it('an enum value with a $ref to a URL is compared, not fetched', async () => {
    repo.write('catalog/apps/kinds/2.json', kinds(['a', { $ref: `${server.url}/pwn.json` }]));
    const report = await crossCheck();
    expect(server.requests).toEqual([]);
    expect(report.crossChecked).toEqual({ checked: 1, skipped: 0, timedOut: 0 });
  });

  it('a const value with a $ref to a URL is compared, not fetched', async () => {
    repo.write('catalog/apps/kinds/2.json', kinds([{ $ref: `${server.url}/const.json` }], 'const'));
    const report = await crossCheck();
    expect(server.requests).toEqual([]);
    expect(report.crossChecked).toEqual({ checked: 1, skipped: 0, timedOut: 0 });
  });

  it('a const value with a $ref to a local FIFO is never opened', async () => {
    repo.write('catalog/apps/kinds/2.json', kinds([{ $ref: fifo }], 'const'));
    const report = await crossCheck();
    expect(report.crossChecked).toEqual({ checked: 1, skipped: 0, timedOut: 0 });
    expect(releaseFifo(fifo)).toBe(false);
  });

  it('the differ itself resolves no external $ref, even when handed one', async () => {
    const differ = createJsdDiffer();
    try {
      const outcome = await differ.diff({ type: 'object', properties: { a: { $ref: `${server.url}/direct.json` } } }, { type: 'object' });
      expect(server.requests).toEqual([]);
      expect(outcome.status).not.toBe('timeout');
    } finally {
      await differ.close();
    }
  });
});

describe('the form handed to json-schema-diff', () => {
  const noRefs = (): undefined => undefined;
  it('encodes $ref keys in enum and const values injectively, and decodes its results', () => {
    const values = ['a', { $ref: 'http://x/1' }, { '~$ref': 'http://x/1' }, { nested: [{ $ref: '/tmp/f' }] }];
    const form = toJsdForm({ type: 'object', properties: { kind: { enum: values }, fixed: { const: { $ref: '#/x' } } } }, noRefs);
    expect(form.ok).toBe(true);
    const text = JSON.stringify(form.ok ? form.schema : undefined);
    expect(text).not.toContain('"$ref"');
    const schema = (form.ok ? form.schema : {}) as { properties: { kind: { enum: unknown[] }; fixed: { const: unknown } } };
    expect(new Set(schema.properties.kind.enum.map((value) => JSON.stringify(value))).size).toBe(values.length);
    expect(decodeJsdData(schema)).toEqual({ type: 'object', properties: { kind: { enum: values }, fixed: { const: { $ref: '#/x' } } } });
  });

  it('is refused (the pair is skipped) when a $ref key is left where the ref-parser would see it', () => {
    expect(toJsdForm({ type: 'object', properties: { $ref: { type: 'string' } } }, noRefs)).toMatchObject({ ok: false });
    expect(toJsdForm({ type: 'object', properties: [{ $ref: 'http://x/1' }] }, noRefs)).toMatchObject({ ok: false });
  });
});

/** Whether a reader was waiting on the FIFO (then it is handed end-of-file). */
function releaseFifo(path: string): boolean {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    return true;
  } catch {
    // ENXIO: nobody has it open for reading.
    return false;
  }
}
