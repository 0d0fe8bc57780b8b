import { describe, expect, it } from 'vitest';
import { extractFields } from '../../../src/discovery/fields.js';
import { renderSite } from '../../../src/discovery/site.js';
import { buildExampleEvent, producerSnippet } from '../../../src/discovery/snippets.js';
import { formatSubjectText } from '../../../src/discovery/text.js';
import { searchDocumentsOf, viewSubject } from '../../../src/discovery/view.js';
import { testManifest, testSubject } from '../../support/discovery-fixture.js';

/*
 * A small (3–5 KB) valid schema whose $defs each refer two or three times to the next level:
 * `schemaflow check` accepts it, and discovery walked every path, 2^N or 3^N of them (a review
 * found search, show and site running for hours). Each shape is parsed from JSON, as a manifest
 * is, so no two references are one object.
 */
type Shape = 'anyOf' | 'required' | 'prefixItems';
function fanOut(levels: number, shape: Shape): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (let index = 0; index < levels; index += 1) {
    const next = index + 1 < levels ? { $ref: `#/$defs/d${index + 1}` } : { type: 'string', description: 'leaf' };
    defs[`d${index}`] =
      shape === 'anyOf' ? { description: 'd', anyOf: [next, next] }
      : shape === 'prefixItems' ? { type: 'array', prefixItems: [next, next] }
      : { type: 'object', description: 'd', required: ['a', 'b', 'c'], properties: { a: next, b: next, c: next } };
  }
  return JSON.parse(JSON.stringify({ type: 'object', description: 'root', required: ['p'], properties: { p: { description: 'p', $ref: '#/$defs/d0' } }, $defs: defs })) as Record<string, unknown>;
}

const elapsed = (work: () => unknown): number => {
  const started = performance.now();
  work();
  return performance.now() - started;
};

describe('discovery of a schema whose references fan out (DESIGN.md §10)', () => {
  it('lists a definition used twice at each of 30 levels once per place, exactly and at once', () => {
    let list: ReturnType<typeof extractFields> | undefined;
    // Before: 20 levels took ~10 s, each level doubling it.
    expect(elapsed(() => (list = extractFields(fanOut(30, 'anyOf'))))).toBeLessThan(1_000);
    expect(list?.fields.map((field) => `${field.pointer} ${field.type}`)).toEqual(['/p string']);
    expect(list?.truncated).toBeUndefined();
  });

  it('stops a walk that meets new places at every step (2^30 item positions) and says so', () => {
    let list: ReturnType<typeof extractFields> | undefined;
    expect(elapsed(() => (list = extractFields(fanOut(30, 'prefixItems'))))).toBeLessThan(3_000);
    expect(list?.fields.map((field) => field.pointer)).toEqual(['/p']);
    expect(list?.truncated).toEqual({ reason: 'work', limit: 500_000 });
  });

  it('cuts the example event short at 10,000 values, and the producer snippet says so', () => {
    let example: ReturnType<typeof buildExampleEvent> | undefined;
    // Before: 13 levels built 3^13 = 1.6 M objects in ~8 s; 16 (its depth bound) 43 M.
    expect(elapsed(() => (example = buildExampleEvent(fanOut(16, 'required'))))).toBeLessThan(1_000);
    expect(example?.cut).toBe(true);
    expect(JSON.stringify(example?.event).match(/"leaf"|"text"|\{/g)?.length).toBeLessThanOrEqual(10_001);
    const snippet = producerSnippet({ subject: 'apps-fan', version: 1, schema: fanOut(16, 'required'), manifestLocation: './m/latest.json' });
    expect(snippet).toContain("// The example is cut short at 10,000 values: the schema's required fields nest too widely.");
    expect(producerSnippet({ subject: 'apps-fan', version: 1, schema: fanOut(3, 'required'), manifestLocation: './m/latest.json' })).not.toContain('cut short');
  });

  const manifest = testManifest([testSubject('apps-fan', [fanOut(30, 'anyOf'), fanOut(30, 'prefixItems')]), testSubject('apps-users', [{ type: 'object', properties: { email: { type: 'string' } } }])]);
  const locations = { lakeUrl: 'gs://acme-lake/events', manifestUrl: 'gs://acme-schemaflow/manifests' };

  it('keeps search, show and site bounded, and show and the site say which field list is cut short', () => {
    expect(elapsed(() => searchDocumentsOf(manifest))).toBeLessThan(5_000);
    const subject = manifest.subjects[0];
    if (!subject) throw new Error('no subject');
    const view = viewSubject(subject, locations);
    expect(view.versions.map((version) => version.fieldsTruncated?.reason)).toEqual([undefined, 'work']);
    const text = formatSubjectText(view, { state: 'none' }).join('\n');
    expect(text).toContain('fields of v2 (latest):\n  cut short: only the fields found in the first 500,000 steps are listed');
    expect(formatSubjectText(view, { state: 'none' }, 1).join('\n')).not.toContain('cut short: only');
    const page = renderSite({ manifest, views: [view], freshness: new Map(), readAt: '2026-12-01T08:00:00.000Z' }).find((file) => file.path === 'subjects/apps-fan.html')?.content ?? '';
    // Once in the latest fields, once in version 2's history entry; version 1 is whole.
    expect(page.match(/<p class="truncated" role="note"><strong>Incomplete: <\/strong>only the fields found in the first 500,000 steps/g)).toHaveLength(2);
  });
});

/*
 * Found while fixing the above: 4,900 properties of one 75,000-value enum (a valid schema of
 * 0.8 MB, a case the compatibility benchmark uses) copied the enum for every field (3 GB, 22 s
 * for search) and printed all of it for every field (show and site ran past 2 minutes).
 */
describe('discovery of many fields sharing one large enum', () => {
  const values = Array.from({ length: 75_000 }, (_, index) => `v${index}`);
  const schema = (enumValues: readonly string[]): unknown => JSON.parse(JSON.stringify({ type: 'object', properties: Object.fromEntries(Array.from({ length: 4_900 }, (_, index) => [`p${index}`, { $ref: '#/$defs/Code' }])), $defs: { Code: { enum: enumValues } } }));
  const manifest = testManifest([testSubject('apps-codes', [schema(values), schema([...values, 'new'])])]);
  const locations = { lakeUrl: 'gs://acme-lake/events', manifestUrl: 'gs://acme-schemaflow/manifests' };

  it('shows the first 20 values of each field and a count, and compares the enum once', () => {
    const subject = manifest.subjects[0];
    if (!subject) throw new Error('no subject');
    let view: ReturnType<typeof viewSubject> | undefined;
    expect(elapsed(() => (view = viewSubject(subject, locations)))).toBeLessThan(5_000);
    if (!view) throw new Error('no view');
    expect(view.versions[1]?.changes).toHaveLength(4_900);
    const text = formatSubjectText(view, { state: 'none' });
    expect(text).toContain('      /p0: values gained "new"');
    expect(text.find((line) => line.startsWith('  /p0 '))).toContain('one of "v0", "v1", "v2"');
    expect(text.find((line) => line.startsWith('  /p0 '))).toContain('"v19" … and 74,981 more');
    expect(text.join('\n').length).toBeLessThan(2_000_000);
    const page = renderSite({ manifest, views: [view], freshness: new Map(), readAt: '2026-12-01T08:00:00.000Z' }).find((file) => file.path === 'subjects/apps-codes.html')?.content ?? '';
    expect(page).toContain('&quot;v19&quot; … and 74,981 more');
    expect(page.length).toBeLessThan(10_000_000);
  });
});
