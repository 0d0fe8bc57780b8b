import { stringCandidates } from '../generate.js';
import { createCountRule } from './shared.js';

/** minLength / maxLength: the writer's length range must lie within the reader's. */
export const stringLengthRule = createCountRule({
  name: 'string-length',
  code: 'LENGTH_NARROWED',
  type: 'string',
  min: 'minLength',
  max: 'maxLength',
  describe: (range) => `strings of length ${range}`,
  candidates: (pair) => stringCandidates([pair.writer, pair.reader]),
});
