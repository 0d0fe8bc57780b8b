import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestUrlFor, type RegistrationSettings } from '../../../src/adapters/registration-ports.js';

const root = mkdtempSync(join(tmpdir(), 'schemaflow-env-'));
mkdirSync(join(root, 'catalog'));
writeFileSync(join(root, 'catalog/catalog.yaml'), 'environments:\n  prod:\n    manifestUrl: gs://acme-prod/manifests\n  dev: {}\n');
const config = (manifestUrl: string): RegistrationSettings => ({ catalogDir: 'catalog', kafkaBrokers: ['127.0.0.1:19092'], kafkaSaslMechanism: undefined, kafkaSaslUsername: undefined, kafkaSaslPassword: undefined, kafkaSsl: false, manifestUrl, gcsEndpoint: undefined });

describe('the manifest location of registration', () => {
  it('is an explicit --manifest-url (or input manifest-url) even with --env, as a flag wins over everything else', () => {
    expect(manifestUrlFor(root, config('file:///tmp/x'), 'prod', 'flag')).toBe('file:///tmp/x');
  });

  it('is SCHEMAFLOW_MANIFEST_URL even with --env, as the variable wins over a default', () => {
    expect(manifestUrlFor(root, config('gs://from-variable/manifests'), 'prod', 'env')).toBe('gs://from-variable/manifests');
  });

  it('is the environment’s catalog.yaml location when neither is set, else the default', () => {
    expect(manifestUrlFor(root, config('file://./.schemaflow/manifests'), 'prod', 'default')).toBe('gs://acme-prod/manifests');
    expect(manifestUrlFor(root, config('file://./.schemaflow/manifests'), 'dev', 'default')).toBe('file://./.schemaflow/manifests');
    expect(manifestUrlFor(root, config('file://./.schemaflow/manifests'), undefined, 'default')).toBe('file://./.schemaflow/manifests');
  });

  it('refuses an environment catalog.yaml does not have, whatever else is set', () => {
    expect(() => manifestUrlFor(root, config('file:///tmp/x'), 'staging', 'flag')).toThrow('environment "staging" is not in catalog/catalog.yaml');
  });
});
