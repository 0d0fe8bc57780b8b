import { describe, expect, it } from 'vitest';
import { runSchemaflow } from '../../support/cli.js';

/*
 * The CLI keeps google-auth-library's MetadataLookupWarning (its probe of the GCE metadata server
 * when no credentials are configured) off stderr, and every other process warning on it. The
 * warnings are emitted once the CLI has run (beforeExit), as the GCS client's would be.
 */
const emitter = `data:text/javascript,${encodeURIComponent("let done = false; process.on('beforeExit', () => { if (done) return; done = true; process.emitWarning('received unexpected error = Request failed with status code 400 code = UNKNOWN', 'MetadataLookupWarning'); process.emitWarning('a warning of another kind', 'OtherWarning'); });")}`;

describe('the CLI and process warnings', () => {
  it('drops MetadataLookupWarning and prints any other warning', async () => {
    const run = await runSchemaflow(['--version'], { env: { PATH: process.env.PATH, NODE_OPTIONS: `--import=${emitter}` } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('OtherWarning: a warning of another kind');
    expect(run.stderr).not.toContain('MetadataLookupWarning');
  });

  it('keeps it with DEBUG_AUTH, google-auth-library’s switch for seeing its credential search', async () => {
    const run = await runSchemaflow(['--version'], { env: { PATH: process.env.PATH, NODE_OPTIONS: `--import=${emitter}`, DEBUG_AUTH: '1' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('MetadataLookupWarning: received unexpected error = Request failed with status code 400');
  });
});
