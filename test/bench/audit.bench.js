#!/usr/bin/env node
// Benchmark of `schemaflow lake audit` (npm run bench:audit; builds first, starts its own GCS
// emulator like `schemaflow dev up`, in a temporary directory, and stops it).
// Two file lakes are archived by the flow's own use case from events handed over in memory:
// BENCH_EVENTS records (default 1,000,000) and a tenth of it, in 4 partitions, 20,000 records an
// hour (the larger lake covers ten times as many hours, in objects of the same size).
// Measured: `schemaflow lake audit` of each as a process, end to end (listing, reading, gunzip,
// hashes, every row's coordinates, the proof). Baseline, same run, same lake: the reading no
// audit can skip (list, read, gunzip, JSON.parse of every row) in this process.
// Over GCS: the full lake copied into the GCS emulator behind a loopback proxy that holds every
// request 30 ms, as GCS takes tens of milliseconds: the audit against the file lake's, and against
// reading the same objects one at a time.
// Memory: what the audit retains on the full lake against the tenth (goal <= 1.2: an audit's
// memory must not follow the lake's records), and beside it the peak RSS of each.
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { ensureLocation, openObjectStore } from '../../dist/adapters/lake/object-store.js';
import { devDown, devUp } from '../../dist/dev/environment.js';
import { findFreePort } from '../../dist/dev/processes.js';
import { runFlow } from '../../dist/usecases/flow-run.js';
import { runCliJson } from './cli-process.js';
import { latencyProxy } from './latency-proxy.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SMALL = Math.round(EVENTS / 10);
const PARTITIONS = 4;
const PER_HOUR = 20_000;
const work = mkdtempSync(join(tmpdir(), 'schemaflow-bench-audit-'));
const rate = (count, ms) => Math.round(count / (ms / 1000));
const START = Date.UTC(2026, 10, 1);

const subject = { subject: 'bench-views', team: 'bench', name: 'views', topic: 'bench-views', description: 'd', owners: [], status: 'active', compatibility: { mode: 'FULL', policy: 'DEFAULT' }, topicConfig: {}, eventTime: null, pii: [], lakePath: 'bench-views/', versions: [{ version: 1, id: 1, fingerprint: 'sha256:x', path: 'p', registeredIn: 'c', schema: { type: 'object', required: ['id', 'page'], properties: { id: { type: 'string' }, page: { type: 'string' }, ms: { type: 'integer', minimum: 0 } } } }] };
const manifest = { format: '1.0', serial: 1, sourceCommit: 'c', environment: 'default', subjects: [subject] };

/** Archives `events` records into a new file lake, PER_HOUR records an hour. */
async function archive(events) {
  const hours = Math.max(1, Math.round(events / PER_HOUR));
  const lakeUrl = `file://${join(work, `lake-${events}`)}`;
  const perPartition = Math.ceil(events / PARTITIONS);
  const source = {
    offsets: () => Promise.resolve(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 'bench-views', partition, low: 0n, high: BigInt(perPartition) }))),
    read: async (ranges, handle) => {
      for (const range of ranges) {
        for (let from = range.from; from < range.to; from += 5_000n) {
          const records = [];
          for (let offset = from; offset < range.to && offset < from + 5_000n; offset += 1n) {
            const value = Buffer.from(JSON.stringify({ id: `e-${range.partition}-${offset}`, page: `/products/${Number(offset) % 997}`, ms: Number(offset) % 5000 }));
            records.push({ topic: range.topic, partition: range.partition, offset: String(offset), timestamp: String(START + Math.floor((Number(offset) * hours * 3_600_000) / perPartition)), key: null, value, headers: { 'schema-id': '1' } });
          }
          await handle({ topic: range.topic, partition: range.partition, records, done: from + 5_000n >= range.to, heartbeat: () => Promise.resolve() });
        }
      }
    },
    recordPositions: () => Promise.resolve(),
    removeLeftoverGroups: () => Promise.resolve({ removed: [], problems: [] }),
    close: () => Promise.resolve(),
  };
  const lake = openObjectStore(lakeUrl);
  const report = await runFlow(
    { lake, state: openObjectStore(`${lakeUrl}/_state`), source, manifests: { latest: () => Promise.resolve(manifest), bySerial: () => Promise.resolve(manifest) }, clock: () => new Date(START + (hours + 24) * 3_600_000), log: () => undefined, fault: () => Promise.resolve() },
    { runId: 'bench', subjects: [], shard: null, maxDurationMs: 3_600_000, flushBytes: 16 << 20, maxRecordBytes: 1 << 20, dryRun: false, closeOnly: false, latenessMs: 3_600_000 },
  );
  const records = report.partitions.reduce((sum, partition) => sum + partition.records, 0);
  if (records !== perPartition * PARTITIONS) throw new Error(`archived ${records} records, expected ${perPartition * PARTITIONS}`);
  return { lakeUrl, records, hours, objects: (await lake.list('bench-views/')).filter((entry) => entry.key.endsWith('.jsonl.gz')).length };
}

// The audit as a process, with its peak RSS. With `retained`, a second kind of run: every 25 ms it
// forces a full collection and samples the heap in use plus external memory (typed arrays,
// buffers): what the audit holds, where peak RSS adds the garbage V8 lets pile up before
// collecting (its young generation grows to its limit on a longer run). The samples' median is
// what it holds as it goes; their largest also catches the objects being read at that moment.
const rssReporter = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`;
const retainedReporter = `data:text/javascript,import{getHeapStatistics}from'node:v8';const held=[];setInterval(()=>{gc();const heap=getHeapStatistics();held.push(heap.used_heap_size+heap.external_memory)},25).unref();process.on('exit',()=>{held.sort((a,b)=>a-b);process.stderr.write('retained='+(held[held.length>>1]||0)+',most='+(held.at(-1)||0)+'\\n')})`;
const audit = async (lakeUrl, retained = false, env = process.env) => {
  const { ms, report, stderr } = await runCliJson(['lake', 'audit', '--lake', lakeUrl], { nodeArgs: retained ? ['--expose-gc', '--import', retainedReporter] : ['--import', rssReporter], env });
  return { ms, records: report.partitions.reduce((sum, partition) => sum + partition.records, 0), rssMiB: Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024, retainedMiB: Number(/retained=(\d+)/.exec(stderr)?.[1] ?? 0) / 1_048_576, mostMiB: Number(/,most=(\d+)/.exec(stderr)?.[1] ?? 0) / 1_048_576 };
};

/** The floor: every data object listed, read, gunzipped and each row parsed, nothing checked. */
async function floor(lakeUrl) {
  const started = performance.now();
  const lake = openObjectStore(lakeUrl);
  let rows = 0;
  for (const entry of await lake.list('bench-views/')) {
    if (!entry.key.endsWith('.jsonl.gz')) continue;
    const content = gunzipSync((await lake.get(entry.key)).bytes);
    for (let start = 0; start < content.length; ) {
      const end = content.indexOf(10, start);
      JSON.parse(content.toString('utf8', start, end));
      rows += 1;
      start = end + 1;
    }
  }
  return { ms: performance.now() - started, rows };
}

try {
  console.log(`archiving ${SMALL.toLocaleString('en')} and ${EVENTS.toLocaleString('en')} records (${PARTITIONS} partitions, ${PER_HOUR.toLocaleString('en')} records an hour)…`);
  const small = await archive(SMALL);
  const big = await archive(EVENTS);
  const RUNS = Number(process.env.BENCH_RUNS ?? 3);
  const audits = { small: [], big: [] };
  const held = { small: [], big: [] };
  const floors = [];
  for (let run = 0; run < RUNS; run += 1) {
    audits.small.push(await audit(small.lakeUrl));
    audits.big.push(await audit(big.lakeUrl));
    floors.push(await floor(big.lakeUrl));
    held.small.push(await audit(small.lakeUrl, true));
    held.big.push(await audit(big.lakeUrl, true));
  }
  for (const result of audits.big) if (result.records !== big.records) throw new Error(`the audit counted ${result.records} records, the lake holds ${big.records}`);
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const auditRate = rate(big.records, median(audits.big.map((result) => result.ms)));
  const floorRate = rate(big.records, median(floors.map((result) => result.ms)));
  const bigRss = median(audits.big.map((result) => result.rssMiB));
  const smallRss = median(audits.small.map((result) => result.rssMiB));
  console.log(`\nlake audit of ${big.records.toLocaleString('en')} records in ${big.objects} objects (median of ${RUNS} runs)`);
  console.log(`   baseline  list, read, gunzip and JSON.parse every row, in process: ${floorRate.toLocaleString('en')} records/s`);
  console.log(`   measured  schemaflow lake audit as a process, end to end: ${auditRate.toLocaleString('en')} records/s, ratio ${(auditRate / floorRate).toFixed(2)}`);
  const retained = (results) => median(results.map((result) => result.retainedMiB));
  const most = (results) => median(results.map((result) => result.mostMiB));
  console.log(`\nlake audit memory (median of ${RUNS} runs): retained (heap in use + external memory after full collections forced every 25 ms: the samples' median, and their largest), and peak RSS (runs without forced collections)`);
  console.log(`   baseline  ${small.records.toLocaleString('en')} records (${small.objects} objects, ${small.hours} hours): retained ${retained(held.small).toFixed(1)} MiB, largest ${most(held.small).toFixed(1)} MiB; peak RSS ${smallRss.toFixed(0)} MiB`);
  console.log(`   measured  ${big.records.toLocaleString('en')} records (${big.objects} objects, ${big.hours} hours): retained ${retained(held.big).toFixed(1)} MiB, ratio ${(retained(held.big) / retained(held.small)).toFixed(2)} (goal ≤ 1.2), largest ${most(held.big).toFixed(1)} MiB, ratio ${(most(held.big) / most(held.small)).toFixed(2)}; peak RSS ${bigRss.toFixed(0)} MiB, ratio ${(bigRss / smallRss).toFixed(2)}`);

  console.log('\nstarting the GCS emulator…');
  const dev = join(work, 'dev');
  const cacheDir = process.env.SCHEMAFLOW_CACHE_DIR ?? join(homedir(), '.cache', 'schemaflow');
  const services = await devUp({ dir: dev, cacheDir, kafkaPort: await findFreePort(), controllerPort: await findFreePort(), gcsPort: await findFreePort(), services: ['gcs'], log: (line) => console.log(line) });
  try {
    const gcsEndpoint = services.find((service) => service.name === 'gcs').endpoint;
    const lakeUrl = 'gs://bench-audit/lake';
    await ensureLocation(lakeUrl, { gcsEndpoint });
    const source = openObjectStore(big.lakeUrl);
    const target = openObjectStore(lakeUrl, { gcsEndpoint });
    for (const entry of await source.list('')) {
      const object = await source.get(entry.key);
      await target.create(entry.key, object.bytes, { metadata: object.metadata });
    }
    const ROUND_TRIP_MS = 30;
    const proxy = await latencyProxy(gcsEndpoint, ROUND_TRIP_MS);
    try {
      const onGcs = await audit(lakeUrl, false, { ...process.env, SCHEMAFLOW_GCS_ENDPOINT: proxy.endpoint });
      if (onGcs.records !== big.records) throw new Error(`the audit on GCS counted ${onGcs.records} records, the lake holds ${big.records}`);
      const started = performance.now();
      const slow = openObjectStore(lakeUrl, { gcsEndpoint: proxy.endpoint });
      const listing = await slow.list('');
      for (const entry of listing) await slow.get(entry.key);
      const inTurn = performance.now() - started;
      const fileMs = median(audits.big.map((result) => result.ms));
      console.log(`\nlake audit over GCS (the emulator behind ${ROUND_TRIP_MS} ms a request), ${big.records.toLocaleString('en')} records, ${listing.length} objects with markers and states`);
      console.log(`   baseline  the file lake's audit: ${(fileMs / 1000).toFixed(1)} s; reading every object one at a time through the proxy, nothing checked: ${(inTurn / 1000).toFixed(1)} s`);
      console.log(`   measured  schemaflow lake audit on gs:// as a process, end to end: ${(onGcs.ms / 1000).toFixed(1)} s, ${rate(big.records, onGcs.ms).toLocaleString('en')} records/s, ${(onGcs.ms / fileMs).toFixed(2)}× the file lake's time, ${(onGcs.ms / inTurn).toFixed(2)}× reading in turn`);
    } finally {
      await proxy.close();
    }
  } finally {
    await devDown(dev);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
