import { describeFieldChange, describeValues, PARTIAL_DIFF } from './diff.js';
import { describeTruncation, type SchemaField } from './fields.js';
import { describeMatch, type SearchHit } from './search.js';
import { describeFreshness, lakeLocationOf, topicSummary, type Freshness, type SubjectView } from './view.js';

/* What `schemaflow search` and `schemaflow show` print in text form. */

/** The search results: per subject its status, where each word matched, topic, lake path and description. */
export function formatSearchText(hits: readonly SearchHit[], input: { query: string; total: number; lakeUrl: string }): string[] {
  if (hits.length === 0) return [`no subject matches ${JSON.stringify(input.query)}; every word must match a subject name, field name, owner or description`];
  const lines = [`${input.total} subject${input.total === 1 ? '' : 's'} match ${JSON.stringify(input.query)}${hits.length < input.total ? ` (the first ${hits.length} shown; --limit N for more)` : ''}:`];
  for (const hit of hits) {
    lines.push('', `${hit.subject}  [${hit.status}]  matched: ${hit.matches.map(describeMatch).join('; ')}`);
    lines.push(`  topic ${hit.topic}  lake ${lakeLocationOf(input.lakeUrl, hit.lakePath)}`);
    if (hit.description) lines.push(`  ${hit.description.length > 160 ? `${hit.description.slice(0, 157)}…` : hit.description}`);
  }
  return lines;
}

/** A table with columns padded to their widest cell (the last column is not padded). */
function table(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => `${indent}${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')}`.trimEnd());
}

function fieldRows(fields: readonly SchemaField[]): string[][] {
  return [
    ['field', 'type', 'required', 'pii', 'description'],
    ...fields.map((field) => [field.pointer, `${field.type}${field.format ? ` (${field.format})` : ''}${field.values ? ` one of ${describeValues(field.values)}` : ''}`, field.required ? 'yes' : 'no', field.pii ? 'PII' : '', field.description]),
  ];
}

/** Everything `show` knows about a subject, for a terminal. `version` picks whose fields are listed (default: the latest). */
export function formatSubjectText(view: SubjectView, freshness: Freshness, version?: number): string[] {
  const { subject } = view;
  const shown = version === undefined ? view.versions.at(-1) : view.versions.find((entry) => entry.version === version);
  const topicDetails = topicSummary(subject);
  const lines = [
    `${subject.subject}  [${subject.status}]`,
    `  ${subject.description}`,
    '',
    ...table(
      [
        ['owners', subject.owners.join(', ') || 'none listed'],
        ['topic', `${subject.topic}${topicDetails ? ` (${topicDetails})` : ''}`],
        ['lake', view.lakeLocation],
        ['freshness', describeFreshness(freshness)],
        ['event time', subject.eventTime ? `${subject.eventTime.field} (${subject.eventTime.format})` : 'the Kafka timestamp'],
        ['compatibility', `${subject.compatibility.mode}, policy ${subject.compatibility.policy}`],
        ['pii', subject.pii.join(', ') || 'none'],
      ],
      '  ',
    ),
    '',
    'versions:',
  ];
  for (const entry of [...view.versions].reverse()) {
    lines.push(`  v${entry.version}  id ${entry.id}  ${entry.fingerprint.slice(0, 19)}…  ${entry.path}  registered in ${entry.registeredIn.slice(0, 12)}`);
    if (entry.version === view.versions[0]?.version) lines.push('      the first version');
    else if (entry.changesPartial) lines.push(`      partial: ${PARTIAL_DIFF}${entry.changes.length === 0 ? '; no change among the fields compared' : ''}`);
    else if (entry.changes.length === 0) lines.push('      no field changed');
    for (const change of entry.changes) lines.push(`      ${describeFieldChange(change)}`);
  }
  lines.push('');
  if (shown) {
    lines.push(`fields of v${shown.version}${shown === view.versions.at(-1) ? ' (latest)' : ''}:`);
    if (shown.fieldsTruncated) lines.push(`  cut short: ${describeTruncation(shown.fieldsTruncated)}`);
    lines.push(...table(fieldRows(shown.fields), '  '));
  }
  lines.push('', 'history in DuckDB:', ...view.query.split('\n').map((line) => `  ${line}`));
  if (view.producer) lines.push('', 'produce with the SDK:', ...view.producer.split('\n').map((line) => (line ? `  ${line}` : '')));
  return lines;
}
