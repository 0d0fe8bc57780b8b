import { enumValues, inEnum, typesOf } from '../model.js';
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
      // Membership in a large enum is a set lookup (inEnum), for ajv too (validators.ts): checking
      // each value against the whole node no longer scans the enum each time.
      const inReader = (value: unknown): boolean => readerValues !== undefined && inEnum(readerValues, value);
      const reported = new Set<string>();
      // A reader without an enum can only reject values (VALUE_REJECTED): once that is reported,
      // the rest of a large enum has nothing more to say.
      const codes = readerValues === undefined ? 1 : 2;
      for (const value of writerValues) {
        if (reported.size === codes) break;
        // The writer's own enum holds the value: only its other keywords can reject it.
        if (!context.validators.valid(pair.writer, value)) continue;
        if (context.validators.valid(pair.reader, value)) continue;
        const removed = readerValues !== undefined && !inReader(value);
        const code = removed ? 'ENUM_VALUE_REMOVED' : 'VALUE_REJECTED';
        // One finding of a code per place: the engine keeps the first, and building one checks its example against both versions.
        if (reported.has(code)) continue;
        reported.add(code);
        context.report({
          code,
          ...pair,
          detail: removed ? `{writer} allows ${truncate(value)} (${truncate(writerValues)}) but {reader} allows only ${truncate(readerValues)}` : `{writer} allows ${truncate(value)} but {reader} rejects it`,
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
