/**
 * The pinned versions of the local services `schemaflow dev up` runs. This file is the one
 * place they are named.
 */

/**
 * Apache Kafka, KRaft mode, from Maven Central jars. 4.1.2 works with kafkajs 2.2.4: kafkajs
 * sends its highest implemented version of each API, all above the 4.x baselines (KIP-896).
 */
export const KAFKA_VERSION = '4.1.2';

/**
 * Kafka's POM ships log4j-core but no SLF4J binding, so without this one the broker would log
 * nothing (checked with `mvn dependency:build-classpath` on 4.1.2). Same version as Kafka's log4j.
 */
export const LOG4J_SLF4J_BINDING = 'org.apache.logging.log4j:log4j-slf4j-impl:2.25.3';

/** Resolves the broker's runtime classpath without building anything. */
export const MAVEN_DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

/** The GCS emulator, built from the Go module proxy with the local toolchain. */
export const FAKE_GCS_SERVER_MODULE = 'github.com/fsouza/fake-gcs-server';
export const FAKE_GCS_SERVER_VERSION = 'v1.55.1';

/** Java 17 is the minimum for a Kafka 4.x broker. */
export const MIN_JAVA_MAJOR = 17;
