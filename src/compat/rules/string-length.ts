import { keyword } from '../model.js';
import { stringCandidates } from '../generate.js';
import { patternContainment } from '../regex.js';
import { createCountRule } from './shared.js';

/**
 * minLength / maxLength: the writer's length range must lie within the reader's. A writer
 * pattern can imply a length (`^[a-z]+$` has at least one character): then the lengths of its
 * language are compared with automata.
 */
export const stringLengthRule = createCountRule({
  name: 'string-length',
  code: 'LENGTH_NARROWED',
  type: 'string',
  min: 'minLength',
  max: 'maxLength',
  describe: (range) => `strings of length ${range}`,
  contained(pair, reader, writer, context) {
    const pattern = keyword(pair.writer, 'pattern');
    if (typeof pattern !== 'string') return false;
    const lengths = `^[^]{${reader.low?.value ?? 0},${reader.high?.value ?? ''}}$`;
    return patternContainment(pattern, lengths, { min: writer.low?.value ?? 0, max: writer.high?.value }, context.budget).status === 'subset';
  },
  candidates: (pair) => stringCandidates([pair.writer, pair.reader]),
});
