#!/usr/bin/env node
// The suite runner behind `npm test`: runs vitest (unit + integration) with a JSON report and
// fails when any test was skipped or marked todo, when no test ran, or, on a full run, when no
// integration test ran. Extra arguments go to vitest (a filtered run skips the integration check).
// Ends with one closing line, `tests: N passed, N failed, N skipped`.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { ensureChromium } from './chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const report = `${root}test-results/vitest.json`;
const extra = process.argv.slice(2);

mkdirSync(`${root}test-results`, { recursive: true });
rmSync(report, { force: true });

// The static catalog's browser test needs Chromium: installed here (as root) before vitest
// starts. A full run stops at once when it cannot be had; a filtered run goes on (the browser
// test, if selected, fails with the same message).
try {
  ensureChromium();
} catch (error) {
  console.error(`run-tests: ${error.message}`);
  if (extra.length === 0) process.exit(1);
}

const vitest = spawn(
  process.execPath,
  [
    `${root}node_modules/vitest/vitest.mjs`, 'run', '--config', 'test/vitest.config.ts',
    '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra,
  ],
  { cwd: root, stdio: 'inherit' },
);
const code = await new Promise((resolve) => vitest.once('close', (exit, signal) => resolve(exit ?? (signal ? 1 : 0))));

let results;
try {
  results = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  console.error(`run-tests: vitest wrote no report (exit ${code})`);
  process.exit(code === 0 ? 1 : code);
}

const tests = results.testResults.flatMap((file) =>
  file.assertionResults.map((test) => ({ file: relative(root, file.name), name: test.fullName, status: test.status })),
);
const count = (status) => tests.filter((test) => test.status === status).length;
const passed = count('passed');
const failed = count('failed');
const notRun = tests.filter((test) => !['passed', 'failed'].includes(test.status));
const integration = tests.filter((test) => test.file.startsWith('test/integration/') && test.status === 'passed').length;

const problems = [];
if (tests.length === 0) problems.push('no test ran');
for (const test of notRun) problems.push(`not run (${test.status}): ${test.file} > ${test.name}`);
if (extra.length === 0 && integration === 0) problems.push('no integration test ran: the real services must be exercised');
// A file that failed to load has no assertion results but fails the run.
for (const file of results.testResults) {
  if (file.status === 'failed' && file.assertionResults.length === 0) problems.push(`failed to load: ${relative(root, file.name)}: ${file.message ?? ''}`);
}

console.log('');
console.log(`integration tests passed: ${integration}`);
for (const problem of problems) console.error(`run-tests: ${problem}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${notRun.length} skipped`);
process.exit(code !== 0 ? code : problems.length > 0 ? 1 : 0);
