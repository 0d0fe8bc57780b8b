import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSchemaflow } from '../support/cli.js';

describe('schemaflow compat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-compat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };
  const v1 = file('v1.json', { type: 'object', properties: { a: { type: 'string' } } });
  const v2 = file('v2.json', { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } } });
  const v3 = file('v3.json', { type: 'object', properties: { a: { type: 'integer' } } });

  it('exits 0 for a compatible pair under the defaults (FULL, DEFAULT)', async () => {
    const result = await runSchemaflow(['compat', v1, v2]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('compatible under FULL with policy DEFAULT');
  });

  it('exits 1 for an incompatible pair, and honours --mode and --policy', async () => {
    const strict = await runSchemaflow(['compat', v1, v2, '--policy', 'STRICT', '--mode', 'BACKWARD']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/v2\.json:\d+:\d+ {2}PROPERTY_ADDED_TO_OPEN_MODEL {2}At \/b, /);
    const changed = await runSchemaflow(['compat', v1, v3, '--format', 'json']);
    expect(changed.code).toBe(1);
    const report = JSON.parse(changed.stdout) as { verdict: string; mode: string; policy: string; findings: Array<{ code: string; params: { example?: unknown } }> };
    expect(report).toMatchObject({ verdict: 'incompatible', mode: 'FULL', policy: 'DEFAULT' });
    expect(report.findings.map((finding) => finding.code)).toContain('TYPE_CHANGED');
  });

  // Regression: a rule merging the writer into the reader (not, oneOf overlaps, if) read the
  // writer's own #/$defs in the reader's file; rebased, they found no file to lead to.
  it('reads each file’s own references in that file when a rule merges one into the other', async () => {
    const writer = { type: 'object', required: ['p'], properties: { p: { $ref: '#/$defs/A' } }, $defs: { A: { type: 'integer' } } };
    const same = await runSchemaflow(['compat', file('ref-old.json', writer), file('ref-new.json', { ...writer, not: { required: ['p'], properties: { p: { type: 'string' } } } }), '--mode', 'FULL']);
    expect(same.code, same.stdout).toBe(0);
    // However the two paths are spelled.
    const spelled = await runSchemaflow(['compat', join(dir, 'ref-old.json'), './ref-new.json', '--mode', 'FULL'], { cwd: dir });
    expect(spelled.code, spelled.stdout).toBe(0);
    const broken = await runSchemaflow(['compat', file('str-old.json', { ...writer, $defs: { A: { type: 'string' } } }), file('str-new.json', { ...writer, not: { required: ['p'], properties: { p: { type: 'string' } } } }), '--mode', 'BACKWARD', '--policy', 'STRICT']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('NOT_EXCLUDED');
  });

  // Regression: equal $dynamicRef text was taken as the same constraint, but its target depends
  // on the path that reached it: here the record under `n` is checked against the file's root in
  // the old file and against L in the new one (ajv rejects {"a":{"n":{"k":"x"}}} there), and the
  // pair was called compatible. Dynamic references are not followed: such a pair fails closed.
  it('fails closed on a dynamic reference instead of comparing its text', async () => {
    const node = { type: 'object', properties: { n: { $dynamicRef: '#' } }, additionalProperties: false };
    const inline = file('dynamic-old.json', { type: 'object', properties: { k: { type: 'string' }, a: node } });
    const behindRef = file('dynamic-new.json', { type: 'object', $defs: { L: node }, properties: { k: { type: 'string' }, a: { anyOf: [{ $ref: '#/$defs/L' }, { type: 'null' }] } } });
    const result = await runSchemaflow(['compat', inline, behindRef, '--mode', 'BACKWARD', '--policy', 'STRICT']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('COMPAT_UNDECIDED');
  });

  it('exits 2 for unreadable, non-JSON or invalid schemas and bad options, naming the file', async () => {
    const notJson = file('bad.json', '{"type": "object",');
    const invalid = file('invalid.json', { type: 'strin' });
    const crossFile = file('ref.json', { type: 'object', properties: { m: { $ref: '../../payments/transactions/1.json#/$defs/Money' } } });
    // Regression: under a nested $id, "#/$defs/X" is that resource's, but the engine read it from
    // the file's root: an integer property turned string behind one was called compatible.
    const nestedId = file('nested-id.json', { type: 'object', $defs: { X: { type: 'integer' } }, properties: { a: { $id: 'https://x.invalid/a', $defs: { X: { type: 'string' } }, anyOf: [{ $ref: '#/$defs/X' }, { type: 'null' }] } } });
    for (const [args, message] of [
      [['compat', v1, join(dir, 'missing.json')], 'cannot read'],
      [['compat', v1, notJson], 'bad.json is not valid JSON'],
      [['compat', invalid, v1], 'invalid.json is not a valid 2020-12 schema'],
      [['compat', crossFile, v1], 'a $ref to another file needs `schemaflow check`'],
      [['compat', v3, nestedId], `nested-id.json sets $id at /properties/a; compat resolves references from the file's root`],
      [['compat', v1, v2, '--mode', 'SIDEWAYS'], '--mode must be one of'],
      [['compat', v1], 'expected exactly two files'],
    ] as const) {
      const result = await runSchemaflow([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });
});
