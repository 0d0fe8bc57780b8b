import { keyword } from '../model.js';
import { stringCandidates } from '../generate.js';
import type { CompatRule } from '../walk.js';
import { admits, hasEnum } from './shared.js';

/** Formats whose values are all valid values of another format. */
const CONTAINED_IN: Readonly<Record<string, readonly string[]>> = {
  email: ['idn-email'],
  hostname: ['idn-hostname'],
  uri: ['iri', 'uri-reference', 'iri-reference'],
  'uri-reference': ['iri-reference'],
  iri: ['iri-reference'],
};

/**
 * format, asserted (ajv-formats): consumers parse dates, UUIDs and e-mails, so a format the
 * reader adds or changes rejects writer values that do not fit it.
 */
export const formatRule: CompatRule = {
  name: 'format',
  check(pair, context) {
    if (hasEnum(pair.writer) || !admits(pair.writer, 'string')) return;
    const readerFormat = keyword(pair.reader, 'format');
    if (typeof readerFormat !== 'string') return;
    const writerFormat = keyword(pair.writer, 'format');
    if (writerFormat === readerFormat) return;
    if (typeof writerFormat === 'string' && CONTAINED_IN[writerFormat]?.includes(readerFormat)) return;
    context.report({
      code: 'FORMAT_CHANGED',
      ...pair,
      detail: `{reader} requires format "${readerFormat}" but {writer} ${typeof writerFormat === 'string' ? `has format "${writerFormat}"` : 'has no format'}`,
      witness: () => context.findLeaf(pair, stringCandidates([pair.writer, pair.reader])),
    });
  },
};
