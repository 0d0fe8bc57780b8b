#!/usr/bin/env node
// Benchmark of registration (npm run bench:register; builds first, starts its own Kafka broker
// and GCS emulator like `schemaflow dev up`, in a temporary directory, and stops them).
// Measured: `register` of 1,000 new subjects, end to end (re-verification, IDs, bundling,
// topics, manifest publishing to GCS). Baseline, same run: one kafkajs createTopics call for
// 1,000 topics with the same settings (not waiting for leaders, which registration does) plus
// one upload of the same manifest bytes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Storage } from '@google-cloud/storage';
import { Kafka, logLevel } from 'kafkajs';
import { openRepository } from '../../dist/adapters/git/repository.js';
import { createTopicAdmin } from '../../dist/adapters/kafka/topic-admin.js';
import { openObjectStore } from '../../dist/adapters/lake/object-store.js';
import { devDown, devUp } from '../../dist/dev/environment.js';
import { findFreePort } from '../../dist/dev/processes.js';
import { registerCatalog } from '../../dist/usecases/register.js';
import { createPatternSandbox } from '../../dist/adapters/pattern-sandbox.js';

const SUBJECTS = Number(process.env.BENCH_SUBJECTS ?? 1000);
const work = mkdtempSync(join(tmpdir(), 'schemaflow-bench-register-'));
const write = (path, content) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
};
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

console.log('starting Kafka and the GCS emulator…');
const services = await devUp({ dir: join(work, 'dev'), cacheDir: process.env.SCHEMAFLOW_CACHE_DIR ?? join(homedir(), '.cache', 'schemaflow'), kafkaPort: await findFreePort(), controllerPort: await findFreePort(), gcsPort: await findFreePort(), log: (line) => console.log(line) });
const brokers = services.find((service) => service.name === 'kafka').endpoint.split(',');
const gcsEndpoint = services.find((service) => service.name === 'gcs').endpoint;
const kafka = new Kafka({ brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
try {
  await admin.connect();
  const storage = new Storage({ apiEndpoint: gcsEndpoint, projectId: 'bench' });
  await storage.createBucket('bench-registry');

  console.log(`generating ${SUBJECTS} subjects…`);
  const repo = join(work, 'repo');
  const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x' } });
  mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  write(join(repo, 'catalog/catalog.yaml'), 'topic:\n  partitions: 1\n  replicationFactor: 1\n  retentionMs: 86400000\n');
  for (let i = 0; i < SUBJECTS; i += 1) {
    write(join(repo, `catalog/bench/subject-${i}/subject.yaml`), `description: Subject ${i}.\nowners: ["@acme/bench"]\n`);
    write(join(repo, `catalog/bench/subject-${i}/1.json`), JSON.stringify({ description: `Event ${i}.`, type: 'object', properties: { id: { description: 'Id.', type: 'string' }, at: { description: 'When.', type: 'string', format: 'date-time' } } }));
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'catalog');

  let start = performance.now();
  const report = await registerCatalog({ repository: openRepository(repo), manifests: openObjectStore('gs://bench-registry/measured', { gcsEndpoint }), topics: createTopicAdmin(admin), untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', dryRun: false, reconcile: false });
  const measured = performance.now() - start;
  if (report.publish.status !== 'published' || report.newVersions.length !== SUBJECTS) throw new Error(`unexpected registration: ${report.publish.status}, ${report.newVersions.length} versions`);

  const bytes = await storage.bucket('bench-registry').file('measured/latest.json').download().then(([buffer]) => buffer);
  start = performance.now();
  await admin.createTopics({ waitForLeaders: false, topics: Array.from({ length: SUBJECTS }, (_, i) => ({ topic: `baseline-${i}`, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '86400000' }] })) });
  await storage.bucket('bench-registry').file('baseline/latest.json').save(bytes, { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
  const baseline = performance.now() - start;

  console.log(`\nregistering ${SUBJECTS} new subjects (manifest ${(bytes.length / 1024).toFixed(0)} KiB)`);
  console.log(`   baseline  one createTopics call + one manifest upload: ${fmt(baseline)}`);
  console.log(`   measured  schemaflow register, end to end:            ${fmt(measured)}`);
  console.log(`   ratio ${(measured / baseline).toFixed(2)}x`);
} finally {
  await admin.disconnect().catch(() => undefined);
  await devDown(join(work, 'dev'));
  rmSync(work, { recursive: true, force: true });
}
