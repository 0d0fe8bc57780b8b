import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openRepository } from '../../src/adapters/git/repository.js';
import { ensureKafkaClasspath, javaExecutable } from '../../src/dev/toolchain.js';
import { createDecoder, createProducer, EventValidationError, UnknownSchemaError } from '../../src/index.js';
import { buildCatalogManifest } from '../../src/usecases/build-manifest.js';
import { runSchemaflow } from '../support/cli.js';
import { createTestRepo } from '../support/git-repo.js';
import { uniqueName } from './support/names.js';
import { createTopicWithLeaders } from './support/topics.js';

/** The producer SDK against the real broker: both encodings, validation, refresh, Kafka's own consumer. */
const team = uniqueName('sdk').replace(/[^a-z0-9]/g, '').slice(0, 20);
const subject = `${team}-orders`;
const repo = createTestRepo({ withCatalog: false });
const scratch = mkdtempSync(join(tmpdir(), 'schemaflow-sdk-'));
const manifestPath = join(scratch, 'latest.json');
const kafka = new Kafka({ brokers: inject('kafkaBrokers'), clientId: 'sdk-test', logLevel: logLevel.NOTHING });
const admin = kafka.admin();

const v1 = { $schema: 'https://json-schema.org/draft/2020-12/schema', description: 'An order.', type: 'object', required: ['id', 'total'], additionalProperties: false, properties: { id: { description: 'Id.', type: 'string', format: 'uuid' }, total: { description: 'Total in cents.', type: 'integer', minimum: 0 } } };
const publish = (): void => writeFileSync(manifestPath, buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog' }).bytes);

beforeAll(async () => {
  repo.write(`catalog/${team}/orders/subject.yaml`, 'description: Orders.\nowners: ["@acme/shop"]\n');
  repo.write(`catalog/${team}/orders/1.json`, JSON.stringify(v1, null, 2));
  repo.commit('orders v1');
  publish();
  await admin.connect();
  await createTopicWithLeaders(admin, subject, 1);
});
afterAll(async () => {
  await admin.disconnect();
  repo.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

async function readAll(topic: string, count: number) {
  const consumer = kafka.consumer({ groupId: uniqueName('sdk-read'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const messages: Array<{ value: Buffer | null; headers: Record<string, unknown> }> = [];
  await new Promise<void>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => {
      messages.push({ value: message.value, headers: message.headers ?? {} });
      if (messages.length >= count) resolve();
      return Promise.resolve();
    } });
  });
  await consumer.disconnect();
  return messages;
}

const ORDER = { id: '123e4567-e89b-12d3-a456-426614174000', total: 1250 };

describe('the producer SDK', () => {
  it('validates, sends with schema headers and Confluent framing, and decodes both encodings', async () => {
    const producer = await createProducer({ manifest: manifestPath, kafka });
    const framed = await createProducer({ manifest: manifestPath, kafka, confluentFraming: true });
    await producer.connect();
    await framed.connect();
    try {
      await producer.send(subject, ORDER, { key: 'order-1' });
      await framed.sendBatch(subject, [{ value: { ...ORDER, total: 1 } }, { value: { ...ORDER, total: 2 } }]);
    } finally {
      await producer.disconnect();
      await framed.disconnect();
    }
    const messages = await readAll(subject, 3);
    expect(messages[0]?.headers['schema-id']?.toString()).toBe('1');
    expect(messages[0]?.headers['schema-subject']?.toString()).toBe(subject);
    expect(messages[0]?.headers['schema-version']?.toString()).toBe('1');
    expect([...(messages[1]?.value ?? Buffer.alloc(0)).subarray(0, 5)]).toEqual([0, 0, 0, 0, 1]);
    const decoder = await createDecoder({ manifest: manifestPath });
    expect(messages.map((message) => decoder.decode(message as never))).toEqual([
      { ok: true, subject, version: 1, id: 1, value: ORDER },
      { ok: true, subject, version: 1, id: 1, value: { ...ORDER, total: 1 } },
      { ok: true, subject, version: 1, id: 1, value: { ...ORDER, total: 2 } },
    ]);
  });

  it('sends nothing for an invalid event and lists every violation; names what exists for unknown schemas', async () => {
    const topic = subject;
    const before = await admin.fetchTopicOffsets(topic);
    const producer = await createProducer({ manifest: manifestPath, kafka });
    await producer.connect();
    try {
      const error = await producer.send(subject, { id: 'not-a-uuid', total: -5, extra: true }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EventValidationError);
      expect((error as EventValidationError).violations.map((violation) => violation.path).sort()).toEqual(['', '/id', '/total']);
      const batch = await producer.sendBatch(subject, [{ value: ORDER }, { value: { id: ORDER.id } }]).catch((caught: unknown) => caught);
      expect((batch as EventValidationError).violations[0]?.path).toBe('/1');
      await expect(producer.send('nope-missing', ORDER)).rejects.toThrow(UnknownSchemaError);
      await expect(producer.send(subject, ORDER, { version: 9 })).rejects.toThrow(`${subject} has no version 9 in manifest serial 1; it has 1`);
    } finally {
      await producer.disconnect();
    }
    expect(await admin.fetchTopicOffsets(topic)).toEqual(before);
  });

  it('decodes what it cannot accept into typed reasons', async () => {
    const decoder = await createDecoder({ manifest: manifestPath });
    expect(decoder.decode({ value: Buffer.from('{oops'), headers: { 'schema-id': '1' } })).toMatchObject({ ok: false, reason: 'NOT_JSON' });
    expect(decoder.decode({ value: Buffer.from('{}') })).toMatchObject({ ok: false, reason: 'NO_SCHEMA_ID' });
    expect(decoder.decode({ value: Buffer.from('{}'), headers: { 'schema-id': '999' } })).toMatchObject({ ok: false, reason: 'UNKNOWN_SCHEMA_ID', id: 999 });
    expect(decoder.decode({ value: Buffer.from('{"id":"x"}'), headers: { 'schema-id': '1' } })).toMatchObject({ ok: false, reason: 'INVALID', id: 1 });
  });

  it('picks up a new version on refresh and says so', async () => {
    const logged: string[] = [];
    const producer = await createProducer({ manifest: manifestPath, kafka, log: (line) => logged.push(line) });
    expect(producer.schemaFor(subject).version).toBe(1);
    repo.write(`catalog/${team}/orders/2.json`, JSON.stringify({ ...v1, properties: { ...v1.properties, note: { description: 'A note.', type: 'string' } } }, null, 2));
    repo.commit('orders v2');
    publish();
    await producer.refresh();
    expect(producer.schemaFor(subject)).toMatchObject({ version: 2, id: 2 });
    expect(logged[0]).toContain(`${subject}: sends without a version now use version 2 (was 1)`);
  });

  it("is readable by Kafka's own console consumer, headers included", async () => {
    const classpath = await ensureKafkaClasspath(process.env.SCHEMAFLOW_CACHE_DIR ?? join(homedir(), '.cache', 'schemaflow'), () => undefined);
    const { stdout } = await promisify(execFile)(javaExecutable(), ['-Xmx256m', '-cp', classpath, 'org.apache.kafka.tools.consumer.ConsoleConsumer', '--bootstrap-server', inject('kafkaBrokers')[0] ?? '', '--topic', subject, '--from-beginning', '--max-messages', '1', '--timeout-ms', '20000', '--property', 'print.headers=true'], { timeout: 60_000 });
    expect(stdout).toContain(`schema-id:1,schema-subject:${subject},schema-version:1`);
    expect(stdout).toContain('"total":1250');
  }, 90_000);
});

describe('schemaflow produce', () => {
  /** A subject of the team at version 1, committed and in the published manifest: its topic. */
  const registerSubject = (name: string, description: string, schema: object = v1, settings = ''): string => {
    repo.write(`catalog/${team}/${name}/subject.yaml`, `description: ${description}\nowners: ["@acme/shop"]\n${settings}`);
    repo.write(`catalog/${team}/${name}/1.json`, JSON.stringify(schema, null, 2));
    repo.commit(`${name} v1`);
    publish();
    return `${team}-${name}`;
  };

  it('sends valid NDJSON lines, reports invalid ones by line number, and can stop at the first', async () => {
    const topic = registerSubject('lines', 'Lines.');
    await createTopicWithLeaders(admin, topic, 1);
    const input = join(scratch, 'events.ndjson');
    // The first line as an editor may save it, with a byte order mark, and a number a double would change.
    const first = `{"id":"${ORDER.id}","total":12345678901234567891}`;
    writeFileSync(input, [`\uFEFF${first}`, JSON.stringify({ ...ORDER, total: 2 }), '', JSON.stringify({ id: 'bad', total: -1 }), 'not json', JSON.stringify({ ...ORDER, total: 3 }), `{"deep":${'['.repeat(1_500)}${']'.repeat(1_500)}}`].join('\n'));
    const env = { ...process.env, SCHEMAFLOW_KAFKA_BROKERS: inject('kafkaBrokers').join(','), SCHEMAFLOW_MANIFEST_URL: `file://${scratch}` };
    const skipped = await runSchemaflow(['produce', topic, input], { env });
    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toContain('line 4: /id must match format "uuid"; /total must be >= 0');
    expect(skipped.stderr).toMatch(/line 5: \(the event\) is not JSON \(.+\): the flow would quarantine it as NOT_JSON/);
    expect(skipped.stderr).toContain('line 7: (the event) nests deeper than 1000 levels of objects and arrays');
    expect(skipped.stdout).toContain(`3 event(s) sent to ${topic} (version 1, ID`);
    const aborted = await runSchemaflow(['produce', topic, input, '--on-invalid', 'abort'], { env });
    expect(aborted.code).toBe(1);
    expect(aborted.stdout).toContain('2 event(s) sent');
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets[0]?.high).toBe('5');
    // Sent as written: the digits kept (before, JSON.parse and JSON.stringify made it 12345678901234567000).
    const [sent] = await readAll(topic, 1);
    expect(sent?.value?.toString('utf8')).toBe(first);
  });

  // Regression (found by a review): lines were read as UTF-8 text with each byte that is not
  // UTF-8 replaced by U+FFFD, so a line saved as Latin-1 ("René" as 52 65 6E E9) passed and went
  // out as "Ren\uFFFD": the name lost for good, where the flow quarantines such a record as NOT_JSON.
  it('refuses a line that is not UTF-8 by its number, and sends the others as written', async () => {
    const topic = registerSubject('encodings', 'Encodings.', { ...v1, properties: { ...v1.properties, name: { description: 'A name.', type: 'string' } } });
    await createTopicWithLeaders(admin, topic, 1);
    const input = join(scratch, 'latin1.ndjson');
    const line = (total: number, name: string): Buffer => Buffer.from(`{"id":"${ORDER.id}","total":${total},"name":"${name}"}`, 'latin1');
    writeFileSync(input, Buffer.concat([line(1, 'Ann'), Buffer.from('\r\n'), line(2, 'René'), Buffer.from('\n'), Buffer.from(`{"id":"${ORDER.id}","total":3,"name":"René"}\n`, 'utf8')]));
    const env = { ...process.env, SCHEMAFLOW_KAFKA_BROKERS: inject('kafkaBrokers').join(','), SCHEMAFLOW_MANIFEST_URL: `file://${scratch}` };
    const result = await runSchemaflow(['produce', topic, input], { env });
    expect(result.stderr).toContain('line 2: not UTF-8 (byte 67 of the line, 0xE9): save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`2 event(s) sent to ${topic}`);
    const sent = await readAll(topic, 2);
    expect(sent.map((message) => message.value?.toString('utf8'))).toEqual([`{"id":"${ORDER.id}","total":1,"name":"Ann"}`, `{"id":"${ORDER.id}","total":3,"name":"René"}`]);
  });

  // Regression (found by a review): a line was held whole whatever its length, so a file of one
  // 640 MB JSON array took 1.3 GB and then failed to decode (past V8's largest string), reported
  // as "not UTF-8 at byte 1". A line over 64 MiB is now counted, not held, and named.
  it('refuses a line longer than 64 MiB without holding it, and sends the others', async () => {
    const topic = registerSubject('huge', 'Huge lines.');
    await createTopicWithLeaders(admin, topic, 1);
    const input = join(scratch, 'huge.ndjson');
    const huge = 64 * 1024 * 1024 + 1;
    writeFileSync(input, `${JSON.stringify(ORDER)}\n${'x'.repeat(huge)}\n${JSON.stringify(ORDER)}\n`);
    const env = { ...process.env, SCHEMAFLOW_KAFKA_BROKERS: inject('kafkaBrokers').join(','), SCHEMAFLOW_MANIFEST_URL: `file://${scratch}` };
    const result = await runSchemaflow(['produce', topic, input], { env });
    rmSync(input);
    expect(result.stderr).toBe(`line 2: ${huge} bytes, more than a line may hold (67108864 bytes; Kafka takes a record of at most the topic's max.message.bytes, 1 MiB by default): not read. Give one JSON event per line\n`);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`2 event(s) sent to ${topic}`);
  });

  // Regression (found by a review): lines went out 500 to a batch whatever their size, and Kafka
  // takes a record batch of at most max.message.bytes (1 MiB by default): 500 events of 2.2 KB to
  // one partition were refused whole (MESSAGE_TOO_LARGE), though each was far under the limit.
  it('sends events of a few KB each, whose batches of 500 would be over the broker limit or the topic\'s own', async () => {
    const noted = { ...v1, properties: { ...v1.properties, note: { description: 'A note.', type: 'string' } } };
    const topic = registerSubject('notes', 'Notes.', noted);
    // A topic whose catalog entry lowers max.message.bytes: its batches stay under that.
    const small = registerSubject('smallnotes', 'Small notes.', noted, 'topic:\n  configs:\n    max.message.bytes: "20000"\n');
    await createTopicWithLeaders(admin, topic, 1);
    await createTopicWithLeaders(admin, small, 1, { 'max.message.bytes': '20000' });
    const input = join(scratch, 'notes.ndjson');
    writeFileSync(input, Array.from({ length: 600 }, (_, total) => `${JSON.stringify({ ...ORDER, total, note: 'n'.repeat(2_200) })}\n`).join(''));
    const env = { ...process.env, SCHEMAFLOW_KAFKA_BROKERS: inject('kafkaBrokers').join(','), SCHEMAFLOW_MANIFEST_URL: `file://${scratch}` };
    for (const target of [topic, small]) {
      const result = await runSchemaflow(['produce', target, input], { env });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`600 event(s) sent to ${target}`);
      expect((await admin.fetchTopicOffsets(target))[0]?.high).toBe('600');
    }
  });

  // Regression (found by a review): one line over the topic's max.message.bytes stopped the whole
  // run with KAFKA_SEND_FAILED, even under --on-invalid skip, and said to resume from that very
  // line, which fails the same way for ever. The broker refusing an event sent alone for its size
  // is an invalid line: named, skipped (or the end, under abort), the rest sent.
  it('skips a line the topic refuses for its size, naming it, and sends the rest', async () => {
    const noted = { ...v1, properties: { ...v1.properties, note: { description: 'A note.', type: 'string' } } };
    const topic = registerSubject('bignotes', 'Big notes.', noted, 'topic:\n  configs:\n    max.message.bytes: "20000"\n');
    await createTopicWithLeaders(admin, topic, 1, { 'max.message.bytes': '20000' });
    const input = join(scratch, 'bignotes.ndjson');
    const big = JSON.stringify({ ...ORDER, note: 'n'.repeat(30_000) });
    writeFileSync(input, [JSON.stringify(ORDER), big, JSON.stringify(ORDER), big, JSON.stringify(ORDER)].join('\n'));
    const env = { ...process.env, SCHEMAFLOW_KAFKA_BROKERS: inject('kafkaBrokers').join(','), SCHEMAFLOW_MANIFEST_URL: `file://${scratch}` };
    const skipped = await runSchemaflow(['produce', topic, input], { env });
    const refused = (line: number): string => `line ${line}: ${Buffer.byteLength(big)} bytes, more than topic ${topic} takes (the broker refused it as MESSAGE_TOO_LARGE: over the topic's max.message.bytes): not sent\n`;
    expect(skipped.stderr).toBe(`${refused(2)}${refused(4)}`);
    expect(skipped.code).toBe(1);
    expect(skipped.stdout).toContain(`3 event(s) sent to ${topic} (version 1, ID`);
    expect(skipped.stdout).toContain('2 invalid line(s)');
    const aborted = await runSchemaflow(['produce', topic, input, '--on-invalid', 'abort'], { env });
    expect(aborted.stderr).toBe(refused(2));
    expect(aborted.code).toBe(1);
    expect(aborted.stdout).toContain('1 event(s) sent');
    expect((await admin.fetchTopicOffsets(topic))[0]?.high).toBe('4');
  });

  // Regression (found by a review): a failed send was an "unexpected error" with a stack trace,
  // and nothing said how far the input got.
  it('says how far it got and how to resume when the brokers refuse a batch, and names a missing topic', async () => {
    const topic = registerSubject('absent', 'Never created.');
    const input = join(scratch, 'absent.ndjson');
    writeFileSync(input, `${JSON.stringify(ORDER)}\nnot json\n${JSON.stringify(ORDER)}\n`);
    const env = { ...process.env, SCHEMAFLOW_KAFKA_BROKERS: inject('kafkaBrokers').join(','), SCHEMAFLOW_MANIFEST_URL: `file://${scratch}` };
    const result = await runSchemaflow(['produce', topic, input], { env, timeoutMs: 50_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('unexpected error');
    expect(result.stderr).toContain(`schemaflow: KAFKA_SEND_FAILED: sending the 2 valid event(s) of lines 1–3 to ${topic} failed: topic ${topic} does not exist on these brokers: register the catalog in this environment first (schemaflow register), which creates it. Nothing was sent before it; that batch may have been written in part. To resume, send the input from line 1 on again (tail -n +1)`);
  }, 60_000);

  // Regression (found by a review): Ctrl-C ended produce at once, a batch possibly in flight, and
  // nothing said how far the input got. It now sends what it read and names the line to resume from.
  it('stops reading on SIGINT, sends the lines read, and names the line to resume from', async () => {
    const topic = registerSubject('interrupted', 'Interrupted.');
    await createTopicWithLeaders(admin, topic, 1);
    const env = { ...process.env, SCHEMAFLOW_KAFKA_BROKERS: inject('kafkaBrokers').join(','), SCHEMAFLOW_MANIFEST_URL: `file://${scratch}` };
    // The 10,000th line is invalid: the progress line comes all the same (it came only after a valid one).
    const lines = `${Array.from({ length: 9_999 }, (_, index) => JSON.stringify({ ...ORDER, total: index })).join('\n')}\nnot json\n`;
    const stopped = await runSchemaflow(['produce', topic, '-'], {
      env,
      stdin: 'pipe',
      timeoutMs: 50_000,
      // A pipe left open, as from another program: the progress line comes once the 10,000th
      // line is handled, and then the input waits.
      started: (child) => {
        child.stdin?.write(lines);
        child.stderr?.on('data', (chunk: Buffer) => chunk.toString('utf8').includes('10000 lines read, 9999 valid, 1 invalid') && child.kill('SIGINT'));
      },
    });
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain('schemaflow: SIGINT: sending the valid lines read so far, then stopping (send it again to end at once)');
    expect(stopped.stdout).toContain(`9999 event(s) sent to ${topic} (version 1, ID`);
    expect(stopped.stdout).toContain('; 1 invalid line(s); stopped by SIGINT: lines from 10001 on were not read, resume with tail -n +10001');
    expect((await admin.fetchTopicOffsets(topic))[0]?.high).toBe('9999');
  }, 60_000);
});
