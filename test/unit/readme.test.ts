import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRuleTable } from '../../src/catalog/rules.js';
import { renderSettingsTable } from '../../src/config/resolve.js';

/** The README's generated tables stay true to the code they describe. */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = (name: string): string | undefined => new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(readme)?.[1];

describe('README.md', () => {
  it('shows the configuration table of src/config/settings.ts', () => {
    expect(section('settings'), 'README.md needs the table between <!-- settings:start --> and <!-- settings:end -->').toBe(renderSettingsTable());
  });

  it('shows the rule codes of src/catalog/rules.ts', () => {
    expect(section('rules'), 'README.md needs the table between <!-- rules:start --> and <!-- rules:end -->').toBe(renderRuleTable());
  });

  it('opens with a quick start', () => {
    expect(readme.indexOf('## Quick start')).toBeGreaterThan(0);
    expect(readme.indexOf('## Quick start')).toBeLessThan(readme.indexOf('## Requirements'));
  });
});

describe('README.md compatibility codes', () => {
  it('shows the codes of src/compat/codes.ts', async () => {
    const { renderCompatTable } = await import('../../src/compat/codes.js');
    expect(section('compat'), 'README.md needs the table between <!-- compat:start --> and <!-- compat:end -->').toBe(renderCompatTable());
  });
});
