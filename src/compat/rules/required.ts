import { keyword } from '../model.js';
import { generateValue } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

const names = (value: unknown): string[] => (Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : []);

/** required: a property the reader requires must be one the writer requires too. */
export const requiredRule: CompatRule = {
  name: 'required',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'object')) return;
    const writerRequired = new Set(names(keyword(pair.writer, 'required')));
    const readerRequired = keyword(pair.reader, 'required');
    for (const name of names(readerRequired)) {
      if (writerRequired.has(name)) continue;
      const witness = (): unknown => {
        const base = generateValue(pair.writer, context.validators, 'object');
        if (base === null || typeof base !== 'object' || Array.isArray(base)) return undefined;
        return context.findLeaf(pair, [Object.fromEntries(Object.entries(base).filter(([key]) => key !== name))]);
      };
      context.report({
        code: 'REQUIRED_ADDED',
        ...pair,
        detail: `{reader} requires "${name}" but {writer} lets it be omitted`,
        witness,
        property: { name, optional: false },
        // Placed at the name in the reader's required, or at the writer's required that lacks it.
        at: { reader: `/required/${(readerRequired as unknown[]).indexOf(name)}`, writer: '/required' },
      });
    }
  },
};
