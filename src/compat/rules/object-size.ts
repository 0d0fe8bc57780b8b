import { createCountRule } from './shared.js';

/** minProperties / maxProperties: the writer's range must lie within the reader's. */
export const objectSizeRule = createCountRule({
  name: 'object-size',
  code: 'PROPERTY_COUNT_NARROWED',
  type: 'object',
  min: 'minProperties',
  max: 'maxProperties',
  unit: ' properties',
  describe: (range) => `objects with ${range}`,
  candidates: () => [{}, { a: 1 }, { a: 1, b: 2 }, { a: 1, b: 2, c: 3 }],
});
