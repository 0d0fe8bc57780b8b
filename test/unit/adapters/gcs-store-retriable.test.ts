import { afterEach, describe, expect, it, vi } from 'vitest';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';

/* Whether a GCS store's failure may pass on retry follows the one rule of domain/retry.ts (mayPassOnRetry). */
describe('a GCS lake failure is retriable only when asking again may pass', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is not for credentials that cannot be loaded (no HTTP status: it was retriable before)', async () => {
    // Fails before any request: the key file named for the credentials does not exist.
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', '/nonexistent/schemaflow-key.json');
    const store = openObjectStore('gs://acme-lake/events', {});
    await expect(store.get('_state/apps-users/0.json')).rejects.toMatchObject({ code: 'OBJECT_STORE_FAILED', retriable: false, message: expect.stringContaining('gs://acme-lake/events/_state/apps-users/0.json: The file at /nonexistent/schemaflow-key.json does not exist') as string });
  });
});
