/**
 * schemaflow's public API: the producer SDK (`createProducer`, `createDecoder`), manifest
 * types, configuration and error types.
 */
export * from './sdk/index.js';
export type { Manifest, ManifestSubject, ManifestVersion } from './manifest/types.js';
export { SchemaflowError, UsageError } from './domain/errors.js';
export { resolveSettings, renderSettingsTable, type Config, type SettingSource } from './config/resolve.js';
export { SETTINGS, type Setting, type SettingKey } from './config/settings.js';
