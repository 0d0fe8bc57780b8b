import { manifestOrigin, type ManifestOrigin } from '../config/manifest-hint.js';
import type { SettingSource } from '../config/resolve.js';
import { findSetting, type SettingKey } from '../config/settings.js';

/**
 * Action inputs as setting values, keyed like CLI flags: the same settings module resolves
 * them (input > environment variable > default). Empty inputs count as unset.
 */
export function flagsFromInputs(keys: readonly SettingKey[], getInput: (name: string) => string): Partial<Record<SettingKey, string>> {
  const flags: Partial<Record<SettingKey, string>> = {};
  for (const key of keys) {
    const name = findSetting(key).actionInput;
    const value = name ? optionalInput(name, getInput) : undefined;
    if (value !== undefined) flags[key] = value;
  }
  return flags;
}

/**
 * An optional input's value, undefined when it is not given: GitHub passes an input a workflow
 * does not set (or sets from an empty matrix value) as an empty string, so empty counts as unset.
 */
export function optionalInput(name: string, getInput: (name: string) => string): string | undefined {
  const value = getInput(name).trim();
  return value === '' ? undefined : value;
}

/** Where an action's manifest location came from, in the inputs' names (what manifestHint and refuseReadOnlyManifest say). */
export function manifestOriginOfInputs(config: { readonly manifestUrl: string; readonly gcsEndpoint?: string | undefined }, source: SettingSource, environment: string | undefined, registration = false): ManifestOrigin {
  return manifestOrigin(config, source, environment, { flag: `input ${findSetting('manifestUrl').actionInput ?? 'manifest-url'}`, environmentOption: 'input env' }, registration);
}
