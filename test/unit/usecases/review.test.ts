import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../../src/usecases/check-catalog.js';
import { COMMENT_BUDGET, renderReview, SUMMARY_BUDGET } from '../../../src/usecases/review.js';
import { createTestRepo } from '../../support/git-repo.js';
import { check, codes, SUBJECT_YAML } from '../catalog/helpers.js';

const context = { repository: 'acme/catalog', headSha: 'a'.repeat(40), serverUrl: 'https://github.com' };
/** A check report of these subjects and findings, as renderReview reads it. */
const reportOf = (subjects: ReadonlyArray<Record<string, unknown>>, findings: ReadonlyArray<Record<string, unknown>> = []): CheckReport =>
  ({ base: { ref: 'main', commit: 'b'.repeat(40) }, findings, subjects, changedFiles: 1, deletedFiles: [], crossCheck: [], crossChecked: { checked: 0, skipped: 0, timedOut: 0 }, overrides: [], catalogDir: 'catalog' }) as unknown as CheckReport;

it('quotes hostile pull-request content as inert text: no link, image, HTML, mention, code span or extra table cell', () => {
  const subject = '<img src=x>-x`y';
  const file = 'catalog/<img src=x>/x`y/[a](b) c.json';
  const message = 'At /[click](https://evil.example), ![p](https://evil.example/p.png) <script>x</script> ping @acme/security | cell `code, mail ada@example.com, &#64;acme/team, _@acme/ops_ *@acme/sre*';
  const report = reportOf([{ subject, team: '<img src=x>', name: 'x`y', isNew: true, newVersions: [1], parts: ['versions'], deletedParts: [], errors: 1, warnings: 0 }], [{ code: 'INVALID_TEAM_NAME', severity: 'error', file, line: 1, col: 1, pointer: '', message, params: {} }]);
  const { body } = renderReview(report, { context, changes: new Map([[subject, ['version 1: added /@acme/team (string) [x](y)']]]) });
  expect(body).toContain('| `<img src=x>-x\'y` | new subject |');
  expect(body).toContain('<summary><b>&lt;img src=x&gt;-x`y</b>');
  const link = `[catalog/\\<img src=x\\>/x\\\`y/\\[a\\](b) c.json:1:1](https://github.com/acme/catalog/blob/${'a'.repeat(40)}/catalog/%3Cimg%20src%3Dx%3E/x%60y/%5Ba%5D(b)%20c.json#L1)`;
  expect(body).toContain(`- ❌ **INVALID_TEAM_NAME** ${link}: At /\\[click\\](https://evil.example), !\\[p\\](https://evil.example/p.png) \\<script\\>x\\</script\\> ping @\u200bacme/security \\| cell \\\`code, mail ada@example.com, \\&#64;acme/team, _@\u200bacme/ops_ *@\u200bacme/sre*`);
  expect(body).toContain('- version 1: added /@\u200bacme/team (string) \\[x\\](y)');
  // Nothing a reader could click or be notified by is left.
  expect(body).not.toMatch(/(^|[^\\])\[(click|p|x)\]\(/);
  expect(body).not.toMatch(/@acme/);
});

/**
 * Regression: the subject cell quoted a directory name as a code span with its line breaks, so a
 * team directory named `x\n[Approve here](…)` ended the table row and the next line rendered as a
 * live link, image and @-mention (README: quoted content "cannot make a link with text of its
 * own, an image, HTML or an @-mention").
 */
it('quotes a directory name with line breaks on one line: no link, image, mention or extra table cell', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  repo.git('checkout', '-q', '-b', 'feature');
  // No "/" in it (it would split the path): browsers read https:evil.example as https://evil.example/.
  // A lone \r ends a line in CommonMark too, and a | would split the cell.
  const team = 'x\n[Approve here](https:evil.example) ![p](https:evil.example) @octocat\r| cell\n';
  repo.write(`catalog/${team}/users/1.json`, '{}');
  repo.commit('hostile directory name');
  const { body } = renderReview(check(repo), { context: { repository: 'acme/catalog', headSha: 'a'.repeat(40), serverUrl: 'https://github.com' }, changes: new Map() });
  expect(body).toContain('\n| `x [Approve here](https:evil.example) ![p](https:evil.example) @\u200boctocat \\| cell -users` | new subject | ❌ 4 errors | — |\n');
  expect(body).toContain('<summary><b>x &#91;Approve here&#93;(https:evil.example) !&#91;p&#93;(https:evil.example) @\u200boctocat | cell -users</b>');
  expect(body).not.toMatch(/\r/);
  // Outside code spans (which markdown does not read), nothing a reader could click or be notified by.
  const prose = body.replace(/(?<!\\)`[^`\n]*`/g, '');
  expect(prose).not.toMatch(/(^|[^\\])!?\[(Approve here|p)\]\(/m);
  expect(prose).not.toMatch(/(^|[^\w\\])@octocat/m);
});

/** Regression: a subject whose details were cut to fit the comment was named unescaped in the cut notes. */
it('names a subject whose details were cut as inert text too', () => {
  const [team, name] = ['[Approve here](https:evil.example)', '<img src=x>@octocat'];
  const subject = `${team}-${name}`;
  const report = reportOf([{ subject, team, name, isNew: true, newVersions: [1], parts: ['versions'], deletedParts: [], errors: 1, warnings: 0 }], [{ code: 'MISSING_DESCRIPTION', severity: 'error', file: `catalog/${team}/${name}/1.json`, line: 1, col: 1, pointer: '', message: 'x'.repeat(70_000), params: {} }]);
  const { body } = renderReview(report, { context, changes: new Map() });
  expect(body).toContain('<details><summary>(omitted) &#91;Approve here&#93;(https:evil.example)-&lt;img src=x&gt;@\u200boctocat: see the job summary</summary></details>');
  expect(body).toContain('_Details of \\[Approve here\\](https:evil.example)-\\<img src=x\\>@\u200boctocat were cut');
  const prose = body.replace(/(?<!\\)`[^`\n]*`/g, '');
  expect(prose).not.toMatch(/(^|[^\\])(\[Approve here\]\(|<img)|(^|[^\w\\])@octocat/m);
});

/**
 * The change column says what the pull request does to each subject, from the files it touches:
 * a subject's README.md is documentation (README: "A README.md may sit … in a subject directory"),
 * not one of its settings, which live in subject.yaml. Regression: every change without a new
 * version was called "settings".
 */
describe('the change column', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  const changeOf = (subject: string, base = 'main'): string | undefined => {
    const report = check(repo, base);
    const { summary } = renderReview(report, { context, changes: new Map() });
    return summary.split('\n').find((line) => line.startsWith(`| \`${subject}\` |`))?.split(' | ')[1];
  };

  it.each([
    ['a README.md alone is documentation', { 'catalog/apps/users/README.md': '# Users\n\nOne event per change to a user account.\n' }, 'documentation'],
    ['subject.yaml alone is settings', { 'catalog/apps/users/subject.yaml': 'description: A user signed up or changed their profile.\nowners: ["@acme/identity"]\nstatus: deprecated\n' }, 'settings'],
    ['both are settings and documentation', { 'catalog/apps/users/README.md': '# Users\n', 'catalog/apps/users/subject.yaml': 'description: A user signed up or changed their profile.\nowners: ["@acme/identity"]\nstatus: deprecated\n' }, 'settings, documentation'],
    ['an edited registered version is no settings change', { 'catalog/apps/users/1.json': '{"edited": true}' }, 'version files'],
    ['a new version beside a settings change shows both', { 'catalog/apps/users/4.json': '{"description": "Users.", "type": "object"}', 'catalog/apps/users/subject.yaml': 'description: A user signed up or changed their profile.\nowners: ["@acme/identity"]\nstatus: deprecated\n' }, 'new version 4, settings'],
    ['a new version beside an edited registered version shows both', { 'catalog/apps/users/4.json': '{"description": "Users.", "type": "object"}', 'catalog/apps/users/1.json': '{"edited": true}' }, 'new version 4, version files'],
    ['a first version alone is a new subject', { 'catalog/apps/orders/1.json': '{"description": "Orders.", "type": "object"}' }, 'new subject', 'apps-orders'],
    ['a README.md in a directory with no version creates no subject', { 'catalog/apps/audit/README.md': '# Audit\n\nComing soon.\n' }, 'documentation', 'apps-audit'],
  ])('%s', (_name, files, expected, subject = 'apps-users') => {
    repo.git('checkout', '-q', '-B', 'feature', 'main');
    for (const [path, content] of Object.entries(files)) repo.write(path, content);
    repo.commit('change');
    expect(changeOf(subject)).toBe(expected);
  });

  /**
   * Regression: deleting a draft's subject.yaml (a subject no version was ever registered for)
   * was labelled `new subject`, as the column saw a touched subject.yaml and no registered
   * version, whether the file was written or deleted.
   */
  describe('deletions', () => {
    beforeAll(() => {
      repo.git('checkout', '-q', '-B', 'drafts', 'main');
      repo.write('catalog/apps/audit/subject.yaml', SUBJECT_YAML);
      repo.write('catalog/apps/audit/README.md', '# Audit\n\nComing soon.\n');
      repo.commit('a draft subject');
    });
    const deleting = (paths: readonly string[]): void => {
      repo.git('checkout', '-q', '-B', 'feature', 'drafts');
      for (const path of paths) repo.remove(path);
      repo.commit('delete');
    };

    it.each([
      ['a draft’s subject.yaml deleted removes the draft', ['catalog/apps/audit/subject.yaml'], 'subject removed (draft)'],
      ['a whole draft deleted removes the draft', ['catalog/apps/audit'], 'subject removed (draft)'],
      ['a draft’s README.md deleted alone is documentation', ['catalog/apps/audit/README.md'], 'documentation'],
    ])('%s', (_name, paths, expected) => {
      deleting(paths);
      expect(changeOf('apps-audit', 'drafts')).toBe(expected);
      expect(codes(check(repo, 'drafts'))).toEqual([]);
    });

    it('a draft’s subject.yaml rewritten is still a new subject', () => {
      repo.git('checkout', '-q', '-B', 'feature', 'drafts');
      repo.write('catalog/apps/audit/subject.yaml', `${SUBJECT_YAML}status: deprecated\n`);
      repo.write('catalog/apps/audit/1.json', '{"description": "Audit.", "type": "object"}');
      repo.commit('first version');
      expect(changeOf('apps-audit', 'drafts')).toBe('new subject');
    });

    it('a registered subject deleted is still refused (immutability) and not called removed', () => {
      deleting(['catalog/apps/users']);
      expect(changeOf('apps-users', 'drafts')).toBe('settings, version files');
      expect(new Set(codes(check(repo, 'drafts'), 'error'))).toEqual(new Set(['VERSION_DELETED']));
    });
  });
});

/** README: the comment is "kept under GitHub's 65,536-character limit (the largest details are cut first, and the comment says what it cut)". */
describe('the comment budget', () => {
  const subjectOf = (name: string) => ({ subject: `apps-${name}`, team: 'apps', name, isNew: false, newVersions: [], parts: ['documentation'], deletedParts: [], errors: 0, warnings: 0 });

  /**
   * Regression: findings on catalog-level files were never cut, so 400 stray files made a
   * 144k-character body; GitHub answered 422 and the action failed a check that passed.
   */
  it('cuts the findings on catalog-level files like a subject’s details, and says so', () => {
    const repo = createTestRepo();
    afterAll(() => repo.dispose());
    repo.git('checkout', '-q', '-b', 'feature');
    for (let index = 0; index < 400; index += 1) repo.write(`catalog/notes-${String(index).padStart(4, '0')}.txt`, 'x\n');
    repo.commit('stray files');
    const report = check(repo);
    expect(new Set(codes(report))).toEqual(new Set(['STRAY_FILE']));
    const { body, summary } = renderReview(report, { context, changes: new Map() });
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(COMMENT_BUDGET);
    expect(body).toContain('**Catalog files**: 400 findings (omitted: see the job summary)');
    expect(body).toContain("_Details of catalog-level files were cut to stay under GitHub's comment limit; the job summary has everything._");
    expect(summary.match(/\*\*STRAY_FILE\*\*/g)).toHaveLength(400);
  });

  /** Regression: once the largest details were cut, their shorter "(omitted)" line was picked again and again: 1,200 subjects without findings never returned. */
  it('cuts each subject’s details once, however many subjects there are', () => {
    const { body } = renderReview(reportOf(Array.from({ length: 1200 }, (_, index) => subjectOf(`s${index}`))), { context, changes: new Map() });
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(COMMENT_BUDGET);
    expect(body).toMatch(/\n\| …and \d+ more \| \| \| \|\n/);
  }, 10_000);

  it('ends a body no cut can shorten at a whole line, with a note', () => {
    // One table row that no cut reaches: a subject planning 6,000 versions.
    const newVersions = Array.from({ length: 6000 }, (_, index) => ({ subject: 'apps-big', version: index + 1, id: index + 1 }));
    const { body, summary } = renderReview(reportOf([subjectOf('big')]), { context, changes: new Map(), plan: { newVersions, topics: [] } });
    const size = (text: string): number => Buffer.byteLength(text, 'utf8');
    expect(size(summary)).toBeGreaterThan(COMMENT_BUDGET);
    expect(size(body)).toBeLessThanOrEqual(COMMENT_BUDGET);
    expect(body).toMatch(/\n\n_The comment ends here to stay under GitHub's comment limit; the job summary has everything._$/);
    expect(body.startsWith('<!-- schemaflow:check -->\n### ✅ schemaflow check passed')).toBe(true);
  });

  /**
   * Regression: the job summary was unbounded, and GitHub drops a summary over 1 MiB a step whole
   * (an error annotation instead), while the comment sent readers there for "everything". A pull
   * request importing 400 subjects, each with a long finding, lost its review.
   */
  it('keeps the job summary under GitHub’s 1 MiB, and then points both to npx schemaflow check', () => {
    const subjects = Array.from({ length: 400 }, (_, index) => ({ ...subjectOf(`s${index}`), isNew: true, warnings: 1 }));
    const findings = subjects.map((subject) => ({ code: 'MISSING_DESCRIPTION', severity: 'warning', file: `catalog/apps/${subject.name}/1.json`, line: 1, col: 1, pointer: '', message: `${subject.name} ${'x'.repeat(3_000)}`, params: {} }));
    const { body, summary, complete } = renderReview(reportOf(subjects, findings), { context, changes: new Map() });
    const size = (text: string): number => Buffer.byteLength(text, 'utf8');
    expect(complete).toBe(false);
    expect(size(summary)).toBeLessThanOrEqual(SUMMARY_BUDGET);
    expect(size(summary)).toBeGreaterThan(SUMMARY_BUDGET - 10_000);
    // Every subject is still in the table; the details cut are named, ten of them and how many more.
    expect(summary.match(/^\| `apps-s\d+` \|/gm)).toHaveLength(400);
    expect(summary).toMatch(/\n_Details of apps-s\d+(, apps-s\d+){9} and \d+ more were cut to stay under GitHub's 1 MiB limit for a job summary; `npx schemaflow check` on the branch lists everything._\n/);
    expect(summary).toContain('<details><summary>(omitted) apps-s');
    expect(summary).toContain(': run `npx schemaflow check`</summary></details>');
    expect(size(body)).toBeLessThanOrEqual(COMMENT_BUDGET);
    expect(body).not.toContain('job summary has everything');
    expect(body).toContain('`npx schemaflow check` on the branch lists everything');
  });

  it('fits a summary of thousands of subjects without rendering it once per cut', () => {
    const subjects = Array.from({ length: 20_000 }, (_, index) => subjectOf(`subject-with-a-longer-name-${index}`));
    const { body, summary, complete } = renderReview(reportOf(subjects), { context, changes: new Map() });
    expect(complete).toBe(false);
    expect(Buffer.byteLength(summary, 'utf8')).toBeLessThanOrEqual(SUMMARY_BUDGET);
    expect(summary).toMatch(/\n\| …and \d+ more \| \| \| \|\n/);
    expect(summary).toMatch(/_\d+ subjects and all details were cut to stay under GitHub's 1 MiB limit for a job summary; `npx schemaflow check` on the branch lists everything._/);
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(COMMENT_BUDGET);
  }, 10_000);
});

/** Regression: a finding on a catalog-level file that overrides.yaml turned to info showed ⚠️, as a warning. */
it('marks each finding by its severity, on catalog-level files too', () => {
  const findings = (['error', 'warning', 'info'] as const).map((severity) => ({ code: 'STRAY_FILE', severity, file: `catalog/${severity}.txt`, line: 1, col: 1, pointer: '', message: severity, params: {} }));
  const { summary } = renderReview(reportOf([], findings), { context, changes: new Map() });
  expect(summary.split('\n').filter((line) => line.startsWith('- '))).toEqual([
    '- ❌ **STRAY_FILE** [catalog/error.txt:1:1](https://github.com/acme/catalog/blob/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/catalog/error.txt#L1): error',
    '- ⚠️ **STRAY_FILE** [catalog/warning.txt:1:1](https://github.com/acme/catalog/blob/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/catalog/warning.txt#L1): warning',
    '- ℹ️ **STRAY_FILE** [catalog/info.txt:1:1](https://github.com/acme/catalog/blob/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/catalog/info.txt#L1): info',
  ]);
});

/**
 * Regression: a finding on a file the pull request deletes (VERSION_DELETED, catalog.yaml's
 * CONFIG_CHANGED) linked to the file at the head commit, where it no longer is: GitHub's 404.
 */
it('links a finding on a deleted file to the base commit, where the file is', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  repo.git('checkout', '-q', '-b', 'feature');
  repo.git('rm', '-q', 'catalog/apps/users/1.json', 'catalog/catalog.yaml');
  repo.commit('delete a registered version and the rules');
  const report = check(repo);
  expect(codes(report)).toEqual(expect.arrayContaining(['VERSION_DELETED', 'CONFIG_CHANGED']));
  const base = repo.git('rev-parse', 'main').trim();
  const { body } = renderReview(report, { context, changes: new Map() });
  expect(body).toContain(`[catalog/apps/users/1.json:1:1](https://github.com/acme/catalog/blob/${base}/catalog/apps/users/1.json#L1)`);
  expect(body).toContain(`[catalog/catalog.yaml:1:1](https://github.com/acme/catalog/blob/${base}/catalog/catalog.yaml#L1)`);
});
