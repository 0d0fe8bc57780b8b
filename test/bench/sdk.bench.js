#!/usr/bin/env node
// Benchmark of the producer SDK (npm run bench:sdk; builds first, starts its own broker).
// 1. sendBatch with validation against kafkajs producer.sendBatch of the same payloads, batch
//    size, acks and compression, in the same run (goal >= 0.9x the throughput).
// 2. Validations per second of a compiled validator, against JSON.stringify of the same events
//    (the work a producer does anyway).
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { devDown, devUp } from '../../dist/dev/environment.js';
import { findFreePort } from '../../dist/dev/processes.js';
import { createProducer } from '../../dist/index.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = 1000;
const work = mkdtempSync(join(tmpdir(), 'schemaflow-bench-sdk-'));
const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', required: ['id', 'kind', 'at', 'amount'], properties: { id: { type: 'string', format: 'uuid' }, kind: { enum: ['a', 'b', 'c'] }, at: { type: 'string', format: 'date-time' }, amount: { type: 'integer', minimum: 0 }, note: { type: 'string', maxLength: 200 } } };
const manifest = { format: '1.0', serial: 1, sourceCommit: '0'.repeat(40), environment: 'default', subjects: [{ subject: 'bench-events', team: 'bench', name: 'events', topic: 'bench-events', description: 'x', owners: [], status: 'active', compatibility: { mode: 'NONE', policy: 'STRICT' }, topicConfig: {}, eventTime: null, pii: [], lakePath: 'bench-events/', versions: [{ version: 1, id: 1, fingerprint: 'sha256:' + '0'.repeat(64), path: 'x', registeredIn: '0'.repeat(40), schema }] }] };
const events = Array.from({ length: EVENTS }, (_, i) => ({ id: `123e4567-e89b-12d3-a456-${String(i).padStart(12, '0')}`, kind: 'abc'[i % 3], at: '2024-05-01T12:00:00Z', amount: i, note: 'x'.repeat(i % 50) }));
const fmt = (n) => Math.round(n).toLocaleString('en');

console.log('starting Kafka…');
const services = await devUp({ dir: join(work, 'dev'), cacheDir: process.env.SCHEMAFLOW_CACHE_DIR ?? join(homedir(), '.cache', 'schemaflow'), kafkaPort: await findFreePort(), controllerPort: await findFreePort(), gcsPort: await findFreePort(), log: (line) => console.log(line) });
const kafka = new Kafka({ brokers: services.find((s) => s.name === 'kafka').endpoint.split(','), clientId: 'bench', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
try {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'bench-events', numPartitions: 1 }, { topic: 'bench-raw', numPartitions: 1 }], waitForLeaders: true });
  const raw = kafka.producer({ allowAutoTopicCreation: false });
  const sdk = await createProducer({ manifest, kafka });
  await raw.connect();
  await sdk.connect();
  const time = async (fn) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  // Same payloads, batches, acks (-1, kafkajs's default) and compression (none) on both sides.
  const headers = { 'schema-id': '1', 'schema-subject': 'bench-events', 'schema-version': '1' };
  const runRaw = (count) => time(async () => {
    for (let i = 0; i < count; i += BATCH) await raw.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic: 'bench-raw', messages: events.slice(i, i + BATCH).map((event) => ({ value: JSON.stringify(event), headers })) }] });
  });
  const runSdk = (count) => time(async () => {
    for (let i = 0; i < count; i += BATCH) await sdk.sendBatch('bench-events', events.slice(i, i + BATCH).map((value) => ({ value })));
  });
  // Warm both paths (JIT, connections, broker log segments), then alternate and keep the best of two.
  await runRaw(20_000);
  await runSdk(20_000);
  const rawMs = Math.min(await runRaw(EVENTS), await runRaw(EVENTS));
  const sdkMs = Math.min(await runSdk(EVENTS), await runSdk(EVENTS));
  await raw.disconnect();
  await sdk.disconnect();
  console.log(`\n1. ${fmt(EVENTS)} events in batches of ${BATCH}, acks all, no compression`);
  console.log(`   baseline  kafkajs producer.sendBatch:        ${fmt((EVENTS / rawMs) * 1000)} events/s`);
  console.log(`   measured  schemaflow sendBatch (validated):  ${fmt((EVENTS / sdkMs) * 1000)} events/s`);
  console.log(`   ratio ${(rawMs / sdkMs).toFixed(2)}x the throughput (goal >= 0.9x) ${rawMs / sdkMs >= 0.9 ? 'MET' : 'NOT MET'}`);

  const validator = sdk.schemaFor('bench-events');
  const validateMs = await time(async () => {
    for (const event of events) validator.validate(event);
  });
  const stringifyMs = await time(async () => {
    for (const event of events) JSON.stringify(event);
  });
  console.log(`\n2. a compiled validator: ${fmt((EVENTS / validateMs) * 1000)} validations/s (JSON.stringify of the same events: ${fmt((EVENTS / stringifyMs) * 1000)}/s, ${(validateMs / stringifyMs).toFixed(2)}x its cost)`);
} finally {
  await admin.disconnect().catch(() => undefined);
  await devDown(join(work, 'dev'));
  rmSync(work, { recursive: true, force: true });
}
