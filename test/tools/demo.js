#!/usr/bin/env node
// `npm run demo`: the whole lifecycle on a fresh clone. Installs what is missing first (`npm ci`,
// which also builds, when node_modules is absent or older than the lockfile; a build when src/ is
// newer than the build), then runs `schemaflow demo` with the arguments given after `--`
// (`npm run demo -- --lake gs://demo-lake/events`). Node built-ins only: it runs before npm ci.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);
const newest = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => Math.max(latest, entry.isDirectory() ? newest(join(dir, entry.name)) : mtime(join(dir, entry.name))), 0);
const run = (command, args) => {
  console.log(`demo: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (mtime(join(root, 'node_modules', '.package-lock.json')) < mtime(join(root, 'package-lock.json'))) run(npm, ['ci', '--no-audit', '--no-fund']);
else if (mtime(join(root, 'dist', 'cli', 'main.js')) < newest(join(root, 'src'))) run(npm, ['run', 'build']);
const demo = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'demo', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(demo.status ?? 1);
