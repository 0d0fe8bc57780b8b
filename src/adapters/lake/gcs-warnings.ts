/**
 * Keeps what the Google Cloud Storage client's dependencies report as process warnings off
 * stderr in schemaflow's own processes (the CLI, its flow threads, the actions); never installed
 * by the SDK, whose process is its user's. Each names something the user cannot act on.
 *
 * **google-auth-library's credential search.**
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
 *
 * **Deprecations in its HTTP stack.** @google-cloud/storage 7 (8 needs Node.js 22) sends its
 * requests through gaxios and teeny-request, which use node-fetch 2. On Node.js 22 and later,
 * the actions' Node.js 24 included, node-fetch 2 printed `DEP0169` (it parses every request URL
 * with `url.parse()`) and its whatwg-url 5 `DEP0040` (it loads the built-in `punycode`) into
 * every run that touches a gs:// lake or manifest. schemaflow's own code uses neither (the lint
 * refuses both). Node.js's `--trace-deprecation` or `--throw-deprecation` keeps them.
 */
const GCS_CLIENT_DEPRECATIONS: ReadonlySet<string> = new Set(['DEP0040', 'DEP0169']);

export function quietGcsClientWarnings(env: Readonly<Record<string, string | undefined>>): void {
  const keepLookups = env.DEBUG_AUTH !== undefined && env.DEBUG_AUTH !== '';
  const keepDeprecations = process.traceDeprecation || process.throwDeprecation;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  const filtered = (warning: string | Error, ...rest: unknown[]): void => {
    const [option, codeArgument] = rest;
    const options = typeof option === 'object' && option !== null ? (option as { type?: unknown; code?: unknown }) : undefined;
    const type = typeof option === 'string' ? option : options ? options.type : warning instanceof Error ? warning.name : undefined;
    const code = typeof option === 'string' ? codeArgument : options ? options.code : warning instanceof Error ? (warning as { code?: unknown }).code : undefined;
    if (type === 'MetadataLookupWarning' && !keepLookups) return;
    if (type === 'DeprecationWarning' && typeof code === 'string' && GCS_CLIENT_DEPRECATIONS.has(code) && !keepDeprecations) return;
    emit(warning, ...rest);
  };
  process.emitWarning = filtered;
}
