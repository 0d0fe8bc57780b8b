import { enumValues, jsonEqual, typesOf, without, type SchemaNode } from '../model.js';
import { generateValue, numberCandidates, stringCandidates } from '../generate.js';
import { truncate, type CompatRule } from '../walk.js';
import { canonicalize } from '../../domain/canonical-json.js';
import { hasEnum } from './shared.js';

/**
 * enum / const. A writer with an enum has finitely many values: each one the writer accepts
 * must be accepted by the reader, which is decided exactly. A reader that adds an enum to a
 * writer without one rejects all but finitely many values (unless the writer only has null and
 * booleans).
 */
export const enumRule: CompatRule = {
  name: 'enum',
  check(pair, context) {
    const writerValues = enumValues(pair.writer);
    const readerValues = enumValues(pair.reader);
    if (writerValues) {
      // A large enum is split: its values as a set, and the node without it validated per value.
      // Validating each value against the whole node scans the enum each time (ajv checks an enum
      // value by value): 80,000 names were 6.4 billion comparisons.
      const writer = split(pair.writer);
      const reader = split(pair.reader);
      const inReader = (value: unknown): boolean => (reader ? reader.values.has(canonicalize(value)) : readerValues?.some((candidate) => jsonEqual(candidate, value)) === true);
      const writerList = truncate(writerValues);
      const readerList = truncate(readerValues);
      const reported = new Set<string>();
      for (const value of writerValues) {
        if (reported.size === 2) break;
        // The writer's own enum holds the value: only its other keywords can reject it.
        if (!context.validators.valid(writer ? writer.rest : pair.writer, value)) continue;
        if (reader ? inReader(value) && context.validators.valid(reader.rest, value) : context.validators.valid(pair.reader, value)) continue;
        const removed = readerValues !== undefined && !inReader(value);
        const code = removed ? 'ENUM_VALUE_REMOVED' : 'VALUE_REJECTED';
        // One finding of a code per place: the engine keeps the first, and building one checks its example against both versions.
        if (reported.has(code)) continue;
        reported.add(code);
        context.report({
          code,
          ...pair,
          detail: removed ? `{writer} allows ${truncate(value)} (${writerList}) but {reader} allows only ${readerList}` : `{writer} allows ${truncate(value)} but {reader} rejects it`,
          leaf: value,
        });
      }
      return;
    }
    if (!readerValues || hasEnum(pair.writer)) return;
    const finite = [...typesOf(pair.writer)].every((type) => type === 'null' || type === 'boolean');
    const candidates = finite ? [null, true, false] : [generateValue(pair.writer, context.validators), ...stringCandidates([pair.writer]), ...numberCandidates([pair.writer]), null, true, false, {}, []];
    const leaf = context.findLeaf(pair, candidates);
    if (finite && leaf === undefined) return;
    context.report({
      code: 'ENUM_ADDED',
      ...pair,
      detail: `{reader} allows only ${truncate(readerValues)} where {writer} had no such list`,
      ...(leaf !== undefined ? { leaf } : {}),
    });
  },
};

/** Enums up to this size are checked against the whole node, as any keyword is. */
const SPLIT_FROM = 32;

/** A node's own large `enum` (no `const` beside it) as a set of canonical values (RFC 8785: equal values, jsonEqual, give equal text), and the node without it. */
function split(node: SchemaNode): { readonly values: ReadonlySet<string>; readonly rest: SchemaNode } | undefined {
  if (typeof node.schema === 'boolean' || 'const' in node.schema || !Array.isArray(node.schema.enum) || node.schema.enum.length < SPLIT_FROM) return undefined;
  return { values: new Set(node.schema.enum.map((value) => canonicalize(value))), rest: without(node, 'enum') };
}
