#!/usr/bin/env node
// `npm run demo`: the whole lifecycle on a fresh clone. Installs and builds what is missing
// (install.js), then runs `schemaflow demo` with the arguments given after `--`
// (`npm run demo -- --lake gs://demo-lake/events`) in the directory it was started from.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureInstalled, root } from './install.js';

ensureInstalled('demo');
// A Ctrl-C reaches the demo too, which first stops the broker it started: this process waits for
// it (and takes its exit code) instead of ending at once and handing the terminal back early.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
const demo = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'demo', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(demo.status ?? 1);
