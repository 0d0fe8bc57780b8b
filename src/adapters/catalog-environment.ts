import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_LOCATIONS, readEnvironmentSettings, type EnvironmentRead } from '../catalog/config-files.js';
import { parseYamlDocument, unreadableMessage } from '../catalog/documents.js';
import { absoluteFileUrl } from '../domain/file-url.js';
import { storeLocation } from './lake/object-store.js';
import { resolveSettings, type EnvironmentLayer, type ResolveInput, type Resolved, type SettingSource } from '../config/resolve.js';
import type { SettingKey } from '../config/settings.js';
import { UsageError, messageOf } from '../domain/errors.js';
import { workTreeTopLevel } from './git/repository.js';

/* `--env` (and the actions' input env): a catalog.yaml environment as a layer of setting values. */

/** The catalog.yaml environment a command runs in, as the user named it. */
export interface EnvironmentChoice {
  /** The environment's name. */
  readonly name: string;
  /** How messages name the choice: `--env`, `input env`. */
  readonly given: string;
  /** Where the command runs: catalogDir is relative to the root of the git repository holding it (else to it). */
  readonly directory: string;
}

/** Environment `name` of the catalog.yaml at `path` (`shown` in messages); `missing-file` when there is no such file. */
export function readEnvironmentFile(path: string, shown: string, name: string): EnvironmentRead | { readonly status: 'missing-file' } | { readonly status: 'unreadable'; readonly message: string } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { status: 'missing-file' } : { status: 'unreadable', message: messageOf(error) };
  }
  const parsed = parseYamlDocument(shown, bytes);
  return parsed.ok ? readEnvironmentSettings(parsed.document, name) : { status: 'unreadable', message: unreadableMessage(parsed) };
}

/**
 * The locations environment `choice.name` of `<catalogDir>/catalog.yaml` names, as the layer of
 * setting values that stands in for their defaults. An environment the file does not have, or
 * a file that is not there or cannot be read, is bad configuration (CONFIG_INVALID, exit 2).
 */
export function readEnvironmentLayer(choice: EnvironmentChoice, catalogDir: string): EnvironmentLayer {
  const file = `${catalogDir}/catalog.yaml`;
  const root = workTreeTopLevel(choice.directory) ?? choice.directory;
  const read = readEnvironmentFile(join(root, file), file, choice.name);
  const named = `${choice.given} ${choice.name}`;
  switch (read.status) {
    case 'missing-file':
      throw new UsageError(`${named} needs ${file}, which is not in ${root} (the catalog directory is the catalogDir setting, relative to the root of the git repository)`, { code: 'CONFIG_INVALID' });
    case 'unreadable':
      throw new UsageError(`${named} needs ${file}, which cannot be read: ${read.message}`, { code: 'CONFIG_INVALID' });
    case 'unknown':
      throw new UsageError(`environment ${JSON.stringify(choice.name)} (${choice.given}) is not in ${file} (known: ${read.known.join(', ') || 'none'})`, { code: 'CONFIG_INVALID' });
    case 'invalid':
      throw new UsageError(`${named}: ${read.findings.map((finding) => finding.message).join(' ')}`, { code: 'CONFIG_INVALID' });
    case 'found': {
      const values: Partial<Record<SettingKey, string>> = {};
      for (const key of ENVIRONMENT_LOCATIONS) {
        const value = read.environment[key];
        // From the repository root that holds catalog.yaml: one directory wherever in the
        // repository a command runs (`file://./lake` is `<root>/lake` from `catalog/apps` too).
        if (value !== undefined) values[key] = absoluteFileUrl(value, root);
      }
      return { name: choice.name, file, values, sameLocation: (a, b) => storeLocation(a, choice.directory) === storeLocation(b, choice.directory) };
    }
  }
}

/**
 * {@link resolveSettings} in the catalog.yaml environment `choice` names, when it names one: the
 * environment's locations stand in for the defaults (flag > variable > environment > default).
 * The catalog directory that holds catalog.yaml is resolved first, by the same flags and variables.
 */
export function resolveInEnvironment<K extends SettingKey>(keys: readonly K[], input: Omit<ResolveInput, 'environment'>, choice: EnvironmentChoice | undefined): Resolved<K> {
  if (choice === undefined) return resolveSettings(keys, input);
  const { catalogDir } = resolveSettings(['catalogDir'], input).values;
  const environment = readEnvironmentLayer(choice, catalogDir);
  const resolved = resolveSettings(keys, { ...input, environment });
  // A state belongs to one lake: the environment's goes with its lake (environmentWith), so one named without a lake pairs with none.
  if ((resolved.sources as Partial<Record<SettingKey, SettingSource>>).stateUrl === 'environment' && environment.values.lakeUrl === undefined) {
    throw new UsageError(`${environment.file} environments.${environment.name} names a stateUrl but no lakeUrl: a flow state belongs to one lake, so name the lake whose state it is (lakeUrl) beside it`, { code: 'CONFIG_INVALID' });
  }
  return resolved;
}
