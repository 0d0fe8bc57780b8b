import type { Config } from '../config/resolve.js';
import { SchemaflowError, messageOf } from '../domain/errors.js';
import type { TopicAdmin } from '../topics/plan.js';
import { createKafkaClient } from './kafka/client.js';
import { createTopicAdmin } from './kafka/topic-admin.js';

/* Wiring shared by the register command and the register action: config -> adapters. */

/** The settings registration reads. */
export type RegistrationSettings = Pick<Config, 'catalogDir' | 'kafkaBrokers' | 'kafkaSaslMechanism' | 'kafkaSaslUsername' | 'kafkaSaslPassword' | 'kafkaSsl' | 'manifestUrl' | 'gcsEndpoint'>;
export const REGISTRATION_SETTINGS = ['catalogDir', 'kafkaBrokers', 'kafkaSaslMechanism', 'kafkaSaslUsername', 'kafkaSaslPassword', 'kafkaSsl', 'manifestUrl', 'gcsEndpoint'] as const;

export async function withTopicAdmin<T>(config: RegistrationSettings, required: boolean, use: (topics: TopicAdmin | undefined) => Promise<T>): Promise<T> {
  const admin = createKafkaClient(config, 'schemaflow-register').admin();
  try {
    await admin.connect();
  } catch (error) {
    if (required) throw new SchemaflowError('KAFKA_UNREACHABLE', `cannot reach the Kafka brokers ${config.kafkaBrokers.join(',')}: ${messageOf(error)}. Nothing was created or published. Runners must reach the brokers (see the README: SASL_SSL or self-hosted runners).`, { cause: error, retriable: true });
    return use(undefined);
  }
  try {
    return await use(createTopicAdmin(admin));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

