import { relative } from 'node:path';
import { devDown, devStatus, devUp, localKafkaPort, type ServiceReport } from '../../dev/environment.js';
import { defineCommand } from '../command.js';

function table(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}

function exportsFor(services: readonly ServiceReport[]): string[] {
  const kafka = services.find((service) => service.name === 'kafka');
  const gcs = services.find((service) => service.name === 'gcs');
  return [
    ...(kafka ? [`export SCHEMAFLOW_KAFKA_BROKERS=${kafka.endpoint}`] : []),
    ...(gcs ? [`export SCHEMAFLOW_GCS_ENDPOINT=${gcs.endpoint}`] : []),
  ];
}

const shown = (path: string): string => relative(process.cwd(), path) || '.';

const up = defineCommand({
  name: 'dev up',
  summary: 'start a local Kafka broker (KRaft) and GCS emulator on 127.0.0.1',
  settings: ['kafkaBrokers', 'devControllerPort', 'devGcsPort', 'devDir', 'cacheDir'],
  details: [
    'Installs what is missing on first use (Kafka jars from Maven Central via Maven, fake-gcs-server',
    'via go install; needs Java 17+, Maven and Go), then starts both and waits for real answers.',
    'Idempotent: services already running from the same directory are reused. Data survives a restart.',
  ].join('\n'),
  async run({ config, io }) {
    const started = Date.now();
    const services = await devUp({
      dir: config.devDir,
      cacheDir: config.cacheDir,
      kafkaPort: localKafkaPort(config.kafkaBrokers),
      controllerPort: config.devControllerPort,
      gcsPort: config.devGcsPort,
      log: (line) => io.err(line),
    });
    for (const line of table(services.map((s) => [s.name, s.description, s.endpoint, `${s.outcome} (pid ${s.pid})`]))) io.out(line);
    io.out('');
    io.out(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s; data and logs in ${shown(config.devDir)}`);
    for (const line of exportsFor(services)) io.out(line);
    return 0;
  },
});

const status = defineCommand({
  name: 'dev status',
  summary: 'show what `dev up` runs, where, and whether it answers',
  settings: ['devDir'],
  details: 'Exit 0 when every service answers, 1 when one is stopped or not answering, or nothing was started.',
  async run({ config, io }) {
    const services = await devStatus(config.devDir);
    if (services.length === 0) {
      io.out(`nothing started from ${shown(config.devDir)}; run \`schemaflow dev up\``);
      return 1;
    }
    const rows = services.map((s) => [s.name, s.description, s.endpoint, s.state === 'stopped' ? 'stopped' : `${s.state} (pid ${s.pid})`, shown(s.logFile)]);
    for (const line of table([['service', 'version', 'endpoint', 'state', 'log'], ...rows])) io.out(line);
    const running = services.filter((service) => service.state === 'running');
    if (running.length > 0) {
      io.out('');
      for (const line of exportsFor(running)) io.out(line);
    }
    return running.length === services.length ? 0 : 1;
  },
});

const down = defineCommand({
  name: 'dev down',
  summary: 'stop what `dev up` started and verify it is gone (data is kept)',
  settings: ['devDir'],
  details: 'Only processes recorded by `dev up` in this directory are signalled. Remove the directory to drop the data.',
  async run({ config, io }) {
    const services = await devDown(config.devDir);
    if (services.length === 0) io.out(`nothing to stop in ${shown(config.devDir)}`);
    for (const line of table(services.map((s) => [s.name, s.outcome, `(pid ${s.pid})`]))) io.out(line);
    return 0;
  },
});

/** `schemaflow dev up | status | down`. */
export const devCommands = [up, status, down];
