import { SchemaflowError, UsageError } from '../domain/errors.js';
import type { SettingSource } from './resolve.js';
import { findSetting } from './settings.js';

/**
 * Where the manifest location a command read came from, and how its caller names settings: the
 * CLI says `--manifest-url` and `--env`, an action `input manifest-url` and `input env`.
 */
export interface ManifestOrigin {
  readonly manifestUrl: string;
  readonly source: SettingSource;
  /** The catalog.yaml environment the command ran in, when one was named. */
  readonly environment?: string;
  readonly gcsEndpoint?: string;
  /** How the caller names the setting's flag or input, and the environment option. */
  readonly flag: string;
  readonly environmentOption: string;
  /** The command is registration (plan, register, actions/register): it reads the manifest it published before. */
  readonly registration?: boolean;
}

/** How the CLI names the manifest location's flag and the environment option. */
export const CLI_MANIFEST_NAMES = { flag: '--manifest-url', environmentOption: '--env' } as const;

/** The origin of `config.manifestUrl`, which came from `source`, in the caller's names for the setting and the environment option. */
export function manifestOrigin(config: { readonly manifestUrl: string; readonly gcsEndpoint?: string | undefined }, source: SettingSource, environment: string | undefined, names: { readonly flag: string; readonly environmentOption: string }, registration = false): ManifestOrigin {
  return { manifestUrl: config.manifestUrl, source, ...(environment === undefined ? {} : { environment }), ...(config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {}), ...names, ...(registration ? { registration } : {}) };
}

/**
 * What to check when the manifest cannot be read (MANIFEST_UNREADABLE): the location and where
 * it came from, that registration published there, the credentials or endpoint a gs://
 * location needs, and how to name another one. One text for every command that reads the
 * manifest (plan, register, produce, types, flow run and close, search, show, site) and for
 * actions/register and actions/flow.
 */
export function manifestHint(origin: ManifestOrigin): string {
  const base = origin.manifestUrl.replace(/\/+$/, '');
  const bucket = /^gs:\/\/([^/]+)/.exec(base)?.[1];
  const access =
    bucket === undefined
      ? base.startsWith('file://')
        ? 'that this user may read that directory'
        : 'that the server answers there'
      : origin.gcsEndpoint
        ? `that the GCS endpoint ${origin.gcsEndpoint} answers and holds the bucket ${bucket}`
        : `that these credentials may read gs://${bucket} (Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, a workload identity, or gcloud auth application-default login)`;
  // Registration reads the latest.json it published before, and starts the catalog where there is none: one it cannot read is there but unreadable.
  const published = origin.registration === true ? 'that its latest.json, which registration published there before and reads to build on, is a manifest file' : 'that registration published latest.json there (schemaflow register, or actions/register on merge)';
  return `Check the manifest location ${base} (from ${originText(origin)}): ${published}, and ${access}. ${anotherLocation(origin, 'To read another location')}`;
}

/** Where the manifest location came from, in the caller's names. */
function originText(origin: ManifestOrigin): string {
  const setting = findSetting('manifestUrl');
  return {
    flag: origin.flag,
    env: setting.env,
    environment: `the manifestUrl of catalog.yaml environment ${JSON.stringify(origin.environment ?? '')}`,
    default: `the default: no ${origin.flag}, ${setting.env} or ${origin.environmentOption} named one`,
  }[origin.source];
}

/** How to name another manifest location, after `lead`. */
function anotherLocation(origin: ManifestOrigin, lead: string): string {
  return `${lead}, give ${origin.flag} (or ${findSetting('manifestUrl').env}, or ${origin.environmentOption} with a catalog.yaml environment whose manifestUrl names it).`;
}

/**
 * Registration (register, plan, actions/register) writes where it reads: an https:// manifest
 * location, which readers load a manifest from, is a configuration error before anything runs,
 * naming where it came from (the store would refuse it without saying which setting gave it).
 */
export function refuseReadOnlyManifest(origin: ManifestOrigin): void {
  if (!origin.manifestUrl.startsWith('https://')) return;
  throw new UsageError(`the manifest location ${origin.manifestUrl} (from ${originText(origin)}) is https://, which readers load a manifest from (produce, types, flow, search, show, site), but registration publishes the manifest and so needs a location it writes: gs://bucket/prefix or file://./directory. ${anotherLocation(origin, 'To name one')}`, { code: 'CONFIG_INVALID' });
}

/** `error` with {@link manifestHint} added when it is MANIFEST_UNREADABLE; any other error as it is. */
export function explainManifestError(error: unknown, origin: ManifestOrigin): unknown {
  if (!(error instanceof SchemaflowError && error.code === 'MANIFEST_UNREADABLE')) return error;
  return new SchemaflowError(error.code, `${error.message}\n  ${manifestHint(origin)}`, { cause: error, retriable: error.retriable });
}
