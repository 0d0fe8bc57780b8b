#!/usr/bin/env node
// Debian's Chromium for the browser test of the static catalog (test/integration/site-browser.test.ts),
// driven by playwright-core, which never downloads a browser of its own. Called by run-tests.js
// before vitest starts, so `npm test` and `.ci/run` on a fresh machine install it: as root with
// `apt-get install -y chromium` (after `apt-get update` when the package lists are missing or
// stale); as anyone else a missing browser is an error that says what to install.
// Run alone: `node test/tools/chromium.js` installs it if needed and prints its path.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the browser test finds Chromium: SCHEMAFLOW_CHROMIUM, else Debian's package. */
export const CHROMIUM = process.env.SCHEMAFLOW_CHROMIUM || '/usr/bin/chromium';

/** What to do when Chromium is missing and this process cannot install it. */
export const INSTALL_HINT = `the browser test needs Debian's Chromium at ${CHROMIUM}: install it with \`sudo apt-get install -y chromium\` (or set SCHEMAFLOW_CHROMIUM to a Chromium or Chrome binary)`;

const aptGet = (args, log) => {
  log(`run-tests: apt-get ${args.join(' ')}`);
  return spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
};

/** Makes sure Chromium is there (installing Debian's package as root); returns its path or throws with the install hint. */
export function ensureChromium(log = (line) => console.error(line)) {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.env.SCHEMAFLOW_CHROMIUM) throw new Error(`SCHEMAFLOW_CHROMIUM=${CHROMIUM} does not exist`);
  if (process.getuid?.() !== 0) throw new Error(INSTALL_HINT);
  log('run-tests: Chromium is missing; installing Debian\'s package for the browser test');
  if (!aptGet(['install', '-y', 'chromium'], log) && !(aptGet(['update'], log) && aptGet(['install', '-y', 'chromium'], log))) {
    throw new Error(`apt-get install -y chromium failed (see its output above); ${INSTALL_HINT}`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is not there; ${INSTALL_HINT}`);
  return CHROMIUM;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(ensureChromium());
  } catch (error) {
    console.error(`chromium: ${error.message}`);
    process.exit(1);
  }
}
