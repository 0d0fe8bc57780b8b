import type { Finding } from '../domain/finding.js';
import type { CheckReport, SubjectChange, SubjectPart } from './check-catalog.js';
import { largestFitting } from '../domain/halving.js';
import { plural } from '../domain/plural.js';

/** The hidden marker that identifies schemaflow's one comment on a pull request. */
export const COMMENT_MARKER = '<!-- schemaflow:check -->';
/** GitHub rejects comment bodies over 65,536 characters; stay well under, counting UTF-8 bytes too. */
export const COMMENT_BUDGET = 60_000;
/** GitHub drops a job summary over 1 MiB a step (with an error annotation); stay under, with room for what the action adds. */
export const SUMMARY_BUDGET = 1_000_000;

export interface ReviewContext {
  /** `owner/name` of the base repository. */
  readonly repository: string;
  readonly headSha: string;
  readonly serverUrl: string;
  /** The workflow run, for "details in the job summary". */
  readonly runUrl?: string;
}

/** What merging would do, computed from git alone: provisional. */
export interface ProvisionalPlan {
  readonly newVersions: ReadonlyArray<{ subject: string; version: number; id: number }>;
  /** Topic actions as sentences, each starting with its verb and the topic name. */
  readonly topics: readonly string[];
}

export interface Review {
  /** First line: emoji, verdict, counts. */
  readonly verdict: string;
  readonly clean: boolean;
  /** The comment body (marker first), within the budget. */
  readonly body: string;
  /** The same content for the job summary, cut like the comment only past GitHub's 1 MiB a step (over it, GitHub drops the whole summary). */
  readonly summary: string;
  /** Whether the summary holds everything (else it says what it cut and points to `npx schemaflow check`). */
  readonly complete: boolean;
}

const size = (text: string): number => Math.max(text.length, Buffer.byteLength(text, 'utf8'));
/**
 * Keeps `@org/team` from notifying anyone: a zero-width space after the `@` breaks the mention.
 * An `@` after a letter or digit (an e-mail address in an example event) mentions no one and is
 * left as is; after `_` it is broken too, as `_@org/team_` is emphasis whose text starts with the
 * mention.
 */
const unmention = (text: string): string => text.replace(/(^|[^A-Za-z0-9])@(?=[\w-])/g, '$1@\u200b');
/**
 * Quoted text on one line: CommonMark ends a line at `\n`, `\r\n` and a lone `\r`, so a name with
 * a line break would end its table row or list item, and the rest would render as markdown of its
 * own (a link, an image, a mention). Other control characters (NUL, NEL, the Unicode line and
 * paragraph separators) go too: a name never needs them.
 */
const flatten = (text: string): string => text.replace(/\r\n|[\p{Cc}\u2028\u2029]/gu, ' ');
/**
 * Text quoted from the pull request (file paths, property names, descriptions) as inert markdown
 * in a comment the bot posts: no link with text of its own, image, HTML tag or entity, code span
 * or @-mention comes out of it, and a table cell stays one cell (emphasis is left alone: it
 * changes looks, not meaning; a bare URL still shows as the URL it is).
 */
const escape = (text: string): string => unmention(flatten(text).replace(/[\\`[\]<>|&]/g, '\\$&'));
/**
 * The same inside an HTML element, where markdown escapes would show. The brackets become
 * entities too: the element is markdown-free only while its HTML block lasts, so nothing that
 * reads as a link is left should a renderer end the block early.
 */
const escapeHtml = (text: string): string =>
  unmention(flatten(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\[/g, '&#91;').replace(/\]/g, '&#93;'));
/**
 * A code span, in a table cell, of a name as the pull request spells it: on one line, a backtick
 * (it would end the span) as `'`, a `|` escaped (GFM splits cells before it reads code spans, and
 * gives `\|` back as `|`), and no @-mention should a renderer read the span as text.
 */
const code = (text: string): string => `\`${unmention(flatten(text)).replace(/`/g, "'").replace(/\|/g, '\\|')}\``;

const ICONS: Readonly<Record<Finding['severity'], string>> = { error: '❌', warning: '⚠️', info: 'ℹ️' };

const PART_LABELS: Readonly<Record<SubjectPart, string>> = { settings: 'settings', documentation: 'documentation', versions: 'version files', other: 'other files' };

/**
 * The change column: a new subject (a subject.yaml or version where none is registered), a
 * removed draft (the subject.yaml of a subject with no registered version deleted, and no
 * version added), else its new versions and the other parts the pull request touches, so a
 * README.md alone is documentation, a registered version edited or deleted is `version files`,
 * never settings, and a new version with a subject.yaml change is `new version 2, settings`
 * (with an edited registered version, `new version 2, version files`). A registered subject
 * deleted keeps its parts (`settings, version files`): its findings refuse it.
 */
function changeOf(subject: SubjectChange): string {
  if (subject.isNew && subject.newVersions.length === 0 && subject.deletedParts.includes('settings')) return 'subject removed (draft)';
  if (subject.isNew && (subject.newVersions.length > 0 || subject.parts.includes('settings') || subject.parts.includes('versions'))) return 'new subject';
  const versions = subject.newVersions.length > 0 ? [`new version ${subject.newVersions.join(', ')}`] : [];
  return [...versions, ...subject.parts.map((part) => PART_LABELS[part])].join(', ');
}

/** The finding's line on GitHub: at the head commit, or at the base's for a file the change deletes (the head has none). */
function link(context: ReviewContext, finding: Finding, deleted: { readonly files: ReadonlySet<string>; readonly base: string }): string {
  const commit = deleted.files.has(finding.file) ? deleted.base : context.headSha;
  const url = `${context.serverUrl}/${context.repository}/blob/${commit}/${finding.file.split('/').map(encodeURIComponent).join('/')}#L${finding.line}`;
  return `[${escape(finding.file)}:${finding.line}:${finding.col}](${url})`;
}

/**
 * The pull-request review: verdict first, a table per changed subject, then per subject its
 * findings linked to their lines, a readable summary of the schema change and the provisional
 * plan. The comment is cut to the budget, largest details first, and says what it cut.
 */
export function renderReview(report: CheckReport, input: { context: ReviewContext; changes: ReadonlyMap<string, readonly string[]>; plan?: ProvisionalPlan }): Review {
  const errors = report.findings.filter((finding) => finding.severity === 'error');
  const warnings = report.findings.filter((finding) => finding.severity === 'warning');
  const subjects = report.subjects.length;
  const verdict =
    errors.length > 0
      ? `❌ schemaflow check: ${plural(errors.length, 'error')}${warnings.length > 0 ? ` and ${plural(warnings.length, 'warning')}` : ''} in ${plural(subjects, 'changed subject')}`
      : warnings.length > 0
        ? `⚠️ schemaflow check passed with ${plural(warnings.length, 'warning')} in ${plural(subjects, 'changed subject')}`
        : `✅ schemaflow check passed: ${plural(subjects, 'changed subject')}, no problems`;

  const deleted = { files: new Set(report.deletedFiles), base: report.base.commit };
  const planned = new Map<string, string[]>();
  for (const version of input.plan?.newVersions ?? []) planned.set(version.subject, [...(planned.get(version.subject) ?? []), `v${version.version} → ID ${version.id}`]);
  const rows = report.subjects.map((subject) => {
    const state = subject.errors > 0 ? `❌ ${plural(subject.errors, 'error')}` : subject.warnings > 0 ? `⚠️ ${plural(subject.warnings, 'warning')}` : '✅';
    const change = changeOf(subject);
    const topicLines = (input.plan?.topics ?? []).filter((line) => line.split(' ').includes(subject.subject) || line.includes(` ${subject.subject}:`));
    const onMerge = [...(planned.get(subject.subject) ?? []), ...topicLines].join('; ') || '—';
    return `| ${code(subject.subject)} | ${change} | ${state} | ${escape(onMerge)} |`;
  });
  const table = report.subjects.length > 0 ? ['| subject | change | verdict | on merge (provisional: computed from git, not from the cluster) |', '|---|---|---|---|', ...rows] : [];

  const details = report.subjects.map((subject) => {
    const prefix = `${report.catalogDir}/${subject.team}/${subject.name}/`;
    const own = report.findings.filter((finding) => finding.file.startsWith(prefix) || finding.file === prefix);
    const changes = input.changes.get(subject.subject) ?? [];
    const lines = [
      `<details><summary><b>${escapeHtml(subject.subject)}</b>: ${own.length === 0 ? 'no findings' : plural(own.length, 'finding')}</summary>`,
      '',
      ...own.map((finding) => `- ${ICONS[finding.severity]} **${finding.code}** ${link(input.context, finding, deleted)}: ${escape(finding.message)}`),
      ...(changes.length > 0 ? ['', '**What changed**', ...changes.map((line) => `- ${escape(line)}`)] : []),
      '',
      '</details>',
    ];
    return lines.join('\n');
  });
  const other = report.findings.filter((finding) => !report.subjects.some((subject) => finding.file.startsWith(`${report.catalogDir}/${subject.team}/${subject.name}/`)));
  const otherBlock = other.length > 0 ? [`**Catalog files**`, ...other.map((finding) => `- ${ICONS[finding.severity]} **${finding.code}** ${link(input.context, finding, deleted)}: ${escape(finding.message)}`)].join('\n') : '';
  const footer = [
    '',
    `<sub>Judged by the rules of \`${report.base.ref}\` (${report.base.commit.slice(0, 7)}) at ${input.context.headSha.slice(0, 7)}; json-schema-diff cross-checked ${plural(report.crossChecked.checked, 'pair')} (${report.crossChecked.skipped} skipped, ${report.crossChecked.timedOut} timed out). A reviewed exception goes in \`${report.catalogDir}/overrides.yaml\` on the base branch.${input.context.runUrl ? ` [Run](${input.context.runUrl})` : ''}</sub>`,
  ].join('\n');

  const assemble = (blocks: readonly string[], catalog: string, tableRows: readonly string[], note: string): string =>
    [COMMENT_MARKER, `### ${verdict}`, '', ...tableRows, '', ...blocks, ...(catalog ? ['', catalog] : []), ...(note ? ['', note] : []), footer].join('\n');

  // Over budget: cut the largest details first (a subject's, or the findings on catalog-level
  // files: a pull request can add hundreds of stray files), then table rows, and say what was cut.
  const parts = [
    ...report.subjects.map((subject, index) => ({ text: details[index] ?? '', name: escape(subject.subject), cut: (see: string) => `<details><summary>(omitted) ${escapeHtml(subject.subject)}: ${see}</summary></details>` })),
    { text: otherBlock, name: 'catalog-level files', cut: (see: string) => `**Catalog files**: ${plural(other.length, 'finding')} (omitted: ${see})` },
  ];

  /**
   * The review within `budget` bytes: the largest details cut first (each once: a cut part can be
   * longer than a short one left), then table rows, and as a last resort (one row planning
   * thousands of versions, a huge ref name) the text ends at the last whole line that fits. Each
   * cut says so and where everything is. Sizes are counted as parts are cut, not by rendering
   * again: a summary of thousands of subjects would otherwise be rendered thousands of times.
   */
  const fit = (budget: number, where: { what: string; limit: string; all: string; see: string }): string => {
    const shown = parts.map((part) => part.text);
    const render = (rows: readonly string[], note: string): string => assemble(shown.slice(0, -1), shown.at(-1) ?? '', rows, note);
    let text = render(table, '');
    if (size(text) <= budget) return text;
    const dropped: string[] = [];
    const detailsNote = (): string => `_Details of ${dropped.length > 10 ? `${dropped.slice(0, 10).join(', ')} and ${dropped.length - 10} more` : dropped.join(', ')} were cut to stay under ${where.limit}; ${where.all}._`;
    // Counted, not rendered: the note comes with the first cut (two line breaks and its text).
    let length = size(text);
    const order = parts.flatMap((part, index) => (part.text === '' ? [] : [{ part, index }])).sort((a, b) => b.part.text.length - a.part.text.length);
    for (const { part, index } of order) {
      if (length <= budget) break;
      const noteBefore = dropped.length === 0 ? 0 : size(detailsNote()) + 2;
      dropped.push(part.name);
      const cut = part.cut(where.see);
      length += size(cut) - size(part.text) + size(detailsNote()) + 2 - noteBefore;
      shown[index] = cut;
    }
    text = render(table, dropped.length > 0 ? detailsNote() : '');
    if (size(text) > budget && table.length > 3) {
      // The most rows that fit: rendering once per row dropped was quadratic.
      const withRows = (count: number): string => {
        const hidden = table.length - count;
        return assemble([], '', [...table.slice(0, count), `| …and ${hidden} more | | | |`], `_${plural(hidden, 'subject')} and all details were cut to stay under ${where.limit}; ${where.all}._`);
      };
      text = withRows(largestFitting(3, table.length - 1, (count) => size(withRows(count)) <= budget));
    }
    if (size(text) > budget) {
      const note = `_The ${where.what} ends here to stay under ${where.limit}; ${where.all}._`;
      // UTF-8 is at least a byte per UTF-16 unit, so bytes are the size; a character split at the cut lies after the last line break.
      const head = Buffer.from(text, 'utf8').subarray(0, budget - size(note) - 2).toString('utf8');
      text = `${head.slice(0, head.lastIndexOf('\n'))}\n\n${note}`;
    }
    return text;
  };

  const everything = assemble(details, otherBlock, table, '');
  const local = { all: '`npx schemaflow check` on the branch lists everything', see: 'run `npx schemaflow check`' };
  const summary = fit(SUMMARY_BUDGET, { what: 'summary', limit: "GitHub's 1 MiB limit for a job summary", ...local });
  const complete = summary === everything;
  const body = fit(COMMENT_BUDGET, { what: 'comment', limit: "GitHub's comment limit", ...(complete ? { all: 'the job summary has everything', see: 'see the job summary' } : local) });
  return { verdict, clean: errors.length === 0 && warnings.length === 0, body, summary, complete };
}
