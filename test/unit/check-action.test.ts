import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/action.js';
import { startGitHubApi, type GitHubApi, type StoredComment } from '../support/github-api.js';
import { createTestRepo } from '../support/git-repo.js';

/**
 * The committed bundle of actions/check, run as the runner runs it (INPUT_*, GITHUB_EVENT_PATH
 * with a pull_request payload, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) against a loopback GitHub API.
 */
const repo = createTestRepo();
const scratch = mkdtempSync(join(tmpdir(), 'schemaflow-check-action-'));
let api: GitHubApi;

beforeAll(async () => {
  api = await startGitHubApi();
  api.seed(150); // our comment lands on page 2: it must be found across pages
});
afterAll(async () => {
  await api.close();
  repo.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

let run = 0;
function runCheck() {
  run += 1;
  const event = join(scratch, `event-${run}.json`);
  writeFileSync(event, JSON.stringify({ action: 'synchronize', number: 7, pull_request: { number: 7, head: { sha: 'a'.repeat(40), ref: 'feature' }, base: { ref: 'main', sha: repo.git('rev-parse', 'main').trim() } }, repository: { full_name: 'acme/catalog' } }));
  return runAction('check', {
    cwd: repo.root,
    inputs: { 'github-token': 'test-token' },
    env: { GITHUB_EVENT_PATH: event, GITHUB_API_URL: api.url, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/catalog' },
  });
}

const output = (outputs: Readonly<Record<string, string>>, name: string): string | undefined => outputs[name];
const ours = (): StoredComment[] => api.comments.filter((comment) => comment.body.includes('<!-- schemaflow:check -->'));
const writes = (): string[] => api.requests.filter((request) => request.startsWith('POST') || request.startsWith('PATCH'));

describe('actions/check', () => {
  it('a clean pull request that never had a comment gets none', async () => {
    repo.git('checkout', '-q', '-b', 'feature');
    const result = await runCheck();
    expect(result.code).toBe(0);
    expect(output(result.outputs, 'comment')).toBe('not-needed');
    expect(ours()).toHaveLength(0);
    expect(result.summary).toContain('✅ schemaflow check passed');
  });

  it('annotates findings, writes the summary and creates one comment with links, the change and the plan', async () => {
    const users3 = JSON.parse(repo.git('show', 'HEAD:catalog/apps/users/3.json')) as { properties: Record<string, any> };
    users3.properties.kind.enum = ['signed_up'];
    users3.properties.nickname = { description: 'A nickname.', type: 'string' };
    repo.write('catalog/apps/users/4.json', JSON.stringify(users3, null, 2));
    repo.write('catalog/apps/users/1.json', '{"edited": true}');
    repo.commit('a breaking change');
    const result = await runCheck();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^::error title=VERSION_MODIFIED,file=catalog\/apps\/users\/1\.json,line=1,col=1::/m);
    expect(result.stdout).toMatch(/^::error title=ENUM_VALUE_REMOVED,file=catalog\/apps\/users\/4\.json,line=\d+,col=\d+::/m);
    expect(output(result.outputs, 'comment')).toBe('created');
    expect(Number(output(result.outputs, 'errors'))).toBeGreaterThanOrEqual(2);
    const [comment] = ours();
    expect(comment?.body.split('\n')[1]).toMatch(/^### ❌ schemaflow check: \d+ errors in 1 changed subject$/);
    expect(comment?.body).toContain(`https://github.com/acme/catalog/blob/${'a'.repeat(40)}/catalog/apps/users/4.json#L`);
    expect(comment?.body).toContain('version 4: added /nickname (string, optional)');
    // Quoted schema content is escaped: brackets cannot open a link.
    expect(comment?.body).toContain('values of /kind: \\["signed_up","profile_changed"\\] → \\["signed_up"\\]');
    expect(result.summary).toContain('| `apps-users` |');
    expect(result.summary).toContain('json-schema-diff cross-checked 1 pair (0 skipped, 0 timed out)');
  });

  it('does not rewrite an unchanged comment, and flips it to ✅ when the pull request is fixed', async () => {
    const before = writes().length;
    const again = await runCheck();
    expect(output(again.outputs, 'comment')).toBe('unchanged');
    expect(writes()).toHaveLength(before);

    repo.git('checkout', '-q', 'HEAD~1', '--', 'catalog/apps/users/1.json');
    const fixed = JSON.parse(repo.git('show', 'main:catalog/apps/users/3.json')) as { properties: Record<string, any> };
    fixed.properties.nickname = { description: 'A nickname.', type: 'string' };
    repo.write('catalog/apps/users/4.json', JSON.stringify(fixed, null, 2));
    repo.commit('fix');
    const result = await runCheck();
    expect(result.code).toBe(0);
    expect(output(result.outputs, 'comment')).toBe('updated');
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.body).toContain('✅ schemaflow check passed');
    expect(ours()[0]?.body).toContain('v4 → ID 7');
    expect(result.summary).toContain('| `apps-users` | new version 4 | ✅ | v4 → ID 7 |');
    expect(api.requests.some((request) => request.includes('page=2'))).toBe(true);
  });

  it('on a fork (403) neither fails a clean check nor passes a bad one', async () => {
    api.setForbidden(true);
    try {
      const clean = await runCheck();
      expect(clean.code).toBe(0);
      repo.write('catalog/apps/users/1.json', '{"edited": true}');
      repo.commit('break again');
      const bad = await runCheck();
      expect(bad.code).toBe(1);
      expect(output(bad.outputs, 'comment')).toBe('forbidden');
      expect(bad.stdout).toContain('the job summary has the full review');
      expect(bad.summary).toContain('VERSION_MODIFIED');
    } finally {
      api.setForbidden(false);
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  /**
   * Regression: any API error but 403 ended the action (ERROR: Server Error), so GitHub failing
   * to list or write comments failed a clean pull request and set none of the outputs.
   */
  it('a GitHub API error on the comment neither fails a clean check nor passes a bad one', async () => {
    const start = repo.git('rev-parse', 'HEAD').trim();
    api.setFailure(502);
    try {
      const clean = await runCheck();
      expect(clean.code).toBe(0);
      expect(output(clean.outputs, 'errors')).toBe('0');
      expect(output(clean.outputs, 'comment')).toBe('failed');
      expect(clean.stdout).toMatch(/^::warning::The pull-request comment could not be (read or )?written .*502/m);
      repo.write('catalog/apps/users/1.json', '{"edited": true}');
      repo.commit('break again');
      const bad = await runCheck();
      expect(bad.code).toBe(1);
      expect(output(bad.outputs, 'comment')).toBe('failed');
      expect(Number(output(bad.outputs, 'errors'))).toBeGreaterThanOrEqual(1);
      expect(bad.summary).toContain('VERSION_MODIFIED');
    } finally {
      api.setFailure(undefined);
      repo.git('reset', '-q', '--hard', start);
    }
  });

  it('reports a new version that is JSON null instead of crashing on the change summary', async () => {
    repo.write('catalog/apps/users/4.json', 'null');
    repo.commit('a null version');
    try {
      const result = await runCheck();
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^::error title=SCHEMA_INVALID,file=catalog\/apps\/users\/4\.json,line=1,col=1::/m);
      expect(result.summary).toContain('SCHEMA_INVALID');
      expect(ours()[0]?.body).toContain('version 4: not a JSON Schema');
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('shows topics to create and to change in the provisional plan', async () => {
    repo.write('catalog/apps/users/subject.yaml', repo.git('show', 'main:catalog/apps/users/subject.yaml').replace('partitions: 6', 'partitions: 6\n  retentionMs: 1000'));
    repo.write('catalog/apps/extra/subject.yaml', 'description: Extra.\nowners: ["@acme/x"]\n');
    repo.write('catalog/apps/extra/1.json', JSON.stringify({ description: 'Extra.', type: 'object', properties: { id: { description: 'Id.', type: 'string' } } }));
    repo.commit('topic changes');
    try {
      const result = await runCheck();
      expect(result.summary).toContain('create topic apps-extra');
      expect(result.summary).toContain('change topic apps-users: retention.ms 604800000 → 1000');
    } finally {
      repo.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('keeps 200+ findings under the comment limit and the annotations within GitHub\'s per-step limits', async () => {
    const properties = Object.fromEntries(Array.from({ length: 220 }, (_, index) => [`field${index}`, { type: 'string' }]));
    repo.write('catalog/apps/wide/subject.yaml', 'description: Wide.\nowners: ["@acme/x"]\n');
    repo.write('catalog/apps/wide/1.json', JSON.stringify({ description: 'Wide.', type: 'object', properties }, null, 2));
    repo.commit('a wide schema');
    const result = await runCheck();
    expect(result.code).toBe(1);
    // Regression: ten findings and the verdict made eleven error annotations, past GitHub's ten a step.
    expect(result.stdout.match(/^::error/gm)).toHaveLength(10);
    expect(result.stdout.match(/^::error /gm)).toHaveLength(9);
    expect(result.stdout).toMatch(/^::error::❌ schemaflow check: \d+ errors/m);
    expect(result.stdout).toMatch(/::notice::\d+ more finding\(s\) than GitHub shows as annotations/);
    const body = ours()[0]?.body ?? '';
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(65_536);
    expect(result.summary.match(/MISSING_DESCRIPTION/g)?.length).toBeGreaterThanOrEqual(220);
  }, 30_000);

  /**
   * Regression: findings on catalog-level files were never cut from the comment, so 400 stray
   * files made a body GitHub refused (422, "Body is too long") and the action failed a check that
   * passed with warnings.
   */
  it('a pull request with 400 stray files at the catalog root passes and gets its comment under the limit', async () => {
    repo.git('checkout', '-q', '-B', 'stray', 'main');
    for (let index = 0; index < 400; index += 1) repo.write(`catalog/notes-${String(index).padStart(4, '0')}.txt`, 'x\n');
    repo.commit('stray files');
    try {
      const result = await runCheck();
      expect(result.stdout).not.toMatch(/Body is too long/);
      expect(result.code).toBe(0);
      expect(output(result.outputs, 'warnings')).toBe('400');
      expect(output(result.outputs, 'comment')).toBe('updated');
      const body = ours()[0]?.body ?? '';
      expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(65_536);
      expect(body).toContain('**Catalog files**: 400 findings (omitted: see the job summary)');
      expect(result.summary.match(/STRAY_FILE/g)?.length).toBeGreaterThanOrEqual(400);
    } finally {
      repo.git('checkout', '-q', 'feature');
    }
  }, 30_000);

  /**
   * Regression: annotations quoted pull-request text raw, and GitHub's log viewer acts on escape
   * sequences (colours, erased lines) in a step's output.
   */
  it('annotates with what a terminal would act on written as its escape', async () => {
    repo.git('checkout', '-q', '-B', 'escapes', 'main');
    repo.write('catalog/apps/painted/subject.yaml', 'description: Painted.\nowners: ["@acme/x"]\n');
    repo.write('catalog/apps/painted/1.json', JSON.stringify({ description: 'Painted.', type: 'object', properties: { '\u001b[31mred\r': { type: 'string' } } }, null, 2));
    repo.commit('a property name with an escape sequence');
    const result = await runCheck();
    expect(result.stdout).toContain('\\u001b[31mred\\u000d');
    expect(result.stdout).not.toContain('\u001b');
  });
});
