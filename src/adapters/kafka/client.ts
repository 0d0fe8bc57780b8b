import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import type { Config } from '../../config/resolve.js';
import { fixKafkaRequestQueue } from './request-queue-fix.js';

/** A kafkajs client from the connection settings (brokers, SASL, TLS). */
export function createKafkaClient(config: Pick<Config, 'kafkaBrokers' | 'kafkaSaslMechanism' | 'kafkaSaslUsername' | 'kafkaSaslPassword' | 'kafkaSsl'>, clientId: string): Kafka {
  const sasl: SASLOptions | undefined = config.kafkaSaslMechanism
    ? ({ mechanism: config.kafkaSaslMechanism, username: config.kafkaSaslUsername ?? '', password: config.kafkaSaslPassword ?? '' })
    : undefined;
  fixKafkaRequestQueue();
  return new Kafka({
    clientId,
    brokers: config.kafkaBrokers,
    ssl: config.kafkaSsl,
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 3 },
  });
}
