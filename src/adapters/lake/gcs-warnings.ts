/**
 * Keeps google-auth-library's credential search off stderr in schemaflow's own processes (the
 * CLI, its flow threads, the actions); never installed by the SDK, whose process is its user's.
 *
 * Why it shows: with no credentials configured (no GOOGLE_APPLICATION_CREDENTIALS, no gcloud
 * application-default file), the first request to Google Cloud Storage makes google-auth-library
 * probe the GCE metadata server (169.254.169.254, or GCE_METADATA_HOST) to learn whether it runs
 * on Google Cloud. gcp-metadata reports any answer it does not expect as a process warning,
 * `MetadataLookupWarning` (a GitHub-hosted runner's Azure metadata service answers 400, a proxy
 * 403), printed before the command's own error. That warning is a step of the search, not the
 * error: the request then fails, or GCS refuses it, and the command reports that, naming the
 * object or manifest (and, for a manifest, what to check). With an emulator endpoint
 * (`gcsEndpoint`) the client never authenticates, so nothing is probed at all.
 *
 * `DEBUG_AUTH` (google-auth-library's own switch for its search) keeps the warning.
 */
export function quietMetadataLookupWarnings(env: Readonly<Record<string, string | undefined>>): void {
  if (env.DEBUG_AUTH) return;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  const filtered = (warning: string | Error, ...rest: unknown[]): void => {
    const option = rest[0];
    const type = typeof option === 'string' ? option : typeof option === 'object' && option !== null ? (option as { type?: unknown }).type : warning instanceof Error ? warning.name : undefined;
    if (type === 'MetadataLookupWarning') return;
    emit(warning, ...rest);
  };
  process.emitWarning = filtered;
}
