import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SchemaDiffOutcome, SchemaDiffer } from '../../ports.js';

const require = createRequire(import.meta.url);

/**
 * The worker's code: json-schema-diff (CommonJS) answering one pair per message. Inline, so it
 * runs the same from the build and from sources under test.
 *
 * json-schema-diff hands each schema to @apidevtools/json-schema-ref-parser with no way to pass
 * options, and that parser reads any external \`$ref\` over HTTP or from a file. Nothing is ever
 * fetched (DESIGN.md §2), so before the first pair the parser's defaults are set to resolve no
 * external reference and to have neither resolver. The defaults object comes from the module
 * itself when bundled (the action's json-schema-diff.cjs exports it as refParserOptions), else
 * from the ref-parser json-schema-diff loaded from node_modules; a worker that finds neither
 * fails every pair (skipped), never diffs with the resolvers on.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { dirname } = require('node:path');
const jsd = require(workerData.module);
const { diffSchemas } = jsd;
const refParserOptions = jsd.refParserOptions || installedOptions();
function installedOptions() {
  const file = require.resolve('@apidevtools/json-schema-ref-parser/lib/options.js', { paths: [dirname(require.resolve('json-schema-ref-parser', { paths: [dirname(workerData.module)] }))] });
  // Only the copy json-schema-diff has loaded counts (a bundle carries its own).
  if (!require.cache[file]) throw new Error('json-schema-diff at ' + workerData.module + ' does not use ' + file + ', so its ref-parser cannot be kept offline; bundle it with refParserOptions (npm run bundle)');
  return require(file);
}
refParserOptions.defaults.resolve.external = false;
refParserOptions.defaults.resolve.file = false;
refParserOptions.defaults.resolve.http = false;
const queue = [];
let busy = false;
async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length > 0) {
    const { id, source, destination } = queue.shift();
    parentPort.postMessage({ id, started: true });
    try {
      const result = await diffSchemas({ sourceSchema: source, destinationSchema: destination });
      parentPort.postMessage({ id, status: 'done', removalsFound: result.removalsFound, additionsFound: result.additionsFound, removedSchema: result.removedJsonSchema, addedSchema: result.addedJsonSchema });
    } catch (error) {
      parentPort.postMessage({ id, status: 'failed', reason: String((error && error.message) || error) });
    }
  }
  busy = false;
}
parentPort.on('message', (job) => { queue.push(job); void drain(); });
`;

/**
 * json-schema-diff in worker threads (one per core by default) with a per-pair time limit: its
 * cost explodes on large unions (compat.md §4), so a pair that takes longer than `timeoutMs` is
 * abandoned, its worker terminated and a fresh one started for the next pair.
 */
export function createJsdDiffer(options: { timeoutMs?: number; workers?: number; module?: string } = {}): SchemaDiffer {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const size = Math.max(1, options.workers ?? availableParallelism());
  // A bundled action ships json-schema-diff as its own file next to the bundle.
  const module = options.module ?? require.resolve('json-schema-diff');

  interface Job {
    readonly id: number;
    readonly source: unknown;
    readonly destination: unknown;
    readonly settle: (outcome: SchemaDiffOutcome) => void;
    timer?: NodeJS.Timeout;
  }
  interface Slot {
    worker: Worker | undefined;
    /** Jobs posted to this worker and not answered yet, oldest first. */
    readonly jobs: Map<number, Job>;
  }
  const slots: Slot[] = Array.from({ length: size }, () => ({ worker: undefined, jobs: new Map() }));
  let nextId = 0;

  const start = (slot: Slot): Worker => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module } });
    worker.on('message', (message: (SchemaDiffOutcome & { id: number }) | { id: number; started: true }) => {
      const job = slot.jobs.get(message.id);
      if (!job) return;
      if ('started' in message) {
        // The time limit counts from when json-schema-diff starts on the pair, not from queueing.
        job.timer = setTimeout(() => timeOut(slot, worker, job), timeoutMs);
        return;
      }
      clearTimeout(job.timer);
      slot.jobs.delete(message.id);
      hold(slot);
      const { id: _id, ...outcome } = message;
      job.settle(outcome);
    });
    worker.on('error', (error) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      for (const job of slot.jobs.values()) {
        clearTimeout(job.timer);
        job.settle({ status: 'failed', reason: error.message });
      }
      slot.jobs.clear();
    });
    slot.worker = worker;
    return worker;
  };

  /** A stuck pair: give up on it, replace the worker and hand it the pairs still waiting. */
  const timeOut = (slot: Slot, worker: Worker, job: Job): void => {
    if (slot.worker !== worker) return;
    slot.jobs.delete(job.id);
    job.settle({ status: 'timeout' });
    slot.worker = undefined;
    void worker.terminate();
    const waiting = [...slot.jobs.values()];
    if (waiting.length === 0) return;
    const fresh = start(slot);
    hold(slot);
    for (const next of waiting) fresh.postMessage({ id: next.id, source: next.source, destination: next.destination });
  };

  // A worker keeps the process alive only while it has pairs: callers need not close() to exit.
  const hold = (slot: Slot): void => {
    if (slot.jobs.size > 0) slot.worker?.ref();
    else slot.worker?.unref();
  };

  return {
    // Posted at once (no await before postMessage): workers start while the caller keeps going.
    diff(source, destination) {
      const slot = slots.reduce((least, candidate) => (candidate.jobs.size < least.jobs.size ? candidate : least));
      const worker = slot.worker ?? start(slot);
      nextId += 1;
      const id = nextId;
      return new Promise<SchemaDiffOutcome>((settle) => {
        slot.jobs.set(id, { id, source, destination, settle });
        hold(slot);
        worker.postMessage({ id, source, destination });
      });
    },
    async close() {
      const running = slots.flatMap((slot) => (slot.worker ? [slot.worker] : []));
      for (const slot of slots) {
        slot.worker = undefined;
        for (const job of slot.jobs.values()) {
          clearTimeout(job.timer);
          job.settle({ status: 'failed', reason: 'closed' });
        }
        slot.jobs.clear();
      }
      await Promise.all(running.map((worker) => worker.terminate()));
    },
  };
}
