/**
 * The names closest to `given` (for "did you mean"): names containing it or contained in it
 * first, then by edit distance, at most `count` and only plausible ones (distance within half
 * the longer name).
 */
export function closestNames(names: readonly string[], given: string, count = 3): string[] {
  const target = given.toLowerCase();
  const scored = names.map((name) => {
    const lower = name.toLowerCase();
    const contains = lower.includes(target) || target.includes(lower);
    return { name, contains, distance: editDistance(lower, target) };
  });
  return scored
    .filter((entry) => entry.contains || entry.distance <= Math.max(entry.name.length, target.length) / 2)
    .sort((a, b) => Number(b.contains) - Number(a.contains) || a.distance - b.distance || (a.name < b.name ? -1 : 1))
    .slice(0, count)
    .map((entry) => entry.name);
}

/** Levenshtein distance, two rows of memory. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
