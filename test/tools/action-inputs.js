// The inputs of every actions/<name>/action.yml, for the README's generated table
// (renderActionInputsTable in src/config/resolve.ts; readme-tables.js writes it, a test checks it).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const actionsDir = fileURLToPath(new URL('../../actions', import.meta.url));

/** `[{ action, inputs }]` in name order. */
export function readActionInputs() {
  return readdirSync(actionsDir)
    .filter((name) => existsSync(join(actionsDir, name, 'action.yml')))
    .sort()
    .map((action) => ({ action, inputs: parse(readFileSync(join(actionsDir, action, 'action.yml'), 'utf8')).inputs ?? {} }));
}
