#!/usr/bin/env node
// `npm run bundle`: bundles each GitHub Action into the single file its action.yml runs.
// For every actions/<name>/action.yml the entry is src/actions/<name>.ts and the output
// actions/<name>/dist/index.js (committed: a runner executes it without npm install).
// ESM output: the repository's package.json says "type": "module", and @actions/* are ESM-only.
// `--out DIR` writes the bundles under DIR instead (a test compares them with the committed ones).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outIndex = process.argv.indexOf('--out');
const outRoot = outIndex >= 0 ? process.argv[outIndex + 1] : root;
const actionsDir = join(root, 'actions');
const names = existsSync(actionsDir)
  ? readdirSync(actionsDir).filter((name) => existsSync(join(actionsDir, name, 'action.yml'))).sort()
  : [];

/**
 * Files an action loads beside its bundle: json-schema-diff runs in worker threads, which need a
 * file. It also exports its ref-parser's defaults, the very object json-schema-diff's copy reads,
 * so the worker can switch off external, HTTP and file resolution (src/adapters/jsd/differ.ts).
 */
const EXTRA = {
  check: [
    {
      contents: "module.exports = { ...require('json-schema-diff'), refParserOptions: require('@apidevtools/json-schema-ref-parser/lib/options.js') };",
      file: 'json-schema-diff.cjs',
    },
  ],
};

if (names.length === 0) console.log('bundle: no actions/*/action.yml yet; nothing to bundle');
for (const name of names) {
  const entry = join(root, 'src', 'actions', `${name}.ts`);
  if (!existsSync(entry)) {
    console.error(`bundle: actions/${name}/action.yml has no entry src/actions/${name}.ts`);
    process.exit(1);
  }
  const outfile = join(outRoot, 'actions', name, 'dist', 'index.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    // Runners use node24 (action.yml), but the code must also run on the Node 20 we test with.
    target: 'node20',
    format: 'esm',
    // Prefer ES module builds: jsonc-parser's UMD build requires its parts dynamically.
    mainFields: ['module', 'main'],
    // Some CommonJS dependencies call require() at run time; give the ESM bundle one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    legalComments: 'none',
    // Committed: smaller diffs and checkouts; sources and maps stay in src/.
    minify: true,
    logLevel: 'warning',
  });
  console.log(`bundle: actions/${name}/dist/index.js`);
  for (const extra of EXTRA[name] ?? []) {
    await build({ stdin: { contents: extra.contents, resolveDir: root, sourcefile: extra.file, loader: 'js' }, outfile: join(outRoot, 'actions', name, 'dist', extra.file), bundle: true, platform: 'node', target: 'node20', format: 'cjs', legalComments: 'none', logLevel: 'error', minify: true, absWorkingDir: root });
    console.log(`bundle: actions/${name}/dist/${extra.file}`);
  }
}
