import { describe, expect, it } from 'vitest';
import { runSchemaflow } from '../../support/cli.js';

/*
 * The CLI keeps google-auth-library's MetadataLookupWarning (its probe of the GCE metadata server
 * when no credentials are configured) and the two deprecations node-fetch 2 causes (DEP0040,
 * DEP0169) off stderr, and every other process warning on it. The warnings are emitted once the
 * CLI has run (beforeExit), as the GCS client's would be, in each of emitWarning's forms.
 */
const emitter = `data:text/javascript,${encodeURIComponent(
  [
    "let done = false; process.on('beforeExit', () => { if (done) return; done = true;",
    "process.emitWarning('received unexpected error = Request failed with status code 400 code = UNKNOWN', 'MetadataLookupWarning');",
    "process.emitWarning('The punycode module is deprecated.', 'DeprecationWarning', 'DEP0040');",
    "process.emitWarning('url.parse() behavior is not standardized.', { type: 'DeprecationWarning', code: 'DEP0169' });",
    "process.emitWarning('Buffer() is deprecated.', 'DeprecationWarning', 'DEP0005');",
    "process.emitWarning('a warning of another kind', 'OtherWarning'); });",
  ].join(' '),
)}`;

describe('the CLI and process warnings', () => {
  it('drops MetadataLookupWarning, DEP0040 and DEP0169, and prints any other warning', async () => {
    const run = await runSchemaflow(['--version'], { env: { PATH: process.env.PATH, NODE_OPTIONS: `--import=${emitter}` } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('OtherWarning: a warning of another kind');
    expect(run.stderr).toContain('[DEP0005] DeprecationWarning: Buffer() is deprecated.');
    expect(run.stderr).not.toContain('MetadataLookupWarning');
    expect(run.stderr).not.toMatch(/DEP0040|DEP0169/);
  });

  it('keeps the deprecations under --trace-deprecation, Node.js’s switch for seeing where they come from', async () => {
    const run = await runSchemaflow(['--version'], { env: { PATH: process.env.PATH, NODE_OPTIONS: `--trace-deprecation --import=${emitter}` } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('[DEP0040] DeprecationWarning: The punycode module is deprecated.');
    expect(run.stderr).toContain('[DEP0169] DeprecationWarning: url.parse() behavior is not standardized.');
    // (The traces quote the emitting script, which names it.)
    expect(run.stderr).not.toContain('MetadataLookupWarning: received');
  });

  it('keeps it with DEBUG_AUTH, google-auth-library’s switch for seeing its credential search', async () => {
    const run = await runSchemaflow(['--version'], { env: { PATH: process.env.PATH, NODE_OPTIONS: `--import=${emitter}`, DEBUG_AUTH: '1' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('MetadataLookupWarning: received unexpected error = Request failed with status code 400');
  });
});
