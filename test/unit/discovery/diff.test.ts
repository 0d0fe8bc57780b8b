import { describe, expect, it } from 'vitest';
import { describeFieldChange, diffFields, isPartialDiff } from '../../../src/discovery/diff.js';
import { extractFields } from '../../../src/discovery/fields.js';
import { renderSite } from '../../../src/discovery/site.js';
import { formatSubjectText } from '../../../src/discovery/text.js';
import { viewSubject } from '../../../src/discovery/view.js';
import { testManifest, testSubject } from '../../support/discovery-fixture.js';

const event = (properties: Record<string, unknown>, required: string[] = []): unknown => ({ type: 'object', required, properties });

/** [case, old schema, new schema, the changes as a person reads them, in order]. */
const CASES: ReadonlyArray<readonly [string, unknown, unknown, readonly string[]]> = [
  ['nothing changed', event({ id: { type: 'string' } }, ['id']), event({ id: { type: 'string' } }, ['id']), []],
  ['an optional field added', event({ id: { type: 'string' } }), event({ id: { type: 'string' }, locale: { type: 'string' } }), ['added /locale (string, optional)']],
  ['a required PII field added', event({}), event({ email: { type: 'string', format: 'email', 'x-pii': true } }, ['email']), ['added /email (string (email), required, PII)']],
  ['a field removed', event({ id: { type: 'string' }, old: { type: 'integer' } }), event({ id: { type: 'string' } }), ['removed /old (integer)']],
  ['a type widened', event({ n: { type: 'integer' } }), event({ n: { type: 'number' } }), ['/n: type integer → number']],
  ['nullable', event({ n: { type: 'string' } }), event({ n: { type: ['string', 'null'] } }), ['/n: type string → string | null']],
  ['a format changed', event({ at: { type: 'string', format: 'date' } }), event({ at: { type: 'string', format: 'date-time' } }), ['/at: type string (date) → string (date-time)']],
  ['now required', event({ id: { type: 'string' } }), event({ id: { type: 'string' } }, ['id']), ['/id: optional → required']],
  ['now optional', event({ id: { type: 'string' } }, ['id']), event({ id: { type: 'string' } }), ['/id: required → optional']],
  ['enum values added and removed', event({ kind: { enum: ['a', 'b'] } }), event({ kind: { enum: ['b', 'c', 'd'] } }), ['/kind: values gained "c", "d", values lost "a"']],
  ['an enum appears', event({ kind: { type: 'string' } }), event({ kind: { type: 'string', enum: ['x'] } }), ['/kind: values any value → "x"']],
  ['an enum goes away', event({ kind: { type: 'string', enum: ['x'] } }), event({ kind: { type: 'string' } }), ['/kind: values "x" → any value']],
  ['enum reordered only', event({ kind: { enum: ['a', 'b'] } }), event({ kind: { enum: ['b', 'a'] } }), []],
  ['marked PII', event({ ip: { type: 'string' } }), event({ ip: { type: 'string', 'x-pii': true } }), ['/ip: not PII → PII']],
  ['description reworded', event({ id: { type: 'string', description: 'Id.' } }), event({ id: { type: 'string', description: 'The id.' } }), ['/id: description reworded']],
  [
    'several aspects of one field, and nested fields',
    event({ money: { type: 'object', properties: { minor: { type: 'integer' } } } }),
    event({ money: { type: 'object', required: ['minor', 'currency'], properties: { minor: { type: ['integer', 'null'] }, currency: { type: 'string' } } } }),
    ['/money/minor: type integer → integer | null; optional → required', 'added /money/currency (string, required)'],
  ],
  [
    'added and changed in the new order, removed last in the old order',
    event({ a: { type: 'string' }, b: { type: 'string' }, c: { type: 'string' } }),
    event({ z: { type: 'string' }, c: { type: 'integer' } }),
    ['added /z (string, optional)', '/c: type string → integer', 'removed /a (string)', 'removed /b (string)'],
  ],
];

describe('diffFields', () => {
  it.each(CASES)('%s', (_name, before, after, expected) => {
    expect(diffFields(extractFields(before), extractFields(after)).map(describeFieldChange)).toEqual(expected);
  });

  it('gives the values added and removed as data', () => {
    const [change] = diffFields(extractFields(event({ kind: { enum: ['a', 1] } })), extractFields(event({ kind: { enum: [1, 'b'] } })));
    expect(change).toMatchObject({ kind: 'changed', pointer: '/kind', valuesAdded: ['b'], valuesRemoved: ['a'], aspects: [{ aspect: 'values', from: '"a", 1', to: '1, "b"' }] });
  });
});

/*
 * A review found extractFields stopping silently at 5,000 fields: a field pushed past the cut by
 * one added before it read as removed. A list cut short now says so, and the diff never reports
 * a field as added or removed on the strength of a list that stops before it.
 */
describe('versions of more than 5,000 fields', () => {
  const names = (count: number, first = 0): string[] => Array.from({ length: count }, (_, index) => `p${first + index}`);
  const schema = (fields: readonly string[]): unknown => event(Object.fromEntries(fields.map((name) => [name, { type: 'string', description: name }])));
  const v1 = schema(names(5_001));
  // Adds one optional field first and keeps every field of v1: a compatible change.
  const v2 = schema(['added', ...names(5_001)]);

  it('marks a list cut at 5,000 fields, and not one of exactly 5,000', () => {
    expect(extractFields(v1).truncated).toEqual({ reason: 'fields', limit: 5_000 });
    expect(extractFields(v1).fields.at(-1)?.pointer).toBe('/p4999');
    expect(extractFields(schema(names(5_000))).truncated).toBeUndefined();
  });

  it('reports no field removed that the new version still has, and says the diff is partial', () => {
    expect(diffFields(extractFields(v1), extractFields(v2))).toEqual([]);
    expect(isPartialDiff(extractFields(v1), extractFields(v2))).toBe(true);
    expect(isPartialDiff(extractFields(schema(names(5_000))), extractFields(schema(names(5_000))))).toBe(false);
  });

  it('still reports a removal when the new list is whole, and no addition past the old list’s cut', () => {
    // v3: p0 removed, so /p5000 (past v1's cut) now shows: it is not new.
    expect(diffFields(extractFields(v1), extractFields(schema(names(5_000, 1)))).map(describeFieldChange)).toEqual(['removed /p0 (string)']);
    // The other way round: every field of the cut list is compared, the one past the cut is not called added.
    expect(diffFields(extractFields(schema(names(5_000, 1))), extractFields(v1)).map(describeFieldChange)).toEqual(['added /p0 (string, optional)']);
  });

  it('says so in show and on the subject page', () => {
    const manifest = testManifest([testSubject('apps-wide', [v1, v2])]);
    const subject = manifest.subjects[0];
    if (!subject) throw new Error('no subject');
    const view = viewSubject(subject, { lakeUrl: 'gs://acme-lake/events', manifestUrl: 'gs://acme-schemaflow/manifests' });
    expect(view.versions.map((version) => [version.fieldsTruncated?.reason, version.changesPartial])).toEqual([['fields', undefined], ['fields', true]]);
    const text = formatSubjectText(view, { state: 'none' });
    expect(text).toContain('      partial: a field list is cut short, so fields past the cut are not compared: additions, removals and changes there are not shown; no change among the fields compared');
    expect(text).toContain('  cut short: only the first 5,000 fields are listed: the schema has more, and the fields past them are missing');
    expect(text.some((line) => line.includes('removed'))).toBe(false);
    const page = renderSite({ manifest, views: [view], freshness: new Map(), readAt: '2026-12-01T08:00:00.000Z' }).find((file) => file.path === 'subjects/apps-wide.html')?.content ?? '';
    expect(page).toContain('<p class="truncated" role="note"><strong>Partial: </strong>a field list is cut short');
    expect(page).toContain('No change among the fields compared with version 1.');
    expect(page).toContain('<strong>Incomplete: </strong>only the first 5,000 fields are listed');
  });
});
