#!/usr/bin/env node
// Benchmark of `schemaflow check` (issue: cost follows the change, not the catalog).
//   npm run bench:check            (builds first; prints ratios against baselines from the same run)
// 1. A change adding one version, on a 2,000-subject x 5-version catalog vs a 10-subject one.
//    Goal: ratio <= 1.5.
// 2. The whole 2,000 x 5 catalog checked as new vs the floor: ajv compiling every version.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openRepository } from '../../dist/adapters/git/repository.js';
import { checkCatalog } from '../../dist/usecases/check-catalog.js';
import { createPatternSandbox } from '../../dist/adapters/pattern-sandbox.js';

const BIG = Number(process.env.BENCH_SUBJECTS ?? 2000);
const SMALL = 10;
const VERSIONS = 5;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const git = (root, ...args) => execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@example.com' } });
const write = (path, content) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
};

/** Version v of subject i: v properties, each added optionally (compatible evolution). */
function version(i, v) {
  const properties = { occurredAt: { description: 'When it happened.', type: 'string', format: 'date-time' } };
  for (let p = 1; p <= v; p += 1) properties[`field${p}`] = { description: `Field ${p} of subject ${i}.`, type: p % 2 ? 'string' : 'integer', ...(p % 2 && p % 3 === 0 ? { pattern: '^[a-z]{2,8}$' } : {}) };
  return `${JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', description: `Event ${i}.`, type: 'object', required: ['occurredAt'], properties }, null, 2)}\n`;
}

function writeCatalog(root, subjects) {
  write(join(root, 'catalog/catalog.yaml'), 'compatibility:\n  mode: FULL_TRANSITIVE\n  policy: DEFAULT\n');
  for (let i = 0; i < subjects; i += 1) {
    const dir = join(root, `catalog/team${i % 20}/subject-${i}`);
    write(join(dir, 'subject.yaml'), `description: Subject ${i}.\nowners: ["@acme/team${i % 20}"]\neventTime:\n  field: /occurredAt\n  format: rfc3339\n`);
    for (let v = 1; v <= VERSIONS; v += 1) write(join(dir, `${v}.json`), version(i, v));
  }
}

function createRepo(subjects, { catalogOnMain }) {
  const root = mkdtempSync(join(tmpdir(), `schemaflow-bench-${subjects}-`));
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'commit', '-q', '--allow-empty', '-m', 'root');
  if (!catalogOnMain) git(root, 'checkout', '-q', '-b', 'feature');
  writeCatalog(root, subjects);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'catalog');
  if (catalogOnMain) write(join(root, 'catalog/team0/subject-0/6.json'), version(0, 6));
  return root;
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn, runs = RUNS) {
  const samples = [];
  let result;
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    result = fn();
    samples.push(performance.now() - start);
  }
  return { ms: median(samples), result };
}

const check = (root) => checkCatalog(openRepository(root), { catalogDir: 'catalog', baseCandidates: ['main'], untrustedPatterns: createPatternSandbox() });
const fmt = (ms) => `${ms.toFixed(1)} ms`;

console.log(`generating catalogs: ${BIG} and ${SMALL} subjects x ${VERSIONS} versions…`);
const big = createRepo(BIG, { catalogOnMain: true });
const small = createRepo(SMALL, { catalogOnMain: true });
try {
  check(small); // warm up module loading and the JIT outside the measurement
  const smallRun = time(() => check(small));
  const bigRun = time(() => check(big));
  for (const { result } of [smallRun, bigRun]) {
    if (result.subjects.length !== 1 || result.findings.some((f) => f.severity === 'error')) throw new Error(`unexpected check result: ${JSON.stringify(result.findings.slice(0, 3))}`);
  }
  const ratio = bigRun.ms / smallRun.ms;
  console.log('\n1. one new version (median of %d runs)', RUNS);
  console.log(`   baseline  ${SMALL}-subject catalog: ${fmt(smallRun.ms)}`);
  console.log(`   measured  ${BIG}-subject catalog: ${fmt(bigRun.ms)}`);
  console.log(`   ratio ${ratio.toFixed(2)}x (goal <= 1.5x) ${ratio <= 1.5 ? 'MET' : 'NOT MET'}`);
} finally {
  rmSync(big, { recursive: true, force: true });
  rmSync(small, { recursive: true, force: true });
}

const full = createRepo(BIG, { catalogOnMain: false });
try {
  const files = execFileSync('git', ['ls-files', 'catalog'], { cwd: full, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.json'));
  const floor = time(() => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    addFormats.default(ajv);
    for (const keyword of ['x-pii', 'x-event-time']) ajv.addKeyword({ keyword, schemaType: 'boolean' });
    for (const file of files) ajv.compile(JSON.parse(readFileSync(join(full, file), 'utf8')));
  }, 3);
  const measured = time(() => check(full), 3);
  if (measured.result.subjects.length !== BIG) throw new Error('full check did not see every subject');
  const ratio = measured.ms / floor.ms;
  console.log(`\n2. the whole catalog as new: ${files.length} versions (median of 3 runs)`);
  console.log(`   baseline  ajv compiling every version: ${fmt(floor.ms)}`);
  console.log(`   measured  schemaflow check:            ${fmt(measured.ms)} (${measured.result.findings.length} findings)`);
  console.log(`   ratio ${ratio.toFixed(2)}x the floor`);
} finally {
  rmSync(full, { recursive: true, force: true });
}
