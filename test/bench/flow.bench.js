#!/usr/bin/env node
// Benchmark of the flow (npm run bench:flow; builds first, starts its own Kafka broker like
// `schemaflow dev up`, in a temporary directory, and stops it).
// Measured: `schemaflow flow run` archiving BENCH_EVENTS events (default 1,000,000) from one
// topic into a file lake, end to end: process start, group join, decoding, validation, routing,
// gzip, object writes, intents and commits, hour closure. Baseline, same run, same topic:
// Kafka's own consumer performance tool (org.apache.kafka.tools.ConsumerPerformance, what
// kafka-consumer-perf-test.sh runs), its fetch.nMsg.sec; beside it, kafkajs alone reading and
// discarding the topic (the ceiling of any flow on kafkajs); and the topic archived by one run
// in two threads (--workers 2, two partitions each), the scaling the flow has in one process;
// the flow's own work on the same events handed over in memory (no Kafka, no storage: the floor
// under any Kafka client); and the flow into the GCS emulator behind a loopback proxy that adds a
// GCS-like round trip to every request. Memory: the flow's peak RSS at the full size against its
// peak at a tenth of it (same partitions and settings).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { openRepository } from '../../dist/adapters/git/repository.js';
import { ensureLocation } from '../../dist/adapters/lake/object-store.js';
import { FETCH } from '../../dist/adapters/kafka/record-source.js';
import { routeRecord, UnitBuilder } from '../../dist/archive/unit.js';
import { createSchemaRegistry } from '../../dist/manifest/registry.js';
import { devDown, devUp } from '../../dist/dev/environment.js';
import { findFreePort } from '../../dist/dev/processes.js';
import { ensureKafkaClasspath, javaExecutable } from '../../dist/dev/toolchain.js';
import { buildCatalogManifest } from '../../dist/usecases/build-manifest.js';
import { runCliJson } from './cli-process.js';
import { latencyProxy } from './latency-proxy.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SMALL = Math.round(EVENTS / 10);
const PARTITIONS = 4;
const cacheDir = process.env.SCHEMAFLOW_CACHE_DIR ?? join(homedir(), '.cache', 'schemaflow');
const work = mkdtempSync(join(tmpdir(), 'schemaflow-bench-flow-'));
const write = (path, content) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
};
const rate = (count, ms) => Math.round(count / (ms / 1000));

console.log('starting Kafka…');
const dev = join(work, 'dev');
const services = await devUp({ dir: dev, cacheDir, kafkaPort: await findFreePort(), controllerPort: await findFreePort(), gcsPort: await findFreePort(), log: (line) => console.log(line) });
const brokers = services.find((service) => service.name === 'kafka').endpoint.split(',');
const kafka = new Kafka({ brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const producer = kafka.producer({ allowAutoTopicCreation: false });
try {
  await Promise.all([admin.connect(), producer.connect()]);

  // A catalog of two subjects with the same schema, registered into a local manifest.
  const repo = join(work, 'repo');
  const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x' } });
  mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  const schema = { description: 'A page view.', type: 'object', required: ['id', 'at', 'page'], properties: { id: { description: 'Id.', type: 'string' }, at: { description: 'When.', type: 'string', format: 'date-time' }, page: { description: 'Page.', type: 'string' }, ms: { description: 'Duration.', type: 'integer', minimum: 0 } } };
  for (const name of ['big', 'small']) {
    write(join(repo, `catalog/bench/${name}/subject.yaml`), 'description: Page views.\nowners: ["@acme/bench"]\neventTime:\n  field: /at\n  format: rfc3339\n');
    write(join(repo, `catalog/bench/${name}/1.json`), JSON.stringify(schema));
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'catalog');
  const { manifest, bytes } = buildCatalogManifest(openRepository(repo), { catalogDir: 'catalog' });
  write(join(work, 'manifests', 'latest.json'), bytes);
  write(join(work, 'manifests', `${manifest.serial}.json`), bytes);

  // Events spread over 24 hours, 1% of them invalid (the flow quarantines those).
  const base = Date.parse('2026-11-29T00:00:00Z');
  const eventAt = (index) => {
    const at = new Date(base + (index % 86_400) * 1_000).toISOString();
    return index % 100 === 99 ? JSON.stringify({ id: `e${index}`, at }) : JSON.stringify({ id: `e${index}`, at, page: `/products/${index % 977}`, ms: index % 5_000 });
  };
  let valueBytes = 0;
  const produce = async (topic, count) => {
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const id = String(manifest.subjects.find((subject) => subject.subject === topic).versions[0].id);
    const started = performance.now();
    const inFlight = [];
    for (let start = 0; start < count; start += 5_000) {
      const messages = [];
      for (let index = start; index < Math.min(count, start + 5_000); index += 1) {
        const value = eventAt(index);
        if (topic === 'bench-big') valueBytes += Buffer.byteLength(value);
        messages.push({ partition: index % PARTITIONS, value, headers: { 'schema-id': id } });
      }
      inFlight.push(producer.send({ topic, messages, acks: 1 }));
      if (inFlight.length >= 8) await inFlight.shift();
    }
    await Promise.all(inFlight);
    console.log(`produced ${count.toLocaleString('en')} events to ${topic} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };
  await produce('bench-big', EVENTS);
  await produce('bench-small', SMALL);

  // Baseline: Kafka's consumer performance tool on the same topic.
  const classpath = await ensureKafkaClasspath(cacheDir, () => undefined);
  const anchorArgs = ['--bootstrap-server', brokers[0], '--topic', 'bench-big', '--messages', String(EVENTS), '--group', `anchor-${Date.now()}`, '--timeout', '60000'];
  const anchorOutput = execFileSync(javaExecutable(), ['-Xmx512m', '-cp', classpath, 'org.apache.kafka.tools.ConsumerPerformance', ...anchorArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [header, line] = anchorOutput.trim().split('\n').slice(-2).map((row) => row.split(',').map((cell) => cell.trim()));
  const anchor = Object.fromEntries(header.map((name, index) => [name, line[index]]));
  const anchorRate = Number(anchor['fetch.nMsg.sec']);

  // Ceiling: kafkajs, the client the flow reads with, consuming the same topic with the flow's
  // fetch settings and discarding every record; timed from its first batch, as fetch.nMsg.sec
  // leaves out the group join. No flow built on kafkajs can be faster than this on this machine.
  const ceiling = kafka.consumer({ groupId: `ceiling-${Date.now()}`, ...FETCH });
  await ceiling.connect();
  await ceiling.subscribe({ topics: ['bench-big'], fromBeginning: true });
  const ceilingRate = await new Promise((resolve, reject) => {
    let seen = 0;
    let first;
    ceiling
      .run({
        partitionsConsumedConcurrently: PARTITIONS,
        eachBatch: async ({ batch }) => {
          first ??= performance.now();
          seen += batch.messages.length;
          if (seen === EVENTS) resolve(rate(EVENTS, performance.now() - first));
        },
      })
      .catch(reject);
  });
  await ceiling.disconnect();

  // Measured: the flow as a process, with its peak RSS reported at exit.
  // It also reports the largest heap in use after a full (mark-compact) collection: about what
  // the flow really holds, where peak RSS adds the garbage V8 let pile up before collecting.
  const rssReporter = `data:text/javascript,import{PerformanceObserver,constants}from'node:perf_hooks';import{getHeapStatistics}from'node:v8';let live=0;new PerformanceObserver((list)=>{for(const entry of list.getEntries())if(entry.detail.kind===constants.NODE_PERFORMANCE_GC_MAJOR)live=Math.max(live,getHeapStatistics().used_heap_size)}).observe({entryTypes:['gc']});process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+' live='+live+'\\n'))`;
  // heapMiB: a V8 old-space cap (--max-old-space-size); by default V8 sizes the heap from the
  // machine's memory and grows it lazily, so RSS says more about the GC than about what the flow holds.
  const flow = async (subject, heapMiB, workers, gcs) => {
    const lake = gcs ? gcs.lake : `file://${join(work, `lake-${subject}${heapMiB ? `-capped` : ''}${workers ? `-workers-${workers}` : ''}`)}`;
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
    const nodeArgs = [...profile, ...(heapMiB ? [`--max-old-space-size=${heapMiB}`] : []), '--import', rssReporter];
    const { ms, report, stderr } = await runCliJson(['flow', 'run', '--subjects', subject, '--lake', lake, '--manifest-url', `file://${join(work, 'manifests')}`, '--brokers', brokers.join(','), '--max-duration', '30m', ...(workers ? ['--workers', String(workers)] : [])], { nodeArgs, env: gcs ? { ...process.env, SCHEMAFLOW_GCS_ENDPOINT: gcs.endpoint } : process.env });
    const records = report.partitions.reduce((sum, partition) => sum + partition.records, 0);
    return { ms, records, objects: report.partitions.reduce((sum, partition) => sum + partition.objects, 0), bytes: report.partitions.reduce((sum, partition) => sum + partition.bytes, 0), rssMiB: Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024, liveMiB: Number(/ live=(\d+)/.exec(stderr)?.[1] ?? 0) / 1_048_576 };
  };
  const small = await flow('bench-small');
  const big = await flow('bench-big');
  const CAP = 192;
  const smallCapped = await flow('bench-small', CAP);
  const bigCapped = await flow('bench-big', CAP);
  const threaded = await flow('bench-big', 0, 2);
  const threadedCapped = await flow('bench-big', CAP, 2);

  // GCS: the emulator behind a proxy that holds every request ROUND_TRIP_MS, as GCS takes tens of milliseconds.
  const ROUND_TRIP_MS = 30;
  const gcsEndpoint = services.find((service) => service.name === 'gcs').endpoint;
  const proxy = await latencyProxy(gcsEndpoint, ROUND_TRIP_MS);
  let onGcs;
  try {
    await ensureLocation('gs://bench-lake/events', { gcsEndpoint });
    onGcs = await flow('bench-big', 0, 0, { lake: 'gs://bench-lake/events', endpoint: proxy.endpoint });
  } finally {
    await proxy.close();
  }

  // Floor: the flow's own work (decode, validate, route, rows, gzip, hashes; no Kafka, no storage)
  // on the same events handed over in memory in batches, in this process, as one partition. The
  // events are serialized into one buffer before the clock starts; each record's value is a view
  // of it, as a Kafka client's values are views of its fetch.
  const registry = createSchemaRegistry(manifest);
  const benchSubject = manifest.subjects.find((subject) => subject.subject === 'bench-big');
  const schemaId = Buffer.from(String(benchSubject.versions[0].id));
  // In pieces: one string of every event would pass V8's longest string at about 6M events.
  const pieces = [];
  for (let start = 0; start < EVENTS; start += 100_000) pieces.push(Buffer.from(Array.from({ length: Math.min(100_000, EVENTS - start) }, (_, offset) => eventAt(start + offset)).join('')));
  const values = Buffer.concat(pieces);
  const ends = new Uint32Array(EVENTS + 1);
  for (let index = 0; index < EVENTS; index += 1) ends[index + 1] = ends[index] + Buffer.byteLength(eventAt(index));
  const floorStarted = performance.now();
  let builder = new UnitBuilder('bench-big', 0, 0n);
  for (let start = 0; start < EVENTS; start += 5_000) {
    const records = [];
    for (let index = start; index < Math.min(EVENTS, start + 5_000); index += 1) records.push({ topic: 'bench-big', partition: 0, offset: String(index), timestamp: String(base + index), key: null, value: values.subarray(ends[index], ends[index + 1]), headers: { 'schema-id': schemaId } });
    for (const record of records) builder.add(record, routeRecord(record, registry, benchSubject, { maxRecordBytes: 1 << 20, closedThrough: null }));
    if (builder.queued >= 4 * 1_048_576) await builder.settle();
    if (builder.bytes >= 16 * 1_048_576) {
      await builder.seal();
      builder = new UnitBuilder('bench-big', 0, BigInt(start + 5_000));
    }
  }
  await builder.seal();
  const floorRate = rate(EVENTS, performance.now() - floorStarted);

  for (const [run, expected] of [[big, EVENTS], [small, SMALL], [bigCapped, EVENTS], [smallCapped, SMALL], [threaded, EVENTS], [threadedCapped, EVENTS], [onGcs, EVENTS]]) if (run.records !== expected) throw new Error(`a flow run read ${run.records} records, expected ${expected}`);
  const flowRate = rate(EVENTS, big.ms);
  const mib = valueBytes / 1_048_576;

  console.log(`\nflow throughput, ${EVENTS.toLocaleString('en')} events (${mib.toFixed(0)} MiB of values) in ${PARTITIONS} partitions, file lake`);
  console.log(`   baseline  ConsumerPerformance (default fetch settings: fetch.max.bytes 50 MiB, max.partition.fetch.bytes 1 MiB), fetch.nMsg.sec: ${anchorRate.toLocaleString('en')} records/s, fetch.MB.sec ${anchor['fetch.MB.sec']}`);
  console.log(`   measured  schemaflow flow run end to end (kafkajs maxWaitTimeInMs ${FETCH.maxWaitTimeInMs}, maxBytes ${FETCH.maxBytes / 1_048_576} MiB, maxBytesPerPartition ${FETCH.maxBytesPerPartition / 1_048_576} MiB; flush 16 MiB): ${flowRate.toLocaleString('en')} records/s, ${(mib / (big.ms / 1000)).toFixed(1)} MiB/s; ${big.objects} objects, ${(big.bytes / 1_048_576).toFixed(1)} MiB gzip, ${(big.ms / 1000).toFixed(1)} s`);
  console.log(`   ratio ${(flowRate / anchorRate).toFixed(2)} (goal ≥ 0.5)`);
  // fetch.nMsg.sec leaves out the tool's start-up and group join; the flow's equivalent is the
  // time the full run took beyond the tenth's run, for the events between (same partitions).
  const steadyRate = rate(EVENTS - SMALL, big.ms - small.ms);
  console.log(`   without start-up (the full run's time less the tenth's, for the events between): ${steadyRate.toLocaleString('en')} records/s, ratio ${(steadyRate / anchorRate).toFixed(2)}`);
  console.log(`   ceiling   kafkajs alone, same fetch settings, consuming and discarding: ${ceilingRate.toLocaleString('en')} records/s, ratio ${(ceilingRate / anchorRate).toFixed(2)}; the flow reaches ${(flowRate / ceilingRate).toFixed(2)} of it`);
  const threadedRate = rate(EVENTS, threaded.ms);
  console.log(`   two threads   schemaflow flow run --workers 2, end to end (two partitions each, hours closed once after them): ${threadedRate.toLocaleString('en')} records/s, ${(threadedRate / flowRate).toFixed(2)}× one thread, ratio ${(threadedRate / anchorRate).toFixed(2)} (goal ≥ 0.5); peak RSS ${threaded.rssMiB.toFixed(0)} MiB`);
  console.log(`   floor     the flow's own work on the same events in memory (decode, validate, route, rows, gzip; one partition, no Kafka, no storage): ${floorRate.toLocaleString('en')} records/s, ratio ${(floorRate / anchorRate).toFixed(2)}: no Kafka client can lift one thread of the flow above this on this machine`);
  const gcsRate = rate(EVENTS, onGcs.ms);
  console.log(`   GCS       schemaflow flow run into the GCS emulator behind ${ROUND_TRIP_MS} ms a request (gs://, state in the bucket): ${gcsRate.toLocaleString('en')} records/s, ${(gcsRate / flowRate).toFixed(2)}× the file lake; peak RSS ${onGcs.rssMiB.toFixed(0)} MiB`);
  // RSS is measured in MiB (2^20 bytes); the goal is in MB (10^6 bytes).
  const megabytes = (mib) => ((mib * 1_048_576) / 1_000_000).toFixed(0);
  console.log(`\nflow peak RSS`);
  console.log(`   baseline  ${SMALL.toLocaleString('en')} events: ${small.rssMiB.toFixed(0)} MiB`);
  console.log(`   measured  ${EVENTS.toLocaleString('en')} events: ${big.rssMiB.toFixed(0)} MiB = ${megabytes(big.rssMiB)} MB (goal ≤ 300 MB)`);
  console.log(`   ratio ${(big.rssMiB / small.rssMiB).toFixed(2)} (goal ≤ 1.2)`);
  const live = (run) => (run.liveMiB > 0 ? `${run.liveMiB.toFixed(0)} MiB` : 'no full collection ran');
  console.log(`   beside it, the largest heap in use after a full collection (read when the event loop next runs, so at most what the flow holds plus what it allocated since): ${live(small)} at ${SMALL.toLocaleString('en')} events, ${live(big)} at ${EVENTS.toLocaleString('en')}`);
  console.log(`\nflow peak RSS with the heap capped (node --max-old-space-size=${CAP}: the flow's live memory fits, so the cap only makes V8 collect sooner)`);
  console.log(`   baseline  ${SMALL.toLocaleString('en')} events: ${smallCapped.rssMiB.toFixed(0)} MiB`);
  console.log(`   measured  ${EVENTS.toLocaleString('en')} events: ${bigCapped.rssMiB.toFixed(0)} MiB = ${megabytes(bigCapped.rssMiB)} MB in ${(bigCapped.ms / 1000).toFixed(1)} s (goal ≤ 300 MB)`);
  console.log(`   ratio ${(bigCapped.rssMiB / smallCapped.rssMiB).toFixed(2)} (goal ≤ 1.2)`);
  console.log(`   beside it, --workers 2 (the cap applies to each thread's heap): ${threadedCapped.rssMiB.toFixed(0)} MiB at ${EVENTS.toLocaleString('en')} events, ${rate(EVENTS, threadedCapped.ms).toLocaleString('en')} records/s`);
  const lakeFiles = readFileSync(join(work, 'lake-bench-big', '_state', 'bench-big', '0.json'), 'utf8');
  if (!lakeFiles.includes('"next"')) throw new Error('no flow state written');
} finally {
  await Promise.all([admin.disconnect(), producer.disconnect()]).catch(() => undefined);
  await devDown(dev);
  rmSync(work, { recursive: true, force: true });
}
