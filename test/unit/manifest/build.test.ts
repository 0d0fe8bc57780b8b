import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { openRepository } from '../../../src/adapters/git/repository.js';
import { createFileStore } from '../../../src/adapters/lake/file-store.js';
import { canonicalize, fingerprint } from '../../../src/manifest/jcs.js';
import { parseManifest } from '../../../src/manifest/parse.js';
import manifestSchema from '../../../src/manifest/manifest.schema.json' with { type: 'json' };
import { createSchemaRegistry } from '../../../src/manifest/registry.js';
import { buildCatalogManifest } from '../../../src/usecases/build-manifest.js';
import { topicSettingsFor } from '../../../src/manifest/build.js';
import { configsOf } from '../../../src/topics/plan.js';
import { registerCatalog } from '../../../src/usecases/register.js';
import { runSchemaflow } from '../../support/cli.js';
import { createTestRepo } from '../../support/git-repo.js';
import { createPatternSandbox } from '../../../src/adapters/pattern-sandbox.js';

const validateManifest = new Ajv2020({ strict: false }).compile(manifestSchema);

describe('the manifest', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  const build = (options: { environment?: string; commit?: string } = {}) => buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog', ...options });

  it('assigns IDs in landing order, by subject then version within a commit, and validates against its schema', () => {
    const { manifest } = build();
    expect(validateManifest(manifest), JSON.stringify(validateManifest.errors)).toBe(true);
    expect(manifest.subjects.flatMap((subject) => subject.versions.map((version) => `${subject.subject}@${version.version}=${version.id}`))).toEqual([
      'apps-sessions@1=1',
      'apps-users@1=2',
      'apps-users@2=3',
      'apps-users@3=4',
      'payments-refunds@1=5',
      'payments-transactions@1=6',
    ]);
    expect(manifest).toMatchObject({ format: '1.0', serial: 1, environment: 'default', sourceCommit: repo.git('rev-parse', 'HEAD').trim() });
  });

  it('carries every field of DESIGN.md §4, bundles cross-file references and fingerprints the bundle', () => {
    const { manifest } = build();
    const users = manifest.subjects.find((subject) => subject.subject === 'apps-users');
    expect(users).toMatchObject({
      team: 'apps',
      name: 'users',
      topic: 'apps-users',
      owners: ['@acme/identity'],
      status: 'active',
      compatibility: { mode: 'FULL_TRANSITIVE', policy: 'DEFAULT' },
      topicConfig: { partitions: 6, replicationFactor: 3, retentionMs: 604800000, cleanupPolicy: 'delete' },
      eventTime: { field: '/occurredAt', format: 'rfc3339' },
      pii: ['/displayName', '/email'],
      lakePath: 'apps-users/',
    });
    const refunds = manifest.subjects.find((subject) => subject.subject === 'payments-refunds')?.versions[0];
    const schema = refunds?.schema as { properties: { amount: { $ref: string } }; $defs: Record<string, { $defs: { Money: unknown } }> };
    expect(schema.properties.amount.$ref).toBe('#/$defs/payments.transactions.v1/$defs/Money');
    expect(schema.$defs['payments.transactions.v1']?.$defs.Money).toMatchObject({ type: 'object', required: ['minor', 'currency'] });
    expect(refunds?.fingerprint).toBe(fingerprint(refunds?.schema));
    // The bundle is self-contained: ajv compiles it with no other schema loaded.
    expect(() => new Ajv2020({ strict: false }).compile(refunds?.schema as object)).not.toThrow();
  });

  it('has bundles the SDK compiles in strict mode, one validator per ID', () => {
    const registry = createSchemaRegistry(build().manifest);
    for (const subject of build().manifest.subjects) {
      for (const version of subject.versions) expect(() => registry.byId(version.id)?.validate({})).not.toThrow();
    }
    expect(registry.resolve('payments-refunds').validate({ refundId: 'r', transactionId: 't', refundedAt: '2024-05-01T00:00:00Z', amount: { minor: -1, currency: 'EUR' } }).map((violation) => violation.path)).toEqual(['/amount/minor']);
  });

  it('is byte-identical for the same commit, and adds exactly one ID for one new version', () => {
    const first = build();
    expect(Buffer.from(build().bytes).equals(Buffer.from(first.bytes))).toBe(true);
    const users3 = JSON.parse(repo.git('show', 'HEAD:catalog/apps/users/3.json')) as { properties: Record<string, unknown> };
    users3.properties.country = { description: 'Country.', type: 'string' };
    repo.write('catalog/apps/users/4.json', JSON.stringify(users3, null, 2));
    repo.commit('users v4');
    try {
      const second = buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog', previous: first.manifest });
      expect(second.manifest.serial).toBe(2);
      const ids = second.manifest.subjects.flatMap((subject) => subject.versions.map((version) => version.id));
      expect(ids.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(second.manifest.subjects.find((subject) => subject.subject === 'apps-users')?.versions.at(-1)).toMatchObject({ version: 4, id: 7, registeredIn: repo.git('rev-parse', 'HEAD').trim() });
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('applies environment topic overrides', () => {
    expect(build({ environment: 'dev' }).manifest.subjects[0]?.topicConfig.replicationFactor).toBe(1);
    expect(() => build({ environment: 'staging' })).toThrow(/environment "staging" is not in catalog\/catalog.yaml \(known: dev, prod\)/);
    // Regression: a name every object inherits (toString, constructor, __proto__) passed as an
    // environment of catalog.yaml, and manifest build made a manifest of an environment that is not there.
    for (const inherited of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(() => build({ environment: inherited })).toThrow(`environment ${JSON.stringify(inherited)} is not in catalog/catalog.yaml (known: dev, prod)`);
    }
  });

  it('refuses a history in which a registered version changed or went, and a previous manifest it does not reproduce', () => {
    const before = build().manifest;
    const registered = { catalogDir: 'catalog', previous: before };
    repo.write('catalog/apps/users/1.json', '{"type": "object", "description": "rewritten"}');
    repo.commit('someone force-edits a registered version');
    try {
      expect(() => buildCatalogManifest(openRepository(repo.root), registered)).toThrow(/HISTORY_REWRITTEN|apps-users version 1 changed since it was registered/);
      expect(() => buildCatalogManifest(openRepository(repo.root), registered)).toThrow(/does not reproduce manifest serial 1/);
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
    repo.remove('catalog/apps/users/3.json');
    repo.commit('someone deletes a registered version');
    try {
      expect(() => buildCatalogManifest(openRepository(repo.root), registered)).toThrow(/apps-users version 3 \(ID 4\) is gone/);
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
    const tampered = { ...before, subjects: before.subjects.map((subject) => ({ ...subject, versions: subject.versions.map((version) => ({ ...version, id: version.id + 100 })) })) };
    expect(() => buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog', previous: tampered })).toThrow(/would move from ID 101 to 1/);
  });

  // Regression: "Rebase and merge" lands each commit of a pull request on the first-parent
  // history, so a version added and then fixed by the same pull request was refused as a changed
  // registered version for good, though no manifest had ever held it.
  it('takes a version that was changed or deleted before any manifest held it as it is at the commit', () => {
    const before = build().manifest;
    const users = JSON.parse(readFileSync(join(repo.root, 'catalog/apps/users/3.json'), 'utf8')) as { properties: Record<string, unknown> };
    users.properties.nickname = { description: 'A nicknme.', type: 'string' };
    repo.write('catalog/apps/users/4.json', JSON.stringify(users, null, 2));
    repo.write('catalog/apps/sessions/2.json', readFileSync(join(repo.root, 'catalog/apps/sessions/1.json'), 'utf8'));
    repo.commit('version 4, and a sessions version 2 added by mistake');
    users.properties.nickname = { description: 'A nickname.', type: 'string' };
    repo.write('catalog/apps/users/4.json', JSON.stringify(users, null, 2));
    repo.remove('catalog/apps/sessions/2.json');
    repo.commit('fix a typo, drop the mistake');
    users.properties.mood = { description: 'A mood.', type: 'string' };
    repo.write('catalog/apps/users/5.json', JSON.stringify(users, null, 2));
    repo.commit('version 5');
    try {
      const { manifest } = buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog', previous: before });
      const ids = manifest.subjects.flatMap((subject) => subject.versions.filter((version) => version.id > 6).map((version) => `${subject.subject}@${version.version}=${version.id}`));
      // apps-sessions version 2 had ID 7 while it existed: never given to another version.
      expect(ids).toEqual(['apps-users@4=8', 'apps-users@5=9']);
      const four = manifest.subjects.find((subject) => subject.subject === 'apps-users')?.versions.find((version) => version.version === 4);
      expect(four?.schema).toMatchObject({ properties: { nickname: { description: 'A nickname.' } } });
      expect(four?.registeredIn).toBe(repo.git('rev-parse', 'HEAD~2').trim());
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~3');
    }
  });

  it('accepts a fingerprint changed by the bundler while the files are as registered, and not otherwise', () => {
    const current = build().manifest;
    // What an older bundler made of the same files: another fingerprint for apps-users version 1.
    const older = (sourceCommit: string) => ({ ...current, sourceCommit, subjects: current.subjects.map((subject) => ({ ...subject, versions: subject.versions.map((version) => (subject.subject === 'apps-users' && version.version === 1 ? { ...version, fingerprint: 'sha256:older-bundler' } : version)) })) });
    const rebuilt = buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog', previous: older(current.sourceCommit) });
    expect(rebuilt.manifest.subjects.find((subject) => subject.subject === 'apps-users')?.versions[0]?.fingerprint).toBe(current.subjects.find((subject) => subject.subject === 'apps-users')?.versions[0]?.fingerprint);
    // The previous manifest's commit held other bytes (a rewritten history): refused.
    repo.git('checkout', '-q', '-b', 'rewritten');
    repo.write('catalog/apps/users/1.json', '{"type": "object", "description": "as it was before the rewrite"}');
    repo.commit('the history that was rewritten');
    const gone = repo.git('rev-parse', 'HEAD').trim();
    repo.git('checkout', '-q', '-');
    expect(() => buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog', previous: older(gone) })).toThrow(/apps-users version 1 changed since it was registered \(sha256:older-bundler → sha256:/);
    expect(() => buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog', previous: older('0'.repeat(40)) })).toThrow(/HISTORY_REWRITTEN|changed since it was registered/);
  });

  it('refuses a shallow clone with the fetch-depth and --unshallow fixes (exit 2), and writes --out', async () => {
    const clones = mkdtempSync(join(tmpdir(), 'schemaflow-manifest-'));
    try {
      execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.root}`, join(clones, 'shallow')]);
      const shallow = await runSchemaflow(['manifest', 'build'], { cwd: join(clones, 'shallow') });
      expect(shallow.code).toBe(2);
      expect(shallow.stderr).toContain('fetch-depth: 0');
      expect(shallow.stderr).toContain('git fetch --unshallow');
      const out = join(clones, 'manifest.json');
      const built = await runSchemaflow(['manifest', 'build', '--out', out], { cwd: repo.root });
      expect(built.code).toBe(0);
      expect(parseManifest(readFileSync(out), out).subjects).toHaveLength(4);
    } finally {
      rmSync(clones, { recursive: true, force: true });
    }
  });
});

describe('registration in a shallow clone', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());

  // Regression: the last manifest's commit is missing from a shallow clone, which was reported
  // as a rewritten history (HISTORY_REWRITTEN) instead of as a shallow clone and its fix.
  it('is refused as a shallow clone with both fixes, before the last manifest is compared', async () => {
    const clones = mkdtempSync(join(tmpdir(), 'schemaflow-register-'));
    try {
      const manifests = createFileStore(join(clones, 'manifests'));
      await manifests.create('latest.json', buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog' }).bytes);
      repo.write('catalog/apps/users/subject.yaml', `${readFileSync(join(repo.root, 'catalog/apps/users/subject.yaml'), 'utf8')}# edited\n`);
      repo.commit('a later commit');
      execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.root}`, join(clones, 'shallow')]);
      const registering = registerCatalog({ repository: openRepository(join(clones, 'shallow')), manifests, untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', dryRun: true, reconcile: false });
      await expect(registering).rejects.toMatchObject({ code: 'SHALLOW_CLONE', message: expect.stringMatching(/shallow clone.*fetch-depth: 0.*git fetch --unshallow/s) as unknown });
    } finally {
      rmSync(clones, { recursive: true, force: true });
    }
  });
});

describe('registration against a manifest of another repository', () => {
  const repo = createTestRepo();
  const other = createTestRepo();
  afterAll(() => {
    repo.dispose();
    other.dispose();
  });

  // The demo publishes its own repository's manifest into the default location a clone reads too.
  it('says another repository may have published it, naming the demo and the fix', async () => {
    const manifests = createFileStore(mkdtempSync(join(tmpdir(), 'schemaflow-foreign-')));
    other.write('catalog/apps/users/subject.yaml', `${readFileSync(join(other.root, 'catalog/apps/users/subject.yaml'), 'utf8')}# another history\n`);
    other.commit('another history');
    await manifests.create('latest.json', buildCatalogManifest(openRepository(other.root), { catalogDir: 'catalog' }).bytes);
    const registering = registerCatalog({ repository: openRepository(repo.root), manifests, untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', dryRun: true, reconcile: false });
    await expect(registering).rejects.toMatchObject({ code: 'HISTORY_REWRITTEN', message: expect.stringContaining('or another repository published there (npm run demo registers its own catalog repository into the default location, file://./.schemaflow/manifests: give this one another --manifest-url)') as unknown });
  });
});

// An override merged just before the version that needs it, whose own registration published
// nothing (it failed, or a newer push cancelled it while pending), refuses the version at
// registration: git cannot tell that override from one the version's own pull request made
// (a rebase merge). The refusal says so, and how to register the override first.
describe('registration of a version whose rules changed after the last manifest', () => {
  const repo = createTestRepo();
  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-landed-rules-'));
  afterAll(() => {
    repo.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const manifests = createFileStore(dir);
  const register = () => registerCatalog({ repository: openRepository(repo.root), manifests, untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', dryRun: false, reconcile: false });
  const merge = (name: string, files: Record<string, string>): void => {
    repo.git('checkout', '-q', '-b', name);
    for (const [path, content] of Object.entries(files)) repo.write(path, content);
    repo.commit(name);
    repo.git('checkout', '-q', 'main');
    repo.git('merge', '-q', '--no-ff', name, '-m', `merge ${name}`);
  };
  const users = (values: string[], without?: string): string => {
    const schema = JSON.parse(readFileSync(join(repo.root, 'catalog/apps/users/3.json'), 'utf8')) as { properties: Record<string, unknown> & { kind: { enum: string[] } } };
    schema.properties.kind.enum = values;
    if (without) delete schema.properties[without];
    return JSON.stringify(schema, null, 2);
  };

  it('is refused with the commit to register first when it passes the rules it was merged under, and only then', async () => {
    expect((await register()).publish.status).toBe('published');
    // The override is merged, and its registration publishes nothing.
    repo.write('catalog/overrides.yaml', 'overrides:\n  - subject: apps-users\n    version: 4\n    rule: ENUM_VALUE_REMOVED\n    reason: Never sent; confirmed in DATA-1.\n');
    repo.commit('reviewed override');
    const override = repo.git('rev-parse', 'HEAD').trim();
    merge('users-4', { 'catalog/apps/users/4.json': users(['signed_up']) });
    await expect(register()).rejects.toMatchObject({ code: 'REGISTRATION_REFUSED', message: expect.stringContaining(`catalog/apps/users/4.json passes the rules it was merged under, those of ${override.slice(0, 12)}`) as unknown });
    // The way out the message gives: register the override's commit, then this one.
    repo.git('checkout', '-q', override);
    try {
      expect((await register()).publish.status).toBe('published');
    } finally {
      repo.git('checkout', '-q', 'main');
    }
    const registered = await register();
    expect(registered.newVersions.map((entry) => `${entry.subject}@${entry.version}`)).toEqual(['apps-users@4']);
    // A version no rules allow (a property removed) gets no such hint.
    merge('users-5', { 'catalog/apps/users/5.json': users(['signed_up'], 'displayName') });
    const refused = (await register().catch((error: unknown) => error)) as Error;
    expect(refused.message).toContain('catalog/apps/users/5.json');
    expect(refused.message).not.toContain('passes the rules it was merged under');
  });
});

// Regression: plan and register checked the catalog on disk but built the manifest from HEAD,
// so an uncommitted copy of a compatible version let an incompatible committed one be published.
it('refuses to register or plan while the catalog has uncommitted changes, naming them', async () => {
  const repo = createTestRepo();
  const manifests = createFileStore(mkdtempSync(join(tmpdir(), 'schemaflow-uncommitted-')));
  try {
    repo.write('catalog/apps/users/4.json', readFileSync(join(repo.root, 'catalog/apps/users/3.json'), 'utf8'));
    for (const dryRun of [true, false]) {
      await expect(registerCatalog({ repository: openRepository(repo.root), manifests, untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', dryRun, reconcile: false })).rejects.toMatchObject({
        code: 'UNCOMMITTED_CHANGES',
        exitCode: 2,
        message: expect.stringContaining('catalog/ has uncommitted changes: catalog/apps/users/4.json (added). Registration checks and registers the catalog as HEAD holds it') as unknown,
      });
    }
    repo.commit('version 4');
    expect((await registerCatalog({ repository: openRepository(repo.root), manifests, untrustedPatterns: createPatternSandbox() }, { catalogDir: 'catalog', dryRun: false, reconcile: false })).publish.status).toBe('published');
  } finally {
    repo.dispose();
  }
});

// Regression: retentionMs and configs['retention.ms'] (cleanupPolicy and cleanup.policy) were
// merged across layers apart, and the named form always won: the catalog's default retentionMs
// beat a subject's configs['retention.ms'], and registration altered the topic back to it.
it('treats a named topic setting and its Kafka config as one setting, the later layer winning', () => {
  const catalog = { compatibility: { mode: 'FULL_TRANSITIVE' as const, policy: 'DEFAULT' as const }, lint: {}, topic: { partitions: 3, retentionMs: 604800000, configs: { 'cleanup.policy': 'delete' } }, environments: { prod: { topic: { configs: { 'cleanup.policy': 'compact' } } } } };
  const subject = { description: 'd', owners: ['@acme/x'], status: 'active' as const, pii: [], topic: { configs: { 'retention.ms': '86400000' }, cleanupPolicy: 'delete' as const } };
  expect(configsOf(topicSettingsFor(catalog, subject, undefined))).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': '86400000' });
  expect(configsOf(topicSettingsFor(catalog, subject, 'prod'))).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '86400000' });
  // Within one layer the named form wins, as before; without a conflict nothing changes.
  expect(configsOf(topicSettingsFor({ ...catalog, topic: { retentionMs: 1, configs: { 'retention.ms': '2' } } }, { ...subject, topic: {} }, undefined))).toEqual({ 'retention.ms': '1' });
  expect(topicSettingsFor(catalog, { ...subject, topic: { partitions: 6 } }, undefined)).toEqual({ partitions: 6, retentionMs: 604800000, configs: { 'cleanup.policy': 'delete' } });
});

describe('manifest format and canonical form', () => {
  const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  it('readers accept the same major with unknown fields and refuse a higher major, naming it', () => {
    expect(parseManifest(bytes({ format: '1.7', serial: 3, sourceCommit: 'f'.repeat(40), environment: 'default', subjects: [], future: true }), 'm.json').serial).toBe(3);
    expect(() => parseManifest(bytes({ format: '2.0', serial: 1, subjects: [] }), 'latest.json')).toThrow('latest.json is manifest format 2.0; this schemaflow reads format 1.x. Upgrade schemaflow to a version that reads format 2.');
    expect(() => parseManifest(new TextEncoder().encode('nope'), 'x.json')).toThrow(/x.json is not a JSON manifest/);
  });

  it('canonicalises per RFC 8785 (sorted keys, no whitespace, ECMAScript numbers)', () => {
    expect(canonicalize({ b: [1, 2.5, 1e21, -0], a: { d: 'é\n', c: null } })).toBe('{"a":{"c":null,"d":"é\\n"},"b":[1,2.5,1e+21,0]}');
    expect(fingerprint({ a: 1, b: 2 })).toBe(fingerprint({ b: 2, a: 1 }));
    expect(fingerprint({ a: 1 })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
