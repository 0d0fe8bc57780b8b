import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openObjectStore, storeLocation } from '../../../src/adapters/lake/object-store.js';
import { resolveSettings } from '../../../src/config/resolve.js';
import { findSetting } from '../../../src/config/settings.js';
import { duckdbRoot, manifestLocation } from '../../../src/discovery/snippets.js';
import { decodeFileUrl } from '../../../src/domain/file-url.js';
import { createManifestLoader } from '../../../src/sdk/manifest-source.js';
import { runSchemaflow } from '../../support/cli.js';

/** RFC 8089 file URLs, read alike by every reader of a location. */
const root = mkdtempSync(join(tmpdir(), 'schemaflow-file-url-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('decodeFileUrl', () => {
  it.each([
    ['file:///tmp/x', '/tmp/x'],
    ['file://localhost/tmp/x', '/tmp/x'],
    ['file://LocalHost/tmp/x', '/tmp/x'],
    ['file://localhost', '/'],
    ['file://./lake', './lake'],
    ['file://../lake', '../lake'],
    ['file://.', '.'],
    ['file:///tmp/with%20space', '/tmp/with space'],
    ['file://localhost/tmp/l%61ke%25s', '/tmp/lake%s'],
    ['file://', ''],
  ])('reads %s as the path %j', (url, path) => {
    expect(decodeFileUrl(url)).toEqual({ ok: true, path });
  });

  it.each([
    ['file://server/x', 'server', 'file://./server/x'],
    ['file://nas.example.com/srv/lake', 'nas.example.com', 'file://./nas.example.com/srv/lake'],
    ['file://lake', 'lake', 'file://./lake'],
    ['file://lake/_state/', 'lake', 'file://./lake/_state/'],
  ])('refuses %s, which names the host %s, saying how to write a relative directory', (url, host, relative) => {
    expect(decodeFileUrl(url)).toEqual({ ok: false, problem: `names the host "${host}", but a file:// URL names this machine's files, with no host or localhost (RFC 8089): write ${relative} for a directory relative to where the command runs, or file:///absolute/path` });
  });

  it('refuses a % that starts no escape, and leaves other schemes alone', () => {
    expect(decodeFileUrl('file://./a%zz')).toEqual({ ok: false, problem: 'holds a % that starts no escape (%XX): write a literal % as %25' });
    expect(decodeFileUrl('gs://bucket/lake')).toBeUndefined();
    expect(decodeFileUrl('/tmp/x')).toBeUndefined();
  });
});

describe('every reader of a file:// location', () => {
  it('opens file://localhost/path as /path, the same store as file:///path', () => {
    const lake = join(root, 'lake');
    expect(openObjectStore(`file://localhost${lake}`, { cwd: '/somewhere/else' }).location).toBe(`file://${lake}`);
    expect(storeLocation(`file://localhost${lake}`, '/somewhere/else')).toBe(storeLocation(`file://${lake}`, '/elsewhere'));
    expect(() => openObjectStore('file://server/lake')).toThrow('file://server/lake names the host "server"');
  });

  it('loads a manifest from file://localhost/path in the SDK, and refuses another host as MANIFEST_UNREADABLE naming it', async () => {
    mkdirSync(join(root, 'manifests'), { recursive: true });
    writeFileSync(join(root, 'manifests', 'latest.json'), '{"serial":7}');
    const load = createManifestLoader();
    expect(new TextDecoder().decode(await load(`file://localhost${root}/manifests/`))).toBe('{"serial":7}');
    await expect(load('file://server/manifests/')).rejects.toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable: false, message: expect.stringContaining('cannot load the manifest from file://server/manifests/latest.json: it names the host "server"') as string });
  });

  it('shows file://localhost/path as /path in the discovery snippets', () => {
    expect(duckdbRoot('file://localhost/srv/lake/')).toBe('/srv/lake');
    expect(manifestLocation('file://localhost/srv/manifests')).toBe('/srv/manifests/latest.json');
  });

  it('refuses a host in a setting with exit 2, naming the flag, the variable or the catalog.yaml environment that gave it', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const flag = await runSchemaflow(['lake', 'audit', '--lake', 'file://server/lake'], { cwd: root, env });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--lake="file://server/lake": names the host "server", but a file:// URL names this machine\'s files, with no host or localhost (RFC 8089): write file://./server/lake for a directory relative to where the command runs, or file:///absolute/path');
    // Named once: not again as the state location derived from it.
    expect(flag.stderr.match(/names the host/g)).toHaveLength(1);
    const variable = await runSchemaflow(['search', 'x'], { cwd: root, env: { ...env, SCHEMAFLOW_MANIFEST_URL: 'file://nas/manifests' } });
    expect(variable.code).toBe(2);
    expect(variable.stderr).toContain('SCHEMAFLOW_MANIFEST_URL="file://nas/manifests": names the host "nas"');
    mkdirSync(join(root, 'catalog'), { recursive: true });
    writeFileSync(join(root, 'catalog', 'catalog.yaml'), 'environments:\n  remote:\n    lakeUrl: file://nas/lake\n');
    const environment = await runSchemaflow(['lake', 'audit', '--env', 'remote'], { cwd: root, env });
    expect(environment.code).toBe(2);
    expect(environment.stderr).toContain('catalog/catalog.yaml environments.remote.lakeUrl="file://nas/lake": names the host "nas"');
    // localhost is this machine: the lake is read, and is empty.
    const local = await runSchemaflow(['lake', 'audit', '--lake', `file://localhost${root}/empty-lake`], { cwd: '/', env });
    expect(local.code).toBe(2);
    expect(local.stderr).toContain(`nothing is archived at file://${root}/empty-lake`);
  });
});

// Regression: FILE:// (a scheme in capitals) passed the settings check, which compared schemes
// without regard to case, and was then refused by the store as "not a supported location" without
// naming the setting, or read by the SDK as a relative path and reported as a missing file. Every
// reader matches gs:// as written, so FILE://, GS:// and the like are refused, naming the setting,
// with the lowercase form to write.
describe('a location whose scheme is not in lowercase', () => {
  it('is refused by decodeFileUrl, saying how to write it', () => {
    expect(decodeFileUrl('FILE:///tmp/x')).toEqual({ ok: false, problem: 'writes the scheme as "FILE": write it in lowercase, file:///tmp/x' });
    expect(decodeFileUrl('File://./lake')).toEqual({ ok: false, problem: 'writes the scheme as "File": write it in lowercase, file://./lake' });
  });

  it.each([
    ['lakeUrl', 'FILE://./lake', 'file://./lake'],
    ['lakeUrl', 'GS://acme-lake/events', 'gs://acme-lake/events'],
    ['stateUrl', 'File:///srv/state', 'file:///srv/state'],
    ['manifestUrl', 'HTTPS://example.com/manifests', 'https://example.com/manifests'],
    ['gcsEndpoint', 'HTTP://127.0.0.1:4443', 'http://127.0.0.1:4443'],
  ] as const)('is refused by the settings check (%s = %s), with the lowercase form', (key, value, lowercase) => {
    const flag = `--${findSetting(key).flag ?? ''}`;
    expect(() => resolveSettings([key], { env: {}, flags: { [key]: value } })).toThrow(`invalid configuration:\n  - ${flag}="${value}": expected the scheme in lowercase: ${lowercase}`);
  });

  it('is refused with exit 2 by a command, naming the variable, and by the store', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const run = await runSchemaflow(['search', 'x'], { cwd: root, env: { ...env, SCHEMAFLOW_MANIFEST_URL: 'FILE://./manifests' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SCHEMAFLOW_MANIFEST_URL="FILE://./manifests": expected the scheme in lowercase: file://./manifests');
    expect(() => openObjectStore('FILE:///srv/lake')).toThrow('FILE:///srv/lake writes the scheme as "FILE": write it in lowercase, file:///srv/lake');
  });

  it('is refused by the SDK loader as MANIFEST_UNREADABLE, not read as a relative path', async () => {
    const load = createManifestLoader();
    await expect(load('FILE:///srv/manifests/')).rejects.toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable: false, message: 'cannot load the manifest from FILE:///srv/manifests/latest.json: it writes the scheme as "FILE": write it in lowercase, file:///srv/manifests/latest.json' });
    await expect(load('GS://acme/manifests/')).rejects.toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable: false, message: 'cannot load the manifest from GS://acme/manifests/latest.json: the loader reads a path, file://, https:// or gs:// (the scheme in lowercase), not GS://; inject a loader to read another' });
    await expect(load('http://example.com/manifests/')).rejects.toMatchObject({ code: 'MANIFEST_UNREADABLE', message: expect.stringContaining('not http://;') as string });
    // Regression (found by a review): a bucket without an object was "not gs://", which it is.
    await expect(load('gs://acme')).rejects.toMatchObject({ code: 'MANIFEST_UNREADABLE', retriable: false, message: 'cannot load the manifest from gs://acme: a gs:// location names an object in the bucket, e.g. gs://acme/manifests/latest.json, or a folder ending in / (gs://acme/manifests/)' });
  });
});
