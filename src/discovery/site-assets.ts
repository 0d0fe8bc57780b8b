import { describeMatch, searchDocuments, type SearchDocument } from './search.js';

/**
 * The site's stylesheet and scripts. No outside resources (no CDN, no web fonts): the site must
 * work opened from disk and on GitHub Pages alike. Colours keep a contrast of at least 4.5:1
 * (WCAG 2.1 AA) against their backgrounds.
 */
export const STYLESHEET = `:root { color-scheme: light; --text: #1b1f24; --muted: #4b5563; --link: #0645ad; --line: #d0d7de; --code: #f3f4f6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: #fff; }
a { color: var(--link); }
a:focus-visible, input:focus-visible, summary:focus-visible, main:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
.skip-link { position: absolute; left: -10000px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
.skip-link:focus { left: 1rem; top: 1rem; }
.site-header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 2rem; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); }
.site-name { margin: 0; font-weight: 700; }
.site-header nav ul { display: flex; gap: 1.25rem; list-style: none; margin: 0; padding: 0; }
.site-header a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
.site-footer { border-top: 1px solid var(--line); padding: 1rem 1.5rem; color: var(--muted); font-size: .875rem; }
h1 { font-size: 1.75rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .75rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
code { background: var(--code); padding: 0 .25em; border-radius: 3px; overflow-wrap: anywhere; }
pre { background: var(--code); padding: 1rem; border-radius: 6px; overflow-x: auto; }
pre code { padding: 0; background: none; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input[type="search"] { width: 100%; max-width: 40rem; font: inherit; padding: .5rem .75rem; border: 2px solid #6b7280; border-radius: 6px; color: var(--text); background: #fff; }
.hint, .muted { color: var(--muted); }
.subject-list { list-style: none; padding: 0; margin: 1rem 0; }
.subject-list > li { border-bottom: 1px solid var(--line); padding: .75rem 0; content-visibility: auto; contain-intrinsic-size: auto 10rem; }
.subject-list h2 { font-size: 1.15rem; margin: 0 0 .25rem; }
.subject-list p { margin: .25rem 0; }
.match { color: #1e3a8a; background: #eef2ff; padding: .25rem .5rem; border-radius: 4px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.subject-list .facts { font-size: .9rem; }
.status { display: inline-block; font-size: .8rem; font-weight: 600; padding: 0 .5em; border-radius: 999px; vertical-align: middle; }
.status-active { background: #dff3e4; color: #14532d; }
.status-deprecated { background: #fff4d6; color: #6b4500; }
.status-retired { background: #e5e7eb; color: #1f2937; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .95rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: .4rem .6rem; }
thead th { border-bottom: 2px solid #6b7280; }
tbody th { font-weight: 400; }
table.fields tbody th code { white-space: nowrap; overflow-wrap: normal; }
.changes { padding-left: 1.25rem; }
.change-added { color: #14532d; }
.change-removed { color: #7f1d1d; }
.change-changed { color: #6b4500; }
.change-kind { font-weight: 700; }
.truncated { color: #6b4500; background: #fff4d6; padding: .5rem .75rem; border-radius: 4px; }
details { margin: .5rem 0 1rem; }
summary { cursor: pointer; color: var(--link); }
.version { border-left: 4px solid var(--line); padding-left: 1rem; margin-bottom: 1.5rem; }
`;

/**
 * The index page's search: the same ranking function as `schemaflow search`, shipped as its
 * source text, over the index that `search-index.js` sets as a global. A global set by a
 * script, not a fetched JSON file, because browsers refuse fetch() from a page opened by
 * file://. Results are written with textContent only: index strings are never parsed as HTML.
 */
export function searchScript(): string {
  return `/* schemaflow catalog search: generated, do not edit. */
(function () {
  'use strict';
  var searchDocuments = ${searchDocuments.toString()};
  var describeMatch = ${describeMatch.toString()};
  var data = window.SCHEMAFLOW_SEARCH_INDEX;
  var input = document.getElementById('search');
  var list = document.getElementById('subject-list');
  var status = document.getElementById('search-status');
  if (!data || !input || !list || !status) return;
  var items = new Map();
  var original = Array.prototype.slice.call(list.querySelectorAll('li[data-subject]'));
  original.forEach(function (li) { items.set(li.getAttribute('data-subject'), li); });
  var note = function (li, text) {
    var match = li.querySelector('.match');
    if (!match) return;
    match.textContent = text;
    match.hidden = text === '';
  };
  // The list holds only the matches, in rank order, swapped in one DOM operation: moving or
  // hiding thousands of items one by one costs a layout each.
  var update = function () {
    var query = input.value;
    if (query.trim() === '') {
      original.forEach(function (li) { note(li, ''); });
      list.replaceChildren.apply(list, original);
      status.textContent = original.length + (original.length === 1 ? ' subject.' : ' subjects.');
      return;
    }
    var shown = [];
    searchDocuments(data.documents, query).forEach(function (hit) {
      var li = items.get(hit.subject);
      if (!li) return;
      note(li, 'Matched: ' + hit.matches.map(describeMatch).join('; '));
      shown.push(li);
    });
    list.replaceChildren.apply(list, shown);
    status.textContent = shown.length === 0 ? 'No subject matches \u201c' + query + '\u201d.' : shown.length + ' of ' + original.length + ' subjects match \u201c' + query + '\u201d.';
  };
  // Typing fast re-ranks once, after a short pause, not on every key.
  var timer;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(update, 120);
  });
  var initial = new URLSearchParams(window.location.search).get('q');
  if (initial) input.value = initial;
  update();
})();
`;
}

/**
 * `search-index.js`: the search documents as a global. `<` is written as `\\u003c` so the text
 * can never close a script element, whatever the manifest holds.
 */
export function searchIndexScript(documents: readonly SearchDocument[]): string {
  return `window.SCHEMAFLOW_SEARCH_INDEX = ${JSON.stringify({ documents }).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')};\n`;
}
