/**
 * Orders strings by UTF-16 code unit, the order of `<` and of `Array#sort()` without a
 * comparator. Everything that must come out the same on every machine sorts with this: IDs
 * (DESIGN.md §4: within a commit by subject name, "the same everywhere"), manifests
 * (byte-identical builds), topic plans, findings and review comments. `localeCompare` would not
 * do: its order follows the process locale (`aa` sorts after `b` in Danish, `a` before `B` in
 * English), so one commit could get different IDs on two runners.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
