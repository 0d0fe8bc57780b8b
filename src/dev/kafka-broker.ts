import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { SchemaflowError } from '../domain/errors.js';
import { runCommand } from './processes.js';
import type { ServiceSpec } from './service.js';
import { ensureKafkaClasspath, javaExecutable, type Log } from './toolchain.js';
import { KAFKA_VERSION } from './versions.js';

export interface BrokerOptions {
  readonly dir: string;
  readonly cacheDir: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly log: Log;
}

/**
 * One combined broker + controller in KRaft mode on 127.0.0.1, static single-voter quorum.
 * Replication factors of internal topics are 1, or consumer groups never work on one node.
 */
function serverProperties(options: BrokerOptions, dataDir: string): string {
  const { port, controllerPort } = options;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    // 127.0.0.1, never localhost: Node may resolve localhost to ::1.
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    // Topics are created by registration, as in production (DESIGN.md §4).
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    '',
  ].join('\n');
}

/** log4j2 in properties form (the YAML form needs a jar Kafka's POM lacks). */
const LOG4J2_PROPERTIES = [
  'status = error',
  'appender.stdout.type = Console',
  'appender.stdout.name = STDOUT',
  'appender.stdout.layout.type = PatternLayout',
  'appender.stdout.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = warn',
  'rootLogger.appenderRef.stdout.ref = STDOUT',
  'logger.raft.name = kafka.server.KafkaRaftServer',
  'logger.raft.level = info',
  '',
].join('\n');

/** A KRaft cluster id: 16 random bytes in base64url, never starting with '-' (it would parse as a flag). */
function clusterId(): string {
  let id: string;
  do id = randomBytes(16).toString('base64url');
  while (id.startsWith('-'));
  return id;
}

/** The Kafka broker as a dev service. */
export function kafkaBrokerService(options: BrokerOptions): ServiceSpec {
  const home = join(options.dir, 'kafka');
  const configFile = join(home, 'server.properties');
  const dataDir = join(home, 'data');
  const brokers = [`127.0.0.1:${options.port}`];
  return {
    name: 'kafka',
    description: `Apache Kafka ${KAFKA_VERSION} (KRaft)`,
    marker: configFile,
    endpoint: brokers.join(','),
    ports: [options.port, options.controllerPort],
    readyTimeoutMs: 90_000,
    stopGraceMs: 30_000,
    probe: () => probeKafka(brokers),
    async prepare() {
      const java = javaExecutable();
      const classpath = await ensureKafkaClasspath(options.cacheDir, options.log);
      mkdirSync(home, { recursive: true });
      writeFileSync(configFile, serverProperties(options, dataDir));
      writeFileSync(join(home, 'log4j2.properties'), LOG4J2_PROPERTIES);
      const logFlag = `-Dlog4j2.configurationFile=${join(home, 'log4j2.properties')}`;
      if (!existsSync(join(dataDir, 'meta.properties'))) {
        // A short-lived JVM: the C1-only JIT and serial GC start it faster.
        const format = await runCommand(java, [
          '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', logFlag, '-cp', classpath,
          'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', configFile,
        ]);
        if (format.code !== 0) {
          throw new SchemaflowError('SERVICE_FAILED', `formatting Kafka storage in ${dataDir} failed:\n${format.output.slice(-3_000)}`);
        }
      }
      return {
        command: java,
        args: [
          '-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true',
          logFlag, '-cp', classpath, 'kafka.Kafka', configFile,
        ],
      };
    },
  };
}

/**
 * Readiness is a real metadata request, never an open port: the broker binds its socket before
 * it is unfenced, and requests sent then just hang.
 */
export async function probeKafka(brokers: string[]): Promise<boolean> {
  const kafka = new Kafka({
    brokers,
    clientId: 'schemaflow-dev-probe',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
