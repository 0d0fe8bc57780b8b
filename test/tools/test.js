#!/usr/bin/env node
// `npm test`, the README's test command and what `.ci/run` runs: installs the dependencies when
// missing (install.js; npm ci builds), else builds; type-checks, lints with zero warnings, then runs the whole suite
// (run-tests.js: unit and integration against the real broker, emulator and browser, failing on
// any skipped test). Arguments after `--` filter the suite: `npm test -- test/unit/config.test.ts`.
import { installIfNeeded, run } from './install.js';

if (!installIfNeeded('test')) run('npm', ['run', 'build'], 'test');
run('npm', ['run', 'typecheck'], 'test');
run('npm', ['run', 'lint'], 'test');
run(process.execPath, ['test/tools/run-tests.js', ...process.argv.slice(2)], 'test');
