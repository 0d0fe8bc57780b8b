import { CountedBudget } from '../domain/work-budget.js';
import type { SchemaNode } from './model.js';

/**
 * The work one comparison may do: a new version against one earlier version, every direction
 * its mode checks, examples included (engine.ts). A version file may be 1 MiB and is hostile
 * input, and the engine's work is not bounded by its size: unions compared branch by branch,
 * references that fan out (a definition using the one before it twice is 2^N paths), a large
 * enum narrowed in thousands of places, required objects nested in arrays of large minItems
 * (one example event of 1000^N values). Counting units, not time, keeps the verdict the same
 * on every machine. jsd-form.ts bounds the json-schema-diff form the same way.
 */
export type CompatWork =
  /** A pair of subschemas compared by the rule walk (walk.ts). */
  | 'compare'
  /** A step of the DEFAULT policy's structural walk (policy.ts). */
  | 'structure'
  /** A schema merged, reference followed or value compared (one more per 64 characters of its text) while folding allOf (merge-all-of.ts). */
  | 'fold'
  /** A JSON value of an example checked, or a value of the subschema it is checked against (validators.ts). */
  | 'validate'
  /** A value of a subschema compiled by ajv, the first time a comparison checks a value against it (validators.ts). */
  | 'compile'
  /** An automaton state built or used to compare two patterns (regex.ts). */
  | 'pattern';

/**
 * What one step of each kind costs, in units of about one value checked by ajv (0.1 to 0.5 µs
 * on the 2-core development machine): measured on the hostile versions of the README, so that a
 * budget stops each of them after about as long.
 */
export const WORK_UNITS: Readonly<Record<CompatWork, number>> = { compare: 100, structure: 10, fold: 3, validate: 1, compile: 100, pattern: 15 };

/**
 * Units a comparison may spend. The 2,000-subject benchmark catalog spends at most a few
 * thousand per pair, and a version of 10,000 properties about 2 million; at this limit a
 * comparison stops after 2 to 10 seconds (README, Known limits).
 */
export const COMPARISON_BUDGET = 20_000_000;

/**
 * A comparison's budget: `spend(kind, steps)` counts steps of work, each WORK_UNITS[kind] units
 * of the limit. It also remembers the place the walks have reached (`at`), for the finding that
 * reports it: kept in fields, as the walks note it at every step.
 */
export class ComparisonBudget extends CountedBudget<CompatWork> {
  /** The data path reached; undefined before any walk has begun. */
  dataPath: readonly string[] | undefined;
  #first: SchemaNode | undefined;
  #second: SchemaNode | undefined;

  constructor(limit = COMPARISON_BUDGET) {
    super(limit);
  }

  override spend(kind: CompatWork, steps: number): void {
    super.spend(kind, steps * WORK_UNITS[kind]);
  }

  /** Notes the place reached: a data path, and the two nodes compared there. */
  at(dataPath: readonly string[], first: SchemaNode, second: SchemaNode): void {
    this.dataPath = dataPath;
    this.#first = first;
    this.#second = second;
  }

  /** The node of the place reached that is in `document`, if one is. */
  nodeIn(document: SchemaNode['document']): SchemaNode | undefined {
    return [this.#first, this.#second].find((node) => node?.document === document);
  }
}

/** The work that ran out of budget, in a finding's words ("it stopped at /a, …"). */
export const WORK_DESCRIPTIONS: Readonly<Record<CompatWork, string>> = {
  compare: 'comparing pairs of subschemas (union branches, references and properties multiply them)',
  structure: 'looking for removed properties and type changes (union branches and references multiply the places)',
  fold: 'folding allOf branches and the references in them into one schema',
  validate: 'building and checking example values (required properties and minItems make them large)',
  compile: 'compiling subschemas to check example values against (a reference counts at each use, so a definition used many times over weighs as much)',
  pattern: 'building automata to compare patterns (each distinct pattern and length range is an automaton of up to 20,000 states)',
};
