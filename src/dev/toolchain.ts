import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SchemaflowError, messageOf } from '../domain/errors.js';
import { runCommand } from './processes.js';
import {
  FAKE_GCS_SERVER_MODULE,
  FAKE_GCS_SERVER_VERSION,
  KAFKA_VERSION,
  LOG4J_SLF4J_BINDING,
  MAVEN_DEPENDENCY_PLUGIN,
  MIN_JAVA_MAJOR,
} from './versions.js';

/** Progress lines for a person watching a possibly slow first start. */
export type Log = (line: string) => void;

/** The `java` to run: `$JAVA_HOME/bin/java` when set, else the one on PATH. */
export function javaExecutable(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** Fails with an install hint unless Java ≥ 17 is available. */
export async function requireJava(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const java = javaExecutable(env);
  const { code, output } = await runCommand(java, ['-version']).catch((error: unknown) => {
    // JAVA_HOME wins over PATH: when it names no JDK, it is JAVA_HOME to fix, not PATH.
    if (!env.JAVA_HOME || !(error instanceof SchemaflowError) || error.code !== 'TOOL_MISSING') throw error;
    throw new SchemaflowError('TOOL_MISSING', `${java} was not found: JAVA_HOME=${env.JAVA_HOME} names no Java ${MIN_JAVA_MAJOR}+ JDK; point JAVA_HOME at one, or unset it to use the java on PATH`, { cause: error });
  });
  const major = Number(/version "(?:1\.)?(\d+)/.exec(output)?.[1] ?? 'NaN');
  if (code !== 0 || !(major >= MIN_JAVA_MAJOR)) {
    throw new SchemaflowError(
      'TOOL_MISSING',
      `Kafka ${KAFKA_VERSION} needs Java ${MIN_JAVA_MAJOR} or newer, but \`${java} -version\` reports: ${output.split('\n')[0] ?? output}. Install a Java 17+ JDK or point JAVA_HOME at one.`,
    );
  }
  return java;
}

/** A local service `dev up` and the demo can run. */
export type DevService = 'kafka' | 'gcs';

/**
 * Checks up front for every tool a start will need and reports all that are missing in one
 * error: Java for the broker, Maven only until the Kafka classpath is cached, Go only until the
 * emulator binary is built.
 */
export async function requireTools(cacheDir: string, services: readonly DevService[] = ['kafka', 'gcs']): Promise<void> {
  const problems: string[] = [];
  const needed: string[] = [];
  if (services.includes('kafka')) {
    await requireJava().catch((error: unknown) => problems.push(messageOf(error)));
    if (!readClasspath(kafkaClasspathFile(cacheDir))) needed.push('mvn');
  }
  if (services.includes('gcs') && !existsSync(fakeGcsServerBinary(cacheDir))) needed.push('go');
  for (const tool of needed) {
    await runCommand(tool, [tool === 'go' ? 'version' : '--version']).catch((error: unknown) => problems.push(messageOf(error)));
  }
  if (problems.length > 0) {
    throw new SchemaflowError('TOOL_MISSING', `schemaflow dev cannot start the local services:\n  - ${problems.join('\n  - ')}`);
  }
}

function kafkaClasspathFile(cacheDir: string): string {
  return join(cacheDir, `kafka-${KAFKA_VERSION}`, 'classpath.txt');
}

function fakeGcsServerBinary(cacheDir: string): string {
  return join(cacheDir, 'bin', 'fake-gcs-server');
}

function pom(): string {
  const [group, artifact, version] = LOG4J_SLF4J_BINDING.split(':');
  const dependency = (g: string, a: string, v: string): string =>
    `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- Written by schemaflow dev: resolves the Kafka broker runtime from Maven Central. -->',
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>local.schemaflow</groupId>',
    '  <artifactId>kafka-runtime</artifactId>',
    '  <version>0</version>',
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dependency('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION),
    dependency('org.apache.kafka', 'kafka-tools', KAFKA_VERSION),
    dependency(group ?? '', artifact ?? '', version ?? ''),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

/**
 * The broker's runtime classpath (jars in Maven's local repository, never copied). Resolved once
 * with Maven and cached as a file; later calls only check that every jar still exists.
 */
export async function ensureKafkaClasspath(cacheDir: string, log: Log): Promise<string> {
  const classpathFile = kafkaClasspathFile(cacheDir);
  const dir = dirname(classpathFile);
  const cached = readClasspath(classpathFile);
  if (cached) return cached;

  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pom());
  log(`resolving Kafka ${KAFKA_VERSION} jars with Maven (first run only)…`);
  const args = [
    '-B', '-q', '-ntp', '-f', join(dir, 'pom.xml'),
    `${MAVEN_DEPENDENCY_PLUGIN}:build-classpath`,
    '-DincludeScope=runtime', `-Dmdep.outputFile=${classpathFile}`,
  ];
  const result = await runCommand('mvn', args);
  const classpath = result.code === 0 ? readClasspath(classpathFile) : undefined;
  if (!classpath) {
    throw new SchemaflowError(
      'DOWNLOAD_FAILED',
      `Maven could not resolve org.apache.kafka:kafka_2.13:${KAFKA_VERSION} from Maven Central (exit ${result.code}). Check that Maven Central is reachable and ~/.m2 is writable.\n${result.output.slice(-3_000)}`,
      { retriable: true },
    );
  }
  return classpath;
}

function readClasspath(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const classpath = readFileSync(file, 'utf8').trim();
  const entries = classpath.split(':').filter(Boolean);
  const complete = entries.length > 0 && entries.every((entry) => existsSync(entry));
  return complete ? classpath : undefined;
}

/**
 * The fake-gcs-server binary, built with `go install` from the module proxy into the cache
 * (`GOTOOLCHAIN=local`: a surprise toolchain download fails fast instead of hanging).
 */
export async function ensureFakeGcsServer(cacheDir: string, log: Log): Promise<string> {
  const binary = fakeGcsServerBinary(cacheDir);
  const binDir = dirname(binary);
  if (existsSync(binary)) {
    const { code, output } = await runCommand('go', ['version', '-m', binary]).catch(() => ({ code: 1, output: '' }));
    if (code === 0 && new RegExp(`\\bmod\\s+${FAKE_GCS_SERVER_MODULE}\\s+${FAKE_GCS_SERVER_VERSION}\\b`).test(output)) {
      return binary;
    }
  }
  mkdirSync(binDir, { recursive: true });
  log(`building fake-gcs-server ${FAKE_GCS_SERVER_VERSION} with go install (first run only, about a minute)…`);
  const result = await runCommand('go', ['install', `${FAKE_GCS_SERVER_MODULE}@${FAKE_GCS_SERVER_VERSION}`], {
    env: { ...process.env, GOBIN: binDir, GOTOOLCHAIN: 'local' },
  });
  if (result.code !== 0 || !existsSync(binary)) {
    throw new SchemaflowError(
      'DOWNLOAD_FAILED',
      `go install ${FAKE_GCS_SERVER_MODULE}@${FAKE_GCS_SERVER_VERSION} failed (exit ${result.code}). Check that the Go module proxy is reachable and Go is 1.25 or newer.\n${result.output.slice(-3_000)}`,
      { retriable: true },
    );
  }
  return binary;
}
