import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The dependency direction of STYLE.md: entries -> usecases -> pure core -> domain. A module may
 * import from its own part or from a part of lower rank. Pure parts never import SDKs or I/O
 * modules and never read process.env. A new top-level part of src/ must be declared here.
 */
const PARTS: Record<string, { rank: number; pure: boolean }> = {
  domain: { rank: 0, pure: true },
  'ports.ts': { rank: 0, pure: true },
  config: { rank: 1, pure: true },
  catalog: { rank: 1, pure: true },
  // The compatibility engine builds on catalog's schema primitives (walk, dialects, parsing).
  compat: { rank: 2, pure: true },
  manifest: { rank: 2, pure: true },
  topics: { rank: 2, pure: true },
  // The flow's core routes records with the manifest's registry and decoder.
  archive: { rank: 3, pure: true },
  // Discovery reads manifests (fields, diffs) and renders search, show and the site.
  discovery: { rank: 3, pure: true },
  usecases: { rank: 4, pure: true },
  // The SDK is a library the CLI uses too (produce, types), and its manifest loading serves
  // the flow's adapters: it builds on the pure core only.
  sdk: { rank: 4.5, pure: false },
  adapters: { rank: 5, pure: false },
  dev: { rank: 5, pure: false },
  // The demo runs the whole lifecycle: local services, use cases and adapters together.
  demo: { rank: 5.5, pure: false },
  cli: { rank: 6, pure: false },
  actions: { rank: 6, pure: false },
  'index.ts': { rank: 7, pure: false },
};

const IMPURE_MODULES = /^(kafkajs|@google-cloud\/|@actions\/|hot-shots|@duckdb\/|node:(fs|child_process|net|dgram|http|https|os)(\/|$)|fs$|child_process$)/;

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

function partOf(file: string): string {
  return relative(SRC, file).split(sep)[0] ?? '';
}

function importsOf(text: string): string[] {
  const specifiers = [...text.matchAll(/(?:^|\s)(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specifiers.map((match) => match[1] ?? '');
}

/** Code only: a comment that mentions process.env is not a read of it. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

const files = sourceFiles(SRC);

describe('architecture', () => {
  it('declares every part of src/', () => {
    const undeclared = [...new Set(files.map(partOf))].filter((part) => !(part in PARTS));
    expect(undeclared, 'add each new folder of src/ to PARTS with its rank').toEqual([]);
  });

  it('points every import inward', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = partOf(file);
      const fromPart = PARTS[from];
      if (!fromPart) continue;
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        if (!specifier.startsWith('.')) continue;
        const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
        const to = partOf(target);
        const toPart = PARTS[to];
        if (to !== from && (!toPart || toPart.rank >= fromPart.rank)) violations.push(`${relative(SRC, file)} imports ${specifier} (${from} -> ${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps pure parts free of SDKs, I/O and process.env', () => {
    const violations: string[] = [];
    for (const file of files) {
      if (!PARTS[partOf(file)]?.pure) continue;
      const text = withoutComments(readFileSync(file, 'utf8'));
      for (const specifier of importsOf(text)) if (IMPURE_MODULES.test(specifier)) violations.push(`${relative(SRC, file)} imports ${specifier}`);
      if (/\bprocess\.env\b/.test(text)) violations.push(`${relative(SRC, file)} reads process.env`);
    }
    expect(violations).toEqual([]);
  });

  it('orders text by code unit, never by the process locale (use compareText)', () => {
    const violations = files.filter((file) => /\.localeCompare\(|\bIntl\.Collator\b/.test(withoutComments(readFileSync(file, 'utf8')))).map((file) => relative(SRC, file));
    expect(violations).toEqual([]);
  });

  it('would catch a violation (the checks themselves work)', () => {
    expect(importsOf("import { Kafka } from 'kafkajs';\nexport { x } from '../cli/program.js';\nconst m = await import('node:fs');")).toEqual([
      'kafkajs',
      '../cli/program.js',
      'node:fs',
    ]);
    expect(IMPURE_MODULES.test('node:fs/promises')).toBe(true);
    expect(withoutComments('/** never reads process.env */ const a = 1; // process.env')).not.toContain('process.env');
    expect(withoutComments('const url = "http://x"; const e = process.env;')).toContain('process.env');
    expect(IMPURE_MODULES.test('node:path')).toBe(false);
  });
});
