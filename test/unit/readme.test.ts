import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRuleTable } from '../../src/catalog/rules.js';
import { loadCommands, renderCommandOptionsTable } from '../../src/cli/program.js';
import { renderActionInputsTable, renderSettingsTable } from '../../src/config/resolve.js';
import { readActionInputs } from '../tools/action-inputs.js';

/** The README's generated tables stay true to the code they describe. */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = (name: string): string | undefined => new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(readme)?.[1];

describe('README.md', () => {
  it('shows the configuration table of src/config/settings.ts', () => {
    expect(section('settings'), 'README.md needs the table between <!-- settings:start --> and <!-- settings:end -->').toBe(renderSettingsTable());
  });

  it('shows every input of every actions/*/action.yml', () => {
    expect(section('inputs'), 'README.md needs the table between <!-- inputs:start --> and <!-- inputs:end -->').toBe(renderActionInputsTable(readActionInputs()));
  });

  it("shows every command's own options", async () => {
    expect(section('options'), 'README.md needs the table between <!-- options:start --> and <!-- options:end -->').toBe(renderCommandOptionsTable(await loadCommands()));
  });

  it('shows the rule codes of src/catalog/rules.ts', () => {
    expect(section('rules'), 'README.md needs the table between <!-- rules:start --> and <!-- rules:end -->').toBe(renderRuleTable());
  });

  it('opens with a quick start of exactly two commands, the demo and the test suite that .ci/run runs', () => {
    const quickStart = /\n## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = quickStart.split('\n').map((line) => line.replace(/#.*$/, '').trim()).filter(Boolean);
    expect(commands).toEqual(['npm run demo', 'npm test']);
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8').trim().split('\n');
    expect(ci.at(-1)).toBe('npm test');
    expect(readme.indexOf('## Quick start')).toBeLessThan(readme.indexOf('## Adding a schema'));
  });

  it('keeps the sections the newcomer reads in order', () => {
    const order = ['## What schemaflow is', '## The lifecycle', '## Quick start', '## Adding a schema by pull request', '## Producing events', '## The flow and the lake', '## Configuration', '## Operations', '## Compared with', '## Known limits', '## Versioning'];
    const positions = order.map((heading) => readme.indexOf(`\n${heading}`));
    expect(positions.every((position) => position > 0), order.filter((_, index) => (positions[index] ?? -1) < 0).join(', ')).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

describe('README.md compatibility codes', () => {
  it('shows the codes of src/compat/codes.ts', async () => {
    const { renderCompatTable } = await import('../../src/compat/codes.js');
    expect(section('compat'), 'README.md needs the table between <!-- compat:start --> and <!-- compat:end -->').toBe(renderCompatTable());
  });
});

describe('README.md lake audit codes', () => {
  it('shows the codes of src/usecases/audit-codes.ts', async () => {
    const { renderAuditTable } = await import('../../src/usecases/audit-codes.js');
    expect(section('audit'), 'README.md needs the table between <!-- audit:start --> and <!-- audit:end -->').toBe(renderAuditTable());
  });
});
