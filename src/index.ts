/**
 * schemaflow's public API. The producer SDK (`createProducer`, `createDecoder`) lands here;
 * until then the package exposes its configuration and error types.
 */
export { SchemaflowError, UsageError } from './domain/errors.js';
export { resolveSettings, renderSettingsTable, type Config, type SettingSource } from './config/resolve.js';
export { SETTINGS, type Setting, type SettingKey } from './config/settings.js';
