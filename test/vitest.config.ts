import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` needs no services; `integration` talks to a real Kafka broker and GCS
 * emulator that its global setup starts once per run (or reuses when SCHEMAFLOW_KAFKA_BROKERS and
 * SCHEMAFLOW_GCS_ENDPOINT name running ones).
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    // 2 cores: one worker per core keeps the broker responsive.
    maxWorkers: 2,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    // Every temporary directory of a run lives in one, removed after it (see temp-root.ts).
    // The action bundles run on the Node.js their action.yml names (see action-runtime.ts).
    globalSetup: ['test/support/temp-root.ts', 'test/support/action-runtime.ts'],
    projects: [
      {
        extends: true,
        // CLI tests spawn the built CLI; beside the integration files' broker and runs, 5 s is too tight.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
