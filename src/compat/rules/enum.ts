import { enumValues, jsonEqual, typesOf } from '../model.js';
import { generateValue, numberCandidates, stringCandidates } from '../generate.js';
import { truncate, type CompatRule } from '../walk.js';
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
      for (const value of writerValues) {
        if (!context.validators.valid(pair.writer, value) || context.validators.valid(pair.reader, value)) continue;
        const removed = readerValues !== undefined && !readerValues.some((candidate) => jsonEqual(candidate, value));
        context.report({
          code: removed ? 'ENUM_VALUE_REMOVED' : 'VALUE_REJECTED',
          ...pair,
          detail: removed
            ? `{writer} allows ${truncate(value)} (${truncate(writerValues)}) but {reader} allows only ${truncate(readerValues)}`
            : `{writer} allows ${truncate(value)} but {reader} rejects it`,
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
