import { mergeSchemas, mergeWithBranches } from '../../catalog/merge-all-of.js';
import { isSchemaObject } from '../../catalog/schema-walk.js';
import { child, enumValues, has, inEnum, keyword, schemaIn, syntheticNode, typesOf, without, type SchemaNode } from '../model.js';
import { evaluatingApplicators, generateValue } from '../generate.js';
import type { CompatRule, Pair, RuleContext } from '../walk.js';
import { searchWitness } from './witness.js';

/** The const a branch gives a property (its discriminator value), if any. */
function discriminator(node: SchemaNode, name: string): unknown[] | undefined {
  const properties = keyword(node, 'properties');
  if (!isSchemaObject(properties) || !isSchemaObject(properties[name])) return undefined;
  return enumValues(child(node, 'properties', name)) as unknown[] | undefined;
}

/** A property every branch pins to constants: a tagged union's tag. */
function tagOf(branches: readonly SchemaNode[], writer: SchemaNode): string | undefined {
  const properties = keyword(writer, 'properties');
  if (!isSchemaObject(properties)) return undefined;
  return Object.keys(properties).find((name) => discriminator(writer, name) !== undefined && branches.every((branch) => discriminator(branch, name) !== undefined));
}

function coveringBranch(pair: Pair, context: RuleContext, branches: readonly SchemaNode[]): { covered: boolean; trials: ReturnType<RuleContext['trial']> } {
  const tag = tagOf(branches, pair.writer);
  const writerTag = (tag === undefined ? undefined : discriminator(pair.writer, tag)) ?? [];
  const candidates = tag === undefined ? branches : branches.filter((branch) => (discriminator(branch, tag) ?? []).some((value) => inEnum(writerTag, value)));
  const trials: ReturnType<RuleContext['trial']> = [];
  for (const branch of candidates) {
    const reasons = context.trial(branch, pair.writer);
    if (reasons.length === 0) return { covered: true, trials };
    trials.push(...reasons);
  }
  return { covered: false, trials };
}

/**
 * anyOf / oneOf on the reader. Every writer value (writer unions were split into branches
 * before) must match a reader branch — matched by a tag property's const when the branches
 * have one, else by trying each. For oneOf it must match only one: a value the writer allows
 * in two overlapping reader branches is rejected (adding an overlapping branch breaks old data).
 */
export const unionRule: CompatRule = {
  name: 'union',
  check(pair, context) {
    for (const union of ['anyOf', 'oneOf'] as const) {
      const raw = keyword(pair.reader, union);
      if (!Array.isArray(raw)) continue;
      const branches = readerBranches(pair, union, context);
      if (branches === undefined) {
        context.report({ code: 'COMPAT_UNDECIDED', ...pair, detail: `the branches of the ${union} of {reader} cannot be combined with its unevaluatedProperties/Items and other keywords, so which properties or items those govern cannot be decided`, undecided: true });
        continue;
      }
      // A writer of several types (`type: [string, integer]`) may be covered type by type.
      const types = [...typesOf(pair.writer)].filter((type) => !(type === 'integer' && typesOf(pair.writer).has('number')));
      const writerSchema = pair.writer.schema;
      const parts = types.length > 1 && typeof writerSchema === 'object' ? types.map((type) => syntheticNode(pair.writer, { ...writerSchema, type }, '')) : [pair.writer];
      const results = parts.map((part) => coveringBranch({ ...pair, writer: part }, context, branches));
      const covered = results.every((result) => result.covered);
      const trials = results.flatMap((result) => result.trials);
      if (!covered) {
        const leaf = searchWitness(pair, context, trials);
        context.report(
          leaf !== undefined || trials.every((reason) => !reason.undecided)
            ? { code: 'UNION_NOT_COVERED', ...pair, detail: `{writer} allows values that match none of the ${branches.length} branches of the ${union} of {reader}`, ...(leaf !== undefined ? { leaf } : {}) }
            : { code: 'COMPAT_UNDECIDED', ...pair, detail: `whether every value of {writer} matches a branch of the ${union} of {reader} cannot be decided`, undecided: true },
        );
      }
      if (union === 'oneOf') checkOverlaps(pair, context, branches);
    }
  },
};

/**
 * The reader's branches as a value matching them is read. When the reader's own
 * unevaluatedProperties/Items depend on what a branch evaluates, each branch is compared with
 * the reader's other keywords folded in (mergeWithBranches: unevaluated* then sees that branch),
 * which is exact for a value that matches the branch. Undefined when a branch cannot be folded.
 */
function readerBranches(pair: Pair, union: 'anyOf' | 'oneOf', context: RuleContext): SchemaNode[] | undefined {
  const raw = keyword(pair.reader, union) as unknown[];
  const plain = raw.map((_, index) => child(pair.reader, union, String(index)));
  const depends = (['unevaluatedProperties', 'unevaluatedItems'] as const).some((name) => has(pair.reader, name) && evaluatingApplicators(pair.reader, name).includes(union));
  const rest = without(pair.reader, union).schema;
  if (!depends || typeof rest !== 'object') return plain;
  const folded: SchemaNode[] = [];
  for (const [index, branch] of raw.entries()) {
    const merged = mergeWithBranches(rest, [branch], context.resolveFrom(pair.reader), context.budget);
    if (merged === undefined) return undefined;
    folded.push(syntheticNode(pair.reader, merged, `/${union}/${index}`));
  }
  return folded;
}

function checkOverlaps(pair: Pair, context: RuleContext, branches: readonly SchemaNode[]): void {
  for (let first = 0; first < branches.length; first += 1) {
    for (let second = first + 1; second < branches.length; second += 1) {
      const left = branches[first] as SchemaNode;
      const right = branches[second] as SchemaNode;
      // Branches that exclude each other (different tags) never overlap, whatever the writer.
      if (mergeSchemas([left.schema, right.schema], context.resolveFrom(pair.reader), context.budget) === false) continue;
      // Only writer values can break: the overlap that matters is writer ∩ left ∩ right.
      const writer = schemaIn(pair.writer, pair.reader.document);
      const merged = writer === undefined ? undefined : mergeSchemas([writer, left.schema, right.schema], context.resolveFrom(pair.reader), context.budget);
      if (merged === false) continue;
      const both = merged === undefined ? undefined : syntheticNode(pair.reader, merged, `/oneOf/${first}+${second}`);
      const candidate = both ? generateValue(both, context.validators) : undefined;
      const leaf = candidate !== undefined && context.validators.valid(left, candidate) && context.validators.valid(right, candidate) ? context.findLeaf(pair, [candidate]) : undefined;
      if (leaf !== undefined) {
        context.report({ code: 'ONE_OF_OVERLAP', ...pair, detail: `{writer} allows values that match both branch ${first} and branch ${second} of the oneOf of {reader}, which then rejects them`, leaf });
      } else if (merged === undefined || candidate === undefined) {
        context.report({ code: 'COMPAT_UNDECIDED', ...pair, detail: `whether branches ${first} and ${second} of the oneOf of {reader} overlap on values of {writer} cannot be decided`, undecided: true });
      }
    }
  }
}
