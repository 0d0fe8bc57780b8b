import { expect, it } from 'vitest';
import type { CheckReport } from '../../../src/usecases/check-catalog.js';
import { renderReview } from '../../../src/usecases/review.js';

it('quotes hostile pull-request content as inert text: no link, image, HTML, mention, code span or extra table cell', () => {
  const subject = '<img src=x>-x`y';
  const file = 'catalog/<img src=x>/x`y/[a](b) c.json';
  const message = 'At /[click](https://evil.example), ![p](https://evil.example/p.png) <script>x</script> ping @acme/security | cell `code, mail ada@example.com, &#64;acme/team';
  const report = {
    base: { ref: 'main', commit: 'b'.repeat(40) },
    findings: [{ code: 'INVALID_TEAM_NAME', severity: 'error', file, line: 1, col: 1, pointer: '', message, params: {} }],
    subjects: [{ subject, team: '<img src=x>', name: 'x`y', isNew: true, newVersions: [1], errors: 1, warnings: 0 }],
    changedFiles: 1,
    crossCheck: [],
    crossChecked: { checked: 0, skipped: 0, timedOut: 0 },
    overrides: [],
    catalogDir: 'catalog',
  } as unknown as CheckReport;
  const { body } = renderReview(report, { context: { repository: 'acme/catalog', headSha: 'a'.repeat(40), serverUrl: 'https://github.com' }, changes: new Map([[subject, ['version 1: added /@acme/team (string) [x](y)']]]) });
  expect(body).toContain('| `<img src=x>-x\'y` | new subject |');
  expect(body).toContain('<summary><b>&lt;img src=x&gt;-x`y</b>');
  const link = `[catalog/\\<img src=x\\>/x\\\`y/\\[a\\](b) c.json:1:1](https://github.com/acme/catalog/blob/${'a'.repeat(40)}/catalog/%3Cimg%20src%3Dx%3E/x%60y/%5Ba%5D(b)%20c.json#L1)`;
  expect(body).toContain(`- ❌ **INVALID_TEAM_NAME** ${link}: At /\\[click\\](https://evil.example), !\\[p\\](https://evil.example/p.png) \\<script\\>x\\</script\\> ping @\u200bacme/security \\| cell \\\`code, mail ada@example.com, \\&#64;acme/team`);
  expect(body).toContain('- version 1: added /@\u200bacme/team (string) \\[x\\](y)');
  // Nothing a reader could click or be notified by is left.
  expect(body).not.toMatch(/(^|[^\\])\[(click|p|x)\]\(/);
  expect(body).not.toMatch(/@acme/);
});
