import { randomBytes } from 'node:crypto';

/**
 * A name no other test or run uses: test files run in parallel against one broker and one
 * emulator. Lowercase letters, digits and dashes, valid as a Kafka topic, consumer group and
 * GCS bucket name (3–63 characters).
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 63);
}
