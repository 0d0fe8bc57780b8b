import { Worker } from 'node:worker_threads';
import { PatternTimeoutError, SchemaflowError } from '../domain/errors.js';
import type { PatternMatcher, UntrustedPatterns } from '../ports.js';

/**
 * The worker's code: one `test` per message, its answer written to the caller's shared cell
 * (1 match, 2 no match, 3 the pattern does not compile), then the microseconds the match took,
 * and the caller woken. Inline, so it runs the same from the build, the bundles and sources
 * under test.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const compiled = new Map();
const ready = new Int32Array(workerData.ready);
Atomics.store(ready, 0, 1);
Atomics.notify(ready, 0);
parentPort.on('message', ({ pattern, text, cell }) => {
  const answer = new Int32Array(cell);
  let result = 3;
  const started = performance.now();
  try {
    let regExp = compiled.get(pattern);
    if (regExp === undefined) {
      regExp = new RegExp(pattern, 'u');
      compiled.set(pattern, regExp);
    }
    result = regExp.test(text) ? 1 : 2;
  } catch {}
  Atomics.store(answer, 1, Math.min(2147483647, Math.round((performance.now() - started) * 1000)));
  Atomics.store(answer, 0, result);
  Atomics.notify(answer, 0);
});
`;

export interface PatternSandboxOptions {
  /** The longest one `test` may take. Default 1 s. */
  readonly callMs?: number;
  /** The longest all `test`s together may take. Default 15 s. */
  readonly budgetMs?: number;
}

/**
 * Runs patterns nobody proved safe (lookaround, backreferences, polynomial ones) in a worker
 * thread, each `test` synchronously within a time limit: the caller posts the text and waits on
 * a shared cell (Atomics.wait), so the compatibility engine, which is synchronous, keeps its
 * shape. A `test` past `callMs` terminates the worker (V8 interrupts a backtracking match) and
 * throws PatternTimeoutError; that pattern then throws at once, and once the matches together
 * have taken `budgetMs` every untrusted pattern does. The budget counts the matching the worker
 * measured, not the hand-over (about 30 µs a call, and more on a loaded machine, where the
 * caller waits to be scheduled): a catalog's ordinary values never come near it.
 */
export function createPatternSandbox(options: PatternSandboxOptions = {}): UntrustedPatterns {
  const callMs = options.callMs ?? 1_000;
  const budgetMs = options.budgetMs ?? 15_000;
  let worker: Worker | undefined;
  let spentMs = 0;
  const timedOut = new Set<string>();

  const test = (pattern: string, text: string): boolean => {
    if (timedOut.has(pattern)) throw new PatternTimeoutError(pattern, `it already took longer than ${callMs.toString()} ms on one value`);
    const remaining = budgetMs - spentMs;
    if (remaining <= 0) throw new PatternTimeoutError(pattern, `the check's ${(budgetMs / 1000).toString()} s for patterns not proved safe was spent on earlier values`);
    worker ??= startWorker();
    const cell = new SharedArrayBuffer(8);
    const answer = new Int32Array(cell);
    const started = performance.now();
    worker.postMessage({ pattern, text, cell });
    const waited = Atomics.wait(answer, 0, 0, Math.min(callMs, remaining));
    if (waited === 'timed-out') {
      spentMs += performance.now() - started;
      void worker.terminate();
      worker = undefined;
      if (remaining >= callMs) timedOut.add(pattern);
      throw new PatternTimeoutError(pattern, remaining >= callMs ? `it took longer than ${callMs.toString()} ms on one value of ${text.length.toString()} characters` : `the check's ${(budgetMs / 1000).toString()} s for patterns not proved safe ran out on it`);
    }
    spentMs += Atomics.load(answer, 1) / 1000;
    const result = Atomics.load(answer, 0);
    if (result === 3) throw new SyntaxError(`Invalid regular expression: /${pattern}/u`);
    return result === 1;
  };

  return (pattern: string): PatternMatcher => {
    // Syntax is checked here, where ajv expects a bad pattern to throw; only matching is sandboxed.
    new RegExp(pattern, 'u');
    return { test: (text: string) => test(pattern, text), toString: () => `sandboxed /${pattern}/u` };
  };
}

/** How long a worker may take to start, not counted against any pattern (a loaded runner is slow). */
const START_MS = 30_000;

/** A worker, started and waited for: its start-up (about 60 ms) is no pattern's time. */
function startWorker(): Worker {
  const ready = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ready } });
  // Idle, it must not keep the process alive; a worker that dies fails its next call by timeout.
  worker.unref();
  worker.on('error', () => undefined);
  if (Atomics.wait(new Int32Array(ready), 0, 0, START_MS) === 'timed-out') {
    void worker.terminate();
    throw new SchemaflowError('PATTERN_SANDBOX_UNAVAILABLE', `The thread that runs patterns the check could not analyse did not start within ${(START_MS / 1000).toString()} s; run the check again.`, { retriable: true });
  }
  return worker;
}
