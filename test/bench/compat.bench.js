#!/usr/bin/env node
// Benchmark of the compatibility engine (issue: full catalog within 60 s on 2 cores).
//   npm run bench:compat     (builds first)
// 1. The whole 2,000-subject x 5-version catalog checked as new (every version compared under
//    FULL_TRANSITIVE/DEFAULT, json-schema-diff cross-check included) against ajv merely
//    compiling every version, in the same run; with the cross-check counts.
// 2. The worst single pair: a 10-variant tagged oneOf gaining a variant.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createJsdDiffer } from '../../dist/adapters/jsd/differ.js';
import { openRepository } from '../../dist/adapters/git/repository.js';
import { checkCompatibility } from '../../dist/compat/engine.js';
import { checkCatalog } from '../../dist/usecases/check-catalog.js';
import { crossCheckCatalog } from '../../dist/usecases/cross-check.js';
import { createPatternSandbox } from '../../dist/adapters/pattern-sandbox.js';

const SUBJECTS = Number(process.env.BENCH_SUBJECTS ?? 2000);
const VERSIONS = 5;
const git = (root, ...args) => execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@example.com' } });
const write = (path, content) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
};

/** Version v of subject i: realistic evolution, an optional property per version, with enums, bounds, a nested object and an array. */
function version(i, v) {
  const properties = {
    occurredAt: { description: 'When it happened.', type: 'string', format: 'date-time' },
    status: { description: 'Status.', enum: ['NEW', 'DONE'] },
    amount: { description: 'Amount.', type: 'object', required: ['minor'], properties: { minor: { description: 'Minor units.', type: 'integer', minimum: 0 }, currency: { description: 'ISO 4217.', type: 'string', pattern: '^[A-Z]{3}$' } } },
    lines: { description: 'Lines.', type: 'array', items: { type: 'object', properties: { sku: { description: 'SKU.', type: 'string', maxLength: 32 } } } },
  };
  for (let p = 1; p < v; p += 1) properties[`field${p}`] = { description: `Field ${p} of subject ${i}.`, type: p % 2 ? 'string' : 'integer' };
  return `${JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', description: `Event ${i}.`, type: 'object', required: ['occurredAt'], properties }, null, 2)}\n`;
}

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`);

console.log(`generating ${SUBJECTS} subjects x ${VERSIONS} versions…`);
const root = mkdtempSync(join(tmpdir(), 'schemaflow-bench-compat-'));
try {
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'commit', '-q', '--allow-empty', '-m', 'root');
  git(root, 'checkout', '-q', '-b', 'feature');
  write(join(root, 'catalog/catalog.yaml'), 'compatibility:\n  mode: FULL_TRANSITIVE\n  policy: DEFAULT\n');
  for (let i = 0; i < SUBJECTS; i += 1) {
    const dir = join(root, `catalog/team${i % 20}/subject-${i}`);
    write(join(dir, 'subject.yaml'), `description: Subject ${i}.\nowners: ["@acme/team${i % 20}"]\n`);
    for (let v = 1; v <= VERSIONS; v += 1) write(join(dir, `${v}.json`), version(i, v));
  }

  const files = execFileSync('find', ['catalog', '-name', '*.json'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  let start = performance.now();
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  addFormats.default(ajv);
  for (const file of files) ajv.compile(JSON.parse(readFileSync(join(root, file), 'utf8')));
  const floor = performance.now() - start;

  start = performance.now();
  // As `schemaflow check` runs it: json-schema-diff works in its workers while the walk goes on.
  const differ = createJsdDiffer({ timeoutMs: 2000 });
  const report = checkCatalog(openRepository(root), { catalogDir: 'catalog', baseCandidates: ['main'], differ, untrustedPatterns: createPatternSandbox() });
  const walked = performance.now() - start;
  const crossChecked = await crossCheckCatalog(report, differ);
  await differ.close();
  const total = performance.now() - start;
  const errors = crossChecked.findings.filter((f) => f.severity === 'error');
  console.log(`\n1. the whole catalog as new: ${files.length} versions, ${report.crossCheck.length} consecutive pairs`);
  console.log(`   baseline  ajv compiling every version:            ${fmt(floor)}`);
  console.log(`   measured  check (lint, compile, rule walk):      ${fmt(walked)} (json-schema-diff running alongside)`);
  console.log(`   measured  with the json-schema-diff cross-check: ${fmt(total)} (${(total / floor).toFixed(1)}x the floor; goal <= 60 s absolute: ${total <= 60_000 ? 'MET' : 'NOT MET'})`);
  console.log(`   cross-check: ${crossChecked.crossChecked.checked} pairs checked, ${crossChecked.crossChecked.skipped} skipped, ${crossChecked.crossChecked.timedOut} timed out; ${errors.length} errors`);
  if (errors.length > 0) console.log(`   first error: ${errors[0].message}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

const variant = (k) => ({ type: 'object', required: ['kind'], properties: { kind: { const: `k${k}` }, [`f${k}`]: { type: 'string', maxLength: 10 }, n: { type: 'integer', minimum: 0 } } });
const doc = (name, rootSchema) => ({ name, file: `${name}.json`, document: { label: name, root: rootSchema, locate: () => ({ line: 1, col: 1 }) } });
const old = doc('old', { oneOf: Array.from({ length: 10 }, (_, k) => variant(k)) });
const next = doc('new', { oneOf: Array.from({ length: 11 }, (_, k) => variant(k)) });
checkCompatibility(next, [old], { mode: 'FULL', policy: 'STRICT' });
{
  const t0 = performance.now();
  const result = checkCompatibility(next, [old], { mode: 'FULL', policy: 'STRICT' });
  const engine = performance.now() - t0;
  const differ = createJsdDiffer({ timeoutMs: 20_000 });
  const t1 = performance.now();
  const jsd = await differ.diff(old.document.root, next.document.root);
  const jsdMs = performance.now() - t1;
  await differ.close();
  console.log('\n2. worst single pair: 10-variant tagged oneOf gains an 11th variant (FULL, STRICT)');
  console.log(`   baseline  json-schema-diff on the same pair: ${jsd.status === "timeout" ? "> " : ""}${fmt(jsdMs)} (${jsd.status})`);
  console.log(`   measured  rule walk:                        ${fmt(engine)} (${(engine / jsdMs).toFixed(2)}x), verdict ${result.verdict}: ${result.findings.map((f) => `${f.code}/${f.params.direction}`).join(', ')}`);
}
