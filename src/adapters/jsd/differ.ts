import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SchemaDiffOutcome, SchemaDiffer } from '../../ports.js';

const require = createRequire(import.meta.url);

/**
 * The worker's code: json-schema-diff (CommonJS) answering one pair per message. Inline, so it
 * runs the same from the build and from sources under test.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { diffSchemas } = require(workerData.module);
parentPort.on('message', async ({ id, source, destination }) => {
  try {
    const result = await diffSchemas({ sourceSchema: source, destinationSchema: destination });
    parentPort.postMessage({ id, status: 'done', removalsFound: result.removalsFound, additionsFound: result.additionsFound, removedSchema: result.removedJsonSchema, addedSchema: result.addedJsonSchema });
  } catch (error) {
    parentPort.postMessage({ id, status: 'failed', reason: String((error && error.message) || error) });
  }
});
`;

/**
 * json-schema-diff in a worker thread with a per-pair time limit: its cost explodes on large
 * unions (compat.md §4), so a pair that takes longer than `timeoutMs` is abandoned, the worker
 * terminated and a fresh one started for the next pair.
 */
export function createJsdDiffer(options: { timeoutMs?: number } = {}): SchemaDiffer {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const module = require.resolve('json-schema-diff');
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, (outcome: SchemaDiffOutcome) => void>();

  const start = (): Worker => {
    const created = new Worker(WORKER_SOURCE, { eval: true, workerData: { module } });
    created.on('message', (message: SchemaDiffOutcome & { id: number }) => {
      const { id, ...outcome } = message;
      pending.get(id)?.(outcome);
      pending.delete(id);
    });
    created.on('error', (error) => {
      for (const settle of pending.values()) settle({ status: 'failed', reason: error.message });
      pending.clear();
      worker = undefined;
    });
    created.unref();
    return created;
  };

  return {
    diff(source, destination) {
      worker ??= start();
      const current = worker;
      nextId += 1;
      const id = nextId;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          void current.terminate();
          if (worker === current) worker = undefined;
          resolve({ status: 'timeout' });
        }, timeoutMs);
        pending.set(id, (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        });
        current.postMessage({ id, source, destination });
      });
    },
    async close() {
      const current = worker;
      worker = undefined;
      if (current) await current.terminate();
    },
  };
}
