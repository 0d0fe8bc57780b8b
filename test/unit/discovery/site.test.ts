import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../../src/catalog/rules.js';
import { COMPAT_CODES } from '../../../src/compat/codes.js';
import { escapeHtml, pageName } from '../../../src/discovery/html.js';
import { renderSite, type SiteFile } from '../../../src/discovery/site.js';
import { searchDocumentsOf, viewSubject, type Freshness } from '../../../src/discovery/view.js';
import { MAX_TOPIC_LENGTH, NAME_PATTERN } from '../../../src/domain/names.js';
import type { Manifest } from '../../../src/manifest/types.js';
import { exampleManifest, testManifest, testSubject } from '../../support/discovery-fixture.js';

const locations = { lakeUrl: 'gs://acme-lake/events', manifestUrl: 'gs://acme-schemaflow/manifests' };

function site(manifest: Manifest, freshness = new Map<string, Freshness>()): Map<string, string> {
  const files: SiteFile[] = renderSite({ manifest, views: manifest.subjects.map((subject) => viewSubject(subject, locations)), freshness, readAt: '2026-12-01T08:00:00.000Z' });
  return new Map(files.map((file) => [file.path, file.content]));
}

const file = (files: Map<string, string>, path: string): string => {
  const content = files.get(path);
  if (content === undefined) throw new Error(`the site has no ${path}; it has ${[...files.keys()].join(', ')}`);
  return content;
};

/** Strings a pull request could put in subject.yaml or a schema, each trying to become markup or script. */
const HOSTILE = '<script>alert(1)</script>';
const hostile = testManifest([
  testSubject('evil-subject', [
    {
      type: 'object',
      description: HOSTILE,
      required: ['</script><script>alert(2)</script>'],
      properties: {
        '</script><script>alert(2)</script>': { type: 'string', description: '"><img src=x onerror=alert(3)>' },
        kind: { enum: ['<b>bold</b>', "' onmouseover='alert(4)"] },
      },
    },
  ], { description: HOSTILE, owners: ['"><img src=x onerror=alert(5)>'], pii: ['/<u>'] }),
  testSubject('odd-"><svg onload=alert(6)>', [{ type: 'object', properties: {} }], { topic: '`${alert(7)}`' }),
]);

describe('the static site', () => {
  const example = exampleManifest();
  const files = site(example, new Map([['apps-users', { state: 'closed', closedThrough: '2026-11-30T10:00:00.000Z' }]]));

  it('has an index, a page per subject, the rule codes, a stylesheet and the search scripts', () => {
    expect([...files.keys()].sort()).toEqual(['index.html', 'rules.html', 'search-index.js', 'search.js', 'style.css', ...example.subjects.map((subject) => `subjects/${subject.subject}.html`)].sort());
  });

  it('links only inside itself: relative links, no outside scripts, styles or images', () => {
    for (const [path, content] of files) {
      if (!path.endsWith('.html')) continue;
      const urls = [...content.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((match) => match[1] ?? '');
      expect(urls.length, path).toBeGreaterThan(0);
      for (const url of urls) expect(url, `${path} links ${url}`).toMatch(/^(#[\w-]+|(\.\.\/)?[\w./-]+\.(html|css|js)(#[\w-]+)?)$/);
      expect(content).toContain("Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'");
    }
  });

  it('is accessible markup: language, skip link, landmarks, labelled search, table headers with scope', () => {
    for (const [path, content] of files) {
      if (!path.endsWith('.html')) continue;
      expect(content, path).toMatch(/^<!doctype html>\n<html lang="en">/);
      expect(content, path).toContain('<a class="skip-link" href="#main">Skip to content</a>');
      for (const landmark of ['<header', '<nav aria-label="Site">', '<main id="main"', '<footer']) expect(content, path).toContain(landmark);
      expect(content.match(/<h1>/g), path).toHaveLength(1);
      const headers = [...content.matchAll(/<th( [^>]*)?>/g)].map((match) => match[1] ?? '');
      for (const header of headers) expect(header, path).toMatch(/scope="(col|row)"/);
    }
    const index = file(files, 'index.html');
    expect(index).toContain('<label for="search">');
    expect(index).toContain('<input id="search" type="search"');
    expect(index).toContain('role="status" aria-live="polite"');
    expect(index).toMatch(/<script src="search-index.js"><\/script>\n<script src="search.js"><\/script>/);
  });

  it('shows a subject’s fields, versions with diffs, lake, freshness, query and producer', () => {
    const page = file(files, 'subjects/apps-users.html');
    expect(page).toContain('<th scope="row"><code>/email</code></th><td>string <span class="muted">(email)</span></td><td>The user&#39;s e-mail address at the time of the change.</td><td>yes</td><td>PII</td>');
    expect(page).toContain('<h4>Changes from version 2</h4><ul class="changes" aria-label="Changes from version 2"><li class="change change-added"><span class="change-kind">Added</span> /marketingOptIn (boolean, optional)</li></ul>');
    expect(page).toContain('<h4>Changes from version 1</h4>');
    expect(page).toContain('<code>gs://acme-lake/events/apps-users/</code>');
    expect(page).toContain('latest closed hour 2026-11-30 10:00 UTC');
    expect(page).toContain('INSTALL httpfs;\nLOAD httpfs;');
    expect(page).toContain('read_json(&#39;gs://acme-lake/events/apps-users/**/*.jsonl.gz&#39;');
    expect(page).toContain('createProducer({ manifest: &quot;gs://acme-schemaflow/manifests/latest.json&quot;, kafka })');
    expect(page).toContain('@acme/identity');
    expect(file(files, 'subjects/payments-refunds.html')).toContain('<span class="status status-deprecated">deprecated</span>');
    expect(file(files, 'index.html')).toContain('unknown (not read)');
  });

  it('documents every rule code from the tables the check reports from', () => {
    const rules = file(files, 'rules.html');
    for (const [code, rule] of Object.entries(RULES)) expect(rules).toContain(`<tr id="${code}"><th scope="row"><code>${code}</code></th><td>${rule.severity}</td><td>${rule.configurable ? 'yes' : 'no'}</td><td>${escapeHtml(rule.summary)}</td></tr>`);
    for (const [code, meaning] of Object.entries(COMPAT_CODES)) expect(rules).toContain(`<tr id="${code}"><th scope="row"><code>${code}</code></th><td>${escapeHtml(meaning)}</td></tr>`);
    expect(rules.match(/<tr id=/g)).toHaveLength(Object.keys(RULES).length + Object.keys(COMPAT_CODES).length);
  });

  it('ships its search index as a script setting a global (no fetch from file://)', () => {
    const window: { SCHEMAFLOW_SEARCH_INDEX?: unknown } = {};
    runInNewContext(file(files, 'search-index.js'), { window });
    expect(JSON.parse(JSON.stringify(window.SCHEMAFLOW_SEARCH_INDEX))).toEqual({ documents: JSON.parse(JSON.stringify(searchDocumentsOf(example))) });
    expect(file(files, 'search.js')).not.toMatch(/fetch\(|XMLHttpRequest|innerHTML|eval\(/);
  });
});

describe('the static site with hostile manifest strings', () => {
  const files = site(hostile);

  it('escapes every one of them in every page', () => {
    for (const [path, content] of files) {
      if (!path.endsWith('.html')) continue;
      const scripts = [...content.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
      expect(scripts.every((tag) => /^<script src="(\.\.\/)?search(-index)?\.js">$/.test(tag)), `${path}: ${scripts.join(' ')}`).toBe(true);
      expect(content, path).not.toMatch(/<(img|svg|b|u)\b/);
      // Text may say "onerror=": it is escaped text then. No real tag may carry a handler.
      const tags = [...content.matchAll(/<[a-z](?:[^>"]|"[^"]*")*>/g)].map((match) => match[0]);
      expect(tags.filter((tag) => /\son[a-z]+=/.test(tag.replace(/"[^"]*"/g, '""'))), path).toEqual([]);
    }
    expect(file(files, 'index.html')).toContain('<code>&#96;${alert(7)}&#96;</code>');
    const page = file(files, 'subjects/evil-subject.html');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(3)&gt;');
    expect(page).toContain('&quot;&lt;b&gt;bold&lt;/b&gt;&quot;, &quot;&#39; onmouseover=&#39;alert(4)&quot;');
  });

  it('keeps hostile names out of file names and inside attribute values', () => {
    const name = 'odd-"><svg onload=alert(6)>';
    expect(pageName(name)).toMatch(/^[a-z0-9_-]+$/);
    expect(pageName(name)).not.toBe(pageName('odd-_22__3e__3c_svg_20_onload_3d_alert_28_6_29__3e_'));
    expect(files.has(`subjects/${pageName(name)}.html`)).toBe(true);
    expect(file(files, 'index.html')).toContain(`data-subject="${escapeHtml(name)}"`);
    expect(pageName('x'.repeat(300))).toHaveLength(215);
  });

  /*
   * Two valid subjects (team apps, 209 characters, within the 249-character topic limit) that a
   * review found sharing one page: names over 200 characters were cut to 150 and a 32-bit
   * FNV-1a hash, so the site wrote the second page over the first.
   */
  it('gives every registered subject its own page, named as the subject', () => {
    const prefix = `apps-${'e'.repeat(200)}`;
    for (const subject of [`${prefix}0kif`, `${prefix}xyah`, `apps-${'e'.repeat(MAX_TOPIC_LENGTH - 5)}`]) {
      expect(subject.length).toBeLessThanOrEqual(MAX_TOPIC_LENGTH);
      expect(NAME_PATTERN.test(subject.slice('apps-'.length))).toBe(true);
      expect(pageName(subject)).toBe(subject);
      expect(Buffer.byteLength(`${pageName(subject)}.html`)).toBeLessThanOrEqual(255);
    }
    const files = site(testManifest([testSubject(`${prefix}0kif`, [{ type: 'object' }]), testSubject(`${prefix}xyah`, [{ type: 'object' }])]));
    expect(file(files, `subjects/${prefix}0kif.html`)).toContain(`<title>${prefix}0kif — schemaflow catalog</title>`);
    expect(file(files, `subjects/${prefix}xyah.html`)).toContain(`<title>${prefix}xyah — schemaflow catalog</title>`);
  });

  it('shortens only names no registration accepts, by a SHA-256 of the whole name', () => {
    const long = `${'x'.repeat(300)}`;
    expect(pageName(`${long}0kif`)).not.toBe(pageName(`${long}xyah`));
    expect(pageName(`${long}0kif`)).toMatch(/^x{150}\.[0-9a-f]{64}$/);
    // 250 encoded characters and `.html` are 255 bytes: kept; one more is shortened.
    expect(pageName('y'.repeat(250))).toBe('y'.repeat(250));
    expect(pageName('y'.repeat(251))).toMatch(/^y{150}\.[0-9a-f]{64}$/);
  });

  it('never lets the index script end its string or element', () => {
    const index = file(files, 'search-index.js');
    expect(index).not.toContain('<');
    const window: { SCHEMAFLOW_SEARCH_INDEX?: { documents: Array<{ description: string }> } } = {};
    runInNewContext(index, { window });
    expect(window.SCHEMAFLOW_SEARCH_INDEX?.documents[0]?.description).toBe(HOSTILE);
  });
});
