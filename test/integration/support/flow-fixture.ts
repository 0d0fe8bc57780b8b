import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Storage } from '@google-cloud/storage';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { inject } from 'vitest';
import { openRepository } from '../../../src/adapters/git/repository.js';
import type { Manifest } from '../../../src/manifest/types.js';
import { buildCatalogManifest } from '../../../src/usecases/build-manifest.js';
import { runSchemaflow, type CliRun } from '../../support/cli.js';
import { createTopicWithLeaders } from './topics.js';
import { createTestRepo } from '../../support/git-repo.js';
import { uniqueName } from './names.js';

/** Version 1 and 2 of the test subjects: v2 adds an optional field. */
const schema = (version: number): string =>
  JSON.stringify({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    description: 'A test event.',
    type: 'object',
    required: ['id', 'at'],
    properties: {
      id: { description: 'Id.', type: 'string', minLength: 1 },
      at: { description: 'When it happened.', type: 'string', format: 'date-time' },
      ...(version > 1 ? { ref: { description: 'A reference.', type: 'string' } } : {}),
    },
  });

export interface FlowFixture {
  readonly team: string;
  /** `<team>-clicks` routes by its `at` field; `<team>-views` by the Kafka timestamp. */
  readonly subjects: readonly string[];
  readonly manifest: Manifest;
  /** `file://` URL of a directory holding `<serial>.json` and `latest.json`. */
  readonly manifestUrl: string;
  readonly kafka: Kafka;
  idOf(subject: string, version: number): number;
  /** Creates a subject's topic with these partitions (and topic configs). */
  createTopic(subject: string, partitions: number, configs?: Record<string, string>): Promise<void>;
  send(topic: string, messages: Message[]): Promise<void>;
  /**
   * `schemaflow ...args` with the services' and the fixture's settings, plus `env`; `started`
   * gets the process (to signal it); it is ended with SIGTERM after `timeoutMs` (default 50 s).
   */
  cli(args: readonly string[], env?: Record<string, string>, options?: { started?: (child: ChildProcess) => void; timeoutMs?: number; node?: string }): Promise<CliRun>;
  dispose(): Promise<void>;
}

/**
 * A catalog of subjects with two versions each (by default `clicks`, routed by its `at` field,
 * and `views`), registered into a local manifest, and the real broker.
 */
export async function createFlowFixture(names: readonly string[] = ['clicks', 'views'], options: { brokers?: string[] } = {}): Promise<FlowFixture> {
  const brokers = options.brokers ?? inject('kafkaBrokers');
  const team = uniqueName('f').replace(/[^a-z0-9]/g, '').slice(0, 18);
  const repo = createTestRepo({ withCatalog: false });
  const scratch = mkdtempSync(join(tmpdir(), 'schemaflow-flow-'));
  for (const name of names) {
    const eventTime = name === 'clicks' ? 'eventTime:\n  field: /at\n  format: rfc3339\n' : '';
    repo.write(`catalog/${team}/${name}/subject.yaml`, `description: ${name} for flow tests.\nowners: ["@acme/data"]\n${eventTime}`);
    repo.write(`catalog/${team}/${name}/1.json`, schema(1));
  }
  repo.commit('v1');
  for (const name of names) repo.write(`catalog/${team}/${name}/2.json`, schema(2));
  repo.commit('v2');
  const { manifest, bytes } = buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog' });
  const manifests = join(scratch, 'manifests');
  mkdirSync(manifests, { recursive: true });
  writeFileSync(join(manifests, `${manifest.serial}.json`), bytes);
  writeFileSync(join(manifests, 'latest.json'), bytes);
  repo.dispose();

  const kafka = new Kafka({ brokers, clientId: 'flow-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), producer.connect()]);
  const subjects = names.map((name) => `${team}-${name}`);
  return {
    team,
    subjects,
    manifest,
    manifestUrl: `file://${manifests}`,
    kafka,
    idOf(subject, version) {
      const found = manifest.subjects.find((entry) => entry.subject === subject)?.versions.find((entry) => entry.version === version);
      if (!found) throw new Error(`${subject} v${version} is not in the fixture manifest`);
      return found.id;
    },
    createTopic(topic, partitions, configs = {}) {
      return createTopicWithLeaders(admin, topic, partitions, configs);
    },
    async send(topic, messages) {
      await producer.send({ topic, messages, acks: -1 });
    },
    cli(args, env = {}, { started, timeoutMs = 50_000, node } = {}) {
      return runSchemaflow(args, { cwd: scratch, timeoutMs, env: { ...process.env, SCHEMAFLOW_KAFKA_BROKERS: brokers.join(','), SCHEMAFLOW_GCS_ENDPOINT: inject('gcsEndpoint'), SCHEMAFLOW_MANIFEST_URL: `file://${manifests}`, ...env }, ...(started ? { started } : {}), ...(node ? { node } : {}) });
    },
    async dispose() {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** A lake for a test: a fresh local directory, or a fresh bucket in the GCS emulator. */
export interface TestLake {
  readonly url: string;
  /** Every object, read independently of schemaflow's stores (fs, or @google-cloud/storage). */
  objects(): Promise<Array<{ key: string; bytes: Buffer }>>;
  dispose(): void;
}

export async function createTestLake(backend: 'file' | 'gcs'): Promise<TestLake> {
  if (backend === 'file') {
    const root = mkdtempSync(join(tmpdir(), 'schemaflow-lake-'));
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? (entry.name === '.schemaflow-meta' ? [] : walk(join(dir, entry.name))) : [join(dir, entry.name)]));
    return {
      url: `file://${root}/lake`,
      objects: () => Promise.resolve(walk(root).map((path) => ({ key: relative(join(root, 'lake'), path), bytes: readFileSync(path) }))),
      dispose: () => rmSync(root, { recursive: true, force: true }),
    };
  }
  const storage = new Storage({ apiEndpoint: inject('gcsEndpoint'), projectId: 'schemaflow-test' });
  const bucket = uniqueName('lake');
  await storage.createBucket(bucket);
  return {
    url: `gs://${bucket}/lake`,
    async objects() {
      const [files] = await storage.bucket(bucket).getFiles({ prefix: 'lake/' });
      return Promise.all(files.map(async (file) => ({ key: file.name.slice('lake/'.length), bytes: (await file.download())[0] })));
    },
    dispose: () => undefined,
  };
}

export interface LakeRow {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly row: Record<string, unknown>;
}

/** Rows of every data, quarantine and late object, and the gap records, straight from the listing. */
export async function readLake(lake: TestLake): Promise<{ rows: LakeRow[]; gaps: Array<{ topic: string; partition: number; from: number; to: number }>; keys: string[] }> {
  const rows: LakeRow[] = [];
  const gaps: Array<{ topic: string; partition: number; from: number; to: number }> = [];
  const objects = await lake.objects();
  for (const object of objects) {
    if (object.key.startsWith('_gaps/')) {
      const gap = JSON.parse(object.bytes.toString('utf8')) as { topic: string; partition: number; from: string; to: string };
      gaps.push({ topic: gap.topic, partition: gap.partition, from: Number(gap.from), to: Number(gap.to) });
    } else if (object.key.endsWith('.jsonl.gz')) {
      for (const line of gunzipSync(object.bytes).toString('utf8').split('\n')) {
        if (line === '') continue;
        const row = JSON.parse(line) as { _kafka: { topic: string; partition: number; offset: string } };
        rows.push({ key: object.key, topic: row._kafka.topic, partition: row._kafka.partition, offset: Number(row._kafka.offset), row: row });
      }
    }
  }
  return { rows, gaps, keys: objects.map((object) => object.key) };
}

/** Offsets of a partition that appear other than exactly once among rows and gaps, given the expected `[0, high)`. */
export function coverageProblems(lake: Awaited<ReturnType<typeof readLake>>, topic: string, partition: number, high: number): string[] {
  const seen = new Array<number>(high).fill(0);
  const problems: string[] = [];
  for (const row of lake.rows) if (row.topic === topic && row.partition === partition) seen[row.offset] = (seen[row.offset] ?? 0) + 1;
  for (const gap of lake.gaps) if (gap.topic === topic && gap.partition === partition) for (let offset = gap.from; offset <= gap.to; offset += 1) seen[offset] = (seen[offset] ?? 0) + 1;
  seen.forEach((count, offset) => {
    if (count !== 1) problems.push(`${topic}/${partition} offset ${offset} appears ${count} times`);
  });
  if (seen.length > high) problems.push(`${topic}/${partition} has offsets beyond ${high - 1}`);
  return problems;
}

