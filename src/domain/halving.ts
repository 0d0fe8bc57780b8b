/**
 * The largest n from `low` to `high` for which `fits(n)` holds, when it holds up to some n and
 * not past it (`low` when none does): found by halving, so a text cut to a budget is rendered
 * about log2(high - low) times, not once per row dropped.
 */
export function largestFitting(low: number, high: number, fits: (n: number) => boolean): number {
  let from = low;
  let to = high;
  while (from < to) {
    const middle = Math.ceil((from + to) / 2);
    if (fits(middle)) from = middle;
    else to = middle - 1;
  }
  return from;
}
