import { RULES } from '../catalog/rules.js';
import { COMPAT_CODES } from '../compat/codes.js';
import type { Manifest } from '../manifest/types.js';
import { describeFieldChange, describeValues, PARTIAL_DIFF, type FieldChange } from './diff.js';
import { describeTruncation, type FieldTruncation, type SchemaField } from './fields.js';
import { el, fragment, page, pageName, raw, type Html } from './html.js';
import { STYLESHEET, searchIndexScript, searchScript } from './site-assets.js';
import { describeFreshness, searchDocumentOf, topicSummary, type Freshness, type SubjectView, type VersionView } from './view.js';

/** One file of the static catalog, relative to the output directory. */
export interface SiteFile {
  readonly path: string;
  readonly content: string;
}

export interface SiteInput {
  readonly manifest: Manifest;
  readonly views: readonly SubjectView[];
  /** Per subject; a subject missing here shows as unknown. */
  readonly freshness: ReadonlyMap<string, Freshness>;
  /** When the lake's freshness was read (ISO), for the footer. */
  readonly readAt: string;
}

const statusBadge = (status: string): Html => el('span', { class: `status status-${/^[a-z]+$/.test(status) ? status : 'unknown'}` }, status);

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

function fieldTable(fields: readonly SchemaField[], truncated: FieldTruncation | undefined, caption: string): Html {
  const cut = truncated ? el('p', { class: 'truncated', role: 'note' }, el('strong', {}, 'Incomplete: '), describeTruncation(truncated), '.') : null;
  if (fields.length === 0) return fragment(cut, el('p', { class: 'muted' }, cut ? 'No field was found before the walk stopped.' : 'This version declares no fields.'));
  return fragment(cut, el(
    'table',
    { class: 'fields' },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ['Field', 'Type', 'Description', 'Required', 'PII'].map((name) => el('th', { scope: 'col' }, name)))),
    el(
      'tbody',
      {},
      fields.map((field) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, el('code', {}, field.pointer)),
          el('td', {}, field.type, field.format ? fragment(' ', el('span', { class: 'muted' }, `(${field.format})`)) : null, field.values ? fragment(raw('<br>'), el('span', { class: 'muted' }, `one of ${describeValues(field.values)}`)) : null),
          el('td', {}, field.description),
          el('td', {}, yesNo(field.required)),
          el('td', {}, field.pii ? 'PII' : 'no'),
        ),
      ),
    ),
  ));
}

function changeList(changes: readonly FieldChange[], previous: number, partial: boolean): Html {
  const note = partial ? el('p', { class: 'truncated', role: 'note' }, el('strong', {}, 'Partial: '), PARTIAL_DIFF, '.') : null;
  if (changes.length === 0) return fragment(note, el('p', { class: 'muted' }, partial ? `No change among the fields compared with version ${previous}.` : `No field changed since version ${previous} (constraints or annotations may have).`));
  return fragment(note, el(
    'ul',
    { class: 'changes', 'aria-label': `Changes from version ${previous}` },
    changes.map((change) => el('li', { class: `change change-${change.kind}` }, el('span', { class: 'change-kind' }, change.kind === 'added' ? 'Added' : change.kind === 'removed' ? 'Removed' : 'Changed'), ' ', describeFieldChange(change).replace(/^(added|removed) /, ''))),
  ));
}

function versionSection(version: VersionView, previous: VersionView | undefined, latest: boolean): Html {
  return el(
    'article',
    { class: 'version', id: `v${version.version}`, 'aria-labelledby': `v${version.version}-title` },
    el('h3', { id: `v${version.version}-title` }, `Version ${version.version}`, latest ? ' (latest)' : ''),
    el('dl', { class: 'facts' }, el('dt', {}, 'Schema ID'), el('dd', {}, String(version.id)), el('dt', {}, 'Fingerprint'), el('dd', {}, el('code', {}, version.fingerprint)), el('dt', {}, 'File'), el('dd', {}, el('code', {}, version.path)), el('dt', {}, 'Registered in'), el('dd', {}, el('code', {}, version.registeredIn))),
    previous ? fragment(el('h4', {}, `Changes from version ${previous.version}`), changeList(version.changes, previous.version, version.changesPartial === true)) : el('p', { class: 'muted' }, 'The first version.'),
    el('details', {}, el('summary', {}, `Fields of version ${version.version}`), fieldTable(version.fields, version.fieldsTruncated, `Fields of version ${version.version}`)),
  );
}

function subjectPage(view: SubjectView, freshness: Freshness, footer: string): SiteFile {
  const { subject } = view;
  const latest = view.versions.at(-1);
  const main = fragment(
    el('h1', {}, subject.subject, ' ', statusBadge(subject.status)),
    el('p', {}, subject.description),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Owners'),
      el('dd', {}, subject.owners.length > 0 ? subject.owners.join(', ') : 'none listed'),
      el('dt', {}, 'Status'),
      el('dd', {}, subject.status),
      el('dt', {}, 'Kafka topic'),
      el('dd', {}, el('code', {}, subject.topic), topicSummary(subject) ? ` (${topicSummary(subject)})` : ''),
      el('dt', {}, 'Lake location'),
      el('dd', {}, el('code', {}, view.lakeLocation)),
      el('dt', {}, 'Freshness'),
      el('dd', { class: 'freshness' }, describeFreshness(freshness)),
      el('dt', {}, 'Event time'),
      el('dd', {}, subject.eventTime ? fragment(el('code', {}, subject.eventTime.field), ` (${subject.eventTime.format})`) : 'the Kafka timestamp'),
      el('dt', {}, 'Compatibility'),
      el('dd', {}, `${subject.compatibility.mode}, policy ${subject.compatibility.policy}`),
      el('dt', {}, 'PII fields'),
      el('dd', {}, subject.pii.length > 0 ? subject.pii.map((pointer, index) => fragment(index > 0 ? ', ' : '', el('code', {}, pointer))) : 'none'),
    ),
    el('section', { 'aria-labelledby': 'fields-title' }, el('h2', { id: 'fields-title' }, latest ? `Fields (version ${latest.version}, the latest)` : 'Fields'), fieldTable(latest?.fields ?? [], latest?.fieldsTruncated, latest ? `Fields of ${subject.subject} version ${latest.version}` : 'Fields')),
    el(
      'section',
      { 'aria-labelledby': 'history-title' },
      el('h2', { id: 'history-title' }, 'Version history'),
      // Newest first, each with the diff from the version before it.
      view.versions.map((version, index) => versionSection(version, view.versions[index - 1], version === latest)).reverse(),
    ),
    el('section', { 'aria-labelledby': 'query-title' }, el('h2', { id: 'query-title' }, 'Query its history with DuckDB'), el('pre', { class: 'query' }, el('code', {}, view.query))),
    view.producer ? el('section', { 'aria-labelledby': 'produce-title' }, el('h2', { id: 'produce-title' }, 'Produce events'), el('pre', { class: 'producer' }, el('code', {}, view.producer))) : null,
  );
  return { path: `subjects/${pageName(subject.subject)}.html`, content: page({ title: `${subject.subject} — schemaflow catalog`, root: '../', current: 'subject', main, footer }) };
}

function indexPage(views: readonly SubjectView[], freshness: ReadonlyMap<string, Freshness>, footer: string): SiteFile {
  const main = fragment(
    el('h1', {}, 'What data do we have?'),
    el('p', {}, `${views.length} subjects. Each is a Kafka topic and a folder of the lake; open one for its fields, versions and a query of its history.`),
    el('div', { role: 'search' }, el('label', { for: 'search' }, 'Search subjects, fields, owners and descriptions'), el('input', { id: 'search', type: 'search', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'search-hint', 'aria-controls': 'subject-list' }), el('p', { id: 'search-hint', class: 'hint' }, 'Every word must match. Exact subject names rank first, then name prefixes, names, field names, owners and descriptions.')),
    el('p', { id: 'search-status', role: 'status', 'aria-live': 'polite' }, `${views.length} subjects.`),
    el(
      'ul',
      { id: 'subject-list', class: 'subject-list' },
      views.map((view) =>
        el(
          'li',
          { 'data-subject': view.subject.subject },
          el('h2', {}, el('a', { href: `subjects/${pageName(view.subject.subject)}.html` }, view.subject.subject), ' ', statusBadge(view.subject.status)),
          el('p', {}, view.subject.description),
          el('p', { class: 'match', hidden: true }),
          el('dl', { class: 'facts' }, el('dt', {}, 'Owners'), el('dd', {}, view.subject.owners.join(', ') || 'none listed'), el('dt', {}, 'Topic'), el('dd', {}, el('code', {}, view.subject.topic)), el('dt', {}, 'Lake'), el('dd', {}, el('code', {}, view.lakeLocation)), el('dt', {}, 'Freshness'), el('dd', {}, describeFreshness(freshness.get(view.subject.subject) ?? { state: 'unknown', reason: 'not read' }))),
        ),
      ),
    ),
  );
  return { path: 'index.html', content: page({ title: 'schemaflow catalog', root: '', current: 'subjects', main, footer, scripts: ['search-index.js', 'search.js'] }) };
}

/** The rule codes, generated from the tables the check and the engine report from. */
function rulesPage(footer: string): SiteFile {
  const main = fragment(
    el('h1', {}, 'Rule codes'),
    el('p', {}, 'Every code a pull request check can report. Catalog rules come from src/catalog/rules.ts; configurable ones can be set to error, warning or off in catalog.yaml lint:.'),
    el(
      'section',
      { 'aria-labelledby': 'catalog-rules' },
      el('h2', { id: 'catalog-rules' }, 'Catalog rules'),
      el('table', {}, el('caption', {}, 'Catalog rule codes, their default severity and whether catalog.yaml may change it'), el('thead', {}, el('tr', {}, ['Code', 'Default', 'Configurable', 'Meaning'].map((name) => el('th', { scope: 'col' }, name)))), el('tbody', {}, Object.entries(RULES).map(([code, rule]) => el('tr', { id: code }, el('th', { scope: 'row' }, el('code', {}, code)), el('td', {}, rule.severity), el('td', {}, yesNo(rule.configurable)), el('td', {}, rule.summary))))),
    ),
    el(
      'section',
      { 'aria-labelledby': 'compat-codes' },
      el('h2', { id: 'compat-codes' }, 'Compatibility codes'),
      el('p', {}, 'Reported when a new version cannot be read by (or cannot read) earlier ones under the subject’s compatibility mode. Messages name the reader and the writer.'),
      el('table', {}, el('caption', {}, 'Compatibility codes and what each means'), el('thead', {}, el('tr', {}, ['Code', 'Meaning'].map((name) => el('th', { scope: 'col' }, name)))), el('tbody', {}, Object.entries(COMPAT_CODES).map(([code, meaning]) => el('tr', { id: code }, el('th', { scope: 'row' }, el('code', {}, code)), el('td', {}, meaning))))),
    ),
  );
  return { path: 'rules.html', content: page({ title: 'Rule codes — schemaflow catalog', root: '', current: 'rules', main, footer }) };
}

/**
 * The static catalog: `index.html` with client-side search over `search-index.js`, a page per
 * subject under `subjects/`, `rules.html`, a stylesheet and the search script. Every link is
 * relative, so the directory works opened from disk (file://) and served by GitHub Pages.
 */
export function renderSite(input: SiteInput): SiteFile[] {
  const { manifest } = input;
  const footer = `Generated from manifest serial ${manifest.serial} (commit ${manifest.sourceCommit.slice(0, 12)}, environment ${manifest.environment}); lake freshness read at ${input.readAt}.`;
  return [
    indexPage(input.views, input.freshness, footer),
    ...input.views.map((view) => subjectPage(view, input.freshness.get(view.subject.subject) ?? { state: 'unknown', reason: 'not read' }, footer)),
    rulesPage(footer),
    { path: 'style.css', content: STYLESHEET },
    { path: 'search.js', content: searchScript() },
    { path: 'search-index.js', content: searchIndexScript(input.views.map((view) => searchDocumentOf(view.subject, view.versions.map((version) => version.fields)))) },
  ];
}
