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

  // Regression: every local $ref was handed to the resolver of other files, which read `#/…` as
  // the subject's directory, so a version with one was never inlined and always skipped.
  it('inlines local references, so a difference behind one is found', async () => {
    const counts = (count: Record<string, unknown>): string => JSON.stringify({ description: 'Counts.', type: 'object', properties: { n: { description: 'A count.', $ref: '#/$defs/count' } }, $defs: { count } });
    repo.write('catalog/apps/counts/2.json', counts({ type: 'integer' }));
    repo.write('catalog/apps/counts/3.json', counts({ type: 'number', multipleOf: 1 }));
    const report = check(repo, 'HEAD');
    expect(codes(report, 'error')).toEqual([]);
    expect(report.crossCheck.map((pair) => pair.forms.new)).toEqual([
      { ok: true, schema: { type: 'object', properties: { n: { type: 'integer' } } } },
      { ok: true, schema: { type: 'object', properties: { n: { type: 'number', multipleOf: 1 } } } },
    ]);
    const differ = createJsdDiffer();
    try {
      const crossChecked = await crossCheckCatalog(report, differ);
      expect(crossChecked.crossChecked).toEqual({ checked: 2, skipped: 0, timedOut: 0 });
      expect(crossChecked.findings.filter((finding) => finding.severity === 'error').map((finding) => `${finding.code} ${finding.file}`)).toEqual(['CROSSCHECK_DIFFERENCE catalog/apps/counts/3.json']);
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
 * A definition inlined from another version file keeps its own references: `#/$defs/zip` inside
 * apps/common/1.json names that file's zip, not a zip of the file that refers to it.
 * Regression: the form resolved them in the referring file, so a version that only changed an
 * unused definition of the same name was a CROSSCHECK_DIFFERENCE, and one without such a
 * definition was skipped.
 */
describe('the cross-check inlines another file\'s definition with its own references', () => {
  const repo = createTestRepo();
  const orders = (defs: Record<string, unknown>): string =>
    JSON.stringify({ description: 'Orders.', type: 'object', properties: { shipTo: { description: 'Where.', $ref: '../common/1.json#/$defs/address' } }, ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}) });
  repo.write('catalog/apps/common/subject.yaml', SUBJECT_YAML);
  repo.write('catalog/apps/common/1.json', JSON.stringify({
    description: 'Common types.', type: 'object', properties: { address: { description: 'An address.', $ref: '#/$defs/address' } },
    $defs: { address: { type: 'object', properties: { zip: { description: 'Postal code.', $ref: '#/$defs/zip' } } }, zip: { type: 'string' } },
  }));
  repo.write('catalog/apps/orders/subject.yaml', `${SUBJECT_YAML}compatibility:\n  mode: FULL\n  policy: STRICT\n`);
  repo.write('catalog/apps/orders/1.json', orders({ zip: { type: 'string' } }));
  repo.commit('common and orders v1');
  afterAll(() => repo.dispose());
  beforeEach(() => repo.reset());

  const crossCheck = async (): Promise<CheckReport> => {
    const report = check(repo, 'HEAD');
    expect(codes(report, 'error')).toEqual([]);
    const differ = createJsdDiffer();
    try {
      return await crossCheckCatalog(report, differ);
    } finally {
      await differ.close();
    }
  };

  it('an unused definition of the same name in the referring file changes nothing', async () => {
    repo.write('catalog/apps/orders/2.json', orders({ zip: { type: 'integer' } }));
    const report = await crossCheck();
    expect(report.crossChecked).toEqual({ checked: 1, skipped: 0, timedOut: 0 });
    expect(codes(report)).not.toContain('CROSSCHECK_DIFFERENCE');
  });

  it('a referring file without that definition is still cross-checked', async () => {
    repo.write('catalog/apps/orders/2.json', orders({}));
    const report = await crossCheck();
    expect(report.crossChecked).toEqual({ checked: 1, skipped: 0, timedOut: 0 });
  });

  it('the form holds the target file\'s definitions', () => {
    repo.write('catalog/apps/orders/2.json', orders({ zip: { type: 'integer' } }));
    const pair = check(repo, 'HEAD').crossCheck[0];
    expect(pair?.forms.new).toEqual({ ok: true, schema: { type: 'object', properties: { shipTo: { type: 'object', properties: { zip: { type: 'string' } } } } } });
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

  it('is refused when inlining fans out: a definition used twice at each of many levels is not copied 2^N times', () => {
    // A pull request's version file is hostile: 24 levels are 1.7 KB of JSON, 2^24 copies inlined.
    const doubling = (levels: number) => {
      const defs: Record<string, unknown> = { d0: { type: 'string' } };
      for (let level = 1; level <= levels; level += 1) defs[`d${level}`] = { allOf: [{ $ref: `#/$defs/d${level - 1}` }, { $ref: `#/$defs/d${level - 1}` }] };
      return { type: 'object', properties: { x: { $ref: `#/$defs/d${levels}` } }, $defs: defs };
    };
    const resolveIn = (root: { $defs: Record<string, unknown> }) => (ref: string) => root.$defs[ref.slice('#/$defs/'.length)];
    const big = doubling(24);
    expect(toJsdForm(big, resolveIn(big))).toEqual({ ok: false, reason: 'with its references inlined it holds more than 100000 schemas and values (a definition is copied at each use)' });
    const small = doubling(8);
    const form = toJsdForm(small, resolveIn(small));
    expect(form.ok).toBe(true);
    expect(JSON.stringify(form.ok ? form.schema : undefined).match(/"string"/g)).toHaveLength(256);
  });

  it('is refused when a large enum would be copied at every use of its definition', () => {
    const names = { enum: Array.from({ length: 20_000 }, (_, index) => `name-${index}`) };
    const used = (uses: number) => ({ type: 'object', properties: Object.fromEntries(Array.from({ length: uses }, (_, index) => [`p${index}`, { $ref: '#/$defs/names' }])), $defs: { names } });
    const resolveNames = (ref: string) => (ref === '#/$defs/names' ? names : undefined);
    expect(toJsdForm(used(4), resolveNames).ok).toBe(true);
    expect(toJsdForm(used(5), resolveNames)).toMatchObject({ ok: false, reason: expect.stringContaining('holds more than 100000 schemas and values') as string });
  });

  it('counts boolean subschemas and array items too: a definition of 12,000 true properties is not copied 4,000 times', () => {
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 12_000 }, (_, index) => [`k${index}`, true])) };
    const uses = { type: 'object', properties: Object.fromEntries(Array.from({ length: 4_000 }, (_, index) => [`p${index}`, { $ref: '#/$defs/wide' }])), $defs: { wide } };
    expect(toJsdForm(uses, (ref) => (ref === '#/$defs/wide' ? wide : undefined))).toMatchObject({ ok: false, reason: expect.stringContaining('holds more than 100000 schemas and values') as string });
    expect(toJsdForm({ allOf: Array.from({ length: 100_001 }, () => true) }, () => undefined)).toMatchObject({ ok: false });
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
