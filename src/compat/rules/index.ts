import type { CompatRule } from '../walk.js';
import { additionalPropertiesRule } from './additional-properties.js';
import { arrayItemsRule } from './array-items.js';
import { arrayLengthRule } from './array-length.js';
import { conditionalRule } from './conditional.js';
import { containsRule } from './contains.js';
import { dependenciesRule } from './dependencies.js';
import { notRule } from './not.js';
import { propertyNamesRule } from './property-names.js';
import { unionRule } from './union.js';
import { enumRule } from './enum.js';
import { formatRule } from './format.js';
import { multipleOfRule } from './multiple-of.js';
import { numericRangeRule } from './numeric-range.js';
import { objectSizeRule } from './object-size.js';
import { patternRule } from './pattern.js';
import { propertiesRule } from './properties.js';
import { requiredRule } from './required.js';
import { stringLengthRule } from './string-length.js';
import { typeRule } from './type.js';
import { uniqueItemsRule } from './unique-items.js';

/** The rule walk, in evaluation order: types and value lists, per-type keywords, then combinators. */
export const RULES: readonly CompatRule[] = [
  typeRule,
  enumRule,
  numericRangeRule,
  multipleOfRule,
  stringLengthRule,
  formatRule,
  patternRule,
  arrayItemsRule,
  arrayLengthRule,
  uniqueItemsRule,
  requiredRule,
  propertiesRule,
  additionalPropertiesRule,
  objectSizeRule,
  dependenciesRule,
  propertyNamesRule,
  containsRule,
  unionRule,
  notRule,
  conditionalRule,
];
