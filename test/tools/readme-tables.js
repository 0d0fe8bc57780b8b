#!/usr/bin/env node
// `npm run readme`: rewrites the generated tables of README.md (settings, action inputs, rule
// codes, compatibility codes, lake audit codes) from the built code; test/unit/readme.test.ts fails when they drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderRuleTable } from '../../dist/catalog/rules.js';
import { renderCompatTable } from '../../dist/compat/codes.js';
import { renderAuditTable } from '../../dist/usecases/audit-codes.js';
import { renderActionInputsTable, renderSettingsTable } from '../../dist/config/resolve.js';
import { loadCommands, renderCommandOptionsTable } from '../../dist/cli/program.js';
import { readActionInputs } from './action-inputs.js';

const file = new URL('../../README.md', import.meta.url);
let readme = readFileSync(file, 'utf8');
for (const [name, table] of [['settings', renderSettingsTable()], ['inputs', renderActionInputsTable(readActionInputs())], ['options', renderCommandOptionsTable(await loadCommands())], ['rules', renderRuleTable()], ['compat', renderCompatTable()], ['audit', renderAuditTable()]]) {
  const pattern = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(\\n<!-- ${name}:end -->)`);
  if (!pattern.test(readme)) throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> section`);
  readme = readme.replace(pattern, (_, start, end) => `${start}${table}${end}`);
}
writeFileSync(file, readme);
console.log('README.md tables regenerated');
