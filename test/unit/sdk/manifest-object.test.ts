import { describe, expect, it } from 'vitest';
import { SchemaflowError } from '../../../src/domain/errors.js';
import type { Manifest } from '../../../src/manifest/types.js';
import { createDecoder } from '../../../src/sdk/index.js';

const valid = { format: '1.0', serial: 1, sourceCommit: 'c'.repeat(40), environment: 'default', subjects: [] };
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
    expect((error as SchemaflowError).message).toMatch(/^the manifest object (has no valid "format"|is not a (valid )?format 1\.x manifest)/);
  });

  // Regression (found by a review): only format, serial and subjects were checked, so a null
  // subject or version failed later as a TypeError (a stack trace in the CLI), and a subject name
  // no catalog allows went into generated TypeScript as it was.
  const subject = (name: string, ids: number[]) => ({
    subject: name, team: 'apps', name: name.slice(5), topic: name, description: 'd', owners: [], status: 'active', compatibility: { mode: 'FULL', policy: 'DEFAULT' }, topicConfig: {}, eventTime: null, pii: [], lakePath: `${name}/`,
    versions: ids.map((id, index) => ({ version: index + 1, id, fingerprint: `sha256:${'0'.repeat(64)}`, path: 'p', registeredIn: 'c'.repeat(40), schema: { type: 'object' } })),
  });
  it.each([
    ['a subject that is null', { ...valid, subjects: [null] }, '/subjects/0 must be object'],
    ['a subject without versions', { ...valid, subjects: [{ ...subject('apps-users', [1]), versions: undefined }] }, "/subjects/0 must have required property 'versions'"],
    ['a version that is null', { ...valid, subjects: [{ ...subject('apps-users', [1]), versions: [null] }] }, '/subjects/0/versions/0 must be object'],
    ['a subject name no catalog allows', { ...valid, subjects: [subject("apps-o'brien", [1])] }, '/subjects/0/subject must match pattern'],
    ['a commit that is no commit', { ...valid, sourceCommit: 'c\n*/ evil' }, '/sourceCommit must match pattern'],
  ])('refuses %s as MANIFEST_INVALID, naming where', async (_what, manifest, where) => {
    const error = await refusal(manifest);
    expect(error).toMatchObject({ code: 'MANIFEST_INVALID' });
    expect((error as SchemaflowError).message).toContain(`the manifest object is not a valid format 1.x manifest: ${where}`);
    expect((error as SchemaflowError).message).toContain('(see manifest.schema.json)');
  });

  it('refuses a schema ID given twice, and a subject listed twice', async () => {
    expect(await refusal({ ...valid, subjects: [subject('apps-users', [1, 2]), subject('apps-orders', [2])] })).toMatchObject({ code: 'MANIFEST_INVALID', message: 'the manifest object gives schema ID 2 to both apps-users version 2 and apps-orders version 1: an ID names one schema' });
    expect(await refusal({ ...valid, subjects: [subject('apps-users', [1]), subject('apps-users', [2])] })).toMatchObject({ code: 'MANIFEST_INVALID', message: 'the manifest object lists subject apps-users twice (/subjects/1)' });
    expect(await refusal({ ...valid, subjects: [subject('apps-users', [1, 2]), subject('apps-orders', [3])] })).toBe('accepted');
  });
});
