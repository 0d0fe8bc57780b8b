import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { prepareOutputDirectory, prepareOutputFile } from '../../src/cli/output-path.js';
import { SchemaflowError } from '../../src/domain/errors.js';
import { runSchemaflow } from '../support/cli.js';
import { createDiscoveryDir, exampleManifest } from '../support/discovery-fixture.js';
import { createTestRepo } from '../support/git-repo.js';

const dir = createDiscoveryDir(exampleManifest());
const repo = createTestRepo();
afterAll(() => {
  dir.dispose();
  repo.dispose();
});
const aFile = join(dir.root, 'a-file');
writeFileSync(aFile, 'x');

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env: { SCHEMAFLOW_MANIFEST_URL: dir.manifestUrl, SCHEMAFLOW_LAKE_URL: dir.lakeUrl }, io: { out: (line) => out.push(line), err: (line) => err.push(line) } });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const usage = (run: () => unknown): SchemaflowError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaflowError);
    expect((error as SchemaflowError).exitCode).toBe(2);
    return error as SchemaflowError;
  }
  throw new Error('expected a usage error');
};

describe('output paths (--out of site, types and manifest build)', () => {
  it('create a missing directory and its parents, and take an existing one', () => {
    const nested = join(dir.root, 'new', 'deeper', 'out');
    expect(prepareOutputDirectory(nested, 'out')).toBe(nested);
    expect(statSync(nested).isDirectory()).toBe(true);
    expect(prepareOutputDirectory(nested, 'out')).toBe(nested);
  });

  it.each([
    [aFile, `--out ${aFile}: ${aFile} is not a directory`],
    [join(aFile, 'sub'), `--out ${join(aFile, 'sub')}: ${aFile} is not a directory`],
    ['/dev/null/x', '--out /dev/null/x: /dev/null is not a directory'],
    ['/proc/x', '--out /proc/x: cannot create the directory /proc/x'],
  ])('refuse a directory %s that cannot be one, fast, naming what is in the way', (path, message) => {
    expect(usage(() => prepareOutputDirectory(path, 'out')).message).toContain(message);
  });

  it('take a file in an existing directory, and refuse one whose directory is missing or that is a directory', () => {
    expect(prepareOutputFile(join(dir.root, 'm.json'), 'out')).toBe(join(dir.root, 'm.json'));
    expect(usage(() => prepareOutputFile('/nonexistent-schemaflow/dir/m.json', 'out')).message).toBe('--out /nonexistent-schemaflow/dir/m.json: the directory /nonexistent-schemaflow/dir does not exist; create it first, or write to another file');
    expect(usage(() => prepareOutputFile(dir.root, 'out')).message).toBe(`--out ${dir.root}: it is a directory; give a file name`);
    expect(usage(() => prepareOutputFile(join(aFile, 'm.json'), 'out')).message).toBe(`--out ${join(aFile, 'm.json')}: ${aFile} is not a directory`);
  });

  it.each([
    [['site', '--out', join(aFile, 'sub')], `${aFile} is not a directory`],
    [['site', '--out', '/dev/null/x'], '/dev/null is not a directory'],
    [['types', '--out', aFile], `${aFile} is not a directory`],
    [['types', '--out', '/dev/null/x'], '/dev/null is not a directory'],
  ])('are usage errors in %j (exit 2), not unexpected errors', async (argv, message) => {
    const { code, stdout, stderr } = await cli(argv);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.split('\n')[0]).toBe(`schemaflow: error: --out ${argv[2] ?? ''}: ${message}`);
  });

  // Regression (found by a review): a directory where an output file goes was EISDIR from
  // writeFileSync, an unexpected error with a stack trace, and the site was left half written.
  const typesFix = 'Move what is in the way, or write to another directory.';
  const siteFix = 'Move what is in the way, or write the site to another directory. Nothing was written.';
  it.each([
    ['types', 'a directory', 'schemaflow-events.d.ts', 'is a directory, where the file goes', typesFix],
    ['site', 'a directory', 'style.css', 'is a directory, where the file goes', siteFix],
    ['site', 'a file', 'subjects', 'is not a directory', siteFix],
  ])('%s refuses %s at %s, exit 2, naming it, and writes nothing', async (command, kind, blocker, what, fix) => {
    const out = join(dir.root, `blocked-${command}-${blocker}`);
    if (kind === 'a file') {
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, blocker), 'x');
    } else mkdirSync(join(out, blocker, 'x'), { recursive: true });
    const { code, stdout, stderr } = await cli([command, '--out', out]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.split('\n')[0]).toContain(`schemaflow: error: --out ${out}: ${join(out, blocker)} ${what}`);
    expect(stderr.split('\n')[0]).toContain(fix);
    expect(readdirSync(out)).toEqual([blocker]);
  });

  // Regression: the directories were made before the manifest loaded, and left behind when it did not.
  it.each([['site'], ['types']])('create no directory in %s when the manifest cannot be read', async (command) => {
    const out = join(dir.root, `never-${command}`, 'a', 'b');
    const code = await runCli([command, '--out', out, '--manifest-url', 'file:///nonexistent-schemaflow-manifests'], { env: { SCHEMAFLOW_LAKE_URL: dir.lakeUrl }, io: { out: () => undefined, err: () => undefined } });
    expect(code).not.toBe(0);
    expect(existsSync(join(dir.root, `never-${command}`))).toBe(false);
  });

  // Regression: site --out /proc/x spun in Node's recursive mkdir at 80% CPU for minutes.
  it.each([['site'], ['types']])('fail fast under /proc in %s', { timeout: 30_000 }, async (command) => {
    const result = await runSchemaflow([command, '--out', '/proc/schemaflow-x/y'], { env: { PATH: process.env.PATH, SCHEMAFLOW_MANIFEST_URL: dir.manifestUrl, SCHEMAFLOW_LAKE_URL: dir.lakeUrl }, timeoutMs: 20_000 });
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 2, signal: null });
    expect(result.stderr).toContain('schemaflow: error: --out /proc/schemaflow-x/y: cannot create the directory /proc/schemaflow-x');
  });

  it('are checked by manifest build before it builds, exit 2', { timeout: 30_000 }, async () => {
    const missing = await runSchemaflow(['manifest', 'build', '--out', '/nonexistent-schemaflow/dir/m.json'], { cwd: repo.root, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    expect({ code: missing.code, stdout: missing.stdout }).toEqual({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('schemaflow: error: --out /nonexistent-schemaflow/dir/m.json: the directory /nonexistent-schemaflow/dir does not exist; create it first, or write to another file');
    const written = join(dir.root, 'out', 'manifest.json');
    mkdirSync(join(dir.root, 'out'), { recursive: true });
    const ok = await runSchemaflow(['manifest', 'build', '--out', written], { cwd: repo.root, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(written) && JSON.parse(readFileSync(written, 'utf8'))).toMatchObject({ format: '1.0' });
  });
});
