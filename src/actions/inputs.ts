import { findSetting, type SettingKey } from '../config/settings.js';

/**
 * Action inputs as setting values, keyed like CLI flags: the same settings module resolves
 * them (input > environment variable > default). Empty inputs count as unset.
 */
export function flagsFromInputs(keys: readonly SettingKey[], getInput: (name: string) => string): Partial<Record<SettingKey, string>> {
  const flags: Partial<Record<SettingKey, string>> = {};
  for (const key of keys) {
    const name = findSetting(key).actionInput;
    const value = name ? getInput(name).trim() : '';
    if (value !== '') flags[key] = value;
  }
  return flags;
}
