/**
 * A deterministic bound on work done for hostile input (DESIGN.md §10: pull-request content is
 * hostile). Work is counted in units where it is done, never in time, so the same input stops
 * at the same place on every machine: a verdict must not depend on how busy a CI runner is.
 *
 * The spend that passes the limit throws {@link WorkBudgetExceeded}. The owner of a budget
 * catches it at its own boundary and turns it into data (a finding, a skipped comparison): it is
 * control flow, never an error of the run, and never leaves the module that created the budget.
 */
export interface WorkBudget<Kind extends string = string> {
  readonly limit: number;
  /** Units spent so far, by kind of work. */
  readonly spent: Readonly<Partial<Record<Kind, number>>>;
  /** All units spent so far. */
  readonly total: number;
  /** Spends `units` of `kind`; throws WorkBudgetExceeded when the total passes the limit. */
  spend(kind: Kind, units: number): void;
}

/** Thrown by {@link WorkBudget.spend} once the limit is passed; see WorkBudget. */
export class WorkBudgetExceeded extends Error {
  constructor(
    readonly limit: number,
    /** The kind of work whose spend passed the limit. */
    readonly kind: string,
  ) {
    super(`more than ${limit} units of work (the last spent on ${kind})`);
    this.name = 'WorkBudgetExceeded';
  }
}

/** A budget of `limit` units. Spending stays refused once it has been exceeded. */
export function createWorkBudget<Kind extends string = string>(limit: number): WorkBudget<Kind> {
  return new CountedBudget<Kind>(limit);
}

/** A WorkBudget; a class, so the engine, which makes one per comparison, builds it cheaply. */
export class CountedBudget<Kind extends string = string> implements WorkBudget<Kind> {
  readonly spent: Partial<Record<Kind, number>> = {};
  #total = 0;

  constructor(readonly limit: number) {}

  get total(): number {
    return this.#total;
  }

  spend(kind: Kind, units: number): void {
    this.spent[kind] = (this.spent[kind] ?? 0) + units;
    this.#total += units;
    if (this.#total > this.limit) throw new WorkBudgetExceeded(this.limit, kind);
  }
}
