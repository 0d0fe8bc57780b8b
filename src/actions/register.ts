import * as core from '@actions/core';
import { quietGcsClientWarnings } from '../adapters/lake/gcs-warnings.js';
import { defaultBranchRef } from '../adapters/git/default-branch.js';
import { openRepository } from '../adapters/git/repository.js';
import { openObjectStore } from '../adapters/lake/object-store.js';
import { createPatternSandbox } from '../adapters/pattern-sandbox.js';
import { resolveInEnvironment } from '../adapters/catalog-environment.js';
import { REGISTRATION_SETTINGS, withTopicAdmin } from '../adapters/registration-ports.js';
import { explainManifestError, refuseReadOnlyManifest } from '../config/manifest-hint.js';
import { UsageError, describeError } from '../domain/errors.js';
import { registerCatalog } from '../usecases/register.js';
import { flagsFromInputs, manifestOriginOfInputs, optionalInput } from './inputs.js';
import { writeJobSummary } from './summary.js';

/** actions/register: registration on the default branch. Glue only: inputs → one flow → outputs. */
async function main(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const environment = optionalInput('env', (name) => core.getInput(name));
  const { values: config, sources } = resolveInEnvironment(REGISTRATION_SETTINGS, { env: process.env, flags: flagsFromInputs(REGISTRATION_SETTINGS, (name) => core.getInput(name)), flagLabel: (setting) => `input ${setting.actionInput ?? setting.key}` }, environment === undefined ? undefined : { name: environment, given: 'input env', directory: workspace });
  const dryRun = core.getBooleanInput('dry-run');
  const repository = openRepository(workspace, 'registration builds the manifest from the catalog as committed and its history: check the repository out first (actions/checkout with fetch-depth: 0)');
  // GitHub passes an unset variable as an empty input: the built-in default would publish the
  // manifest on the runner's disk, where no producer or flow ever reads it.
  if (sources.manifestUrl === 'default') throw new UsageError(`input manifest-url is empty and no SCHEMAFLOW_MANIFEST_URL or catalog.yaml environment names a location: registration would publish to ${config.manifestUrl} on the runner, which nothing reads. Set the repository variable SCHEMAFLOW_MANIFEST_URL (gs://bucket/manifests) the workflow passes.`, { code: 'CONFIG_INVALID' });
  // The same words as the CLI's about the manifest location, in the inputs' names.
  const origin = manifestOriginOfInputs(config, sources.manifestUrl, environment, true);
  refuseReadOnlyManifest(origin);
  const defaultBranch = defaultBranchRef(process.env, repository);
  const manifests = openObjectStore(config.manifestUrl, { ...(config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {}), cwd: repository.root });
  const report = await withTopicAdmin(config, true, (topics) =>
    registerCatalog({ repository, manifests, untrustedPatterns: createPatternSandbox(), ...(topics ? { topics } : {}) }, { catalogDir: config.catalogDir, ...(environment ? { environment } : {}), dryRun, reconcile: core.getBooleanInput('reconcile'), ...(defaultBranch ? { defaultBranch } : {}) }),
  ).catch((error: unknown) => {
    throw explainManifestError(error, origin);
  });

  core.setOutput('status', report.publish.status);
  core.setOutput('serial', String(report.manifest.serial));
  core.setOutput('new-versions', String(report.newVersions.length));
  core.setOutput('manifest-url', manifests.location);
  await writeJobSummary({
    heading: `schemaflow registration: ${report.publish.status}`,
    text: `Manifest serial ${report.manifest.serial} of \`${report.manifest.sourceCommit.slice(0, 12)}\` at \`${manifests.location}\`.`,
    header: ['subject', 'version', 'ID'],
    rows: report.newVersions.map((version) => [version.subject, String(version.version), String(version.id)]),
    list: [...report.topics.actions.map((action) => `${action.kind} ${action.topic}`), ...report.topics.warnings],
    what: 'versions or topic actions',
  });
}

quietGcsClientWarnings(process.env);
main().catch((error: unknown) => core.setFailed(describeError(error)));
