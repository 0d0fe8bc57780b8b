import { subjectOf } from '../domain/names.js';
import type { Finding } from '../domain/finding.js';
import { readSubjectSettings } from './config-files.js';
import { parseYamlDocument } from './documents.js';

/** What `schemaflow new` puts into subject.yaml besides the defaults. */
export interface ScaffoldOptions {
  readonly description?: string;
  readonly owners?: readonly string[];
}

/** The files `schemaflow new <team>/<name>` writes: a subject that passes `check` as it is. */
export function scaffoldSubject(team: string, name: string, options: ScaffoldOptions = {}): Array<{ file: string; content: string }> {
  const subject = subjectOf(team, name);
  const description = options.description ?? `TODO: say what one ${subject} event means, who produces it and when.`;
  const owners = options.owners ?? [`@${team}`];
  const subjectYaml = [
    `description: ${JSON.stringify(description)}`,
    ...(owners.length > 0 ? ['owners:', ...owners.map((owner) => `  - ${JSON.stringify(owner)}`)] : ['owners: []']),
    'status: active',
    'eventTime:',
    '  field: /occurredAt',
    '  format: rfc3339',
    '# pii: [/email]          # pointers of personal fields, or mark them "x-pii": true in the schema',
    '# topic: { partitions: 6 }   # overrides of the catalog.yaml topic defaults',
    '',
  ].join('\n');
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: name.replace(/(^|-)([a-z0-9])/g, (_, __: string, letter: string) => letter.toUpperCase()),
    description: `One ${subject} event.`,
    type: 'object',
    required: ['occurredAt'],
    properties: {
      occurredAt: {
        description: 'When the event happened, RFC 3339 in UTC.',
        type: 'string',
        format: 'date-time',
        'x-event-time': true,
      },
    },
  };
  return [
    { file: 'subject.yaml', content: subjectYaml },
    { file: '1.json', content: `${JSON.stringify(schema, null, 2)}\n` },
  ];
}

/** The form `check` requires of an owner (subject.schema.json `owners.items`), in words. */
const OWNER_FORM = 'expected @user or @org/team, comma-separated (e.g. --owners @acme/payments,@alice)';

/**
 * Why the options of `schemaflow new` would make a subject.yaml that fails `check`, one sentence
 * per problem naming the flag and the value; empty when they are fine. The scaffold's
 * subject.yaml is read exactly as `check` reads it, so the two can never disagree.
 */
export function scaffoldOptionProblems(team: string, name: string, options: ScaffoldOptions): string[] {
  const file = scaffoldSubject(team, name, options).find((candidate) => candidate.file === 'subject.yaml');
  const parsed = parseYamlDocument('subject.yaml', new TextEncoder().encode(file?.content ?? ''));
  const findings = parsed.ok ? readSubjectSettings(parsed.document).findings : parsed.findings;
  return [...new Set(findings.map((finding) => describeOptionProblem(finding, options)))];
}

function describeOptionProblem(finding: Finding, options: ScaffoldOptions): string {
  const owners = options.owners ?? [];
  const [, key = '', index] = finding.pointer.split('/');
  if (key === 'owners' && index !== undefined) {
    return `--owners: ${JSON.stringify(owners[Number(index)] ?? '')} is not a GitHub user or team; ${OWNER_FORM}.`;
  }
  if (key === 'owners' && finding.params.keyword === 'uniqueItems') {
    const twice = owners.find((owner, at) => owners.indexOf(owner) !== at) ?? '';
    return `--owners lists ${JSON.stringify(twice)} more than once; list each owner once.`;
  }
  if (key === 'owners' && finding.params.keyword === 'minItems') return `--owners names no owner; ${OWNER_FORM}.`;
  if (key === 'description' && finding.params.keyword === 'minLength') return '--description is empty; say what one event means, or leave the flag out to get a TODO to edit.';
  if (key === 'owners' || key === 'description') return `--${key}: ${finding.message}`;
  return `the subject.yaml these options make would fail check with ${finding.code}: ${finding.message}`;
}
