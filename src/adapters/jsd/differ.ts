import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
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
 * json-schema-diff in worker threads (one per core by default) with a per-pair time limit: its
 * cost explodes on large unions (compat.md §4), so a pair that takes longer than `timeoutMs` is
 * abandoned, its worker terminated and a fresh one started for the next pair.
 */
export function createJsdDiffer(options: { timeoutMs?: number; workers?: number } = {}): SchemaDiffer {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const size = Math.max(1, options.workers ?? availableParallelism());
  const module = require.resolve('json-schema-diff');
  const slots: Array<Worker | undefined> = Array.from({ length: size }, () => undefined);
  const idle: number[] = slots.map((_, index) => index);
  const waiting: Array<(slot: number) => void> = [];
  let nextId = 0;
  const pending = new Map<number, (outcome: SchemaDiffOutcome) => void>();

  const start = (slot: number): Worker => {
    const created = new Worker(WORKER_SOURCE, { eval: true, workerData: { module } });
    created.on('message', (message: SchemaDiffOutcome & { id: number }) => {
      const { id, ...outcome } = message;
      pending.get(id)?.(outcome);
      pending.delete(id);
    });
    created.on('error', () => {
      if (slots[slot] === created) slots[slot] = undefined;
    });
    created.unref();
    slots[slot] = created;
    return created;
  };
  const acquire = (): Promise<number> => {
    const slot = idle.pop();
    return slot !== undefined ? Promise.resolve(slot) : new Promise((resolve) => waiting.push(resolve));
  };
  const release = (slot: number): void => {
    const next = waiting.shift();
    if (next) next(slot);
    else idle.push(slot);
  };

  return {
    async diff(source, destination) {
      const slot = await acquire();
      const current = slots[slot] ?? start(slot);
      nextId += 1;
      const id = nextId;
      const outcome = await new Promise<SchemaDiffOutcome>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          void current.terminate();
          if (slots[slot] === current) slots[slot] = undefined;
          resolve({ status: 'timeout' });
        }, timeoutMs);
        pending.set(id, (result) => {
          clearTimeout(timer);
          resolve(result);
        });
        current.once('exit', () => {
          if (!pending.has(id)) return;
          pending.delete(id);
          clearTimeout(timer);
          resolve({ status: 'failed', reason: 'the json-schema-diff worker exited' });
        });
        current.postMessage({ id, source, destination });
      });
      release(slot);
      return outcome;
    },
    async close() {
      const running = slots.filter((worker): worker is Worker => worker !== undefined);
      slots.fill(undefined);
      await Promise.all(running.map((worker) => worker.terminate()));
    },
  };
}
