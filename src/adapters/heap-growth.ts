import { setFlagsFromString } from 'node:v8';

/*
 * V8 lets its old space grow to up to four times the heap still in use after a full collection
 * before it collects again, sized from the machine's memory: a long flow run's peak RSS then
 * follows V8's laziness, not what the flow holds (about 290 MiB at 1M events against 50 MiB in
 * use). A batch job is better served by a heap that stays near what it holds.
 */

/**
 * How far the old space may grow past the heap in use after a full collection, in percent. In
 * `npm run bench:flow`'s setting (15 runs of 1M events, alternated with V8's own growth), 50
 * took the peak RSS from about 290 MiB to 205 for 5–10% of the throughput (more collections);
 * 20 saved another 10 MiB for 14%; 100 peaked about 15 MiB higher than 50 for about the same cost.
 */
export const HEAP_GROWING_PERCENT = 50;

/** The V8 flag that sets it, unless the process was started with its own (`node --heap-growing-percent=N`). */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  return execArgv.some((argument) => /^--heap[-_]growing[-_]percent(=|$)/.test(argument)) ? undefined : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/**
 * Keeps this process's heap near what it holds, for every thread (V8 flags are the process's;
 * V8 reads this one at each full collection, so setting it after start-up takes effect).
 */
export function keepHeapNearUse(): void {
  const flag = heapGrowthFlag(process.execArgv);
  if (flag) setFlagsFromString(flag);
}
