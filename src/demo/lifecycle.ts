import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type * as DuckDB from '@duckdb/node-api';
import type { Admin, Kafka, Message } from 'kafkajs';
import { flowOptionsFrom, openFlowPorts, type FlowSettings } from '../adapters/flow-ports.js';
import { commitAll, initRepository, openRepository } from '../adapters/git/repository.js';
import { createKafkaClient } from '../adapters/kafka/client.js';
import { ensureLocation, openObjectStore } from '../adapters/lake/object-store.js';
import { createPatternSandbox } from '../adapters/pattern-sandbox.js';
import { readEnvironmentFile } from '../adapters/catalog-environment.js';
import { withTopicAdmin } from '../adapters/registration-ports.js';
import { stopOnSignals } from '../adapters/stop-signals.js';
import type { Config } from '../config/resolve.js';
import { devDown, devUp, localKafkaPort, runningServices, type DevService } from '../dev/environment.js';
import { duckdbQuery } from '../discovery/snippets.js';
import { SchemaflowError, messageOf } from '../domain/errors.js';
import { findingLine } from '../domain/finding.js';
import { absoluteFileUrl } from '../domain/file-url.js';
import { HEADERS } from '../manifest/framing.js';
import { createSchemaRegistry } from '../manifest/registry.js';
import type { Manifest, ManifestSubject } from '../manifest/types.js';
import type { ObjectStore } from '../ports.js';
import { createProducer } from '../sdk/producer.js';
import { auditLake, hourProblemLines, problemLines, type AuditReport } from '../usecases/audit-lake.js';
import { checkCatalog } from '../usecases/check-catalog.js';
import { runFlow, type FlowReport } from '../usecases/flow-run.js';
import { registerCatalog } from '../usecases/register.js';
import { sampleCandidates } from './samples.js';

/** The settings the demo reads: connection, locations and the local services. */
export const DEMO_SETTINGS = ['catalogDir', 'kafkaBrokers', 'kafkaSaslMechanism', 'kafkaSaslUsername', 'kafkaSaslPassword', 'kafkaSsl', 'manifestUrl', 'lakeUrl', 'stateUrl', 'statsdHost', 'positionsGroup', 'gcsEndpoint', 'devDir', 'devControllerPort', 'devGcsPort', 'cacheDir'] as const;
export type DemoSettings = Pick<Config, (typeof DEMO_SETTINGS)[number]>;

export interface DemoOptions {
  /** Where the demo runs: relative locations (`file://./lake`, `.schemaflow/…`) are resolved here. */
  readonly root: string;
  readonly config: DemoSettings;
  /** Valid sample events per subject, produced once into an empty topic. */
  readonly eventsPerSubject: number;
  /** Leave the services the demo started running (`schemaflow dev down` stops them). */
  readonly keepServices: boolean;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly now?: () => Date;
}

const STEPS = 7;

/** The example catalog: the one in the directory the demo runs in, else the one schemaflow ships. */
export function exampleCatalog(root: string, catalogDir: string): string {
  const local = resolve(root, catalogDir);
  return existsSync(join(local, 'catalog.yaml')) ? local : fileURLToPath(new URL('../../catalog', import.meta.url));
}

/**
 * `schemaflow demo` (`npm run demo`): the whole lifecycle on one machine — the local broker (and
 * the GCS emulator for a gs:// lake), the example catalog checked and registered, sample events
 * produced through the SDK (a few invalid ones beside them), the flow into the lake, the audit,
 * and where everything landed. Every step is idempotent: a second run registers nothing new,
 * produces nothing into topics that have events, and archives nothing twice.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { out, root } = options;
  const now = options.now ?? (() => new Date());
  const step = (index: number, text: string): void => out(`\n[${index}/${STEPS}] ${text}`);
  const gcsLake = options.config.lakeUrl.startsWith('gs://');
  const services: DevService[] = gcsLake && !options.config.gcsEndpoint ? ['kafka', 'gcs'] : ['kafka'];
  const devDir = resolve(root, options.config.devDir);

  const kafkaPort = localKafkaPort(options.config.kafkaBrokers);
  step(1, `starting the local ${services.includes('gcs') ? 'Kafka broker and GCS emulator' : 'Kafka broker'} (the first start downloads Kafka from Maven Central${services.includes('gcs') ? ' and builds fake-gcs-server' : ''})…`);
  // The services run detached, so a Ctrl-C never reaches them: the demo stops those it starts.
  const ours = services.filter((name) => !runningServices(devDir).includes(name));
  const signals = options.keepServices ? undefined : stopServicesOnSignals(devDir, ours, options.err);
  const started = await devUp({ dir: devDir, cacheDir: options.config.cacheDir, kafkaPort, controllerPort: options.config.devControllerPort, gcsPort: options.config.devGcsPort, services, log: (line) => options.err(`  ${line}`) }).catch((error: unknown) => {
    signals?.dispose();
    throw error;
  });
  for (const service of started) out(`  ${service.name.padEnd(6)} ${service.description} on ${service.endpoint} (${service.outcome})`);
  const gcsEndpoint = options.config.gcsEndpoint ?? started.find((service) => service.name === 'gcs')?.endpoint;
  const config: DemoSettings = { ...options.config, ...(gcsEndpoint ? { gcsEndpoint } : {}) };
  try {
    const manifest = await registerExample(options, config, step);
    if (!manifest) return 1;
    step(4, 'producing sample events with the SDK (validated, tagged with their schema ID), and a few invalid records beside them…');
    await produceSamples(manifest, config, options, now());

    step(5, `archiving every topic into ${config.lakeUrl}, exactly once per offset…`);
    if (gcsLake) await ensureLocation(config.lakeUrl, config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {});
    const flow = await archive(config, options);

    step(6, 'auditing the lake: every offset in exactly one object, every object matching its hash…');
    const stores = { ...(config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {}), cwd: root };
    const lake = openObjectStore(config.lakeUrl, stores);
    const audit = await auditLake({ lake, state: openObjectStore(config.stateUrl, stores) });
    const records = audit.partitions.reduce((sum, partition) => sum + partition.records, 0);
    out(audit.ok ? `  ok: ${records} records in ${audit.partitions.length} partitions, each offset exactly once; ${audit.closedHours} closed hours hold exactly their objects` : '  PROBLEMS FOUND:');
    for (const line of [...audit.partitions.flatMap(problemLines), ...hourProblemLines(audit)]) out(`    ${line}`);

    step(7, 'where the data landed');
    await summarize(manifest, lake, config, options, audit);
    return audit.ok && flow.exitCode === 0 ? 0 : 1;
  } finally {
    signals?.dispose();
    const startedHere = started.filter((service) => service.outcome === 'started').map((service) => service.name);
    if (startedHere.length > 0 && !options.keepServices) {
      await devDown(devDir, startedHere);
      out(`\nstopped the ${startedHere.join(' and ')} the demo started (its data is kept in ${shown(root, devDir)}; --keep-services leaves them running)`);
    } else if (started.length > 0) {
      out(`\nthe local services keep running (they were running before, or --keep-services); stop them with \`npx schemaflow dev down\``);
    }
  }
}

const shown = (root: string, path: string): string => relative(root, path) || '.';

/**
 * Until disposed, the first SIGINT or SIGTERM stops the services `names` in `devDir` (those the
 * demo starts; the ones running before it keep running), then ends the process with the shell's
 * code for the signal, 130 or 143. A second signal ends it at once (Node's default, the handlers
 * being gone).
 */
function stopServicesOnSignals(devDir: string, names: readonly string[], err: (line: string) => void): { dispose: () => void } | undefined {
  if (names.length === 0) return undefined;
  const stop = stopOnSignals(err, `stopping the ${names.join(' and ')} the demo started`);
  stop.signal.addEventListener('abort', () => {
    devDown(devDir, names)
      .catch((error: unknown) => err(`schemaflow: could not stop the ${names.join(' and ')} in ${devDir}: ${messageOf(error)}; run \`npx schemaflow dev down\``))
      .finally(() => process.exit(128 + osConstants.signals[stop.received() ?? 'SIGINT']));
  });
  return stop;
}

/** Steps 2 and 3: the example catalog in a repository of the demo's own, checked, then registered. */
async function registerExample(options: DemoOptions, config: DemoSettings, step: (index: number, text: string) => void): Promise<Manifest | undefined> {
  const { out, root } = options;
  const source = exampleCatalog(root, config.catalogDir);
  // The demo's own repository: registration takes IDs from first-parent history, which a
  // shallow clone, a feature branch or uncommitted edits of the working copy would not give.
  const repoDir = resolve(root, '.schemaflow', 'demo', 'catalog-repo');
  step(2, `checking the example catalog (${shown(root, source)}) as a pull request would…`);
  mkdirSync(repoDir, { recursive: true });
  // Its own even inside the user's clone (.schemaflow/ there): the demo never commits to the clone.
  initRepository(repoDir, { own: true });
  // The catalog as registered last (HEAD) is the base; a copy a failed run left is replaced.
  rmSync(join(repoDir, 'catalog'), { recursive: true, force: true });
  const repository = openRepository(repoDir);
  if (!repository.resolveCommit('HEAD')) {
    // As in a real catalog repository, the rules are in place before the first subject arrives.
    for (const file of ['catalog.yaml', 'overrides.yaml'].filter((name) => existsSync(join(source, name)))) cpSync(join(source, file), join(repoDir, 'catalog', file));
    commitAll(repoDir, 'demo: the catalog rules');
  }
  cpSync(source, join(repoDir, 'catalog'), { recursive: true });
  const report = checkCatalog(repository, { catalogDir: 'catalog', baseCandidates: ['HEAD'], untrustedPatterns: createPatternSandbox() });
  const errors = report.findings.filter((finding) => finding.severity === 'error');
  const changed = report.subjects.filter((subject) => subject.newVersions.length > 0);
  out(`  ${changed.length === 0 ? 'no change since the last demo run' : `${changed.length} subjects with new versions: ${changed.map((subject) => `${subject.subject} v${subject.newVersions.join(', v')}`).join('; ')}`}; ${errors.length} errors, ${report.findings.length - errors.length} warnings and notes`);
  for (const finding of report.findings) out(`    ${findingLine(finding)}`);
  if (errors.length > 0) {
    out('  the catalog has errors: fix them and run the demo again; nothing was registered');
    return undefined;
  }
  commitAll(repoDir, `demo: catalog from ${source}`);

  step(3, 'registering: immutable IDs, Kafka topics (topic = subject), the manifest…');
  const manifests = openObjectStore(config.manifestUrl, { ...(config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {}), cwd: root });
  // The catalog's `dev` environment, when it has one, holds the settings of a one-broker cluster.
  const environment = readEnvironmentFile(join(source, 'catalog.yaml'), 'catalog/catalog.yaml', 'dev').status === 'found' ? 'dev' : undefined;
  const registration = await withTopicAdmin({ ...config, catalogDir: 'catalog' }, true, (topics) => registerCatalog({ repository, manifests, untrustedPatterns: createPatternSandbox(), ...(topics ? { topics } : {}) }, { catalogDir: 'catalog', ...(environment ? { environment } : {}), dryRun: false, reconcile: false })).catch((error: unknown) => {
    // The manifests came from another history: the demo's repository was removed, or a demo
    // before 2026-12-02 registered from the clone it ran in. Its IDs cannot be reproduced here.
    if (!(error instanceof SchemaflowError && error.code === 'HISTORY_REWRITTEN')) throw error;
    throw new SchemaflowError('DEMO_HISTORY_CHANGED', `the demo's manifests in ${manifests.location} were registered from a history its catalog repository (${shown(root, repoDir)}) does not have: an earlier demo registered from another one (before 2026-12-02, from the git history of the clone it ran in). Start over: remove ${shown(root, resolve(root, '.schemaflow'))} and the demo's lake (they hold only what the demo made), then run the demo again`, { cause: error });
  });
  for (const version of registration.newVersions) out(`  ${version.subject} v${version.version} → schema ID ${version.id}`);
  for (const action of registration.topics.actions) out(`  ${action.kind === 'create' ? 'created' : action.kind === 'alter-configs' ? 'altered' : 'grew'} topic ${action.topic}${action.kind === 'create' ? ` (${action.partitions ?? 'default'} partitions)` : ''}`);
  for (const warning of registration.topics.warnings) out(`  note: ${warning}`);
  const publish = registration.publish;
  out(publish.status === 'published' ? `  published manifest serial ${registration.manifest.serial} to ${manifests.location}` : `  manifest serial ${registration.manifest.serial} is already published in ${manifests.location}; nothing new to register`);
  return registration.manifest;
}

/** An invalid record (it misses a required property) and one that is not JSON, for a subject. */
function poisonFor(subject: ManifestSubject, event: unknown, id: number): Message[] {
  const schema = subject.versions.at(-1)?.schema as { required?: unknown } | undefined;
  const required = Array.isArray(schema?.required) ? schema.required.filter((name): name is string => typeof name === 'string') : [];
  const broken = { ...(event as Record<string, unknown>) };
  delete broken[required[0] ?? ''];
  return [
    { key: 'invalid-1', value: JSON.stringify(required.length > 0 ? broken : 42), headers: { [HEADERS.id]: String(id) } },
    { key: 'invalid-2', value: Buffer.from('{"this is": not JSON'), headers: { [HEADERS.id]: String(id) } },
  ];
}

/** Step 4: sample events into every empty topic of an active or deprecated subject. */
async function produceSamples(manifest: Manifest, config: DemoSettings, options: DemoOptions, now: Date): Promise<void> {
  const kafka: Kafka = createKafkaClient(config, 'schemaflow-demo');
  const admin = kafka.admin();
  const raw = kafka.producer({ allowAutoTopicCreation: false });
  const producer = await createProducer({ manifest, kafka });
  const registry = createSchemaRegistry(manifest);
  await Promise.all([admin.connect(), raw.connect(), producer.connect()]);
  try {
    for (const subject of manifest.subjects) {
      if (subject.status === 'retired') continue;
      const held = (await offsetsOf(admin, subject.topic)).reduce((sum, partition) => sum + (Number(partition.high) - Number(partition.low)), 0);
      if (held > 0) {
        options.out(`  ${subject.subject}: already holds ${held} records; the demo produces only into empty topics`);
        continue;
      }
      const schema = registry.resolve(subject.subject);
      const latest = subject.versions.at(-1);
      const events: Array<{ value: unknown; key: string }> = [];
      for (let index = 0; index < options.eventsPerSubject; index += 1) {
        const value = sampleCandidates(subject, latest?.schema, index, now).find((candidate) => schema.validate(candidate).length === 0);
        if (value !== undefined) events.push({ value, key: `sample-${index}` });
      }
      if (events.length === 0) {
        options.out(`  ${subject.subject}: no valid sample could be built from version ${schema.version}; add "examples" to its schema to give the demo one`);
        continue;
      }
      await producer.sendBatch(subject.subject, events);
      await raw.send({ topic: subject.topic, messages: poisonFor(subject, events[0]?.value, schema.id) });
      options.out(`  ${subject.subject}: ${events.length} events of version ${schema.version} (schema ID ${schema.id}), plus 2 invalid records`);
    }
  } finally {
    await Promise.all([admin.disconnect(), raw.disconnect(), producer.disconnect()]).catch(() => undefined);
  }
}

/** A topic's offsets; right after registration created it, its leaders may still be moving in (retriable errors). */
async function offsetsOf(admin: Admin, topic: string): Promise<Array<{ partition: number; high: string; low: string }>> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || attempt >= 20) throw new SchemaflowError('KAFKA_FAILED', `cannot read the offsets of topic ${topic}: ${messageOf(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Step 5: one flow run over every subject. */
async function archive(config: DemoSettings, options: DemoOptions): Promise<FlowReport> {
  const flowOptions = flowOptionsFrom({ dryRun: false }, '--');
  const settings: FlowSettings = { ...config, lakeUrl: absoluteFileUrl(config.lakeUrl, options.root), stateUrl: absoluteFileUrl(config.stateUrl, options.root), manifestUrl: absoluteFileUrl(config.manifestUrl, options.root) };
  const { ports, close } = openFlowPorts(settings, { runId: flowOptions.runId, log: (line) => options.err(`  ${line}`), fault: () => Promise.resolve() });
  try {
    const report = await runFlow(ports, flowOptions);
    for (const subject of [...new Set(report.partitions.map((partition) => partition.subject))]) {
      const partitions = report.partitions.filter((partition) => partition.subject === subject);
      const read = partitions.reduce((sum, partition) => sum + partition.records, 0);
      const quarantined = partitions.reduce((sum, partition) => sum + Object.values(partition.quarantined).reduce((total, count) => total + count, 0), 0);
      const stopped = partitions.filter((partition) => partition.status === 'stopped');
      options.out(`  ${subject}: ${read === 0 ? 'nothing new' : `${read} records read, ${read - quarantined} archived, ${quarantined} quarantined`} (${partitions.length} partitions)`);
      for (const partition of stopped) options.out(`    stopped ${partition.topic}/${partition.partition}: ${partition.problem ?? ''}`);
      if (stopped.some((partition) => /ahead of/.test(partition.problem ?? ''))) options.out(`    the lake remembers more than Kafka holds: the broker's data was removed while the lake was kept. Start over by removing ${shown(options.root, resolve(options.root, '.schemaflow'))} and the lake, or keep both.`);
    }
    for (const closure of report.closures) if (closure.markers > 0) options.out(`  ${closure.subject}: closed ${closure.markers} hours (_CLOSED.json) through ${closure.closedThrough?.slice(0, 13).replace('T', ' ') ?? ''}:00 UTC`);
    return report;
  } finally {
    await close();
  }
}

interface SubjectLake {
  data: number;
  objects: number;
  late: number;
  quarantined: Map<string, { count: number; example: string }>;
}

/** Counts of a subject's rows in the lake, straight from its objects (their metadata and quarantine rows). */
async function subjectLake(lake: ObjectStore, subject: ManifestSubject): Promise<SubjectLake> {
  const result: SubjectLake = { data: 0, objects: 0, late: 0, quarantined: new Map() };
  for (const [prefix, kind] of [[`${subject.lakePath.replace(/\/*$/, '/')}`, 'data'], [`_late/${subject.subject}/`, 'late'], [`_quarantine/${subject.subject}/`, 'quarantine']] as const) {
    for (const listing of await lake.list(prefix)) {
      if (!listing.key.endsWith('.jsonl.gz')) continue;
      const object = await lake.get(listing.key);
      if (!object) continue;
      const count = Number(object.metadata.count ?? 0);
      if (kind === 'data') {
        result.data += count;
        result.objects += 1;
      } else if (kind === 'late') result.late += count;
      else {
        for (const line of gunzipSync(object.bytes).toString('utf8').split('\n')) {
          if (line === '') continue;
          const row = JSON.parse(line) as { reason?: string; detail?: string; _kafka?: { partition?: number; offset?: string } };
          const reason = row.reason ?? 'UNKNOWN';
          const entry = result.quarantined.get(reason) ?? { count: 0, example: `${row.detail ?? ''} (partition ${String(row._kafka?.partition)}, offset ${String(row._kafka?.offset)})` };
          entry.count += 1;
          result.quarantined.set(reason, entry);
        }
      }
    }
  }
  return result;
}

/** Step 7: per subject, where its events are and what was quarantined; then a DuckDB query that works after the demo. */
async function summarize(manifest: Manifest, lake: ObjectStore, config: DemoSettings, options: DemoOptions, audit: AuditReport): Promise<void> {
  const { out, root } = options;
  for (const subject of manifest.subjects) {
    const found = await subjectLake(lake, subject);
    out(`  ${subject.subject}: ${found.data} events in ${found.objects} objects under ${lake.location}/${subject.lakePath.replace(/\/*$/, '/')}${found.late > 0 ? `, ${found.late} late under _late/${subject.subject}/` : ''}`);
    for (const [reason, entry] of found.quarantined) out(`    quarantined ${entry.count} × ${reason} under _quarantine/${subject.subject}/, e.g. ${entry.example}`);
  }
  if (audit.partitions.length === 0) out('  the lake is empty');

  // DuckDB reads the file lake directly; a gs:// lake on the emulator is copied next to it first
  // (DuckDB reaches GCS only through httpfs, which it cannot download here).
  let queryLake = config.lakeUrl;
  if (config.lakeUrl.startsWith('gs://')) {
    const copy = resolve(root, '.schemaflow', 'demo', 'lake-copy');
    rmSync(copy, { recursive: true, force: true });
    for (const listing of await lake.list('')) {
      const object = await lake.get(listing.key);
      if (!object) continue;
      mkdirSync(dirname(join(copy, listing.key)), { recursive: true });
      writeFileSync(join(copy, listing.key), object.bytes);
    }
    queryLake = `file://./${shown(root, copy)}`;
    out(`\n  copied ${lake.location} to ${shown(root, copy)} for DuckDB`);
  }
  // The subject with the most versions: its history shows how versions read side by side.
  const first = [...manifest.subjects].sort((a, b) => b.versions.length - a.versions.length)[0];
  if (!first) return;
  const query = duckdbQuery(first.subject, queryLake, first.lakePath);
  const where = shown(process.cwd(), root);
  out(`\nQuery the history of ${first.subject} with DuckDB (https://duckdb.org) ${where === '.' ? 'in this directory' : `in ${where}`}; the lake stays after the demo:\n`);
  for (const line of query.split('\n')) out(`  ${line}`);
  out(`\n  duckdb -c "${query.split('\n').filter((line) => !line.startsWith('--')).join(' ').replace(/"/g, '\\"')}"`);
  await printRows(query, root, out);
  out('\nNext: `npx schemaflow search <text>` and `npx schemaflow show <subject>` answer what data exists and where; `npx schemaflow site --out site` builds the catalog site.');
}

/**
 * Runs the query with DuckDB's Node API when it is installed (a devDependency of schemaflow: a
 * clone has it, an installed package need not) and prints a few rows; a query DuckDB refuses
 * is an error of the demo.
 */
async function printRows(query: string, root: string, out: (line: string) => void): Promise<void> {
  let duckdb: typeof DuckDB;
  try {
    duckdb = await import('@duckdb/node-api');
  } catch {
    out('  (@duckdb/node-api is not installed here, so the demo did not run the query itself)');
    return;
  }
  const instance = await duckdb.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const previous = process.cwd();
  try {
    // The query's glob is relative to where DuckDB runs, as it will be for the reader.
    process.chdir(root);
    const reader = await connection.runAndReadAll(`${query.replace(/;\s*$/, '')} LIMIT 3`);
    // DuckDB's JSON form, whose dates and timestamps read as DuckDB prints them, but with its
    // integers (JSON strings there, as a BIGINT may exceed a double) as numbers when they fit one.
    const values = reader.getRowObjectsJS();
    const rows = reader.getRowObjectsJson().map((row, index) => Object.fromEntries(Object.entries(row).map(([column, json]) => {
      const value = values[index]?.[column];
      return [column, typeof value === 'bigint' && Number.isSafeInteger(Number(value)) ? Number(value) : json];
    })));
    out(`\n  the first ${rows.length} rows, read back by DuckDB just now:`);
    for (const row of rows) out(`    ${JSON.stringify(row)}`);
  } catch (error) {
    throw new SchemaflowError('DUCKDB_FAILED', `DuckDB could not run the query: ${messageOf(error)}`, { cause: error });
  } finally {
    process.chdir(previous);
    connection.closeSync();
  }
}
