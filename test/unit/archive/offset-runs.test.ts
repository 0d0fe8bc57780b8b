import { describe, expect, it } from 'vitest';
import { absent, OffsetRuns, overlaps, runsOf, union, type Runs } from '../../../src/archive/offset-runs.js';

const pairs = (runs: Runs): Array<[bigint, bigint]> => Array.from({ length: runs.length }, (_, index) => [runs.from[index] as bigint, runs.to[index] as bigint]);

/** Ranges of the sorted, distinct numbers. */
function rangesOf(numbers: readonly number[]): Array<[bigint, bigint]> {
  const result: Array<[bigint, bigint]> = [];
  for (const number of numbers) {
    const last = result.at(-1);
    if (last && BigInt(number) === last[1] + 1n) last[1] = BigInt(number);
    else result.push([BigInt(number), BigInt(number)]);
  }
  return result;
}

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('offset runs (lake audit)', () => {
  it('keeps consecutive offsets as one run, whatever their number', () => {
    const runs = new OffsetRuns();
    for (let offset = 0n; offset < 100_000n; offset += 1n) runs.add(offset);
    runs.add(200_000n);
    runs.add(200_001n);
    expect(runs.length).toBe(2);
    expect(pairs(runs.sorted())).toEqual([
      [0n, 99_999n],
      [200_000n, 200_001n],
    ]);
  });

  it('finds the offsets held twice, the offsets held, and those missing from a range', () => {
    const runs = new OffsetRuns();
    for (const offset of [10n, 11n, 12n, 0n, 1n, 2n, 3n, 11n, 12n, 13n, 20n, 5n, 5n]) runs.add(offset);
    const sorted = runs.sorted();
    expect(overlaps(sorted)).toEqual([
      [5n, 5n],
      [11n, 12n],
    ]);
    const held = union(sorted);
    expect(pairs(held)).toEqual([
      [0n, 3n],
      [5n, 5n],
      [10n, 13n],
      [20n, 20n],
    ]);
    expect(absent(held, 0n, 25n)).toEqual([
      [4n, 4n],
      [6n, 9n],
      [14n, 19n],
      [21n, 25n],
    ]);
    expect(absent(held, 11n, 12n)).toEqual([]);
    expect(absent(held, 12n, 16n)).toEqual([[14n, 16n]]);
    expect(absent(union(new OffsetRuns().sorted()), 3n, 4n)).toEqual([[3n, 4n]]);
  });

  it('merges ranges that touch or overlap, a run inside another included', () => {
    expect(pairs(union(runsOf([{ from: 5n, to: 9n }, { from: 0n, to: 20n }, { from: 21n, to: 22n }, { from: 30n, to: 31n }])))).toEqual([
      [0n, 22n],
      [30n, 31n],
    ]);
    expect(overlaps(runsOf([{ from: 0n, to: 20n }, { from: 5n, to: 9n }, { from: 8n, to: 12n }]))).toEqual([[5n, 12n]]);
  });

  it('refuses what is no range of Kafka offsets rather than let a 64-bit array wrap it', () => {
    const runs = new OffsetRuns();
    runs.add(4n);
    expect(() => runs.addRange(5n, 3n)).toThrow(RangeError);
    expect(() => runs.add(1n << 63n)).toThrow('offsets 9223372036854775808–9223372036854775808 are no range of Kafka offsets');
    expect(() => runs.add(-1n)).toThrow(RangeError);
    runs.add((1n << 63n) - 1n);
    expect(pairs(runs.sorted())).toEqual([
      [4n, 4n],
      [(1n << 63n) - 1n, (1n << 63n) - 1n],
    ]);
  });

  it('agrees with counting each offset, on random offsets in random order', () => {
    const next = random(7);
    for (let round = 0; round < 200; round += 1) {
      const offsets = Array.from({ length: Math.floor(next() * 60) }, () => Math.floor(next() * 50));
      const runs = new OffsetRuns();
      for (const offset of offsets) runs.add(BigInt(offset));
      const counts = new Map<number, number>();
      for (const offset of offsets) counts.set(offset, (counts.get(offset) ?? 0) + 1);
      const distinct = [...counts.keys()].sort((a, b) => a - b);
      const sorted = runs.sorted();
      expect(overlaps(sorted)).toEqual(rangesOf(distinct.filter((offset) => (counts.get(offset) ?? 0) > 1)));
      const held = union(sorted);
      expect(pairs(held)).toEqual(rangesOf(distinct));
      const from = Math.floor(next() * 50);
      const to = from + Math.floor(next() * 20);
      expect(absent(held, BigInt(from), BigInt(to))).toEqual(rangesOf(Array.from({ length: to - from + 1 }, (_, index) => from + index).filter((offset) => !counts.has(offset))));
    }
  });
});
