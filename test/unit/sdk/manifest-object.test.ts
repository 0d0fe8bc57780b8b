import { describe, expect, it } from 'vitest';
import { SchemaflowError } from '../../../src/domain/errors.js';
import type { Manifest } from '../../../src/manifest/types.js';
import { createDecoder } from '../../../src/sdk/index.js';

const valid = { format: '1.0', serial: 1, sourceCommit: 'c', environment: 'default', subjects: [] };
const refusal = async (manifest: unknown): Promise<unknown> => createDecoder({ manifest: manifest as Manifest }).then(() => 'accepted', (error: unknown) => error);

// Regression: a manifest passed as an object was used unchecked: format 2.0 was read as 1.x and a
// malformed one failed with "TypeError: manifest.subjects is not iterable".
describe('a manifest passed to the SDK as an object', () => {
  it('is checked as a manifest file is', async () => {
    expect(await refusal(valid)).toBe('accepted');
    const future = await refusal({ ...valid, format: '2.0' });
    expect(future).toBeInstanceOf(SchemaflowError);
    expect(future).toMatchObject({ code: 'MANIFEST_FORMAT_UNSUPPORTED', message: 'the manifest object is manifest format 2.0; this schemaflow reads format 1.x. Upgrade schemaflow to a version that reads format 2.' });
  });

  it.each([
    [{ format: '1.0', serial: 1 }],
    [{ ...valid, subjects: {} }],
    [{ ...valid, serial: '1' }],
    [{}],
    [null],
    [[]],
  ])('refuses %j as MANIFEST_INVALID, not with a TypeError', async (manifest) => {
    const error = await refusal(manifest);
    expect(error).toBeInstanceOf(SchemaflowError);
    expect((error as SchemaflowError).code).toBe('MANIFEST_INVALID');
    expect((error as SchemaflowError).message).toMatch(/^the manifest object (has no valid "format"|is not a format 1\.x manifest)/);
  });
});
