import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import { runCli } from '../../../src/cli/program.js';
import { terminalText } from '../../../src/domain/terminal-text.js';
import { createDiscoveryDir, exampleManifest, testSubject, withSubjects, writeClosure, type DiscoveryDir } from '../../support/discovery-fixture.js';

let dir: DiscoveryDir;
beforeAll(async () => {
  const manifest = exampleManifest();
  const orders = testSubject('shop-orders', [
    { type: 'object', required: ['id'], properties: { id: { type: 'string' }, status: { enum: ['new', 'paid'] } } },
    { type: 'object', required: ['id'], properties: { id: { type: 'string' }, status: { enum: ['new', 'paid', 'shipped'] }, total: { type: 'integer' } } },
  ]);
  dir = createDiscoveryDir(withSubjects(manifest, orders));
  await writeClosure(openObjectStore(`${dir.lakeUrl}/_state`), 'apps-users', '2026-11-30T10:00:00.000Z');
});
afterAll(() => dir.dispose());

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env: { SCHEMAFLOW_MANIFEST_URL: dir.manifestUrl, SCHEMAFLOW_LAKE_URL: dir.lakeUrl, ...env }, io: { out: (line) => out.push(line), err: (line) => err.push(line) } });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('schemaflow search', () => {
  it('ranks matches and shows where each matched, with topic and lake path', async () => {
    const { code, stdout } = await cli(['search', 'user']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('2 subjects match "user":');
    expect(stdout).toContain(`apps-users  [active]  matched: subject name\n  topic apps-users  lake ${dir.lakeUrl}/apps-users/`);
    expect(stdout.indexOf('apps-users  [active]')).toBeLessThan(stdout.indexOf('apps-sessions  [active]  matched: field /userId'));
  });

  it('answers in JSON with every hit and where it matched', async () => {
    const { code, stdout } = await cli(['search', 'payments', 'amount', '--format', 'json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { total: number; hits: Array<{ subject: string }> };
    expect(result.total).toBe(2);
    expect(result.hits.map((hit) => hit.subject)).toEqual(['payments-refunds', 'payments-transactions']);
    expect(result.hits[0]).toMatchObject({ topic: 'payments-refunds', lake: `${dir.lakeUrl}/payments-refunds/`, matches: [{ word: 'payments', where: 'subject' }, { word: 'amount', where: 'field', detail: '/amount' }] });
  });

  it('limits the list and says so; finds nothing without failing', async () => {
    expect((await cli(['search', 'a', '--limit', '1'])).stdout).toContain('(the first 1 shown; --limit N for more)');
    expect(await cli(['search', 'no-such-thing'])).toMatchObject({ code: 0, stdout: expect.stringContaining('no subject matches "no-such-thing"') });
  });

  it.each([
    [['search'], 'search needs some text'],
    [['search', '  '], 'search needs some text'],
    [['search', 'x', '--format', 'xml'], '--format must be one of text, json, not'],
    [['search', 'x', '--limit', '0'], '--limit must be a positive whole number'],
    [['search', 'x', '--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});

describe('schemaflow show', () => {
  it('shows versions with diffs, fields, lake, freshness, the DuckDB query and a producer snippet', async () => {
    const { code, stdout } = await cli(['show', 'apps-users']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^apps-users {2}\[active\]/);
    expect(stdout).toContain(`  lake           ${dir.lakeUrl}/apps-users/`);
    expect(stdout).toContain('  freshness      latest closed hour 2026-11-30 10:00 UTC');
    expect(stdout).toMatch(/ {2}v3 {2}id \d+ {2}sha256:\S+ {2}catalog\/apps\/users\/3\.json {2}registered in [0-9a-f]{12}\n {6}added \/marketingOptIn \(boolean, optional\)/);
    expect(stdout).toMatch(/\/email +string \(email\) +yes +PII +The user's e-mail address/);
    expect(stdout).toContain(`FROM read_json('${dir.root}/lake/apps-users/**/*.jsonl.gz', format = 'newline_delimited', hive_partitioning = true, hive_types = {'v': INTEGER, 'dt': DATE, 'hr': INTEGER}, union_by_name = true)`);
    expect(stdout).toContain(`createProducer({ manifest: "${dir.root}/manifests/latest.json", kafka })`);
  });

  it('lists the enum values a version gained', async () => {
    const { stdout } = await cli(['show', 'shop-orders']);
    expect(stdout).toContain('      /status: values gained "shipped"\n      added /total (integer, optional)');
    expect(stdout).toContain('  freshness      no hour closed yet');
  });

  it('lists the fields of an older version with --version', async () => {
    const { code, stdout } = await cli(['show', 'shop-orders', '--version', '1']);
    expect(code).toBe(0);
    expect(stdout).toContain('fields of v1:');
    expect(stdout.slice(stdout.indexOf('fields of v1:'), stdout.indexOf('history in DuckDB'))).not.toContain('/total');
  });

  it('answers in JSON with the fields, changes, freshness, query and snippet', async () => {
    const { code, stdout } = await cli(['show', 'shop-orders', '--format', 'json']);
    expect(code).toBe(0);
    const shown = JSON.parse(stdout) as { versions: Array<{ changes: Array<{ kind: string; pointer: string }>; fields: Array<{ pointer: string }>; schema: { properties: Record<string, unknown> } }>; query: string; producer: string };
    expect(shown).toMatchObject({ subject: 'shop-orders', topic: 'shop-orders', lakeLocation: `${dir.lakeUrl}/shop-orders/`, freshness: { state: 'none', text: 'no hour closed yet' } });
    expect(shown.versions[1]?.changes.map((change) => `${change.kind} ${change.pointer}`)).toEqual(['changed /status', 'added /total']);
    expect(shown.versions[1]?.fields.map((field) => field.pointer)).toEqual(['/id', '/status', '/total']);
    expect(shown.versions[0]?.schema.properties.id).toEqual({ type: 'string' });
    expect(shown.query).toContain('read_json(');
    expect(shown.producer).toContain('producer.send("shop-orders"');
  });

  it('says freshness is unknown when the state cannot be read, and still succeeds', async () => {
    writeFileSync(join(dir.root, 'not-a-dir'), 'x');
    const { code, stdout } = await cli(['show', 'apps-users', '--state', `file://${dir.root}/not-a-dir`]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/ {2}freshness {6}unknown \(lake not reachable: .*ENOTDIR/);
  });

  it('suggests the closest names for an unknown subject (exit 2)', async () => {
    const { code, stderr, stdout } = await cli(['show', 'apps-user']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`schemaflow: error: no subject "apps-user" in the manifest ${dir.manifestUrl}/latest.json (serial 1, 5 subjects). Did you mean apps-users`);
    expect(stderr).toContain("Run 'schemaflow search apps-user'");
  });

  it.each([
    [['show'], 'show needs a subject'],
    [['show', 'a', 'b'], 'unexpected argument "b": schemaflow show takes only <subject>'],
    [['show', 'apps-users', '--version', '9'], 'apps-users has no version 9; its versions are 1, 2, 3'],
    [['show', 'apps-users', '--version', 'x'], '--version must be a positive whole number'],
    [['show', 'apps-users', '--format', 'yaml'], '--format must be one of text, json, not'],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('says where the manifest should be when there is none (exit 1)', async () => {
    const { code, stderr } = await cli(['show', 'apps-users'], { SCHEMAFLOW_MANIFEST_URL: `file://${dir.root}/nowhere` });
    expect(code).toBe(1);
    expect(stderr).toContain(`schemaflow: MANIFEST_UNREADABLE: cannot load the manifest from file://${dir.root}/nowhere/latest.json`);
    expect(stderr).toContain(`Check the manifest location file://${dir.root}/nowhere (from SCHEMAFLOW_MANIFEST_URL): that registration published latest.json there (schemaflow register, or actions/register on merge)`);
  });
});

describe('schemaflow site', () => {
  it('writes the catalog with freshness from the lake', async () => {
    const out = join(dir.root, 'site');
    const { code, stdout } = await cli(['site', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote 10 files to ${out}: 5 subjects from manifest serial 1; freshness read from file://${dir.root}/lake/_state`);
    for (const path of ['index.html', 'rules.html', 'style.css', 'search.js', 'search-index.js', 'subjects/apps-users.html', 'subjects/shop-orders.html']) expect(existsSync(join(out, path)), path).toBe(true);
    expect(readFileSync(join(out, 'subjects/apps-users.html'), 'utf8')).toContain('latest closed hour 2026-11-30 10:00 UTC');
    expect(readFileSync(join(out, 'subjects/shop-orders.html'), 'utf8')).toContain('values gained &quot;shipped&quot;');
  });

  it.each([
    [['site'], '--out <dir> is required'],
    [['site', '--out', ''], '--out was given an empty value: give <dir>'],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('refuses an --out that is a file (exit 2)', async () => {
    writeFileSync(join(dir.root, 'a-file'), 'x');
    const { code, stderr } = await cli(['site', '--out', join(dir.root, 'a-file')]);
    expect(code).toBe(2);
    expect(stderr).toContain(`--out ${join(dir.root, 'a-file')}: ${join(dir.root, 'a-file')} is not a directory`);
  });

  it('is listed in the help with search and show', async () => {
    const { stdout } = await cli(['--help']);
    for (const name of ['search', 'show', 'site']) expect(stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });
});

describe('schemaflow produce, bad input (refused before any broker is reached)', () => {
  it('names a missing events file, and a subject the manifest lacks, as usage errors', async () => {
    const missing = await cli(['produce', 'apps-users', join(dir.root, 'nope.ndjson')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read the events file ${join(dir.root, 'nope.ndjson')}: ENOENT`);
    const events = join(dir.root, 'events.ndjson');
    writeFileSync(events, '{}\n');
    const unknown = await cli(['produce', 'apps-user', events]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('apps-user is not in manifest serial');
    expect(unknown.stderr).toContain('known subjects: ');
  });
});

/**
 * Regression: descriptions and property names are pull-request content, and `show`, `search`
 * and `check` printed them raw: an escape sequence in a description cleared the reader's screen,
 * coloured text or made a hyperlink to anywhere. Every line a command prints now writes such
 * characters as their `\uXXXX` escape.
 */
describe('text from the catalog on a terminal', () => {
  const ESC = '\u001b';
  const hostile = testSubject('evil-events', [{ type: 'object', properties: { [`${ESC}]0;pwned\u0007name`]: { type: 'string', description: `${ESC}[2J${ESC}]8;;https://evil.example\u0007click` } } }]);
  const description = `Evil ${ESC}[31mred${ESC}[0m \u202eevents\r`;
  let evil: DiscoveryDir;
  beforeAll(() => {
    const manifest = exampleManifest();
    evil = createDiscoveryDir(withSubjects(manifest, { ...hostile, description }));
  });
  afterAll(() => evil.dispose());
  const run = async (argv: string[]): Promise<string> => {
    const out: string[] = [];
    await runCli(argv, { env: { SCHEMAFLOW_MANIFEST_URL: evil.manifestUrl, SCHEMAFLOW_LAKE_URL: evil.lakeUrl }, io: { out: (line) => out.push(line), err: (line) => out.push(line) } });
    return out.join('\n');
  };

  it('prints it inert in text, and as the same values in JSON', async () => {
    for (const argv of [['show', 'evil-events'], ['search', 'evil']]) {
      const text = await run(argv);
      expect(text).toContain('Evil \\u001b[31mred\\u001b[0m \\u202eevents\\u000d');
      // Nothing left that terminalText would escape.
      expect(terminalText(text)).toBe(text);
    }
    expect(await run(['show', 'evil-events'])).toContain('\\u001b]0;pwned\\u0007name');
    const json = JSON.parse(await run(['show', 'evil-events', '--format', 'json'])) as { description: string };
    expect(json.description).toBe(description);
  });
});
