import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * The Node.js release the action tests run the bundles on, of the major every action.yml names
 * (`runs.using: node24`): GitHub runs them on its own Node.js of that major, not on the Node.js
 * the suite runs on. Bump it with the runner's.
 */
export const ACTION_NODE_VERSION = '24.22.3';

/** The Node.js binary the global setup provides for running the action bundles (throws when run without it). */
export function actionNode(): string {
  const node = process.env.SCHEMAFLOW_ACTION_NODE;
  if (!node) throw new Error('SCHEMAFLOW_ACTION_NODE is not set: run the tests with test/vitest.config.ts, whose global setup (test/support/action-runtime.ts) provides the Node.js the actions run on');
  return node;
}

/** The Node.js major the actions run on (`node24` → 24); every action must name the same one. */
export function actionNodeMajor(): number {
  const actions = fileURLToPath(new URL('../../actions/', import.meta.url));
  const runtimes = new Set(
    readdirSync(actions, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(actions, entry.name, 'action.yml')))
      .map((entry) => String((parse(readFileSync(join(actions, entry.name, 'action.yml'), 'utf8')) as { runs?: { using?: unknown } }).runs?.using)),
  );
  const [runtime, ...others] = [...runtimes];
  const major = /^node(\d+)$/.exec(runtime ?? '')?.[1];
  if (!major || others.length > 0) throw new Error(`the actions must all run on one Node.js (runs.using: nodeNN), but they name ${[...runtimes].join(', ')}`);
  return Number(major);
}

/**
 * Global setup of every project: the Node.js binary the action bundles are run with
 * (`SCHEMAFLOW_ACTION_NODE`, read by runAction). The suite's own Node.js when it is of the
 * actions' major; otherwise ACTION_NODE_VERSION from the npm registry (the `node-<os>-<arch>`
 * package npm publishes for every release), unpacked once into the cache. A download that fails
 * fails the run: the actions are never tested on a Node.js they do not run on.
 */
export default function setup(): void {
  if (process.env.SCHEMAFLOW_ACTION_NODE) return;
  const major = actionNodeMajor();
  if (ACTION_NODE_VERSION.split('.')[0] !== String(major)) throw new Error(`test/support/action-runtime.ts pins Node.js ${ACTION_NODE_VERSION}, but the actions run on node${major}: pin a ${major}.x release`);
  if (Number(process.versions.node.split('.')[0]) === major) {
    process.env.SCHEMAFLOW_ACTION_NODE = process.execPath;
    return;
  }
  const cacheDir = process.env.SCHEMAFLOW_CACHE_DIR ?? join(homedir(), '.cache', 'schemaflow');
  const dir = join(cacheDir, `node-${ACTION_NODE_VERSION}-${process.platform}-${process.arch}`);
  const binary = join(dir, 'bin', 'node');
  if (!existsSync(binary)) {
    const spec = `node-${process.platform}-${process.arch}@${ACTION_NODE_VERSION}`;
    process.stderr.write(`[action-runtime] fetching Node.js ${ACTION_NODE_VERSION} for the action tests (${spec}, about 50 MB, first run only)…\n`);
    // Beside its final place, so the binary is moved, never copied across file systems.
    mkdirSync(cacheDir, { recursive: true });
    const scratch = mkdtempSync(join(cacheDir, '.node-download-'));
    try {
      const packed = JSON.parse(execFileSync('npm', ['pack', spec, '--json', '--pack-destination', scratch], { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Array<{ filename: string }>;
      execFileSync('tar', ['-xzf', join(scratch, packed[0]?.filename ?? ''), '-C', scratch, 'package/bin/node'], { stdio: 'pipe' });
      mkdirSync(join(dir, 'bin'), { recursive: true });
      renameSync(join(scratch, 'package', 'bin', 'node'), binary);
    } catch (error) {
      throw new Error(`cannot fetch Node.js ${ACTION_NODE_VERSION} (${spec}) from the npm registry for the action tests, which run the bundles on node${major} as GitHub does: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (version !== `v${ACTION_NODE_VERSION}`) throw new Error(`${binary} reports ${version}, not v${ACTION_NODE_VERSION}: remove ${dir} to fetch it again`);
  process.env.SCHEMAFLOW_ACTION_NODE = binary;
}
