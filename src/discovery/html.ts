import { createHash } from 'node:crypto';

/**
 * HTML building blocks for the static catalog. Every manifest string comes from a pull request
 * (DESIGN.md §10: hostile until checked), so text and attribute values always pass through
 * `escapeHtml`; nothing from the manifest is ever placed in a script, style or URL unescaped.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => ENTITIES[char] ?? char);
}

/** Markup built by these helpers: a marker type, so raw strings are escaped and built markup is not. */
export interface Html {
  readonly html: string;
}

/** Markup already built (from helpers, never from manifest text). */
export const raw = (html: string): Html => ({ html });

type Child = string | number | Html | null | undefined | false | readonly Child[];

function render(child: Child): string {
  if (child === null || child === undefined || child === false) return '';
  if (typeof child === 'string' || typeof child === 'number') return escapeHtml(String(child));
  if ('html' in child) return child.html;
  return child.map(render).join('');
}

/** `<tag attrs>children</tag>`; attribute values and text children are escaped, `undefined`/`false` attributes left out. */
export function el(tag: string, attributes: Readonly<Record<string, string | number | boolean | undefined>>, ...children: Child[]): Html {
  const attrs = Object.entries(attributes)
    .filter(([, value]) => value !== undefined && value !== false)
    .map(([name, value]) => (value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`))
    .join('');
  return raw(`<${tag}${attrs}>${children.map(render).join('')}</${tag}>`);
}

/** Many children as one piece of markup. */
export const fragment = (...children: Child[]): Html => raw(children.map(render).join(''));

/**
 * File names are at most 255 bytes (ext4, APFS, NTFS): a page name with `.html` must fit. A
 * registered subject is `[a-z0-9-]` and at most 249 characters (its topic name), so it is its
 * own page name; only a name no registration would accept can be longer.
 */
const MAX_PAGE_NAME = 255 - '.html'.length;

/**
 * A file name for a subject's page: the subject itself when it is a registered name. Anything
 * else is encoded (`_<hex>_` per character, `_` included, so distinct names never share a file),
 * and a result over MAX_PAGE_NAME is cut to 150 characters, a `.` and the SHA-256 of the whole
 * name: no other page name has a `.`, and no two names share a SHA-256 (a 32-bit hash let two
 * valid 209-character subjects share a page).
 */
export function pageName(subject: string): string {
  const encoded = subject.replace(/[^a-z0-9-]/g, (char) => `_${(char.codePointAt(0) ?? 0).toString(16)}_`) || '_';
  if (encoded.length <= MAX_PAGE_NAME) return encoded;
  return `${encoded.slice(0, 150)}.${createHash('sha256').update(subject).digest('hex')}`;
}

/** The page every other one is built into: landmarks, skip link, language, one stylesheet, no outside resources. */
export function page(input: { title: string; root: string; current: 'subjects' | 'rules' | 'subject'; main: Html; footer: string; scripts?: readonly string[] }): string {
  const link = (href: string, label: string, here: boolean): Html => el('a', { href: `${input.root}${href}`, 'aria-current': here ? 'page' : undefined }, label);
  const scripts = (input.scripts ?? []).map((src) => `<script src="${escapeHtml(`${input.root}${src}`)}"></script>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'">
<title>${escapeHtml(input.title)}</title>
<link rel="stylesheet" href="${escapeHtml(`${input.root}style.css`)}">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
${el('header', { class: 'site-header' }, el('p', { class: 'site-name' }, link('index.html', 'schemaflow catalog', false)), el('nav', { 'aria-label': 'Site' }, el('ul', {}, el('li', {}, link('index.html', 'Subjects', input.current === 'subjects')), el('li', {}, link('rules.html', 'Rule codes', input.current === 'rules'))))).html}
<main id="main" tabindex="-1">
${input.main.html}
</main>
${el('footer', { class: 'site-footer' }, el('p', {}, input.footer)).html}
${scripts}
</body>
</html>
`;
}
