import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileStore } from '../../../src/adapters/lake/file-store.js';
import { runCli } from '../../../src/cli/program.js';

/*
 * Regression: a file lake that could not be read or written failed with a bare Node error (an
 * unexpected error, with a stack, from the CLI), and a lake location that is a file listed as an
 * empty lake, so `lake audit` passed it. They are OBJECT_STORE_FAILED now, as on GCS.
 */
const root = mkdtempSync(join(tmpdir(), 'schemaflow-file-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a file lake that cannot be read or written', () => {
  it('names the object it could not read, with the reason (a directory where the object should be)', async () => {
    const store = createFileStore(join(root, 'lake-a'));
    mkdirSync(join(root, 'lake-a', '_state', 'apps-users', '0.json'), { recursive: true });
    await expect(store.get('_state/apps-users/0.json')).rejects.toMatchObject({ code: 'OBJECT_STORE_FAILED', retriable: false, message: `file://${root}/lake-a/_state/apps-users/0.json: EISDIR: illegal operation on a directory, read` });
  });

  it('names the object it could not write (a file where its directory should be)', async () => {
    mkdirSync(join(root, 'lake-b'));
    writeFileSync(join(root, 'lake-b', 'apps-users'), 'not a directory');
    const store = createFileStore(join(root, 'lake-b'));
    await expect(store.create('apps-users/v=1/a.jsonl.gz', new Uint8Array([1]))).rejects.toMatchObject({ code: 'OBJECT_STORE_FAILED', retriable: false, message: expect.stringMatching(new RegExp(`^file://${root}/lake-b/apps-users/v=1/a\\.jsonl\\.gz: ENOTDIR: not a directory`)) as unknown });
    await expect(store.replace('apps-users/x.json', new Uint8Array([1]), null)).rejects.toMatchObject({ code: 'OBJECT_STORE_FAILED', message: `file://${root}/lake-b/apps-users/x.json: EEXIST: file already exists, mkdir '${root}/lake-b/apps-users'` });
    // A precondition stays what it is.
    await store.create('other.json', new Uint8Array([1]));
    await expect(store.create('other.json', new Uint8Array([2]))).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
  });

  it('fails a read whose metadata cannot be read, where it read as an object without metadata', async () => {
    const store = createFileStore(join(root, 'lake-d'));
    const { generation } = await store.create('apps-users/a.jsonl.gz', new Uint8Array([1, 2]), { metadata: { count: '1' } });
    expect((await store.get('apps-users/a.jsonl.gz'))?.metadata).toEqual({ count: '1' });
    const metaPath = join(root, 'lake-d', '.schemaflow-meta', 'apps-users', `a.jsonl.gz.${generation}.json`);
    writeFileSync(metaPath, '{"metadata": {"count"');
    await expect(store.get('apps-users/a.jsonl.gz')).rejects.toMatchObject({ code: 'OBJECT_STORE_FAILED', message: expect.stringContaining(`file://${root}/lake-d/apps-users/a.jsonl.gz: cannot read its metadata ${metaPath}: `) as unknown });
  });

  it('fails a replace whose current object cannot be read, where it took the object as absent', async () => {
    const store = createFileStore(join(root, 'lake-e'));
    mkdirSync(join(root, 'lake-e', '_state', 'apps-users', '0.json'), { recursive: true });
    // Before: "is at generation (none)" for a generation given, and a write over it for null.
    await expect(store.replace('_state/apps-users/0.json', new Uint8Array([1]), 'abc')).rejects.toMatchObject({ code: 'OBJECT_STORE_FAILED', message: `file://${root}/lake-e/_state/apps-users/0.json: EISDIR: illegal operation on a directory, read` });
  });

  it('fails a listing of a lake location that is a file, where it listed nothing', async () => {
    writeFileSync(join(root, 'lake-c'), 'a file, not a lake');
    await expect(createFileStore(join(root, 'lake-c')).list('')).rejects.toMatchObject({ code: 'OBJECT_STORE_FAILED', message: `file://${root}/lake-c: ENOTDIR: not a directory, scandir '${root}/lake-c'` });
    // A lake not created yet is empty.
    await expect(createFileStore(join(root, 'lake-none')).list('')).resolves.toEqual([]);
  });

  it('fails lake audit of a lake location that is a file, where it passed as an empty lake', async () => {
    const err: string[] = [];
    const code = await runCli(['lake', 'audit', '--lake', `file://${root}/lake-c`, '--state', `file://${root}/state-c`], { env: {}, io: { out: () => undefined, err: (line) => err.push(line) } });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain(`OBJECT_STORE_FAILED: file://${root}/lake-c: ENOTDIR: not a directory`);
  });
});
