import { Ajv2020 } from 'ajv/dist/2020.js';
import { addSchemaFormats } from '../../../src/catalog/schema-compiler.js';
import { checkCompatibility, type CompatResult, type VersionInput } from '../../../src/compat/engine.js';
import type { CompatibilityMode, CompatibilityPolicy } from '../../../src/catalog/config-files.js';

/**
 * What the regression tests of the engine check against: ajv as the SDK and the flow compile a
 * version (src/manifest/registry.ts: strict, formats asserted), and the engine on a history.
 */

/** A version as the engine takes it. */
export const version = (n: number, root: unknown): VersionInput => ({
  name: `version ${n}`,
  file: `catalog/apps/orders/${n}.json`,
  document: { label: `apps/orders/${n}.json`, root, locate: () => ({ line: 1, col: 1 }) },
});

/** Whether ajv, compiled as the SDK and the flow compile a version, accepts `value`. */
export const valid = (schema: object, value: unknown): boolean => {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, validateFormats: true });
  addSchemaFormats(ajv);
  return ajv.compile(schema)(value) === true;
};

/** Checks `schemas.at(-1)` against the earlier ones. */
export const check = (schemas: readonly object[], mode: CompatibilityMode, policy: CompatibilityPolicy): CompatResult => {
  const versions = schemas.map((schema, index) => version(index + 1, schema));
  return checkCompatibility(versions.at(-1) as VersionInput, versions.slice(0, -1), { mode, policy });
};

/** The verdict and findings, as an assertion's message. */
export const explain = (result: CompatResult): string => `${result.verdict}\n${result.findings.map((finding) => `${finding.code} ${String(finding.params.dataPath)}: ${finding.message}`).join('\n')}`;
