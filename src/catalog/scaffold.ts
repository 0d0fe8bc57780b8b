import { subjectOf } from '../domain/names.js';

/** The files `schemaflow new <team>/<name>` writes: a subject that passes `check` as it is. */
export function scaffoldSubject(team: string, name: string, options: { description?: string; owners?: readonly string[] } = {}): Array<{ file: string; content: string }> {
  const subject = subjectOf(team, name);
  const description = options.description ?? `TODO: say what one ${subject} event means, who produces it and when.`;
  const owners = options.owners && options.owners.length > 0 ? options.owners : [`@${team}`];
  const subjectYaml = [
    `description: ${JSON.stringify(description)}`,
    'owners:',
    ...owners.map((owner) => `  - ${JSON.stringify(owner)}`),
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
