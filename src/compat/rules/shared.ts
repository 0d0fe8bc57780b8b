import { enumValues, keyword, typesOf, type JsonType, type SchemaNode } from '../model.js';
import type { CompatRule, Pair, RuleContext } from '../walk.js';

/** Whether the writer admits values of this JSON type (integers count as numbers). */
export function admits(node: SchemaNode, type: JsonType): boolean {
  return typesOf(node).has(type);
}

/** With an enum/const the writer's values are a finite list: the enum rule decides exactly. */
export function hasEnum(node: SchemaNode): boolean {
  return enumValues(node) !== undefined;
}

/** A closed or half-open interval of numbers; undefined ends are unbounded. */
export interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
}

/** The tighter of an inclusive and an exclusive bound keyword (draft-07 and 2020-12 numeric forms). */
export function lowerBound(node: SchemaNode, inclusive: string, exclusive: string, integers: boolean): Bound | undefined {
  return tighter(node, inclusive, exclusive, integers, 'lower');
}
export function upperBound(node: SchemaNode, inclusive: string, exclusive: string, integers: boolean): Bound | undefined {
  return tighter(node, inclusive, exclusive, integers, 'upper');
}

function tighter(node: SchemaNode, inclusiveName: string, exclusiveName: string, integers: boolean, side: 'lower' | 'upper'): Bound | undefined {
  const candidates: Bound[] = [];
  const inclusive = keyword(node, inclusiveName);
  const exclusive = keyword(node, exclusiveName);
  if (typeof inclusive === 'number') candidates.push({ value: inclusive, exclusive: false });
  if (typeof exclusive === 'number') candidates.push({ value: exclusive, exclusive: true });
  const normalised = candidates.map((bound) => (integers ? toIntegerBound(bound, side) : bound));
  if (normalised.length === 0) return undefined;
  return normalised.reduce((best, bound) => (side === 'lower' ? (compareLower(bound, best) > 0 ? bound : best) : compareUpper(bound, best) < 0 ? bound : best));
}

/** On integers, every bound is an inclusive integer: exclusiveMinimum 0 is minimum 1. */
function toIntegerBound(bound: Bound, side: 'lower' | 'upper'): Bound {
  if (side === 'lower') return { value: bound.exclusive ? Math.floor(bound.value) + 1 : Math.ceil(bound.value), exclusive: false };
  return { value: bound.exclusive ? Math.ceil(bound.value) - 1 : Math.floor(bound.value), exclusive: false };
}

/** > 0 when lower bound a is tighter (higher) than b. */
function compareLower(a: Bound, b: Bound): number {
  return a.value !== b.value ? a.value - b.value : Number(a.exclusive) - Number(b.exclusive);
}
/** < 0 when upper bound a is tighter (lower) than b. */
function compareUpper(a: Bound, b: Bound): number {
  return a.value !== b.value ? a.value - b.value : Number(b.exclusive) - Number(a.exclusive);
}

/** Whether the writer's range [wLow, wHigh] lies within the reader's. */
export function rangeContained(writer: { low?: Bound; high?: Bound }, reader: { low?: Bound; high?: Bound }): boolean {
  const lowOk = !reader.low || (writer.low !== undefined && compareLower(writer.low, reader.low) >= 0);
  const highOk = !reader.high || (writer.high !== undefined && compareUpper(writer.high, reader.high) <= 0);
  return lowOk && highOk;
}

export function describeRange(range: { low?: Bound; high?: Bound }, unit = ''): string {
  const low = range.low ? `${range.low.exclusive ? '>' : '≥'} ${range.low.value}${unit}` : undefined;
  const high = range.high ? `${range.high.exclusive ? '<' : '≤'} ${range.high.value}${unit}` : undefined;
  return [low, high].filter(Boolean).join(' and ') || 'any';
}

/** Integer count bounds such as minLength/maxLength, as a range. */
export function countRange(node: SchemaNode, min: string, max: string): { low?: Bound; high?: Bound } {
  const low = keyword(node, min);
  const high = keyword(node, max);
  return {
    ...(typeof low === 'number' && low > 0 ? { low: { value: low, exclusive: false } } : {}),
    ...(typeof high === 'number' ? { high: { value: high, exclusive: false } } : {}),
  };
}

/**
 * Whether every multiple of `step` is one of `divisor`, as ajv decides multiples (isMultipleOf),
 * without trying values: the same step; integer steps one of which divides the other; or a step
 * that is exactly the divisor times a power of two, as 0.5 is 0.25 × 2 (scaling by a power of
 * two is exact in floating point, so the quotient stays an integer). 0.01 and 0.001 are not:
 * 0.35 / 0.01 is 35 but 0.35 / 0.001 is 349.99999999999994.
 */
export function stepImplies(step: number, divisor: number): boolean {
  if (step === divisor) return true;
  if (Number.isSafeInteger(step) && Number.isSafeInteger(divisor) && divisor !== 0) return step % divisor === 0;
  const ratio = step / divisor;
  return ratio >= 1 && Number.isInteger(Math.log2(ratio)) && divisor * ratio === step;
}

/**
 * A rule for a pair of count keywords (minLength/maxLength, minItems/maxItems,
 * minProperties/maxProperties): the writer's range must lie within the reader's.
 */
export function createCountRule(spec: {
  readonly name: string;
  readonly code: 'LENGTH_NARROWED' | 'ITEMS_COUNT_NARROWED' | 'PROPERTY_COUNT_NARROWED';
  readonly type: JsonType;
  readonly min: string;
  readonly max: string;
  /** How counts read in messages: "strings of length ≥ 2", "arrays of ≤ 3 items". */
  readonly describe: (range: string) => string;
  readonly unit?: string;
  /** A second, exact look when the ranges alone say no (e.g. a writer pattern that implies a length). */
  readonly contained?: (pair: Pair, reader: { low?: Bound; high?: Bound }, writer: { low?: Bound; high?: Bound }, context: RuleContext) => boolean;
  /** Values to try as an example, given the pair. */
  readonly candidates: (pair: Pair, context: RuleContext, bounds: ReadonlyArray<Bound | undefined>) => Iterable<unknown>;
}): CompatRule {
  return {
    name: spec.name,
    check(pair, context) {
      if (hasEnum(pair.writer) || !admits(pair.writer, spec.type)) return;
      const writer = countRange(pair.writer, spec.min, spec.max);
      const reader = countRange(pair.reader, spec.min, spec.max);
      if (rangeContained(writer, reader) || spec.contained?.(pair, reader, writer, context)) return;
      context.report({
        code: spec.code,
        ...pair,
        detail: `{writer} allows ${spec.describe(describeRange(writer, spec.unit))} but {reader} only ${describeRange(reader, spec.unit)}`,
        witness: () => context.findLeaf(pair, spec.candidates(pair, context, [writer.low, writer.high, reader.low, reader.high])),
      });
    },
  };
}
