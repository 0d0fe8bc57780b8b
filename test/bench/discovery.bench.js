#!/usr/bin/env node
// Benchmark of discovery (npm run bench:discovery; builds first, needs no service).
// A generated 2,000-subject manifest (2–6 versions per subject, 10–30 fields per version, nested
// $ref'd objects, enums, owners, descriptions), written to disk as registration publishes it.
// 1. In process: `search` and `show` as the CLI runs them (read the file, parse and check the
//    manifest, build the search index or the subject's view, rank or render) against reading
//    the same file, JSON.parse and a linear substring scan of its text for the same words, in
//    the same run. Goal: under 1 s absolute and within 3x of that baseline.
// 2. As processes: `schemaflow search` / `schemaflow show` against `node -e` doing the baseline,
//    for what a person waits for (both include Node's start; the CLI also loads every command).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openObjectStore } from '../../dist/adapters/lake/object-store.js';
import { searchDocuments } from '../../dist/discovery/search.js';
import { formatSearchText, formatSubjectText } from '../../dist/discovery/text.js';
import { searchDocumentsOf, viewSubject } from '../../dist/discovery/view.js';
import { parseManifest } from '../../dist/manifest/parse.js';
import { readFreshness } from '../../dist/usecases/discover.js';

const SUBJECTS = Number(process.env.BENCH_SUBJECTS ?? 2000);
const RUNS = 5;
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'schemaflow-bench-discovery-'));

// A deterministic generator (mulberry32), so every run measures the same manifest.
let seed = 11;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];
const WORDS = ['order', 'user', 'payment', 'invoice', 'session', 'device', 'shipment', 'refund', 'cart', 'product', 'review', 'coupon', 'account', 'ledger', 'transfer', 'login', 'search', 'click', 'stock', 'price'];
const FIELD_NAMES = ['id', 'createdAt', 'updatedAt', 'status', 'email', 'amount', 'currency', 'country', 'userId', 'orderId', 'quantity', 'sku', 'channel', 'locale', 'reason', 'source', 'score', 'tags', 'note', 'region', 'plan', 'method', 'ip', 'agent', 'version', 'total', 'discount', 'tax', 'weight', 'carrier', 'phone', 'name', 'city', 'zip', 'segment'];
const TEAMS = Array.from({ length: 40 }, (_, index) => `team${index}`);
const describe = (subject, words) => `The ${words.join(' ')} events of ${subject}, one per change, for reporting and audits; keyed by the entity id.`;

function fieldSchema(name, index) {
  const kind = index % 7;
  if (name === 'amount' || name === 'total') return { $ref: '#/$defs/Money', description: `The ${name} of the event, in minor units.` };
  if (kind === 0) return { type: 'string', format: 'date-time', description: `When the ${name} happened, RFC 3339 in UTC.` };
  if (kind === 1) return { type: 'string', enum: ['new', 'active', 'closed', 'failed'].slice(0, 2 + (index % 3)), description: `The ${name} state.` };
  if (kind === 2) return { type: 'integer', minimum: 0, description: `How many ${name} units.` };
  if (kind === 3) return { type: 'array', items: { type: 'string' }, description: `The ${name} labels.` };
  if (kind === 4) return { type: 'object', properties: { code: { type: 'string', description: 'A code.' }, label: { type: 'string', description: 'A label.' } }, description: `The ${name} details.` };
  return { type: 'string', maxLength: 200, description: `The ${name} as given by the source system.`, ...(name === 'email' || name === 'phone' ? { 'x-pii': true } : {}) };
}

function generateManifest() {
  const subjects = [];
  let id = 0;
  for (let index = 0; index < SUBJECTS; index += 1) {
    const team = TEAMS[index % TEAMS.length];
    const words = [pick(WORDS), pick(WORDS)];
    const name = `${words.join('-')}-${index}`;
    const subject = `${team}-${name}`;
    const versionCount = 2 + Math.floor(random() * 5);
    const firstFields = 10 + Math.floor(random() * 8);
    const names = [...new Set(Array.from({ length: 40 }, () => pick(FIELD_NAMES)))];
    const versions = Array.from({ length: versionCount }, (_, v) => {
      const fieldCount = Math.min(30, names.length, firstFields + v * 3);
      const properties = Object.fromEntries(names.slice(0, fieldCount).map((field, position) => [field, fieldSchema(field, position)]));
      id += 1;
      return {
        version: v + 1,
        id,
        fingerprint: `sha256:${id.toString(16).padStart(64, '0')}`,
        path: `catalog/${team}/${name}/${v + 1}.json`,
        registeredIn: id.toString(16).padStart(40, '0'),
        schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', title: name, description: describe(subject, words), type: 'object', required: names.slice(0, 3), properties, $defs: { Money: { type: 'object', description: 'An amount of money.', required: ['minor', 'currency'], properties: { minor: { type: 'integer', description: 'Minor units.' }, currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code.' } } } } },
      };
    });
    subjects.push({ subject, team, name, topic: subject, description: describe(subject, words), owners: [`@acme/${team}`, ...(index % 5 === 0 ? ['@acme/data-platform'] : [])], status: index % 17 === 0 ? 'deprecated' : 'active', compatibility: { mode: 'FULL_TRANSITIVE', policy: 'DEFAULT' }, topicConfig: { partitions: 3, replicationFactor: 3, retentionMs: 604800000, cleanupPolicy: 'delete' }, eventTime: null, pii: [], lakePath: `${subject}/`, versions });
  }
  return { format: '1.0', serial: 1, sourceCommit: 'f'.repeat(40), environment: 'default', subjects };
}

const manifestDir = join(work, 'manifests');
mkdirSync(manifestDir, { recursive: true });
const manifestFile = join(manifestDir, 'latest.json');
const generated = generateManifest();
writeFileSync(manifestFile, JSON.stringify(generated));
const bytes = readFileSync(manifestFile).length;
const fieldsPerVersion = generated.subjects.flatMap((subject) => subject.versions.map((version) => Object.keys(version.schema.properties).length));
const versions = fieldsPerVersion.length;
const lakeUrl = `file://${join(work, 'lake')}`;
const state = openObjectStore(`${lakeUrl}/_state`);
const showSubject = generated.subjects[Math.floor(SUBJECTS / 2)].subject;

const time = async (fn) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${value.toFixed(0).padStart(5)} ms`;

/** The baseline: read the file, decode and JSON.parse it, and scan its text for each word. */
const scan = (words) => {
  const text = new TextDecoder().decode(readFileSync(manifestFile));
  JSON.parse(text);
  const lower = text.toLowerCase();
  let found = 0;
  for (const word of words) for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + word.length)) found += 1;
  return found;
};
/** `schemaflow search` in process: read, parse and check, index once, rank, format. */
const search = (query) => {
  const manifest = parseManifest(readFileSync(manifestFile), manifestFile);
  const hits = searchDocuments(searchDocumentsOf(manifest), query);
  return formatSearchText(hits.slice(0, 20), { query, total: hits.length, lakeUrl }).length;
};
/** `schemaflow show` in process: read, parse and check, the subject's view (fields, diffs, query, snippet), freshness, format. */
const show = async (name) => {
  const manifest = parseManifest(readFileSync(manifestFile), manifestFile);
  const subject = manifest.subjects.find((entry) => entry.subject === name);
  const view = viewSubject(subject, { lakeUrl, manifestUrl: `file://${manifestDir}` });
  return formatSubjectText(view, await readFreshness(state, name)).length;
};

const CASES = [
  ['search an exact subject', () => search(showSubject), [showSubject]],
  ['search a common field name', () => search('email'), ['email']],
  ['search two words', () => search('payment amount'), ['payment', 'amount']],
  ['search an owner', () => search('data-platform'), ['data-platform']],
  ['search with no match', () => search('no-such-word-anywhere'), ['no-such-word-anywhere']],
  ['show one subject', () => show(showSubject), [showSubject]],
];

try {
  console.log(`manifest: ${SUBJECTS.toLocaleString('en')} subjects, ${versions.toLocaleString('en')} versions, ${Math.min(...fieldsPerVersion)}–${Math.max(...fieldsPerVersion)} top-level fields per version, ${(bytes / 1048576).toFixed(1)} MiB`);
  console.log(`\n1. in process (median of ${RUNS} after one warm-up; baseline: read + JSON.parse + substring scan of the text)`);
  let worstRatio = 0;
  let worstAbsolute = 0;
  for (const [label, run, words] of CASES) {
    await run();
    scan(words);
    const measuredRuns = [];
    const baselineRuns = [];
    // Alternated, so a burst of load on the machine hits both sides alike.
    for (let i = 0; i < RUNS; i += 1) {
      measuredRuns.push(await time(run));
      baselineRuns.push(await time(() => scan(words)));
    }
    const measured = median(measuredRuns);
    const baseline = median(baselineRuns);
    worstRatio = Math.max(worstRatio, measured / baseline);
    worstAbsolute = Math.max(worstAbsolute, measured);
    console.log(`   ${label.padEnd(28)} measured ${ms(measured)}   baseline ${ms(baseline)}   ${(measured / baseline).toFixed(2)}x`);
  }
  console.log(`   worst: ${worstAbsolute.toFixed(0)} ms (goal < 1000 ms) ${worstAbsolute < 1000 ? 'MET' : 'NOT MET'}, ${worstRatio.toFixed(2)}x the baseline (goal <= 3x) ${worstRatio <= 3 ? 'MET' : 'NOT MET'}`);

  console.log(`\n2. as processes (median of ${RUNS}; baseline: node -e doing read + JSON.parse + scan)`);
  const env = { ...process.env, SCHEMAFLOW_MANIFEST_URL: `file://${manifestDir}`, SCHEMAFLOW_LAKE_URL: lakeUrl };
  const processTime = (args) => median(Array.from({ length: RUNS }, () => { const start = performance.now(); execFileSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] }); return performance.now() - start; }));
  const baselineScript = (word) => `const fs=require('node:fs');const t=new TextDecoder().decode(fs.readFileSync(${JSON.stringify(manifestFile)}));JSON.parse(t);const l=t.toLowerCase();let n=0;for(let a=l.indexOf(${JSON.stringify(word)});a>=0;a=l.indexOf(${JSON.stringify(word)},a+1))n++;console.log(n);`;
  const startup = processTime([CLI, '--version']);
  for (const [label, args, word] of [['schemaflow search email', ['search', 'email'], 'email'], [`schemaflow show ${showSubject}`, ['show', showSubject], showSubject]]) {
    const measured = processTime([CLI, ...args]);
    const baseline = processTime(['-e', baselineScript(word)]);
    console.log(`   ${label.padEnd(40)} ${ms(measured)}   node -e parse+scan ${ms(baseline)}   ${(measured / baseline).toFixed(2)}x (of which CLI start-up, schemaflow --version: ${startup.toFixed(0)} ms)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
