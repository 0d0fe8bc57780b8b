import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, isPortFree, isRunning } from '../../src/dev/processes.js';
import { runSchemaflow } from '../support/cli.js';

/**
 * `npm run demo` as a newcomer runs it: the bootstrap (test/tools/demo.js) and the whole lifecycle
 * as processes, on a broker and emulator of the demo's own (free ports, in a directory of its
 * own, with the catalog schemaflow ships), then the lake read back by DuckDB with the query the
 * demo printed, and `lake audit`.
 */
const BOOTSTRAP = fileURLToPath(new URL('../tools/demo.js', import.meta.url));
const SUBJECTS = ['apps-sessions', 'apps-users', 'payments-refunds', 'payments-transactions'];
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'schemaflow-demo-'));
  // As in a clone with local edits: the demo's own catalog repository must never commit to it.
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  writeFileSync(join(dir, '.gitignore'), '.schemaflow/\nlake/\n');
  writeFileSync(join(dir, 'notes.md'), 'committed\n');
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-q', '-m', 'the user’s commit'], { cwd: dir });
  writeFileSync(join(dir, 'notes.md'), 'an edit the user has not committed\n');
  // Nothing of the caller's SCHEMAFLOW_* settings: the demo runs on its defaults, but for ports.
  env = { PATH: process.env.PATH, HOME: process.env.HOME, SCHEMAFLOW_CACHE_DIR: process.env.SCHEMAFLOW_CACHE_DIR ?? join(homedir(), '.cache', 'schemaflow'), SCHEMAFLOW_KAFKA_BROKERS: `127.0.0.1:${await findFreePort()}`, SCHEMAFLOW_DEV_CONTROLLER_PORT: String(await findFreePort()), SCHEMAFLOW_DEV_GCS_PORT: String(await findFreePort()) };
});
afterAll(async () => {
  await runSchemaflow(['dev', 'down'], { cwd: dir, env });
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

function demo(args: readonly string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BOOTSTRAP, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The SQL the demo printed: the indented lines after "Query the history", up to the blank line. */
function printedQuery(stdout: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('Query the history of apps-users'));
  expect(start, stdout).toBeGreaterThan(0);
  const query: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (line.trim() === '') break;
    query.push(line.slice(2));
  }
  return query.join('\n');
}

/** Runs the printed query where the reader would: its relative glob made absolute for this process. */
async function runQuery(sql: string, base: string): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql.replace(/read_json\('([^'/][^']*)'/, (_, path: string) => `read_json('${join(base, path)}'`));
    return reader.getRowObjectsJson();
  } finally {
    connection.closeSync();
  }
}

function listing(root: string): string[] {
  const walk = (path: string): string[] => readdirSync(path, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(path, entry.name)) : [`${relative(root, join(path, entry.name))} ${statSync(join(path, entry.name)).size}`]));
  return walk(root).sort();
}

describe('npm run demo', () => {
  it('runs the whole lifecycle into the file lake, which DuckDB and lake audit read after it exited; a second run changes nothing', { timeout: 400_000 }, async () => {
    const first = await demo();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    for (let step = 1; step <= 7; step += 1) expect(first.stdout).toContain(`[${step}/7]`);
    expect(first.stdout).toMatch(/ok: 168 records in 24 partitions, each offset exactly once/);
    for (const subject of SUBJECTS) {
      expect(first.stdout).toContain(`${subject}: 40 events of version`);
      expect(first.stdout).toMatch(new RegExp(`${subject}: 40 events in \\d+ objects under file://${dir}/lake/${subject}/`));
      expect(first.stdout).toMatch(new RegExp(`quarantined 1 × INVALID under _quarantine/${subject}/`));
      expect(first.stdout).toMatch(new RegExp(`quarantined 1 × NOT_JSON under _quarantine/${subject}/`));
    }
    expect(first.stdout).toContain('stopped the kafka the demo started');
    expect(execFileSync('git', ['log', '--format=%s'], { cwd: dir, encoding: 'utf8' })).toBe('the user’s commit\n');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' })).toBe(' M notes.md\n');
    // The rows it read back print integers as numbers and dates as DuckDB prints them (DuckDB
    // types hr from the folder names: text for 09, a number for 10).
    expect(first.stdout).toMatch(/the first 3 rows, read back by DuckDB just now:\n {4}\{"userId":"[^"]+",.*"schema_version":3,"kafka_partition":\d+,"kafka_offset":\d+,"dt":"\d{4}-\d\d-\d\d","hr":("\d\d"|\d+)\}\n/);

    // After the demo exited: the query it printed, in DuckDB, returns every apps-users event.
    const rows = await runQuery(printedQuery(first.stdout), dir);
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((row) => row.schema_version))).toEqual(new Set(['3']));
    for (const row of rows) expect(row).toMatchObject({ userId: expect.stringMatching(/^[0-9a-f-]{36}$/) as string, kind: expect.stringMatching(/^(signed_up|profile_changed)$/) as string, email: expect.stringContaining('@example.com') as string });
    const audit = await runSchemaflow(['lake', 'audit'], { cwd: dir, env });
    expect(audit.code, audit.stdout).toBe(0);
    expect(audit.stdout).toContain('every offset exactly once');

    const before = listing(join(dir, 'lake'));
    const second = await demo();
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toContain('no change since the last demo run');
    expect(second.stdout).toContain('nothing new to register');
    for (const subject of SUBJECTS) expect(second.stdout).toMatch(new RegExp(`${subject}: already holds 42 records`));
    expect(second.stdout).toContain('apps-users: nothing new');
    // Nothing written again, nothing removed. Only an hour the clock closed since the first run may
    // gain its _CLOSED.json (a partition read to its end is past an hour once now is past it plus
    // the allowed lateness): a run across that moment failed here, now and then.
    const after = listing(join(dir, 'lake'));
    expect(before.filter((line) => !after.includes(line))).toEqual([]);
    expect(after.filter((line) => !before.includes(line) && !/\/_CLOSED\.json[ .]/.test(line))).toEqual([]);
  });

  it('uses the GCS emulator for -- --lake gs://…, and DuckDB reads a local copy', { timeout: 400_000 }, async () => {
    const run = await demo(['--lake', 'gs://demo-lake/events', '--keep-services']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/gcs {4}fake-gcs-server .* on http:\/\/127\.0\.0\.1:\d+ \(started\)/);
    expect(run.stdout).toContain('copied gs://demo-lake/events to .schemaflow/demo/lake-copy for DuckDB');
    expect(run.stdout).toContain('the local services keep running');
    // An independent listing of the bucket through @google-cloud/storage matches the local copy.
    const storage = new Storage({ apiEndpoint: `http://127.0.0.1:${env.SCHEMAFLOW_DEV_GCS_PORT ?? ''}`, projectId: 'demo-test' });
    const [files] = await storage.bucket('demo-lake').getFiles({ prefix: 'events/' });
    const copy = join(dir, '.schemaflow', 'demo', 'lake-copy');
    const copied = listing(copy).map((line) => line.slice(0, line.lastIndexOf(' ')));
    expect(files.map((file) => file.name.slice('events/'.length)).sort()).toEqual(copied);
    expect(copied.some((key) => key.startsWith('apps-users/v=3/dt='))).toBe(true);
    expect(existsSync(join(copy, '_state', 'apps-users', '0.json'))).toBe(true);
    expect(await runQuery(printedQuery(run.stdout), dir)).toHaveLength(40);
  });

  it('says how to start over when its manifests come from a history its catalog repository lacks', { timeout: 400_000 }, async () => {
    // As after a demo that registered from the clone's own history: a new catalog repository, new commits.
    rmSync(join(dir, '.schemaflow', 'demo', 'catalog-repo'), { recursive: true, force: true });
    const run = await demo(['--keep-services']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain("the demo's manifests in file://");
    expect(run.stderr).toContain('were registered from a history its catalog repository (.schemaflow/demo/catalog-repo) does not have');
    expect(run.stderr).toContain('Start over: remove .schemaflow and the demo');
  });
});

// Regression: the broker the demo starts runs detached, so a Ctrl-C (SIGINT to the demo's process
// group) ended the demo at once and left the broker running, unannounced; a later demo found it
// "already running" and left it running too.
describe('an interrupted demo', () => {
  it('stops the broker it started before it exits 130, leaving no process and no port behind', { timeout: 180_000 }, async () => {
    const own = mkdtempSync(join(tmpdir(), 'schemaflow-demo-interrupted-'));
    const [kafkaPort, controllerPort] = [await findFreePort(), await findFreePort()];
    const ownEnv = { ...env, SCHEMAFLOW_KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`, SCHEMAFLOW_DEV_CONTROLLER_PORT: String(controllerPort) };
    const record = join(own, '.schemaflow', 'dev', 'kafka.pid.json');
    let pid = 0;
    try {
      const run = await runSchemaflow(['demo'], {
        cwd: own,
        env: ownEnv,
        timeoutMs: 150_000,
        started: (child) => {
          let seen = '';
          child.stdout?.on('data', (chunk: Buffer) => {
            seen += chunk.toString('utf8');
            if (pid === 0 && seen.includes('[2/7]')) {
              pid = (JSON.parse(readFileSync(record, 'utf8')) as { pid: number }).pid;
              child.kill('SIGINT');
            }
          });
        },
      });
      expect(pid, run.stdout + run.stderr).toBeGreaterThan(0);
      expect(run.code, run.stdout + run.stderr).toBe(130);
      expect(run.stderr).toContain('SIGINT: stopping the kafka the demo started');
      expect(isRunning(pid)).toBe(false);
      for (const port of [kafkaPort, controllerPort]) expect(await isPortFree(port)).toBe(true);
      expect(existsSync(record)).toBe(false);
    } finally {
      await runSchemaflow(['dev', 'down'], { cwd: own, env: ownEnv });
      rmSync(own, { recursive: true, force: true });
    }
  });
});
