// What `npm run demo` and `npm test` do first on a fresh clone, so each is the one command the
// README gives: `npm ci` (which also builds, through `prepare`) when node_modules is missing or
// older than the lockfile, else a build when src/ is newer than it. Node built-ins only: this
// runs before any dependency is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);
const newest = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => Math.max(latest, entry.isDirectory() ? newest(join(dir, entry.name)) : mtime(join(dir, entry.name))), 0);

/** Runs a command in the repository; its failure ends this process with its exit code. */
export function run(command, args, label) {
  console.error(`${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command === 'npm' ? npm : command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** `npm ci` (which builds too) when node_modules is missing or older than the lockfile; returns whether it ran. */
export function installIfNeeded(label) {
  if (mtime(join(root, 'node_modules', '.package-lock.json')) >= mtime(join(root, 'package-lock.json'))) return false;
  run('npm', ['ci', '--no-audit', '--no-fund'], label);
  return true;
}

/** Installs the dependencies when they are missing or stale, else builds when src/ is newer than the build. */
export function ensureInstalled(label) {
  if (!installIfNeeded(label) && mtime(join(root, 'dist', 'cli', 'main.js')) < newest(join(root, 'src'))) run('npm', ['run', 'build'], label);
}
