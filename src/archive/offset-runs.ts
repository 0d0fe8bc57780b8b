/**
 * The offsets a partition's objects hold, kept as runs of consecutive offsets, for `lake audit`:
 * an object of a unit holds a run or a few (a unit's records split by hour and version), so the
 * audit's memory follows the lake's objects, not its records. Pure.
 */

/** Kafka's offsets are signed 64-bit: the largest a partition can hold. */
const MAX_OFFSET = (1n << 63n) - 1n;

/** Why [from, to] is no range of Kafka offsets (before 0, past MAX_OFFSET, or backwards); undefined when it is one. */
export function rangeProblem(from: bigint, to: bigint): string | undefined {
  if (to > MAX_OFFSET) return `past the largest Kafka offset, ${MAX_OFFSET}`;
  if (from > to) return 'ending before it starts';
  return from < 0n ? 'before the first Kafka offset, 0' : undefined;
}

/** Inclusive runs of offsets, [from[i], to[i]]. */
export interface Runs {
  readonly from: BigInt64Array;
  readonly to: BigInt64Array;
  readonly length: number;
}

/** Offsets as they are read: each one extends the last run when it follows it, else starts a run. */
export class OffsetRuns implements Runs {
  from = new BigInt64Array(16);
  to = new BigInt64Array(16);
  length = 0;

  add(offset: bigint): void {
    this.addRange(offset, offset);
  }

  /** The offsets [from, to]: Kafka offsets, 0 ≤ from ≤ to < 2^63 (a BigInt64Array would wrap others). */
  addRange(from: bigint, to: bigint): void {
    const problem = rangeProblem(from, to);
    if (problem) throw new RangeError(`offsets ${from}–${to} are no range of Kafka offsets: ${problem}`);
    const last = this.length - 1;
    if (last >= 0 && this.to[last] === from - 1n) {
      this.to[last] = to;
      return;
    }
    if (this.length === this.from.length) {
      this.from = grown(this.from);
      this.to = grown(this.to);
    }
    this.from[this.length] = from;
    this.to[this.length] = to;
    this.length += 1;
  }

  /** The runs ordered by first offset (an offset read twice is in two runs). */
  sorted(): Runs {
    const order = Uint32Array.from({ length: this.length }, (_, index) => index).sort((a, b) => {
      const left = this.from[a] as bigint;
      const right = this.from[b] as bigint;
      return left < right ? -1 : left > right ? 1 : 0;
    });
    const from = new BigInt64Array(this.length);
    const to = new BigInt64Array(this.length);
    order.forEach((index, at) => {
      from[at] = this.from[index] as bigint;
      to[at] = this.to[index] as bigint;
    });
    return { from, to, length: this.length };
  }
}

function grown(array: BigInt64Array<ArrayBuffer>): BigInt64Array<ArrayBuffer> {
  const larger = new BigInt64Array(array.length * 2);
  larger.set(array);
  return larger;
}

/** The offsets of sorted runs held more than once, as ranges in ascending order. */
export function overlaps(runs: Runs): Array<[bigint, bigint]> {
  const result: Array<[bigint, bigint]> = [];
  let reach: bigint | undefined;
  for (let index = 0; index < runs.length; index += 1) {
    const from = runs.from[index] as bigint;
    const to = runs.to[index] as bigint;
    if (reach !== undefined && from <= reach) {
      const end = to < reach ? to : reach;
      const last = result.at(-1);
      if (last && from <= last[1] + 1n) last[1] = end > last[1] ? end : last[1];
      else result.push([from, end]);
    }
    reach = reach === undefined || to > reach ? to : reach;
  }
  return result;
}

/** Sorted runs merged where they overlap or touch: the offsets held, once each. */
export function union(runs: Runs): Runs {
  const from = new BigInt64Array(runs.length);
  const to = new BigInt64Array(runs.length);
  let length = 0;
  for (let index = 0; index < runs.length; index += 1) {
    const start = runs.from[index] as bigint;
    const end = runs.to[index] as bigint;
    if (length > 0 && start <= (to[length - 1] as bigint) + 1n) {
      if (end > (to[length - 1] as bigint)) to[length - 1] = end;
      continue;
    }
    from[length] = start;
    to[length] = end;
    length += 1;
  }
  return { from, to, length };
}

/** The ranges of [from, to] that merged runs (`union`) do not hold. */
export function absent(merged: Runs, from: bigint, to: bigint): Array<[bigint, bigint]> {
  let low = 0;
  let high = merged.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((merged.to[middle] as bigint) < from) low = middle + 1;
    else high = middle;
  }
  const result: Array<[bigint, bigint]> = [];
  let expected = from;
  for (let index = low; index < merged.length && expected <= to; index += 1) {
    const start = merged.from[index] as bigint;
    if (start > to) break;
    if (start > expected) result.push([expected, start - 1n]);
    const end = merged.to[index] as bigint;
    if (end >= expected) expected = end + 1n;
  }
  if (expected <= to) result.push([expected, to]);
  return result;
}

/** Ranges (inclusive) as sorted runs. */
export function runsOf(ranges: ReadonlyArray<{ readonly from: bigint; readonly to: bigint }>): Runs {
  const runs = new OffsetRuns();
  for (const { from, to } of ranges) runs.addRange(from, to);
  return runs.sorted();
}
